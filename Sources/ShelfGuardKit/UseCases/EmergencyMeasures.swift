import Foundation

/// Emergency measures (DSP Art. 13) as both front doors take them: `shelfguard takedown|suspend|
/// warn|reinstate` and `POST /v1/measures`. The checks of the request, the ids it names, and the
/// order applied with its warning all live here once.
public enum EmergencyMeasures {
    /// What is wrong with an order's request before anything is opened: no selector, a version
    /// named without its app, an empty reason, or (for every measure but reinstate) no order
    /// reference. Fields are named as `naming` says.
    public static func check(
        selector: MeasureSelector, reason: String, order: String, requireOrder: Bool, naming: FieldNaming
    ) throws(UseCaseError) {
        let name = naming.name
        guard !selector.isEmpty else {
            let names = ["app", "version", "developer", "filing", "signature"].map(name).joined(separator: ", ")
            throw UseCaseError(.invalid, "select the versions: \(names) or \(name("feature"))")
        }
        if let version = selector.version, selector.app == nil,
            !(version.count >= 12 && version.allSatisfy(\.isHexDigit))
        {
            throw UseCaseError(
                .invalid,
                "\(name("version")) \(version) needs \(name("app")) (or give 12+ hex digits of the bundle's SHA-256)")
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw UseCaseError(.invalid, "\(name("reason")) is empty")
        }
        if requireOrder && order.trimmingCharacters(in: .whitespaces).isEmpty {
            throw UseCaseError(
                .invalid, "\(name("order")) is required: the reference of the instruction this measure follows")
        }
    }

    /// Whether a measure needs an order reference: all but lifting one.
    public static func requiresOrder(_ measure: Measure) -> Bool { measure != .reinstate }

    /// A feature or signature id that is neither in the feature database used nor recorded for
    /// any version is a mistake, named with the nearest known ids: an order must not silently
    /// select nothing because of a typing error. `recorded` is `LedgerStore.recordedIDs()`, or
    /// nothing when there is no shelf yet.
    public static func checkIDs(
        _ selector: MeasureSelector, features: SignatureDatabase,
        recorded: (features: [String], signatures: [String], apps: [String])
    ) throws(UseCaseError) {
        guard selector.feature != nil || selector.signature != nil else { return }
        let problems = selector.unknownIDs(
            features: features.taxonomy.ids + recorded.features,
            signatures: features.signatures.map(\.id) + recorded.signatures)
        if !problems.isEmpty { throw UseCaseError(.invalid, problems.joined(separator: "\n")) }
    }

    /// Applies the order (or, with `dryRun`, says what it would do). When it selects nothing
    /// and names an app, the warning lists the apps with a near id.
    public static func apply(_ order: MeasureOrder, dryRun: Bool, on ledger: any LedgerStore) throws -> MeasureResult {
        var result = try ledger.apply(order, dryRun: dryRun)
        if let warning = result.warning, let app = order.selector.app {
            let near = Vocabulary.nearest(to: app, in: try ledger.recordedIDs().apps.filter { $0 != app })
            if !near.isEmpty { result.warning = warning + "; apps with a near id: " + near.joined(separator: ", ") }
        }
        return result
    }
}

import Foundation

/// Everything a policy judges one bundle on.
public struct ReviewContext: Sendable {
    public var inspection: Inspection
    public var declaration: DeclarationState
    public var registry: any EvidenceRegistry
    public var taxonomy: FeatureTaxonomy
    /// The day the review is made as of, `YYYY-MM-DD` (ages and expiries are counted to it).
    public var asOf: String
    public var settings: Policy.Settings

    public init(
        inspection: Inspection, declaration: DeclarationState, registry: any EvidenceRegistry,
        taxonomy: FeatureTaxonomy,
        asOf: String, settings: Policy.Settings
    ) {
        self.inspection = inspection
        self.declaration = declaration
        self.registry = registry
        self.taxonomy = taxonomy
        self.asOf = asOf
        self.settings = settings
    }

    /// The bundle's file name, as locations start with it.
    var bundleName: String { BundleReader.displayName(of: inspection.bundle.path) }

    /// The declaration, when one was found and it parses.
    var declared: Declaration? {
        if case .found(let declaration, _) = declaration { return declaration }
        return nil
    }

    /// The platform of the bundle (android when the manifest could not say).
    var platform: AppManifest.Platform { inspection.manifest?.platform ?? .android }
}

/// Whether and how a declaration was found.
public enum DeclarationState: Sendable {
    /// Found and parsed. `folder` is where it was read from, for materials named beside it.
    case found(Declaration, folder: String?)
    /// Found but defective: the problems, each with its position.
    case invalid(DeclarationReader.Failure)
    /// Nowhere: not given, not beside the bundle, not inside it.
    case missing(searched: [String])
}

/// Dates as `YYYY-MM-DD` text, counted in whole days.
enum CalendarDay {
    static func days(from start: String, to end: String) -> Int? {
        guard let a = date(start), let b = date(end) else { return nil }
        return Int((b.timeIntervalSince(a) / 86_400).rounded())
    }

    static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count >= 2 else { return nil }
        var components = DateComponents()
        components.year = parts[0]
        components.month = parts[1]
        components.day = parts.count > 2 ? parts[2] : 1
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar.date(from: components)
    }

    /// Today in China, `YYYY-MM-DD`.
    static func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }
}

import Foundation

/// SARIF 2.1.0 (OASIS), the format code-scanning dashboards read. One run for the whole `check`:
/// the policy's rules are the run's rules (rule ids are policy rule ids), each finding a result
/// whose physical location is the bundle or the declaration (with line and column), whose logical
/// location is the path chain inside the bundle, and whose partial fingerprint stays the same from
/// run to run. Waived findings are results with an accepted external suppression.
public struct SARIFReport: Sendable {
    public var policy: Policy

    public init(policy: Policy) { self.policy = policy }

    static let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    static let fingerprintKey = "shelfguardFinding/v1"

    public func render(_ outputs: [CheckOutput]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return SafeText.json(String(decoding: try encoder.encode(log(outputs)), as: UTF8.self)) + "\n"
    }

    func log(_ outputs: [CheckOutput]) -> Log {
        let ruleIndex = Dictionary(policy.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let rules = policy.rules.map { rule in
            ReportingDescriptor(
                id: rule.id, name: SARIFReport.camelCase(rule.id),
                shortDescription: Message(text: rule.description),
                fullDescription: Message(text: "\(rule.description) (\(rule.basis))"),
                help: MultiformatMessage(
                    text: "Remedy: \(rule.remedy)",
                    markdown: "**Basis:** \(rule.basis)\n\n**Remedy:** \(rule.remedy)"),
                defaultConfiguration: Configuration(level: SARIFReport.level(rule.outcome)),
                properties: RuleProperties(
                    basis: rule.basis, outcome: rule.outcome.rawValue, check: rule.check.rawValue,
                    tags: ["deep-synthesis", "shelf-review", rule.outcome.rawValue]))
        }
        var results: [Result] = []
        var artifacts: [Artifact] = []
        var notifications: [Notification] = []
        var verdicts: [BundleVerdict] = []
        for output in outputs {
            guard let result = output.result else {
                notifications.append(
                    Notification(
                        level: "error", message: Message(text: "\(output.path): \(output.error ?? "not checked")"),
                        locations: [
                            Location(
                                physicalLocation: PhysicalLocation(
                                    artifactLocation: ArtifactLocation(uri: FindingPlace(file: output.path).uri),
                                    region: nil),
                                logicalLocations: nil)
                        ]))
                continue
            }
            let bundle = result.inspection.bundle
            artifacts.append(
                Artifact(
                    location: ArtifactLocation(uri: FindingPlace(file: bundle.path).uri), length: bundle.size,
                    hashes: bundle.sha256.isEmpty ? nil : ["sha-256": bundle.sha256]))
            verdicts.append(
                BundleVerdict(
                    bundle: bundle.path, app: result.appIdentity, verdict: result.verdict.rawValue,
                    exitCode: result.exitStatus.rawValue))
            for finding in result.findings {
                let place = FindingPlace(finding.location, bundlePath: bundle.path)
                let region = place.line.map { Region(startLine: $0, startColumn: place.column) }
                let logical = place.inner.map {
                    [
                        LogicalLocation(
                            name: $0.split(separator: "!").last.map(String.init),
                            fullyQualifiedName: "\(BundleReader.displayName(of: bundle.path))!\($0)", kind: "module")
                    ]
                }
                results.append(
                    Result(
                        ruleId: finding.rule, ruleIndex: ruleIndex[finding.rule],
                        level: finding.waiver == nil ? SARIFReport.level(finding.severity) : "note",
                        message: Message(text: finding.message),
                        locations: [
                            Location(
                                physicalLocation: PhysicalLocation(
                                    artifactLocation: ArtifactLocation(uri: place.uri), region: region),
                                logicalLocations: logical)
                        ],
                        partialFingerprints: [
                            SARIFReport.fingerprintKey: finding.fingerprint(app: result.appIdentity, place: place)
                        ],
                        suppressions: finding.waiver.map {
                            [Suppression(kind: "external", status: "accepted", justification: $0)]
                        },
                        properties: ResultProperties(
                            severity: finding.severity.rawValue, basis: finding.basis, remedy: finding.remedy,
                            app: result.appIdentity, verdict: result.verdict.rawValue)))
            }
        }
        let stamp = outputs.compactMap(\.result).first?.stamp
        let run = Run(
            tool: Tool(
                driver: ToolComponent(
                    name: "ShelfGuard", version: ShelfGuardVersion.current, semanticVersion: ShelfGuardVersion.current,
                    rules: rules)),
            invocations: [
                Invocation(
                    executionSuccessful: notifications.isEmpty,
                    toolExecutionNotifications: notifications.isEmpty ? nil : notifications)
            ],
            artifacts: artifacts.isEmpty ? nil : artifacts, results: results,
            properties: RunProperties(
                policy: policy.name, policySha256: policy.digest, signatureDatabaseSha256: stamp?.signatureDigest,
                policySource: policy.origin.description, signatureDatabaseSource: stamp?.signatureSource?.description,
                evidenceDatabase: stamp?.evidenceDatabase?.description, asOf: stamp?.asOf, verdicts: verdicts))
        return Log(schema: SARIFReport.schema, version: "2.1.0", runs: [run])
    }

    /// SARIF levels: refuse is an error; manual review and warnings are warnings; the rest notes.
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .refuse: "error"
        case .manualReview, .warn: "warning"
        case .info: "note"
        }
    }

    /// `filing_cancelled` → `FilingCancelled`, the rule's SARIF name.
    static func camelCase(_ id: String) -> String {
        id.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    // MARK: - The SARIF objects used, as the specification names them

    struct Log: Encodable {
        var schema: String
        var version: String
        var runs: [Run]
        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case version, runs
        }
    }

    struct Run: Encodable {
        var tool: Tool
        var invocations: [Invocation]
        var artifacts: [Artifact]?
        var results: [Result]
        var properties: RunProperties
    }

    struct Tool: Encodable { var driver: ToolComponent }

    struct ToolComponent: Encodable {
        var name: String
        var version: String
        var semanticVersion: String
        var rules: [ReportingDescriptor]
    }

    struct ReportingDescriptor: Encodable {
        var id: String
        var name: String
        var shortDescription: Message
        var fullDescription: Message
        var help: MultiformatMessage
        var defaultConfiguration: Configuration
        var properties: RuleProperties
    }

    struct RuleProperties: Encodable {
        var basis: String
        var outcome: String
        var check: String
        var tags: [String]
    }

    struct Configuration: Encodable { var level: String }

    struct Message: Encodable { var text: String }

    struct MultiformatMessage: Encodable {
        var text: String
        var markdown: String
    }

    struct Invocation: Encodable {
        var executionSuccessful: Bool
        var toolExecutionNotifications: [Notification]?
    }

    struct Notification: Encodable {
        var level: String
        var message: Message
        var locations: [Location]
    }

    struct Artifact: Encodable {
        var location: ArtifactLocation
        var length: Int64
        var hashes: [String: String]?
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int?
        var level: String
        var message: Message
        var locations: [Location]
        var partialFingerprints: [String: String]
        var suppressions: [Suppression]?
        var properties: ResultProperties
    }

    struct Location: Encodable {
        var physicalLocation: PhysicalLocation
        var logicalLocations: [LogicalLocation]?
    }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region?
    }

    struct ArtifactLocation: Encodable { var uri: String }

    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int?
    }

    struct LogicalLocation: Encodable {
        var name: String?
        var fullyQualifiedName: String
        var kind: String
    }

    struct Suppression: Encodable {
        var kind: String
        var status: String
        var justification: String
    }

    struct ResultProperties: Encodable {
        var severity: String
        var basis: String
        var remedy: String
        var app: String
        var verdict: String
    }

    struct RunProperties: Encodable {
        var policy: String
        var policySha256: String
        var signatureDatabaseSha256: String?
        /// Where the policy, the feature database and the evidence database were read from.
        var policySource: String?
        var signatureDatabaseSource: String?
        var evidenceDatabase: String?
        var asOf: String?
        var verdicts: [BundleVerdict]
    }

    struct BundleVerdict: Encodable {
        var bundle: String
        var app: String
        var verdict: String
        var exitCode: Int32
    }
}

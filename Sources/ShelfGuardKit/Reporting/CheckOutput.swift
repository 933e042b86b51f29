import Foundation

/// What `shelfguard check` reports for one bundle: the contract's JSON object (the inspection's
/// `bundle`, `manifest`, `detections`, `hazards`, then `declaration`, `verdict`, `findings`), or
/// an `error` when the tool itself could not check it.
public struct CheckOutput: Sendable, Encodable {
    /// The bundle path as given.
    public var path: String
    public var result: CheckResult?
    /// Set only when the tool failed for this bundle (a missing file): exit 1.
    public var error: String?

    public init(path: String, result: CheckResult) {
        self.path = path
        self.result = result
    }

    public init(path: String, error: String) {
        self.path = path
        self.error = error
    }

    /// 0 approve, 2 refuse, 3 warn or manual review, 1 when the tool failed.
    public var status: ExitStatus { result?.exitStatus ?? .toolError }

    enum CodingKeys: String, CodingKey {
        case path, error, bundle, manifest, detections, featureSummary, hazards, declaration, declarationSource
        case verdict, findings, policy, signatureDatabase, evidenceDatabase, registry, asOf, toolVersion
    }

    /// The policy and the feature database as JSON names them: the hash, and where they were
    /// read from (`source`: `built-in` or a path; `chosenBy`: `built-in`, `--policies`, …).
    struct PolicyStamp: Encodable {
        var name: String?
        var sha256: String?
        var source: String?
        var chosenBy: String?

        init(name: String? = nil, sha256: String?, origin: ConfigSource?) {
            self.name = name
            self.sha256 = sha256
            source = origin.map { $0.path ?? "built-in" }
            chosenBy = origin?.chosenBy
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        guard let result else {
            try c.encode(path, forKey: .path)
            try c.encode(error ?? "unknown error", forKey: .error)
            return
        }
        let inspection = result.inspection
        try c.encode(inspection.bundle, forKey: .bundle)
        try c.encodeIfPresent(inspection.manifest, forKey: .manifest)
        try c.encode(inspection.detections, forKey: .detections)
        try c.encode(inspection.featureSummary, forKey: .featureSummary)
        try c.encode(inspection.hazards, forKey: .hazards)
        try c.encodeIfPresent(result.declaration, forKey: .declaration)
        try c.encodeIfPresent(result.declarationSource, forKey: .declarationSource)
        try c.encode(result.verdict, forKey: .verdict)
        try c.encode(result.findings, forKey: .findings)
        let stamp = result.stamp
        try c.encode(
            PolicyStamp(name: stamp.policyName, sha256: stamp.policyDigest, origin: stamp.policySource),
            forKey: .policy)
        try c.encode(
            PolicyStamp(sha256: stamp.signatureDigest, origin: stamp.signatureSource), forKey: .signatureDatabase)
        try c.encodeIfPresent(
            stamp.evidenceDatabase.map { PolicyStamp(sha256: nil, origin: $0) }, forKey: .evidenceDatabase)
        try c.encode(stamp.registry, forKey: .registry)
        try c.encode(stamp.asOf, forKey: .asOf)
        try c.encode(stamp.toolVersion, forKey: .toolVersion)
    }
}

/// The formats `check` writes: on standard output with `--format`, to files with `-o FORMAT=PATH`.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// For people at a terminal (colour when it is one and `NO_COLOR` is not set).
    case text
    /// The product contract's JSON.
    case json
    /// SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps).
    case sarif
    /// JUnit XML for CI test reports: one test case per rule per bundle.
    case junit
    /// GitHub Actions workflow commands (`::error file=…::…`), shown as annotations.
    case github
    /// Markdown for merge-request comments and job summaries.
    case markdown

    /// Renders outputs in this format. `color` applies to text only.
    ///
    /// Each renderer escapes what came from strangers in its own way (HTML and XML entities,
    /// GitHub's `%0A`, Markdown's table pipes, JSON's `\u`); the whole report is then swept once
    /// more, so that no control character reaches a terminal or a file raw even if a renderer
    /// missed a field. Only the line breaks and tabs of the layout stay (and the colour codes of
    /// the coloured text report).
    public func render(_ outputs: [CheckOutput], policy: Policy, color: Bool = false) throws -> String {
        switch self {
        case .text:
            SafeText.sweep(
                CheckTextReport(color: color).render(outputs), keeping: color ? [.newlines, .tabs, .colours] : .lines)
        case .json: try CheckJSONReport.render(outputs)
        case .sarif: try SARIFReport(policy: policy).render(outputs)
        case .junit: SafeText.sweep(JUnitReport(policy: policy).render(outputs), keeping: .lines)
        case .github: SafeText.sweep(GitHubAnnotations().render(outputs), keeping: .newlines)
        case .markdown: SafeText.sweep(MarkdownReport().render(outputs), keeping: .lines)
        }
    }
}

/// The contract's JSON: one object for one bundle, an array for several; keys sorted, stable.
public enum CheckJSONReport {
    public static func render(_ outputs: [CheckOutput]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = outputs.count == 1 ? try encoder.encode(outputs[0]) : try encoder.encode(outputs)
        return SafeText.json(String(decoding: data, as: UTF8.self)) + "\n"
    }
}

import Foundation

/// The report of one `review` batch: what was reviewed, each bundle's verdict, shelf state and
/// findings, as JSON (for tools), CSV (for spreadsheets) and one self-contained HTML page (for
/// people; no server, no network: styles and the verdict filter are inside the page).
public struct BatchReport: Sendable, Codable {
    public var batch: Int64
    public var startedAt: String
    public var finishedAt: String
    public var database: String
    public var actor: String
    public var jobs: Int
    public var policy: String
    public var policySHA256: String
    public var signatureSHA256: String
    /// Where the policy and the feature database were read from (`built-in`, or a path and how
    /// it was chosen).
    public var policySource: String?
    public var signatureSource: String?
    public var asOf: String
    public var toolVersion: String
    /// True when the batch was stopped before the end; running it again resumes.
    public var interrupted: Bool
    /// Wall time of the batch, and the time its workers spent in the shelf database, summed.
    public var seconds: Double
    public var ledgerSeconds: Double
    public var counts: Counts
    public var items: [Item]
    /// The audit log's head after the batch: kept with the report, it later proves the log still
    /// reaches it (`audit verify --expect-head`).
    public var auditHead: AuditHead?

    public struct Counts: Sendable, Codable, Equatable {
        public var bundles = 0
        public var reviewed = 0
        public var skipped = 0
        public var failed = 0
        public var approve = 0
        public var warn = 0
        public var manualReview = 0
        public var refuse = 0

        enum CodingKeys: String, CodingKey {
            case bundles, reviewed, skipped, failed, approve, warn, refuse
            case manualReview = "manual_review"
        }
    }

    public struct Item: Sendable, Codable {
        public var path: String
        /// reviewed, skipped (recorded before) or failed.
        public var status: BatchReview.Status
        public var app: String?
        public var name: String?
        public var version: String?
        public var platform: String?
        public var sha256: String?
        public var verdict: VerdictOutcome?
        /// The version's shelf state after this review.
        public var state: ShelfState?
        public var note: String?
        public var error: String?
        public var seconds: Double
        public var ledgerSeconds: Double
        public var reviewID: Int64?
        public var findings: [Finding]
    }

    /// The report of a batch just run; reviews skipped as done before are read back from the ledger.
    public static func make(
        _ outcome: BatchReview.Outcome, check: ShelfCheck, ledger: any LedgerStore, database: String, actor: String,
        jobs: Int
    ) throws -> BatchReport {
        var counts = Counts()
        var items: [Item] = []
        for entry in outcome.items {
            var item = Item(
                path: entry.path, status: entry.status, sha256: entry.sha256, error: entry.error,
                seconds: entry.seconds,
                ledgerSeconds: entry.ledgerSeconds, findings: [])
            if let recorded = entry.recorded {
                item.app = recorded.appID
                item.reviewID = recorded.reviewID
                item.verdict = recorded.verdict
                item.state = recorded.state
                item.note = recorded.note
                if let version = try ledger.version(id: recorded.versionID) {
                    item.name = version.appName
                    item.version = version.versionName ?? version.versionCode
                    item.platform = version.platform
                    item.state = version.state
                }
                if let result = entry.result {
                    // This bundle's own names, not the app's latest.
                    item.findings = result.findings
                    item.name = result.declaration?.app.name ?? result.inspection.manifest?.displayName ?? item.name
                    let manifest = result.inspection.manifest
                    item.version = manifest?.versionName ?? manifest?.versionCode ?? item.version
                } else if let review = try ledger.review(id: recorded.reviewID) {
                    item.findings = review.findings
                }
            }
            counts.bundles += 1
            switch entry.status {
            case .reviewed: counts.reviewed += 1
            case .skipped: counts.skipped += 1
            case .failed: counts.failed += 1
            }
            switch item.verdict {
            case .approve?: counts.approve += 1
            case .warn?: counts.warn += 1
            case .manualReview?: counts.manualReview += 1
            case .refuse?: counts.refuse += 1
            case nil: break
            }
            items.append(item)
        }
        return BatchReport(
            batch: outcome.batchID, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt, database: database,
            actor: actor, jobs: jobs, policy: check.policy.name, policySHA256: check.policy.digest,
            signatureSHA256: check.inspector.signatures?.database.digest ?? "",
            policySource: check.policy.origin.description,
            signatureSource: check.inspector.signatures?.database.origin.description, asOf: check.asOf,
            toolVersion: ShelfGuardVersion.current, interrupted: outcome.interrupted, seconds: outcome.seconds,
            ledgerSeconds: outcome.ledgerSeconds, counts: counts, items: items, auditHead: try ledger.auditHead())
    }

    /// The exit status of `review`: 1 when a bundle could not be reviewed, else the worst verdict
    /// (2 refused, 3 warnings or manual review, 0 all approved).
    public var exitStatus: ExitStatus {
        if counts.failed > 0 { return .toolError }
        return items.compactMap { $0.verdict?.exitStatus }.max() ?? .pass
    }

    // MARK: - JSON and CSV

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return SafeText.json(String(decoding: try encoder.encode(self), as: UTF8.self)) + "\n"
    }

    static let csvColumns = [
        "path", "status", "app", "name", "version", "platform", "sha256", "verdict", "state", "refuse", "manual_review",
        "warn", "info", "rules", "note", "error",
    ]

    /// One row per bundle. Cells are quoted as RFC 4180 says, control characters are escaped
    /// (`\n`, `\u{1B}`: a row stays a row, also in a terminal), and a cell that a spreadsheet
    /// would take for a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`: bundle names are
    /// written by strangers.
    public func csv() -> String {
        var lines = [BatchReport.csvColumns.joined(separator: ",")]
        for item in items {
            func count(_ severity: Severity) -> String {
                String(item.findings.filter { $0.severity == severity }.count)
            }
            let rules = Array(Set(item.findings.map(\.rule))).sorted().joined(separator: ";")
            let cells = [
                item.path, item.status.rawValue, item.app ?? "", item.name ?? "", item.version ?? "",
                item.platform ?? "",
                item.sha256 ?? "", item.verdict?.rawValue ?? "", item.state?.rawValue ?? "", count(.refuse),
                count(.manualReview), count(.warn), count(.info), rules, item.note ?? "", item.error ?? "",
            ]
            lines.append(cells.map(BatchReport.csvCell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func csvCell(_ text: String) -> String {
        var text = SafeText.escape(text)
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation

/// The report of one daily run (DSP Art. 13, 日常管理): what was checked, the measures taken, the
/// alerts raised for the first time and those resolved, and the versions that could not be
/// judged again. JSON for tools, one self-contained HTML page for the operators.
public struct DailyReport: Sendable, Codable {
    public var run: Int64
    public var asOf: String
    public var actor: String
    public var database: String
    public var policySHA256: String
    public var signatureSHA256: String
    /// Where the policy and the feature database were read from (`built-in`, or a path and how
    /// it was chosen).
    public var policySource: String?
    public var signatureSource: String?
    public var seconds: Double
    public var interrupted: Bool
    public var checked: Int
    public var reread: Int
    public var measures: Counts
    public var newAlerts: Int
    public var resolvedAlerts: Int
    public var problems: Int
    /// Versions where something happened, by version id.
    public var items: [DailyManagement.Item]
    /// Complaints (DSP Art. 12): reviewers' tasks opened and closed, overdue complaints (listed
    /// every run until answered), complaints kept but not counted.
    public var complaints: DailyManagement.Complaints
    /// The audit log's head after the run: kept with the report, it later proves the log still
    /// reaches it (`audit verify --expect-head`).
    public var auditHead: AuditHead?
    /// The part of the shelf this run judged (`K/N`), when it was one of several; absent for the
    /// whole shelf.
    public var shard: String?

    public struct Counts: Sendable, Codable, Equatable {
        public var warn = 0
        public var manualReview = 0
        public var suspend = 0
        public var takeDown = 0

        enum CodingKeys: String, CodingKey {
            case warn, suspend
            case manualReview = "manual_review"
            case takeDown = "take_down"
        }
    }

    public init(_ outcome: DailyManagement.Outcome, check: ShelfCheck, actor: String, database: String) {
        run = outcome.runID
        asOf = check.asOf
        self.actor = actor
        self.database = database
        policySHA256 = check.policy.digest
        signatureSHA256 = check.inspector.signatures?.database.digest ?? ""
        policySource = check.policy.origin.description
        signatureSource = check.inspector.signatures?.database.origin.description
        seconds = outcome.seconds
        interrupted = outcome.interrupted
        checked = outcome.checked
        reread = outcome.reread
        let m = outcome.measures
        measures = Counts(
            warn: m[.warn] ?? 0, manualReview: m[.manualReview] ?? 0, suspend: m[.suspend] ?? 0,
            takeDown: m[.takeDown] ?? 0)
        newAlerts = outcome.items.map(\.newAlerts.count).reduce(0, +)
        resolvedAlerts = outcome.items.map(\.resolvedAlerts).reduce(0, +)
        problems = outcome.items.filter { $0.problem != nil }.count
        items = outcome.items
        complaints = outcome.complaints
        auditHead = outcome.auditHead
        shard = outcome.shard == .whole ? nil : outcome.shard.description
    }

    /// 2 when a suspension or takedown was applied, 3 when warnings, manual reviews, new
    /// alerts, reviewers' tasks opened by complaints or overdue complaints, 0 when nothing
    /// happened (product contract). Versions that could not be judged again are listed in the
    /// report; they do not change the code.
    public var exitStatus: ExitStatus {
        if measures.suspend + measures.takeDown > 0 { return .refused }
        if measures.warn + measures.manualReview + newAlerts + complaints.tasksOpened.count + complaints.overdue.count
            > 0
        {
            return .warn
        }
        return .pass
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return SafeText.json(String(decoding: try encoder.encode(self), as: UTF8.self)) + "\n"
    }

    /// The complaints section of the page: tasks opened, overdue complaints, those not counted.
    func complaintsHTML() -> String {
        let c = complaints
        guard !c.tasksOpened.isEmpty || !c.overdue.isEmpty || !c.notOnShelf.isEmpty || !c.tasksClosed.isEmpty else {
            return ""
        }
        var parts = ["<h2>Complaints (DSP Art. 12)</h2><ul>"]
        for task in c.tasksOpened {
            parts.append(
                "<li>reviewer's task \(task.id) opened for <strong>\(h(task.app))</strong>: \(h(task.reason))</li>")
        }
        if !c.tasksClosed.isEmpty {
            parts.append(
                "<li>tasks closed (under the threshold again): \(c.tasksClosed.map { String($0) }.joined(separator: ", "))</li>"
            )
        }
        for late in c.overdue {
            parts.append(
                "<li class=\"error\">complaint \(late.complaint) about \(h(late.app)) (\(h(late.category))) was due \(h(late.dueOn)): \(late.daysOverdue) days overdue</li>"
            )
        }
        if !c.notOnShelf.isEmpty {
            parts.append(
                "<li class=\"quiet\">kept, not counted (no version of the app on the shelf): complaints \(c.notOnShelf.map { String($0) }.joined(separator: ", "))</li>"
            )
        }
        parts.append("</ul>")
        return parts.joined()
    }

    public func html() -> String {
        let rows = items.map { item -> String in
            let action =
                item.to.map { "\(item.from.rawValue) → \($0.rawValue)" }
                ?? (item.problem != nil ? "not judged again" : "unchanged (\(item.from.rawValue))")
            let alerts = item.newAlerts.map {
                "<li><span class=\"sev sev-\($0.severity.rawValue)\">\(h($0.severity.rawValue.replacingOccurrences(of: "_", with: " ")))</span> <code>\(h($0.rule))</code> \(h($0.message))</li>"
            }.joined()
            let measure = item.to != nil ? (item.measure?.rawValue ?? "") : ""
            return """
                <tr class="m-\(measure)"><td><strong>\(h(item.app))</strong><div class="quiet">\(h(item.version)) · version \(item.versionID)</div></td>\
                <td>\(h(action))\(item.reason.map { "<div class=\"quiet\">\(h($0))</div>" } ?? "")</td>\
                <td>\(alerts.isEmpty ? "—" : "<ul>\(alerts)</ul>")\(item.resolvedAlerts > 0 ? "<div class=\"quiet\">\(item.resolvedAlerts) resolved</div>" : "")</td>\
                <td>\(item.reread ? "read again" : "stored inventory")\(item.problem.map { "<div class=\"error\">\(h($0))</div>" } ?? "")</td></tr>
                """
        }
        let cards = [
            ("Checked", checked, ""), ("Warned", measures.warn, "warn"),
            ("Manual review", measures.manualReview, "manual_review"),
            ("Suspended", measures.suspend, "suspend"), ("Taken down", measures.takeDown, "take_down"),
            ("New alerts", newAlerts, ""), ("Complaint tasks", complaints.tasksOpened.count, "manual_review"),
            ("Overdue complaints", complaints.overdue.count, "warn"), ("Problems", problems, ""),
        ].map { "<div class=\"card m-\($2)\"><span class=\"n\">\($1)</span><span>\($0)</span></div>" }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ShelfGuard daily management, \(h(asOf))</title>
            <style>
            body{font:14px/1.45 system-ui,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:0;color:#1d232a;background:#f4f5f7}
            header{background:#1f2d3d;color:#fff;padding:20px 32px}header h1{margin:0 0 4px;font-size:22px}
            header p{margin:0;color:#c9d3de;font-size:13px}main{padding:20px 32px}
            .cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:18px}
            .card{background:#fff;border-radius:10px;padding:12px 18px;min-width:110px;box-shadow:0 1px 2px #0002}
            .card .n{display:block;font-size:26px;font-weight:700}
            .m-warn .n{color:#8a5a00}.m-manual_review .n{color:#6b2d91}.m-suspend .n{color:#b5470f}.m-take_down .n{color:#a3212b}
            table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 2px #0002}
            th{text-align:left;background:#e8ebef;padding:8px 10px;font-size:12px;text-transform:uppercase}
            td{padding:10px;border-top:1px solid #e3e6ea;vertical-align:top}
            tr.m-take_down td:first-child{border-left:4px solid #a3212b}tr.m-suspend td:first-child{border-left:4px solid #b5470f}
            tr.m-warn td:first-child{border-left:4px solid #d9a400}tr.m-manual_review td:first-child{border-left:4px solid #6b2d91}
            ul{margin:0;padding-left:18px}.quiet{color:#6b7682;font-size:12px}.error{color:#a3212b;font-size:12px}
            .sev{font-weight:600;text-transform:uppercase;font-size:11px}.sev-refuse{color:#a3212b}.sev-manual_review{color:#6b2d91}.sev-warn{color:#8a5a00}
            footer{padding:16px 32px;color:#6b7682;font-size:12px}
            </style></head><body>
            <header><h1>ShelfGuard daily management · \(h(asOf))\(shard.map { " · shard \(h($0))" } ?? "")</h1>
            <p>run \(run) by \(h(actor)) · \(checked) versions on the shelf judged again (\(reread) read again) in \(String(format: "%.1f", seconds)) s\(interrupted ? " · <strong>interrupted</strong>" : "")</p></header>
            <main><div class="cards">\(cards.joined())</div>
            \(items.isEmpty ? "<p>Nothing changed on the shelf: no new finding, no measure.</p>" : """
            <table><thead><tr><th>App</th><th>Measure</th><th>New alerts</th><th>Judged on</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table>
            """)
            \(complaintsHTML())
            </main>
            <footer>Policy \(h(policySource ?? "?")) sha256 \(h(String(policySHA256.prefix(16))))…, feature database \(h(signatureSource ?? "?")) sha256 \(h(String(signatureSHA256.prefix(16))))…; shelf database \(h(database))\(auditHead.map { ", audit log head \($0.seq) sha256 \(h($0.hash))" } ?? ""). Measures: DSP Art. 13 (警示, 暂停服务, 下架); complaints: DSP Art. 12.</footer>
            </body></html>

            """
    }
}

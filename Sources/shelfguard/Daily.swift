import ArgumentParser
import Foundation
import ShelfGuardKit

/// `shelfguard daily`: daily management of everything on the shelf.
struct Daily: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daily",
        abstract: "Judge every version on the shelf again against today's evidence, and apply the policy's measures.",
        discussion: """
            Re-judges every approved, warned and suspended version from its stored inventory and declaration against today's registry (import new filing lists and cancellation notices first), the review policy and the day. The stored bundle is read again only when the extractor changed (another ShelfGuard version, another feature database), within --timeout per bundle.

            The policy's `daily` section grades the measures: e.g. a cancelled filing suspends at once and takes down after cancellation_grace_days; an expired assessment warns; a feature found since the last review goes to manual review (DSP Art. 20). Each measure is one transaction and one audit entry. Each new finding is alerted once: the report lists it on the day it appears, not after.

            Complaints (DSP Art. 12, the policy's `complaints:` section): when distinct complainants about an app on the shelf reach the threshold, a reviewer's task is opened and an alert raised; the app is taken off the shelf only when the policy's category of those complaints says so (by default no category does), and the audit entry lists the complaints. Open complaints past their due day (the published handling time, counted to --as-of) are listed every run until answered.

            The daily report is written as daily.html and daily.json in --report-dir.

            Several workers or machines can share one run over a large shelf on a shared database (PostgreSQL): give each the same --as-of and its own --shard K/N (1/2 and 2/2 for two). Each judges the versions whose id leaves K-1 when divided by N, so every version is judged by exactly one; the first shard also opens and closes reviewers' tasks for complaints; each writes its own report.

            Exit status: 0 nothing changed; 3 warnings, manual reviews, new alerts, reviewers' tasks opened or overdue complaints; 2 at least one suspension or takedown applied; 1 the tool could not do its job.
            """)

    @Option(help: ArgumentHelp("Versions judged at once. Default: the number of cores.", valueName: "count"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: ArgumentHelp(
            "Where the report goes. Default: shelfguard-reports/daily-<id> in the working folder.", valueName: "dir"))
    var reportDir: String?

    @Option(
        help: ArgumentHelp(
            "Judge only part of the shelf, K of N (1/2, 2/2 …), for N runs at once on other workers or machines. Default: the whole shelf.",
            valueName: "K/N"))
    var shard: String?

    @Option(
        help: ArgumentHelp(
            "Versions whose changes each job writes in one transaction (1–10000). Larger groups cost a database server fewer round trips; a failure loses the group's writes, not the run's. Default: 64.",
            valueName: "count"))
    var writeGroup = 64

    @Option(help: "Summary on standard output: text, or json (the daily report).")
    var format: OutputFormat = .text

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var operatorOption: OperatorOption
    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup(title: "Evidence and policy") var reviewOptions: ReviewOptions
    @OptionGroup(title: "Limits (for bundles read again)") var limitOptions: ReadLimitOptions

    func validate() throws {
        guard jobs >= 1 && jobs <= 256 else { throw ValidationError("--jobs must be between 1 and 256") }
        guard writeGroup >= 1 && writeGroup <= 10_000 else {
            throw ValidationError("--write-group must be between 1 and 10000")
        }
        if let shard, case .failure(let error) = DailyShard.parse(shard) {
            throw ValidationError("--shard \(error.description)")
        }
    }

    func run() throws {
        let (ledger, check) = try Self.openShelf(
            database, policyOptions: policyOptions, reviewOptions: reviewOptions, limitOptions: limitOptions)
        var daily = DailyManagement(
            check: check, ledger: ledger, bundleStore: database.bundles(for: ledger),
            actor: operatorOption.actor, jobs: jobs)
        daily.writeGroup = writeGroup
        if let shard, case .success(let part) = DailyShard.parse(shard) { daily.shard = part }
        let interrupt = Interrupt()
        let terminal = isatty(STDERR_FILENO) != 0
        let lastShown = LastShown()
        let outcome = try daily.run(
            progress: { progress in
                guard terminal, lastShown.due(progress.elapsed) else { return }
                Output.progress(
                    "\r\(progress.done) versions judged, \(String(format: "%.0f", Double(progress.done) / max(progress.elapsed, 0.001)))/s   "
                )
            }, shouldStop: { interrupt.requested })
        if terminal { Output.progress("\n") }
        let report = DailyReport(outcome, check: daily.check, actor: operatorOption.actor, database: ledger.location)
        let folder = reportDir ?? "shelfguard-reports/daily-\(outcome.runID)"
        try ReportFolder.write(
            [("daily.html", report.html()), ("daily.json", try report.json())], to: folder, what: "daily report")
        if format == .json {
            Output.json(try report.json(), terminator: "")
        } else {
            let m = report.measures
            Output.text(
                "daily run \(report.run) as of \(report.asOf)\(report.shard.map { ", shard \($0)" } ?? ""): \(report.checked) versions on the shelf judged again in \(String(format: "%.1f", report.seconds)) s (\(report.reread) read again)"
            )
            Output.text(
                "  warned \(m.warn) · manual review \(m.manualReview) · suspended \(m.suspend) · taken down \(m.takeDown) · new alerts \(report.newAlerts) · resolved \(report.resolvedAlerts)"
            )
            for item in report.items where item.to != nil || !item.newAlerts.isEmpty || item.problem != nil {
                let e = SafeText.escape
                var line = "  \(e(item.app)) \(e(item.version)): "
                line +=
                    item.to.map { "\(item.from.rawValue) → \($0.rawValue) (\(e(item.reason ?? "")))" }
                    ?? item.from.rawValue
                if !item.newAlerts.isEmpty {
                    line += "; new: " + Array(Set(item.newAlerts.map(\.rule))).sorted().joined(separator: ", ")
                }
                if let problem = item.problem { line += "; \(e(problem))" }
                Output.text(line)
            }
            let c = report.complaints
            for task in c.tasksOpened {
                Output.text(
                    "  complaints: reviewer's task \(task.id) opened for \(SafeText.escape(task.app)): \(SafeText.escape(task.reason))"
                )
            }
            if !c.overdue.isEmpty {
                Output.text(
                    "  complaints overdue: "
                        + Self.firstFew(
                            c.overdue.map {
                                "#\($0.complaint) (\(SafeText.escape($0.app)), due \($0.dueOn), \($0.daysOverdue) days late)"
                            }))
            }
            if !c.notOnShelf.isEmpty {
                Output.text(
                    "  complaints kept but not counted (app not on the shelf): "
                        + Self.firstFew(c.notOnShelf.map { "#\($0)" }))
            }
            if report.interrupted { Output.text("  interrupted: run again to judge the rest") }
            Output.text("  shelf database: \(report.database)")
            Output.text("  policy: \(report.policySource ?? "?") sha256 \(report.policySHA256)")
            Output.text("  feature database: \(report.signatureSource ?? "?") sha256 \(report.signatureSHA256)")
            if let head = report.auditHead { Output.text("  audit log head: \(head.seq) \(head.hash)") }
            Output.text("  report: \(folder)/daily.html (and daily.json)")
        }
        if outcome.interrupted { throw ExitCode(130) }
        if report.exitStatus != .pass { throw ExitCode(report.exitStatus.rawValue) }
    }
}

extension Daily {
    /// The first twenty items of a list, then how many more (the report has them all).
    static func firstFew(_ items: [String]) -> String {
        let shown = items.prefix(20).joined(separator: ", ")
        return items.count > 20 ? "\(shown) and \(items.count - 20) more (see the report)" : shown
    }
}

/// Throttles progress lines to a few a second.
final class LastShown: @unchecked Sendable {
    private let lock = NSLock()
    private var last = -1.0

    func due(_ elapsed: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard elapsed - last >= 0.2 else { return false }
        last = elapsed
        return true
    }
}

/// `shelfguard feed`: the changes storefronts must apply.
struct Feed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract:
            "The shelf changes storefronts must apply (list, warn, suspend, take_down, reinstate, delist), as JSON or text.",
        discussion: """
            Events come in a stable order, each with an id. Poll with --since set to the cursor of the last answer: you get what happened after it, and nothing twice. The answer's `more` is true when --limit cut it short: ask again at once.
            """)

    @Option(help: ArgumentHelp("Only events after this cursor (0: from the start).", valueName: "cursor"))
    var since: Int64 = 0

    @Option(help: "At most this many events.")
    var limit = FeedPage.defaultLimit

    @Option(help: "Output format: json (what storefronts consume, the default) or text (one line per event).")
    var format: FeedFormat = .json

    @OptionGroup var database: DatabaseOptions

    /// The feed's formats: JSON first, as storefronts read it.
    enum FeedFormat: String, ExpressibleByArgument, CaseIterable {
        case json
        case text
    }

    func validate() throws {
        do { try FeedPage.check(since: since, limit: limit, naming: .options) } catch {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let answer = try FeedPage.read(from: database.openForReading(), since: since, limit: limit)
        switch format {
        case .json: try printJSON(answer)
        case .text: Output.text(Self.text(answer))
        }
    }

    /// One line per event, then the cursor to poll from next.
    static func text(_ answer: FeedPage) -> String {
        let e = SafeText.escape
        var lines = answer.events.map { event in
            "\(event.id)  \(event.at)  \(event.action)  \(e(event.app)) \(e(event.version ?? "?")) (\(event.bundleSHA256.prefix(12)))  \(event.from.rawValue) → \(event.to.rawValue)"
                + (event.reason.isEmpty ? "" : "  \(e(event.reason))")
                + (event.order.isEmpty ? "" : "  [\(e(event.order))]")
        }
        if answer.events.isEmpty { lines.append("no events after cursor \(answer.cursor)") }
        lines.append("cursor \(answer.cursor)\(answer.more ? " (more: ask again at once)" : "")")
        return lines.joined(separator: "\n")
    }
}

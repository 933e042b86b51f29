import ArgumentParser
import Dispatch
import Foundation
import ShelfGuardKit

/// `shelfguard review PATH…`: batch shelf review into the shelf database.
struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        _superCommandName: ShelfGuard.perBundleSuperCommand,
        abstract: "Review a batch of submitted bundles into the shelf database, with a batch report.",
        discussion: """
            Takes bundle files and folders (walked for .apk, .aab, .xapk, .ipa, .hap, .app, .wxapkg, .rpk, .ttpkg, .zip and tarballs), each with its declaration beside it or inside it, and reviews them as `check` does, with N bundles at a time (--jobs, default: the number of cores). Each review is recorded in one transaction: the app, the version (by bundle SHA-256), its inventory, the submission, the verdict and findings, the shelf-state change, an audit entry. A copy of each bundle is kept by digest beside the database (<db>.bundles/), for daily management.

            A bundle that cannot be read is refused with the reason, and the batch goes on. Running the same command again after a crash or Ctrl-C skips what is recorded (same bundle, declaration file, policy and feature database) and finishes the rest. Two review processes can share one database.

            The report is written as report.html (one self-contained page), report.json and report.csv in --report-dir.

            With --enqueue the bundles are only recorded in the review queue of the shelf database, and the command returns: `shelfguard worker` processes (on this machine or others sharing the database) review them. Each job names the bundle's path, which the workers must be able to read.

            Exit status: 0 every bundle approved; 3 warnings or manual review, none refused; 2 at least one refused; 1 a bundle could not be reviewed at all, or the tool could not do its job.
            """)

    @Argument(help: ArgumentHelp("Bundle files or folders of bundles.", valueName: "path"))
    var paths: [String]

    @Option(help: ArgumentHelp("Bundles reviewed at once. Default: the number of cores.", valueName: "count"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: ArgumentHelp(
            "Where the batch report goes. Default: shelfguard-reports/batch-<id> in the working folder.",
            valueName: "dir"))
    var reportDir: String?

    @Option(help: "Summary on standard output: text, or json (the batch report).")
    var format: OutputFormat = .text

    @Flag(help: "No progress bar, even on a terminal (a line per bundle is logged instead).")
    var noProgress = false

    @Flag(help: "Only queue the bundles for `shelfguard worker` to review, and return (prints the job numbers).")
    var enqueue = false

    @Option(
        name: .customLong("appid"),
        help: ArgumentHelp("Mini-program appid that decrypts PC-client wxapkg files (V1MMWX).", valueName: "appid"))
    var appID: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var operatorOption: OperatorOption
    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup(title: "Evidence and policy") var reviewOptions: ReviewOptions
    @OptionGroup(title: "Limits") var limitOptions: ReadLimitOptions
    @OptionGroup(title: "Labeling materials") var materialOptions: MaterialLimitOptions

    func validate() throws {
        guard jobs >= 1 && jobs <= 256 else { throw ValidationError("--jobs must be between 1 and 256") }
    }

    func run() throws {
        let bundles: [String]
        do { bundles = try BundleDiscovery.expand(paths) } catch { throw ToolError(error.description) }
        guard !bundles.isEmpty else { throw ToolError("no bundles found in \(paths.joined(separator: ", "))") }
        if enqueue {
            try Self.enqueue(
                bundles, wechatAppID: appID, database: database, actor: operatorOption.actor, format: format)
            return
        }
        let (ledger, batch) = try Self.openBatch(
            database, policyOptions: policyOptions, reviewOptions: reviewOptions, limitOptions: limitOptions,
            materialOptions: materialOptions, jobs: jobs, actor: operatorOption.actor, wechatAppID: appID)

        let interrupt = Interrupt()
        let display = ProgressDisplay(total: bundles.count, bar: !noProgress && isatty(STDERR_FILENO) != 0)
        let outcome = try batch.run(bundles, progress: display.update, shouldStop: { interrupt.requested })
        display.finish()

        let report = try BatchReport.make(
            outcome, check: batch.check, ledger: ledger, database: ledger.location, actor: operatorOption.actor,
            jobs: jobs)
        let folder = reportDir ?? "shelfguard-reports/batch-\(outcome.batchID)"
        try ReportFolder.write(
            [("report.html", report.html()), ("report.json", try report.json()), ("report.csv", report.csv())],
            to: folder, what: "batch report")
        if format == .json {
            Output.json(try report.json(), terminator: "")
        } else {
            Output.text(Self.summary(report, outcome: outcome, folder: folder))
        }
        if outcome.interrupted { throw ExitCode(130) }
        if report.exitStatus != .pass { throw ExitCode(report.exitStatus.rawValue) }
    }

    /// `review --enqueue`: the bundles as absolute paths (workers may run elsewhere), one job each.
    /// The appid goes with each job, so that the worker decrypts a PC-client wxapkg as `review`
    /// would.
    static func enqueue(
        _ bundles: [String], wechatAppID: String?, database: DatabaseOptions, actor: String, format: OutputFormat
    ) throws {
        let cwd = FileManager.default.currentDirectoryPath
        let absolute = bundles.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 }
        let ids: [Int64]
        do {
            ids = try database.openForWriting().enqueue(
                absolute.map { QueuedBundle(bundle: $0, wechatAppID: wechatAppID) }, actor: actor)
        } catch let error as LedgerError {
            throw ToolError(error.description)
        }
        if format == .json {
            try printJSON(["jobs": ids])
        } else {
            Output.text(
                "\(ids.count) bundle\(ids.count == 1 ? "" : "s") queued (jobs \(ids.first ?? 0)–\(ids.last ?? 0)); run `shelfguard worker` to review them"
            )
        }
    }

    static func summary(_ report: BatchReport, outcome: BatchReview.Outcome, folder: String) -> String {
        let c = report.counts
        var lines = [
            "batch \(report.batch): \(c.bundles) bundles in \(String(format: "%.1f", outcome.seconds)) s"
                + " (\(c.reviewed) reviewed, \(c.skipped) already recorded, \(c.failed) not reviewed)",
            "  approved \(c.approve) · warnings \(c.warn) · manual review \(c.manualReview) · refused \(c.refuse)",
        ]
        for item in report.items where item.status == .failed {
            lines.append(
                "  not reviewed: \(SafeText.escape(item.path)): \(SafeText.escape(item.error ?? ""))")
        }
        if outcome.interrupted {
            lines.append("  interrupted: run the same command again to review the rest")
        }
        lines.append("  shelf database: \(report.database)")
        lines.append("  policy \(report.policy): \(report.policySource ?? "?") sha256 \(report.policySHA256)")
        lines.append("  feature database: \(report.signatureSource ?? "?") sha256 \(report.signatureSHA256)")
        if let head = report.auditHead { lines.append("  audit log head: \(head.seq) \(head.hash)") }
        lines.append("  report: \(folder)/report.html (and report.json, report.csv)")
        return lines.joined(separator: "\n")
    }
}

/// Ctrl-C or SIGTERM (what a service manager sends to stop a process) during a batch: the first
/// asks the workers to stop after their current bundle (what is recorded stays recorded); the
/// second exits at once, after `quitting` (a queue worker puts back the jobs it holds).
final class Interrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private let sources: [any DispatchSourceSignal]

    init(quitting: (@Sendable () -> Void)? = nil) {
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            sources.append(source)
        }
        self.sources = sources
        for (index, number) in [SIGINT, SIGTERM].enumerated() {
            sources[index].setEventHandler { [unowned self] in
                self.lock.lock()
                // Signals that arrive together come as one event that counts them.
                self.count += max(1, Int(self.sources[index].data))
                let count = self.count
                self.lock.unlock()
                if count == 1 {
                    Output.progress("\nshelfguard: stopping after the bundles in progress (Ctrl-C again to quit now)\n")
                } else {
                    quitting?()
                    exit(128 + number)
                }
            }
            sources[index].resume()
        }
    }

    /// The handlers hold this object unowned: stop them before it goes (the signals stay
    /// ignored for the few instants the process has left).
    deinit { for source in sources { source.cancel() } }

    var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return count > 0
    }
}

/// Progress on standard error: a bar with done/total, rate and ETA on a terminal, a line per
/// bundle otherwise.
final class ProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let bar: Bool
    private var lastDraw = 0.0

    init(total: Int, bar: Bool) {
        self.total = total
        self.bar = bar
    }

    func update(_ progress: BatchReview.Progress) {
        lock.lock()
        defer { lock.unlock() }
        let item = progress.last
        if !bar {
            let outcome =
                item.status == .failed
                ? "not reviewed: \(SafeText.escape(item.error ?? ""))"
                : item.recorded.map { r in
                    "\(r.verdict.rawValue) → \(r.state.rawValue)"
                        + (item.status == .skipped ? " (recorded earlier)" : "")
                } ?? ""
            write(
                "[\(progress.done)/\(total)] \(SafeText.escape(item.path)): \(outcome) (\(String(format: "%.2f", item.seconds)) s)\n"
            )
            return
        }
        guard progress.elapsed - lastDraw >= 0.1 || progress.done == total else { return }
        lastDraw = progress.elapsed
        let rate = Double(progress.done) / max(progress.elapsed, 0.001)
        let eta = rate > 0 ? Double(total - progress.done) / rate : 0
        let width = 30
        let filled = total == 0 ? width : width * progress.done / total
        let line =
            "\r[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            + "\(progress.done)/\(total)  \(String(format: "%.1f", rate))/s  ETA \(Self.duration(eta))   "
        write(line)
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if bar { write("\n") }
    }

    private func write(_ text: String) { Output.progress(text) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}

import ArgumentParser
import Foundation
import ShelfGuardKit

/// `shelfguard worker`: reviews the queue `review --enqueue` fills.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Review queued submissions (`review --enqueue`) from the shelf database, and loop.",
        discussion: """
            Each thread (--jobs) takes the oldest job that is due, reviews it as `review` does, and records the review in the transaction that removes the job, only while the job is still held by this worker. Run as many workers as you like against one database, on this machine or others sharing it.

            A job whose worker died (killed, machine lost) is taken over once its lease (--lease) runs out; it is never recorded twice: the same bundle, declaration, policy and feature database make one review whoever records it. A tool error (an unreadable file, a full disk) queues the job again after a backoff that doubles each time (--retry-delay, up to --max-retry-delay), until --max-attempts; then the job is failed, and `shelfguard queue list --failed` shows it with its last error (`queue retry` queues it again).

            The evidence registry is read when the worker starts: restart workers after importing new filing lists. Leases and backoff are measured on the real clock, not SHELFGUARD_NOW.

            Exit status (with --exit-when-idle, once nothing is queued or held): 0 every job it took was reviewed or skipped; 3 some were queued again or failed; 1 the tool could not do its job.
            """)

    @Option(help: ArgumentHelp("Jobs reviewed at once (threads). Default: the number of cores.", valueName: "count"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: ArgumentHelp(
            "Seconds a job stays this worker's: one it has not recorded by then may be taken over by another worker. (default: 300)",
            valueName: "seconds"))
    var lease: Double = 300

    @Option(help: ArgumentHelp("Attempts per job, the first included, before it is failed.", valueName: "count"))
    var maxAttempts: Int = 3

    @Option(
        help: ArgumentHelp(
            "Seconds before the second attempt; each later one waits twice as long.", valueName: "seconds"))
    var retryDelay: Double = 10

    @Option(help: ArgumentHelp("The longest wait between attempts.", valueName: "seconds"))
    var maxRetryDelay: Double = 600

    @Option(help: ArgumentHelp("Seconds between looks at an empty queue.", valueName: "seconds"))
    var poll: Double = 1

    @Flag(help: "Stop once nothing is queued or held by any worker (batch use); otherwise wait for work until Ctrl-C.")
    var exitWhenIdle = false

    @Option(
        help: ArgumentHelp(
            "This worker's name in the queue. Default: host:pid. Must differ between running workers.",
            valueName: "name"))
    var name: String?

    @Option(help: "Output format of the summary: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var operatorOption: OperatorOption
    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup(title: "Evidence and policy") var reviewOptions: ReviewOptions
    @OptionGroup(title: "Limits") var limitOptions: ReadLimitOptions
    @OptionGroup(title: "Labeling materials") var materialOptions: MaterialLimitOptions

    func validate() throws {
        guard jobs >= 1 && jobs <= 256 else { throw ValidationError("--jobs must be between 1 and 256") }
        guard lease > 0, lease <= 86_400 * 7 else { throw ValidationError("--lease must be between 0 and 7 days") }
        guard maxAttempts >= 1, maxAttempts <= 100 else {
            throw ValidationError("--max-attempts must be between 1 and 100")
        }
        guard retryDelay >= 0, maxRetryDelay >= retryDelay else {
            throw ValidationError("--retry-delay must be positive and at most --max-retry-delay")
        }
        guard poll > 0, poll <= 3600 else { throw ValidationError("--poll must be between 0 and 3600 seconds") }
    }

    struct Summary: Encodable {
        var worker: String
        var batch: Int64
        var seconds: Double
        var reviewed: Int
        var skipped: Int
        var retried: Int
        var failed: Int
        var lost: Int
    }

    func run() throws {
        // Each job carries its own appid (`review --enqueue --appid`).
        let (ledger, batch) = try Self.openBatch(
            database, policyOptions: policyOptions, reviewOptions: reviewOptions, limitOptions: limitOptions,
            materialOptions: materialOptions, jobs: jobs, actor: operatorOption.actor)
        let workerName = name ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        let worker = ReviewWorker(
            batch: batch, name: workerName, lease: lease,
            retry: QueueRules.Retry(maxAttempts: maxAttempts, firstDelay: retryDelay, maxDelay: maxRetryDelay),
            pollInterval: poll, exitWhenIdle: exitWhenIdle)
        // A second Ctrl-C or SIGTERM quits at once: the jobs this worker holds go back in the
        // queue first, so that another worker takes them now rather than when their lease ends.
        let interrupt = Interrupt(quitting: {
            if let released = try? ledger.releaseJobs(worker: workerName) {
                Output.error(
                    "shelfguard worker: quitting; \(released) job\(released == 1 ? "" : "s") still held put back in the queue"
                )
            }
        })
        let e = SafeText.escape
        let outcome: ReviewWorker.Outcome
        do {
            outcome = try worker.run(
                progress: { done in
                    let verdict = done.item.recorded.map { " \($0.verdict.rawValue)" } ?? ""
                    let error = done.item.error.map { ": \(e($0))" } ?? ""
                    Output.error(
                        "job \(done.job.id) \(done.outcome.rawValue)\(verdict)  \(e(done.job.bundlePath))\(error)")
                }, shouldStop: { interrupt.requested })
        } catch let error as LedgerError {
            throw ToolError(error.description)
        }
        let summary = Summary(
            worker: workerName, batch: outcome.batchID, seconds: outcome.seconds,
            reviewed: outcome.count(.reviewed), skipped: outcome.count(.skipped), retried: outcome.count(.retried),
            failed: outcome.count(.failed), lost: outcome.count(.lost))
        if format == .json {
            try printJSON(summary)
        } else {
            Output.text(
                "worker \(e(workerName)): \(summary.reviewed) reviewed, \(summary.skipped) skipped, \(summary.retried) queued again, \(summary.failed) failed, \(summary.lost) taken over by others, in \(String(format: "%.1f", summary.seconds)) s"
            )
        }
        if summary.retried + summary.failed > 0 { throw ExitCode(ExitStatus.warn.rawValue) }
    }
}

/// `shelfguard queue`: what waits, runs and failed in the review queue.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "List the review queue's jobs, and queue failed ones again.",
        subcommands: [List.self, Retry.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List queued, held and failed jobs, oldest first (failed ones with their last error).")

        @Flag(help: "Only failed jobs.")
        var failed = false
        @Option(help: "At most this many.")
        var limit = 1_000
        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let states: [ReviewJob.State] = failed ? [.failed] : [.queued, .claimed, .failed]
            let jobs = try database.openForReading().queueJobs(states: states, limit: max(1, limit))
            if format == .json {
                try printJSON(jobs)
                return
            }
            if jobs.isEmpty { Output.text(failed ? "no failed jobs" : "the queue is empty") }
            let e = SafeText.escape
            for job in jobs {
                let holder = job.claimedBy.map { " by \(e($0))" } ?? ""
                Output.text("\(job.id)  \(job.state.rawValue)\(holder)  attempts \(job.attempts)  \(e(job.bundlePath))")
                if let error = job.lastError { Output.text("    last error: \(e(error))") }
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry", abstract: "Queue failed jobs again, with their attempts reset.")

        @Argument(help: ArgumentHelp("Job numbers (default: every failed job).", valueName: "id"))
        var ids: [Int64] = []
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let n = try database.openForWriting().requeueFailed(ids: ids.isEmpty ? nil : ids)
            Output.text("\(n) failed job\(n == 1 ? "" : "s") queued again")
        }
    }
}

import ArgumentParser
import Dispatch
import Foundation
import Logging
import ShelfGuardKit
import ShelfGuardService

/// `shelfguard serve`: the HTTP service (openapi.yaml) over the shelf database.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve the shelf over HTTP: submissions for review, the feed, the shelf, measures, decisions, the audit head, public complaints.",
        discussion: """
            The operations are those of openapi.yaml, served at /openapi.yaml; /healthz answers when the service is up, /metrics gives Prometheus metrics (to keys that read the shelf), and /complaints is the public complaint page. Every /v1 operation but POST /v1/complaints needs an API key (Authorization: Bearer KEY) whose role has the operation's permission: 401 without one, 403 with the wrong role. Every audit entry written through the service names the key (api:NAME (ROLE)).

            POST /v1/reviews takes a bundle (multipart, streamed into the bundle store up to --max-bundle), its declaration, and the labeling materials the declaration lists (a `material` part each, its file name the listed path), and queues it; --jobs threads of this server review the queue as `shelfguard worker` does (0: leave it to separate `shelfguard worker` processes against the same database, which work alongside in any case). The policy, feature database, registry and limits flags are the worker's: the policy's and the feature database's digests are part of each submission's id, and the registry is read once when the server starts (restart it after importing new filing lists).

            The service prints `shelfguard serve: listening on http://HOST:PORT` on standard error once it takes requests (with --port 0, the port the system chose), logs each request and each review there. On SIGINT or SIGTERM it stops taking requests and finishes the ones in flight, then stops claiming jobs, gives the reviews running --grace seconds to be recorded, and puts the jobs still held back in the queue for other workers.
            """)

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: one the system chooses, printed when listening).")
    var port = 8080

    @Option(help: ArgumentHelp("The largest request body taken, in bytes (413 past it).", valueName: "bytes"))
    var maxBody = ServiceLimits.defaultMaxBodyBytes

    @Option(
        help: ArgumentHelp(
            "The longest a feed request waits for an event (GET /v1/feed?wait=…), in seconds.", valueName: "seconds"))
    var maxWait = ServiceLimits.defaultMaxWaitSeconds

    @Option(
        help: ArgumentHelp(
            "Complaints taken from one client address per minute (429 past it).", valueName: "count"))
    var complaintRate = ServiceLimits.defaultComplaintsPerMinute

    @Option(
        help: ArgumentHelp(
            "The largest bundle POST /v1/reviews takes, e.g. 2GiB (413 past it; --max-body does not apply to it). (default: the reader's --max-total-size default, 8GiB)",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxBundle: Int64 = ServiceLimits.defaultMaxBundleBytes

    @Option(
        help: ArgumentHelp(
            "Jobs waiting in the review queue past which POST /v1/reviews answers 503 with Retry-After, before reading the upload.",
            valueName: "count"))
    var maxQueued = ServiceLimits.defaultMaxQueuedJobs

    @Option(
        help: ArgumentHelp(
            "Labeling material parts one POST /v1/reviews takes (413 past it); 0 takes none.", valueName: "count"))
    var maxMaterials = ServiceLimits.defaultMaxMaterials

    @Option(
        help: ArgumentHelp(
            "Bytes of all the labeling material parts of one POST /v1/reviews together, e.g. 100MiB (413 past it). (default: 64MiB)",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxMaterialUpload: Int64 = ServiceLimits.defaultMaxMaterialBytes

    @Option(
        help: ArgumentHelp(
            "Reviews run at once by this server's own worker threads; 0 leaves the queue to `shelfguard worker` processes. Default: the number of cores.",
            valueName: "count"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: ArgumentHelp(
            "Seconds the reviews running are given to finish when the server stops; jobs still held then go back to the queue.",
            valueName: "seconds"))
    var grace: Double = 30

    @Option(
        help: ArgumentHelp(
            "Seconds a job stays this server's: one it has not recorded by then may be taken over by another worker.",
            valueName: "seconds"))
    var lease: Double = 300

    @Option(
        help: ArgumentHelp(
            "The Ed25519 private key (from `audit keygen`) that signs the checkpoints of GET /v1/audit/head. Default: $SHELFGUARD_AUDIT_KEY; unsigned when neither is set.",
            valueName: "file"))
    var auditKey: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var operatorOption: OperatorOption
    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup(title: "Evidence and policy") var reviewOptions: ReviewOptions
    @OptionGroup(title: "Limits") var limitOptions: ReadLimitOptions
    @OptionGroup(title: "Labeling materials") var materialOptions: MaterialLimitOptions

    var limits: ServiceLimits {
        ServiceLimits(
            maxBodyBytes: maxBody, maxWaitSeconds: maxWait, complaintsPerMinute: complaintRate,
            maxBundleBytes: maxBundle, maxQueuedJobs: maxQueued, maxMaterials: maxMaterials,
            maxMaterialBytes: maxMaterialUpload)
    }

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let problem = limits.problem { throw ValidationError(problem) }
        guard jobs >= 0 && jobs <= 256 else { throw ValidationError("--jobs must be between 0 and 256") }
        guard grace >= 0, grace <= 3600 else { throw ValidationError("--grace must be between 0 and 3600 seconds") }
        guard lease > 0, lease <= 86_400 * 7 else { throw ValidationError("--lease must be between 0 and 7 days") }
    }

    func run() throws {
        let signingKey = try (auditKey ?? ProcessInfo.processInfo.environment["SHELFGUARD_AUDIT_KEY"]).map {
            try AuditSigningKey.privateKey(try AuditCommand.readText($0), source: $0)
        }
        let (ledger, batch) = try Self.openBatch(
            database, policyOptions: policyOptions, reviewOptions: reviewOptions, limitOptions: limitOptions,
            materialOptions: materialOptions, jobs: max(1, jobs), actor: operatorOption.actor)
        let check = batch.check
        guard let features = check.inspector.signatures?.database else {
            throw ToolError("the feature database could not be loaded")
        }
        let intake = ReviewIntake(
            bundleStore: batch.bundleStore ?? database.bundles(for: ledger), policySHA256: check.policy.digest,
            signatureSHA256: features.digest, taxonomy: check.taxonomy, declarationLimits: check.declarationLimits)
        let service = ShelfGuardService(
            ledger: ledger, keys: ledger, features: features, complaintPolicy: check.policy.complaints,
            limits: limits, signingKey: signingKey, reviewIntake: intake)
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let workers = jobs == 0 ? nil : Self.startWorkers(batch, lease: lease, metrics: service.metrics)
        let host = self.host
        let port = self.port
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await service.run(host: host, port: port) { bound in
                    Output.error("shelfguard serve: listening on http://\(host):\(bound)")
                }
            } catch {
                failure.set(error)
            }
            done.signal()
        }
        done.wait()
        if let workers {
            Output.error("shelfguard serve: stopping: reviews running get up to \(grace) s to finish")
            do {
                let stop = try workers.stop(grace: grace)
                Output.error(
                    "shelfguard serve: stopped; \(stop.released) job\(stop.released == 1 ? "" : "s") still held put back in the queue"
                )
            } catch let error as LedgerError {
                throw ToolError("the jobs this server held could not be put back in the queue: \(error.description)")
            }
        }
        if let error = failure.get() { throw ToolError("the service stopped: \(error)") }
    }

    /// This server's worker threads over the queue, as `shelfguard worker` runs them, named
    /// `serve@HOST:PID`; each job's end is logged on standard error.
    static func startWorkers(_ batch: BatchReview, lease: Double, metrics: ServiceMetrics) -> ReviewWorker.Background {
        let worker = ReviewWorker(
            batch: batch, name: "serve@\(ProcessInfo.processInfo.hostName):\(getpid())", lease: lease,
            retry: QueueRules.Retry(), pollInterval: 1, exitWhenIdle: false)
        let background = ReviewWorker.Background(worker)
        let e = SafeText.escape
        metrics.reviewWorkers = .running
        background.start(
            progress: { done in
                metrics.review(outcome: done.outcome.rawValue, seconds: done.item.seconds)
                let verdict = done.item.recorded.map { " \($0.verdict.rawValue)" } ?? ""
                let error = done.item.error.map { ": \(e($0))" } ?? ""
                Output.error("job \(done.job.id) \(done.outcome.rawValue)\(verdict)  \(e(done.job.bundlePath))\(error)")
            },
            ended: { error in
                // Not quietly: /healthz says degraded and /metrics shelfguard_review_workers_up 0.
                metrics.reviewWorkers = .stopped("\(error)")
                Output.error("shelfguard serve: the review workers stopped: \(error)")
            })
        return background
    }

    /// The server task's error, handed to the main thread.
    final class FailureBox: @unchecked Sendable {
        private let lock = NSLock()
        private var error: (any Error)?
        func set(_ error: any Error) { lock.withLock { self.error = error } }
        func get() -> (any Error)? { lock.withLock { error } }
    }
}

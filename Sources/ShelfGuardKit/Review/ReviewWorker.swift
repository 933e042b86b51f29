import Foundation

/// `shelfguard worker`: takes jobs from the review queue in the shelf database, reviews each as
/// `review` does, and records it while its claim holds. Several workers (processes, machines
/// sharing the database) and several threads in each drain one queue; a job whose worker died
/// is taken over when its lease runs out, and is never recorded twice: the review is recorded
/// only by the worker holding the job, in the transaction that removes it, and the same review
/// (bundle, declaration, policy, feature database) is recorded once whoever records it.
public struct ReviewWorker: Sendable {
    /// Reviews one bundle (its `jobs` is the worker's number of threads).
    public var batch: BatchReview
    /// Who holds the jobs this worker takes: unique per process (host and process id by default).
    public var name: String
    /// Seconds a claim lasts: a job whose worker has not recorded it by then may be taken over.
    public var lease: Double
    public var retry: QueueRules.Retry
    /// Seconds between looks at an empty queue.
    public var pollInterval: Double
    /// Stop once nothing is queued or held (batch use); otherwise wait for work until stopped.
    public var exitWhenIdle: Bool
    /// The real clock, in seconds since 1970: leases are about processes, not business days.
    public var clock: @Sendable () -> Double

    public init(
        batch: BatchReview, name: String, lease: Double, retry: QueueRules.Retry, pollInterval: Double,
        exitWhenIdle: Bool, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.batch = batch
        self.name = name
        self.lease = lease
        self.retry = retry
        self.pollInterval = pollInterval
        self.exitWhenIdle = exitWhenIdle
        self.clock = clock
    }

    /// What became of one job.
    public enum JobOutcome: String, Sendable, Codable {
        /// Reviewed and recorded by this worker.
        case reviewed
        /// Recorded before (by another worker or an earlier run): the job was only removed.
        case skipped
        /// A tool error: queued again after the backoff.
        case retried
        /// A tool error with no attempts left: failed, for a person.
        case failed
        /// Its lease ran out and another worker took it over first: nothing recorded here.
        case lost
    }

    public struct Done: Sendable {
        public var job: ReviewJob
        public var outcome: JobOutcome
        public var item: BatchReview.Item
    }

    public struct Outcome: Sendable {
        public var batchID: Int64
        public var done: [Done]
        public var seconds: Double

        public func count(_ outcome: JobOutcome) -> Int { done.filter { $0.outcome == outcome }.count }
    }

    public func run(
        progress: @escaping @Sendable (Done) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws -> Outcome {
        let started = Monotonic.now()
        let ledger = batch.ledger
        let batchID = try ledger.startBatch(
            actor: batch.actor, jobs: batch.jobs, bundles: 0, policySHA256: batch.check.policy.digest,
            signatureSHA256: batch.check.inspector.signatures?.database.digest ?? "")
        let results = WorkerResults()
        let group = DispatchGroup()
        for thread in 0..<batch.jobs {
            group.enter()
            let worker = Thread { [self] in
                defer { group.leave() }
                let holder = batch.jobs > 1 ? "\(name)#\(thread + 1)" : name
                while !shouldStop() && results.firstError == nil {
                    do {
                        guard let job = try ledger.claimJob(worker: holder, lease: lease, now: clock()) else {
                            if exitWhenIdle, try ledger.queueJobs(states: [.queued, .claimed], limit: 1).isEmpty {
                                return
                            }
                            Thread.sleep(forTimeInterval: pollInterval)
                            continue
                        }
                        let done = try review(job, holder: holder, batchID: batchID)
                        results.add(done)
                        progress(done)
                    } catch {
                        results.fail(error)
                    }
                }
            }
            worker.stackSize = 16 << 20
            worker.start()
        }
        group.wait()
        let done = results.done
        try ledger.finishBatch(
            batchID, reviewed: done.filter { $0.outcome == .reviewed }.count,
            skipped: done.filter { $0.outcome == .skipped }.count,
            failed: done.filter { $0.outcome == .failed || $0.outcome == .retried }.count,
            status: results.firstError != nil ? "failed" : shouldStop() ? "interrupted" : "done")
        if let error = results.firstError { throw error }
        return Outcome(batchID: batchID, done: done, seconds: Monotonic.seconds(since: started))
    }

    /// One job, start to end.
    func review(_ job: ReviewJob, holder: String, batchID: Int64) throws -> Done {
        let claim = JobClaim(jobID: job.id, worker: holder)
        let item = batch.review(
            job.bundlePath, batchID: batchID, job: claim, declaration: job.declarationPath,
            wechatAppID: job.wechatAppID)
        switch item.status {
        case .reviewed:
            return Done(job: job, outcome: .reviewed, item: item)
        case .skipped:
            return Done(job: job, outcome: try batch.ledger.finishJob(claim) ? .skipped : .lost, item: item)
        case .failed:
            guard
                let after = try batch.ledger.failJob(
                    claim, error: item.error ?? "unknown", now: clock(), retry: retry)
            else { return Done(job: job, outcome: .lost, item: item) }
            return Done(job: after, outcome: after.state == .failed ? .failed : .retried, item: item)
        }
    }
}

/// The jobs a worker's threads finished, and the first error that stopped one, under one lock.
private final class WorkerResults: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ReviewWorker.Done] = []
    private var error: (any Error)?

    var done: [ReviewWorker.Done] { lock.withLock { items } }
    var firstError: (any Error)? { lock.withLock { error } }

    func add(_ done: ReviewWorker.Done) { lock.withLock { items.append(done) } }
    func fail(_ error: any Error) { lock.withLock { if self.error == nil { self.error = error } } }
}

import Foundation

/// `shelfguard review`: a batch of bundles through `check` into the shelf ledger, by a bounded
/// pool of workers. Each bundle is one unit: hashed, skipped when the same review is recorded
/// already (so a batch run again after a crash or Ctrl-C resumes where it stopped), otherwise
/// inspected, judged, its file kept in the bundle store and its review recorded in one
/// transaction. One bundle's failure never stops the others.
public struct BatchReview: Sendable {
    public var check: ShelfCheck
    public var ledger: any LedgerStore
    /// Bundles reviewed at once; each worker reads and detects on its own thread.
    public var jobs: Int
    public var actor: String
    public var bundleStore: BundleStore?
    /// The declaration named for a single bundle.
    public var declaration: String?

    public init(
        check: ShelfCheck, ledger: any LedgerStore, jobs: Int, actor: String, bundleStore: BundleStore?,
        declaration: String? = nil
    ) {
        var check = check
        // Batch parallelism is across bundles: one thread per bundle uses the cores best.
        check.inspector.options.detectInBackground = false
        self.check = check
        self.ledger = ledger
        self.jobs = max(1, jobs)
        self.actor = actor
        self.bundleStore = bundleStore
        self.declaration = declaration
    }

    /// What happened to one bundle.
    public enum Status: String, Sendable, Codable {
        /// Reviewed and recorded now.
        case reviewed
        /// The same review was recorded before (an earlier run, or another process): skipped.
        case skipped
        /// The tool could not review it (the file vanished, the database failed).
        case failed
    }

    public struct Item: Sendable {
        public var path: String
        public var status: Status
        public var sha256: String?
        public var recorded: RecordedReview?
        /// The full result, for bundles reviewed in this run.
        public var result: CheckResult?
        public var error: String?
        /// Wall time for this bundle, and the part spent in the ledger.
        public var seconds: Double
        public var ledgerSeconds: Double
    }

    /// Progress after each bundle.
    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var elapsed: Double
        public var last: Item
    }

    public struct Outcome: Sendable {
        public var batchID: Int64
        public var items: [Item]
        public var seconds: Double
        /// Whether it stopped early when asked to (the rest is left for the next run).
        public var interrupted: Bool
        public var startedAt: String
        public var finishedAt: String

        public var reviewed: Int { items.filter { $0.status == .reviewed }.count }
        public var skipped: Int { items.filter { $0.status == .skipped }.count }
        public var failed: Int { items.filter { $0.status == .failed }.count }
        public var ledgerSeconds: Double { items.map(\.ledgerSeconds).reduce(0, +) }
    }

    /// Reviews `bundles` (files, already discovered). `shouldStop` is asked before each bundle is
    /// taken; `progress` is called after each one, from the worker that finished it.
    public func run(
        _ bundles: [String], progress: @escaping @Sendable (Progress) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws -> Outcome {
        let started = Monotonic.now()
        let startedAt = AuditEntry.timestamp(WallClock.now())
        let batchID = try ledger.startBatch(
            actor: actor, jobs: jobs, bundles: bundles.count, policySHA256: check.policy.digest,
            signatureSHA256: check.inspector.signatures?.database.digest ?? "")
        let state = BatchState(count: bundles.count)
        let workers = min(jobs, max(1, bundles.count))
        let group = DispatchGroup()
        // A bundle's copy is made durable (fsync) and its review recorded off the worker, so
        // that the worker reads the next bundle while the disk writes: a worker waiting for the
        // disk would leave its core idle. At most `workers` bundles wait to be kept at a time.
        let keeping = DispatchSemaphore(value: workers)
        let finished: @Sendable (Int, Item) -> Void = { index, item in
            let done = state.finish(index, item)
            progress(Progress(done: done, total: bundles.count, elapsed: Monotonic.seconds(since: started), last: item))
        }
        for _ in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while !shouldStop(), let index = state.take() {
                    switch inspect(bundles[index], batchID: batchID) {
                    case .done(let item):
                        finished(index, item)
                    case .toKeep(let reviewed):
                        keeping.wait()
                        group.enter()
                        DispatchQueue.global().async { [self] in
                            defer {
                                keeping.signal()
                                group.leave()
                            }
                            finished(index, keep(reviewed))
                        }
                    }
                }
            }
            // Nested archives are read recursively: give workers the main thread's stack size.
            thread.stackSize = 16 << 20
            thread.start()
        }
        group.wait()
        let items = state.items.compactMap { $0 }
        let interrupted = items.count < bundles.count
        let outcome = Outcome(
            batchID: batchID, items: items, seconds: Monotonic.seconds(since: started), interrupted: interrupted,
            startedAt: startedAt, finishedAt: AuditEntry.timestamp(WallClock.now()))
        try ledger.finishBatch(
            batchID, reviewed: outcome.reviewed, skipped: outcome.skipped, failed: outcome.failed,
            status: interrupted ? "interrupted" : "done")
        return outcome
    }

    /// One bundle, start to end; never throws: failures are items.
    /// `wechatAppID` decrypts this bundle when it is a PC-client wxapkg (a queued job's own appid);
    /// nil keeps the batch's.
    func review(
        _ path: String, batchID: Int64, job: JobClaim? = nil, declaration: String? = nil, wechatAppID: String? = nil
    ) -> Item {
        switch inspect(path, batchID: batchID, job: job, declaration: declaration, wechatAppID: wechatAppID) {
        case .done(let item): item
        case .toKeep(let reviewed): keep(reviewed)
        }
    }

    /// A bundle checked and not yet kept nor recorded.
    struct Reviewed: Sendable {
        var path: String
        /// The file's SHA-256 when the review began (the inspection has its own, kept under).
        var sha256: String
        var batchID: Int64
        var job: JobClaim?
        var result: CheckResult
        /// The bundle store's copy the review read, to keep (nil: no store, or kept already).
        var staged: BundleStore.Staged?
        var started: UInt64
        var ledgerSeconds: Double
        var extractor: String
    }

    /// Where a bundle stands after `inspect`.
    enum Stage: Sendable {
        /// Finished: skipped (recorded before) or failed.
        case done(Item)
        /// Checked: its copy is to be kept and its review recorded (`keep`).
        case toKeep(Reviewed)
    }

    /// The first part of a bundle's review: hashed, looked up in the ledger, checked.
    func inspect(
        _ path: String, batchID: Int64, job: JobClaim? = nil, declaration: String? = nil, wechatAppID: String? = nil
    ) -> Stage {
        let declaration = declaration ?? self.declaration
        var check = self.check
        if let wechatAppID { check.inspector.options.read.wechatAppID = wechatAppID }
        let started = Monotonic.now()
        var ledgerSeconds = 0.0
        func failed(_ message: String, sha256: String? = nil) -> Stage {
            .done(
                Item(
                    path: path, status: .failed, sha256: sha256, error: message,
                    seconds: Monotonic.seconds(since: started), ledgerSeconds: ledgerSeconds))
        }
        // With a bundle store, the file is copied into it first, hashed as it is copied, and the
        // copy is what is reviewed and kept: one read and one hash of each bundle. Without one (or
        // for a bundle the store keeps already) it is hashed here for the lookup, and the
        // inspection takes that digest while the file is unchanged.
        let sha256: String
        var staged: BundleStore.Staged?
        if let bundleStore, !bundleStore.holds(path) {
            let copy: BundleStore.Staged
            do { copy = try bundleStore.stage(path) } catch {
                return failed("cannot keep a copy in the bundle store: \(error.description)")
            }
            staged = copy
            sha256 = copy.sha256
            check.inspector.options.read.knownDigest = copy.known
        } else {
            do { (sha256, check.inspector.options.read.knownDigest) = try KnownDigest.of(path: path) } catch {
                return failed(error.description)
            }
        }
        let declarationFile = DeclarationLocator.declarationFile(bundlePath: path, explicit: declaration)
        let key = ReviewSubmission.key(
            bundleSHA256: sha256, declarationSHA256: declarationFile.flatMap { try? FileDigest.sha256(path: $0) } ?? "",
            policySHA256: check.policy.digest, signatureSHA256: check.inspector.signatures?.database.digest ?? "",
            materials: declarationFile.map {
                DeclarationLocator.materialsBeside(
                    declarationFile: $0, taxonomy: check.taxonomy, limits: check.declarationLimits)
            } ?? [:])
        do {
            let lookup = Monotonic.now()
            let existing = try ledger.existingReview(key: key)
            ledgerSeconds += Monotonic.seconds(since: lookup)
            if let existing {
                return .done(
                    Item(
                        path: path, status: .skipped, sha256: sha256, recorded: existing,
                        seconds: Monotonic.seconds(since: started), ledgerSeconds: ledgerSeconds))
            }
        } catch { return failed("the shelf database: \(error)", sha256: sha256) }
        let result: CheckResult
        do { result = try check.check(path: path, readingFrom: staged?.path, declaration: declaration) } catch {
            return failed(error.description, sha256: sha256)
        }
        return .toKeep(
            Reviewed(
                path: path, sha256: sha256, batchID: batchID, job: job, result: result, staged: staged,
                started: started, ledgerSeconds: ledgerSeconds,
                extractor: check.inspector.extractorID))
    }

    /// The second part: the bundle's copy kept in the bundle store (durable before anything
    /// refers to it), then its review recorded in one transaction.
    func keep(_ reviewed: Reviewed) -> Item {
        let path = reviewed.path
        let started = reviewed.started
        let result = reviewed.result
        var ledgerSeconds = reviewed.ledgerSeconds
        func failed(_ message: String) -> Item {
            Item(
                path: path, status: .failed, sha256: reviewed.sha256, error: message,
                seconds: Monotonic.seconds(since: started),
                ledgerSeconds: ledgerSeconds)
        }
        if let staged = reviewed.staged {
            do { _ = try staged.upload.finish() } catch {
                return failed("cannot keep a copy in the bundle store: \(error.description)")
            }
        }
        do {
            let write = Monotonic.now()
            var submission = ReviewSubmission(
                result: result, bundlePath: path, batchID: reviewed.batchID, actor: actor,
                extractor: reviewed.extractor)
            submission.job = reviewed.job
            let recorded = try ledger.recordReview(submission)
            ledgerSeconds += Monotonic.seconds(since: write)
            return Item(
                path: path, status: recorded.alreadyRecorded ? .skipped : .reviewed,
                sha256: result.inspection.bundle.sha256, recorded: recorded,
                result: recorded.alreadyRecorded ? nil : result,
                seconds: Monotonic.seconds(since: started), ledgerSeconds: ledgerSeconds)
        } catch {
            return failed("the shelf database: \(error)")
        }
    }
}

/// The batch's shared work list: the next index to take, and the items done, under one lock.
private final class BatchState: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var done = 0
    private let count: Int
    private(set) var items: [BatchReview.Item?]

    init(count: Int) {
        self.count = count
        items = Array(repeating: nil, count: count)
    }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    func finish(_ index: Int, _ item: BatchReview.Item) -> Int {
        lock.lock()
        defer { lock.unlock() }
        items[index] = item
        done += 1
        return done
    }
}

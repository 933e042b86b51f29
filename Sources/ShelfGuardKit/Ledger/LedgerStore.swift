import Foundation

/// The shelf ledger's storage (product contract, "Storage"): the evidence registry, and the
/// append-only, hash-chained audit log every change writes to. SQLite is the embedded default
/// (`SQLiteLedger`, in the ShelfGuardSQLite target); the protocol names what any other store
/// (PostgreSQL) must provide, so that the pipeline and the CLI never depend on which one they
/// talk to. The service's keys are kept in the ledger too (`APIKeyStore`), so that every server
/// against the same database accepts the same keys, and their creation and revocation are audited.
public protocol LedgerStore: EvidenceRegistry, APIKeyStore {
    /// Where the store is, as messages and reports name it: a SQLite file's path; a server's
    /// URL with its credentials redacted.
    var location: String { get }

    /// Where `review`, `worker` and `daily` keep copies of the bundles they review, unless told
    /// otherwise (SQLite: a folder beside the database file).
    var defaultBundleStore: BundleStore { get }

    /// The names of the schema migrations applied, in order (for `shelfguard registry stats`).
    func appliedMigrations() throws -> [String]

    /// The whole registry read once into memory: what a batch or a daily run judges against,
    /// so that thousands of lookups do not each go to the store, and every version of the run
    /// is judged against the same evidence even if an import happens meanwhile.
    func registrySnapshot() throws -> InMemoryRegistry

    /// Merges one evidence file into the registry in one transaction with one audit entry:
    /// records new to the ledger are added, changed ones updated, identical ones left alone,
    /// so importing the same file twice changes nothing the second time. `read` reads the file
    /// inside the transaction, handing each record to `store` as it comes (so a million rows
    /// are never all in memory), and returns what it found; an error it throws
    /// (`RegistryFile.FileError`) gives the whole import up and is thrown as it is.
    func importEvidence(
        actor: String, reading read: @Sendable (_ store: (RegistryRecord) throws -> Void) throws -> RegistryFile
    ) throws -> RegistryImport

    /// Every import so far, oldest first.
    func registryImports() throws -> [RegistryImport]

    /// Records one security assessment the store collected (DSP Art. 15), with an audit entry.
    func record(_ assessment: SecurityAssessment, actor: String) throws -> RecordChange

    /// Records one waiver a reviewer granted, with an audit entry.
    func record(_ waiver: Waiver, actor: String) throws -> RecordChange

    /// Audit entries after `seq`, oldest first, at most `limit`.
    func auditEntries(after seq: Int64, limit: Int) throws -> [AuditEntry]

    /// Walks the whole audit chain and reports every entry that was edited, deleted or moved.
    func verifyAudit() throws -> AuditVerification

    /// The entry carrying this hash, if the chain holds one (a head recorded elsewhere).
    func auditEntry(hash: String) throws -> AuditEntry?

    /// The log's last entry as its head records it; nil for an empty log. Reports carry it.
    func auditHead() throws -> AuditHead?

    // MARK: The review queue

    /// Records submissions for workers to review; returns their job numbers.
    func enqueue(_ bundles: [QueuedBundle], actor: String) throws -> [Int64]

    /// Takes the oldest job that is queued and due, or whose worker's lease ran out, for `worker`
    /// until `now + lease` (seconds since 1970); nil when there is none.
    func claimJob(worker: String, lease: Double, now: Double) throws -> ReviewJob?

    /// Removes a job its worker is done with (a review skipped as already recorded); false when
    /// the worker no longer held it.
    func finishJob(_ claim: JobClaim) throws -> Bool

    /// A tool error on a held job: queued again after the backoff, or failed when no attempts
    /// are left (`QueueRules.afterFailure`); nil when the worker no longer held it.
    func failJob(_ claim: JobClaim, error: String, now: Double, retry: QueueRules.Retry) throws -> ReviewJob?

    /// The jobs in these states, oldest first.
    func queueJobs(states: [ReviewJob.State], limit: Int) throws -> [ReviewJob]

    /// Queues failed jobs again (all, or these), with their attempts reset; returns how many.
    func requeueFailed(ids: [Int64]?) throws -> Int

    /// How many jobs the queue holds in each state (states with none are left out): what the
    /// service's `/metrics` reports.
    func queueDepth() throws -> [ReviewJob.State: Int]

    /// Puts the jobs `worker` holds (its threads' too: `worker#N`) back in the queue, due at
    /// once, the attempt they were on not counted: what a server or worker stopping before its
    /// reviews finished does, so that others take them at once rather than after the lease.
    /// Returns how many.
    func releaseJobs(worker: String) throws -> Int

    // MARK: Submissions through the service

    /// Records a bundle sent to `POST /v1/reviews` in one transaction (`SubmissionRules.onSubmit`):
    /// a new one is queued, one whose review is recorded already is linked to it, one sent again
    /// only notes its sender; one audit entry names the key when a job is queued or a new sender
    /// noted. Returns the submission as it stands.
    func submitReview(_ intake: SubmissionIntake, submitter: APIKey) throws -> ServiceSubmission

    /// The submission with this id, its senders and its job if still queued; nil when none.
    func serviceSubmission(id: String) throws -> ServiceSubmission?

    /// Cancels a submission waiting in the queue (or failed there): its job leaves the queue,
    /// with an audit entry naming `actor`; a running or finished one is refused.
    func cancelSubmission(id: String, actor: String) throws -> SubmissionCancel

    // MARK: The shelf

    /// The review recorded under this key (`ReviewSubmission.key`), if any: a batch run again
    /// skips what is already done.
    func existingReview(key: String) throws -> RecordedReview?

    /// Records one review in one transaction: the app and version (by bundle SHA-256), the
    /// inventory (once per version), the submission with its declaration, the review and its
    /// findings, the state change its verdict makes, and one audit entry. A review already
    /// recorded under the same key is not recorded again.
    func recordReview(_ submission: ReviewSubmission) throws -> RecordedReview

    /// Opens a batch record for `review`; `finishBatch` closes it.
    func startBatch(
        actor: String, jobs: Int, bundles: Int, policySHA256: String, signatureSHA256: String
    ) throws -> Int64
    func finishBatch(_ id: Int64, reviewed: Int, skipped: Int, failed: Int, status: String) throws
    /// Every batch recorded, oldest first.
    func batches() throws -> [BatchRecord]

    /// App versions matching the filter, by app and version.
    func versions(_ filter: ShelfFilter) throws -> [ShelfVersion]

    /// One version, by its id.
    func version(id: Int64) throws -> ShelfVersion?

    /// One review with its findings, by its id.
    func review(id: Int64) throws -> ReviewRecord?

    /// An app with every version's reviews, findings, state changes and decisions.
    func history(app: String) throws -> AppHistory?

    /// A reviewer's decision on a version in manual review: one transaction, one audit entry.
    func decide(
        versionID: Int64, outcome: ReviewerDecision.Outcome, reviewer: String, reason: String
    ) throws
        -> StateChange

    // MARK: Emergency measures and the feed

    /// Applies an emergency order to every version it selects, all in one transaction with one
    /// audit entry per version moved; with `dryRun`, only says what it would do.
    func apply(_ order: MeasureOrder, dryRun: Bool) throws -> MeasureResult

    /// The feature and signature ids recorded for any version, and every app id: what a
    /// selector can name besides the feature database in use.
    func recordedIDs() throws -> (features: [String], signatures: [String], apps: [String])

    /// Shelf changes storefronts must apply, after the cursor `since`, oldest first.
    func feed(since: Int64, limit: Int) throws -> [FeedEvent]

    // MARK: Daily management

    func startDailyRun(actor: String, asOf: String, policySHA256: String, signatureSHA256: String) throws -> Int64
    func finishDailyRun(_ id: Int64, checked: Int, changed: Int, status: String) throws

    /// Versions in the states daily management re-judges (approved, warned, suspended), by id,
    /// after `versionID`, at most `limit`, with their inventories and open alerts.
    /// With a shard, only the versions in it (`DailyShard.contains`), chosen in the query.
    func shelvedVersions(after versionID: Int64, limit: Int, shard: DailyShard) throws -> [ShelvedVersion]

    /// Writes what daily management found for a group of versions in one transaction, one audit
    /// entry per version whose change is not empty: a fresh inventory, a review when the findings
    /// changed, alerts raised and resolved, the measure taken. Each measure is decided against
    /// the state the version is in when the transaction runs (a takedown may have raced the run).
    /// Returns each change's state change, if any, in the order given. Daily hands over a few
    /// dozen versions at a time, so that a server-backed store pays its round trips once per
    /// group rather than once per version.
    func recordDaily(_ changes: [DailyVersionChange]) throws -> [StateChange?]

    // MARK: Complaints (DSP Art. 12)

    /// Keeps a complaint, whatever it is about, with an audit entry.
    func addComplaint(_ intake: ComplaintIntake, actor: String) throws -> Complaint
    func complaints(app: String?, openOnly: Bool, limit: Int) throws -> [Complaint]
    func resolveComplaint(id: Int64, resolution: String, actor: String) throws -> Complaint
    /// Every open complaint, oldest first.
    func openComplaints() throws -> [Complaint]
    /// The apps among `apps` with a version on the shelf: approved, warned or suspended (the
    /// versions daily management judges).
    func appsOnShelf(among apps: [String]) throws -> Set<String>
    /// Whether the ledger has any version of the app.
    func appKnown(_ app: String) throws -> Bool
    /// Reviewers' tasks opened by complaints, oldest first.
    func complaintTasks(openOnly: Bool) throws -> [ComplaintTask]
    /// Opens and closes reviewers' tasks in one transaction, one audit entry each (the opening
    /// one lists the complaints counted). Returns the tasks opened.
    func recordComplaintTasks(
        open: [ComplaintRules.TaskOpening], close: [ComplaintTask], runID: Int64?, asOf: String, actor: String
    ) throws -> [ComplaintTask]
}

extension LedgerStore {
    /// The whole shelf's versions after `versionID`.
    public func shelvedVersions(after versionID: Int64, limit: Int) throws -> [ShelvedVersion] {
        try shelvedVersions(after: versionID, limit: limit, shard: .whole)
    }

    /// Writes what daily management found for one version (see `recordDaily(_:)` for a group).
    public func recordDaily(_ change: DailyVersionChange) throws -> StateChange? {
        try recordDaily([change]).first ?? nil
    }

    /// Merges one evidence file already read into memory (its records kept).
    public func importEvidence(_ file: RegistryFile, fileSHA256: String, actor: String) throws -> RegistryImport {
        try importEvidence(actor: actor) { store in
            for record in file.records { try store(record) }
            var read = file
            read.sha256 = fileSHA256
            return read
        }
    }

    /// Reads one evidence file as a stream and merges it: memory does not grow with the file.
    public func importEvidence(
        contentsOf url: URL, limits: RegistryLimits = .standard, actor: String
    ) throws -> RegistryImport {
        try importEvidence(actor: actor) { store in try RegistryFile.read(url, limits: limits, each: store) }
    }
}

/// What one record did to the ledger.
public enum RecordChange: String, Sendable, Codable {
    case added
    case updated
    case unchanged
}

/// What importing one evidence file did.
public struct RegistryImport: Sendable, Codable, Equatable {
    public var file: String
    /// SHA-256 of the file's bytes.
    public var sha256: String
    public var kind: RegistryFile.Kind
    /// Rows (or YAML items) in the file.
    public var rows: Int
    public var added: Int
    public var updated: Int
    public var unchanged: Int
    /// Rows refused.
    public var rejected: Int
    /// The rows refused, each with its line: the first `RegistryLimits.maxListedProblems` (only
    /// for the import just made; the ledger keeps counts).
    public var problems: [String]
    /// Rows taken with a remark (a truncated role, an unknown province token).
    public var notes: Int
    /// When, `YYYY-MM-DDTHH:MM:SS.sssZ`, and by whom.
    public var at: String
    public var actor: String
    /// The audit entry written for it.
    public var auditSeq: Int64?

    public init(
        file: String, sha256: String, kind: RegistryFile.Kind, rows: Int, added: Int = 0, updated: Int = 0,
        unchanged: Int = 0, rejected: Int = 0, problems: [String] = [], notes: Int = 0, at: String, actor: String,
        auditSeq: Int64? = nil
    ) {
        self.file = file
        self.sha256 = sha256
        self.kind = kind
        self.rows = rows
        self.added = added
        self.updated = updated
        self.unchanged = unchanged
        self.rejected = rejected
        self.problems = problems
        self.notes = notes
        self.at = at
        self.actor = actor
        self.auditSeq = auditSeq
    }
}

/// Errors of the ledger itself (exit 1): not a verdict on anything.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Several registries read as one: the first that knows a number answers (`check --registry
/// FILE --db PATH`: the files given on the command line before the ledger).
public struct LayeredRegistry: EvidenceRegistry {
    public var layers: [any EvidenceRegistry]

    public init(_ layers: [any EvidenceRegistry]) { self.layers = layers }

    private func first<T>(_ lookup: (any EvidenceRegistry) throws -> T?) throws -> T? {
        for layer in layers { if let found = try lookup(layer) { return found } }
        return nil
    }

    public func filing(_ number: String) throws -> AlgorithmFilingRecord? { try first { try $0.filing(number) } }
    public func cancellation(_ number: String) throws -> FilingCancellation? {
        try first { try $0.cancellation(number) }
    }
    public func genai(_ number: String) throws -> GenAIRecord? { try first { try $0.genai(number) } }
    public func assessment(_ id: String) throws -> SecurityAssessment? { try first { try $0.assessment(id) } }
    public func waivers(app: String) throws -> [Waiver] { try layers.flatMap { try $0.waivers(app: app) } }
    public func hasFilingLists() throws -> Bool { try layers.contains { try $0.hasFilingLists() } }

    /// The sum over the layers (a number held by two layers counts twice).
    public func counts() throws -> RegistryCounts {
        try layers.map { try $0.counts() }.reduce(RegistryCounts()) {
            RegistryCounts(
                filings: $0.filings + $1.filings, cancellations: $0.cancellations + $1.cancellations,
                genai: $0.genai + $1.genai, assessments: $0.assessments + $1.assessments,
                waivers: $0.waivers + $1.waivers)
        }
    }
}

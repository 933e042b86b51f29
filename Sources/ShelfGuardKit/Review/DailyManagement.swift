import Foundation

/// `shelfguard daily` (DSP Art. 13, 日常管理): every version on the shelf judged again from its
/// stored inventory against today's registry, policy and day, and the policy's graded measures
/// applied: warn, send to manual review, suspend, take down after a grace period. The stored
/// bundle is read again only when the extractor changed (a new ShelfGuard, a new feature
/// database). Each new finding is alerted once. Complaints (DSP Art. 12) are counted by
/// `ComplaintRules`: reaching the threshold opens a reviewer's task and an alert, and takes a
/// measure only when the policy's category of the complaints says so; overdue complaints are
/// reported every run until answered.
public struct DailyManagement: Sendable {
    public var check: ShelfCheck
    public var ledger: any LedgerStore
    public var bundleStore: BundleStore?
    public var actor: String
    public var jobs: Int
    /// Versions read from the ledger at once.
    public var pageSize = 1_000
    /// Versions whose changes each worker writes in one transaction: a run that suspends a
    /// hundred thousand versions pays a server's round trips once per group. At least 1.
    public var writeGroup = 64 {
        didSet { writeGroup = max(1, writeGroup) }
    }
    /// The part of the shelf this run judges, when several run at once (`--shard K/N`). The
    /// first shard also opens and closes reviewers' tasks for complaints; every shard counts
    /// the complaints, so each judges its versions with the same tallies.
    public var shard = DailyShard.whole

    public init(check: ShelfCheck, ledger: any LedgerStore, bundleStore: BundleStore?, actor: String, jobs: Int) {
        var check = check
        check.inspector.options.detectInBackground = false
        self.check = check
        self.ledger = ledger
        self.bundleStore = bundleStore
        self.actor = actor
        self.jobs = max(1, jobs)
    }

    /// What happened to one version.
    public struct Item: Sendable, Codable {
        public var versionID: Int64
        public var app: String
        public var version: String
        public var from: ShelfState
        public var to: ShelfState?
        public var measure: Measure?
        public var reason: String?
        public var verdict: VerdictOutcome?
        public var newAlerts: [Alert]
        public var resolvedAlerts: Int
        /// True when the stored bundle was read again (the extractor changed).
        public var reread: Bool
        /// Why the version could not be judged again, or why its old inventory was used.
        public var problem: String?
        public var seconds: Double
        /// The complaints that called for the measure, when a complaint category did.
        public var complaints: [Int64]?
    }

    /// What the run found about complaints.
    public struct Complaints: Sendable, Codable, Equatable {
        /// Open complaints, all of them.
        public var open = 0
        /// Open complaints about an app with no version on the shelf: kept, not counted.
        public var notOnShelf: [Int64] = []
        /// Open complaints that repeat an earlier one (same text, same source): counted once.
        public var duplicates = 0
        public var tasksOpened: [ComplaintTask] = []
        public var tasksClosed: [Int64] = []
        /// Open complaints past their due day, most overdue first.
        public var overdue: [ComplaintRules.Overdue] = []

        public init() {}
    }

    public struct Outcome: Sendable {
        public var runID: Int64
        public var checked: Int
        public var reread: Int
        /// Only versions where something happened (a measure, a new or resolved alert, a problem).
        public var items: [Item]
        public var seconds: Double
        public var interrupted: Bool
        public var complaints = Complaints()
        /// The audit log's head when the run ended: record it elsewhere (`audit verify --expect-head`).
        public var auditHead: AuditHead?
        /// The part of the shelf judged.
        public var shard = DailyShard.whole

        public var measures: [Measure: Int] {
            var counts: [Measure: Int] = [:]
            for item in items { if let m = item.measure, item.to != nil { counts[m, default: 0] += 1 } }
            return counts
        }
    }

    public struct Progress: Sendable {
        public var done: Int
        public var elapsed: Double
    }

    public func run(
        progress: @escaping @Sendable (Progress) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws -> Outcome {
        let started = Monotonic.now()
        let runID = try ledger.startDailyRun(
            actor: actor, asOf: check.asOf, policySHA256: check.policy.digest,
            signatureSHA256: check.inspector.signatures?.database.digest ?? "")
        let (tallies, complaintDay) = try complaints(runID: runID)
        let collector = DailyCollector()
        let extractor = check.inspector.extractorID
        var after: Int64 = 0
        var interrupted = false
        var failure: (any Error)?
        while !shouldStop() {
            let page = try ledger.shelvedVersions(after: after, limit: pageSize, shard: shard)
            guard let last = page.last else { break }
            after = last.versionID
            let next = AtomicIndex()
            let group = DispatchGroup()
            for _ in 0..<min(jobs, page.count) {
                group.enter()
                let thread = Thread { [self] in
                    defer { group.leave() }
                    // Changes are written `writeGroup` at a time, one transaction each.
                    var pending: [Judged] = []
                    func write() {
                        guard !pending.isEmpty else { return }
                        defer { pending.removeAll(keepingCapacity: true) }
                        do {
                            let moved = try ledger.recordDaily(pending.map(\.change))
                            for (judged, move) in zip(pending, moved) { collector.add(judged.finished(moved: move)) }
                        } catch {
                            for _ in pending { collector.fail(error) }
                        }
                        progress(Progress(done: collector.checked, elapsed: Monotonic.seconds(since: started)))
                    }
                    while !shouldStop(), let i = next.take(below: page.count) {
                        do {
                            switch try assess(
                                page[i], runID: runID, complaints: tallies[page[i].appID], extractor: extractor)
                            {
                            case .done(let item): collector.add(item)
                            case .pending(let judged): pending.append(judged)
                            }
                        } catch {
                            collector.fail(error)
                        }
                        if pending.count >= writeGroup { write() }
                        progress(Progress(done: collector.checked, elapsed: Monotonic.seconds(since: started)))
                    }
                    write()
                }
                thread.stackSize = 16 << 20
                thread.start()
            }
            group.wait()
            if let error = collector.firstError {
                failure = error
                break
            }
        }
        if shouldStop() { interrupted = true }
        var outcome = Outcome(
            runID: runID, checked: collector.checked, reread: collector.reread,
            items: collector.items.sorted { $0.versionID < $1.versionID }, seconds: Monotonic.seconds(since: started),
            interrupted: interrupted)
        outcome.complaints = complaintDay
        outcome.shard = shard
        try ledger.finishDailyRun(
            runID, checked: outcome.checked, changed: outcome.items.filter { $0.to != nil }.count,
            status: failure != nil ? "failed" : interrupted ? "interrupted" : "done")
        if let failure { throw failure }
        outcome.auditHead = try ledger.auditHead()
        return outcome
    }

    /// The complaints of the day: every open one assessed by `ComplaintRules` (duplicates,
    /// apps not on the shelf, distinct complainants), reviewers' tasks opened and closed, and
    /// the overdue ones as of the run's day. Returns each app's tally for judging its versions.
    func complaints(runID: Int64) throws -> ([String: ComplaintRules.AppTally], Complaints) {
        let policy = check.policy.complaints
        let open = try ledger.openComplaints()
        let onShelf = try ledger.appsOnShelf(among: open.map(\.app))
        let assessment = ComplaintRules.assess(open, appsOnShelf: onShelf, policy: policy)
        let changes = ComplaintRules.taskChanges(
            assessment, openTasks: try ledger.complaintTasks(openOnly: true), policy: policy)
        var day = Complaints()
        day.open = open.count
        day.notOnShelf = assessment.notOnShelf
        day.duplicates =
            assessment.standing.values.filter {
                if case .duplicate = $0 { return true } else { return false }
            }.count
        if shard.index == 0 {
            day.tasksOpened = try ledger.recordComplaintTasks(
                open: changes.open, close: changes.close, runID: runID, asOf: check.asOf, actor: actor)
            day.tasksClosed = changes.close.map(\.id)
        }
        day.overdue = ComplaintRules.overdue(open, asOf: check.asOf, policy: policy)
        return (assessment.apps, day)
    }

    /// The alerts the complaints about a version's app raise: one when the threshold is
    /// reached (a reviewer's task is open), and one per measure a complaint category calls for,
    /// with the measure.
    func complaintAlerts(_ tally: ComplaintRules.AppTally?) -> [(alert: Alert, measure: Measure, ids: [Int64])] {
        guard let tally, tally.reachedThreshold else { return [] }
        let policy = check.policy.complaints
        var alerts = [
            (
                Alert(
                    fingerprint: "complaints:\(tally.app)", rule: "complaint_threshold", severity: .manualReview,
                    message: ComplaintRules.reason(tally, policy: policy) + "; a reviewer's task is open"),
                Measure.none, tally.complaints
            )
        ]
        if tally.measure > .none {
            let categories = tally.measureCategories.joined(separator: ", ")
            let severity: Severity =
                tally.measure >= .suspend ? .refuse : tally.measure == .manualReview ? .manualReview : .warn
            alerts.append(
                (
                    Alert(
                        fingerprint: "complaints:\(tally.app):\(tally.measure.rawValue):\(categories)",
                        rule: "complaint_category", severity: severity,
                        message:
                            "complaints of category \(categories) reach the threshold (\(policy.threshold)); the policy says \(tally.measure.rawValue): complaints \(tally.measureComplaints.map { "#\($0)" }.joined(separator: ", "))"
                    ), tally.measure, tally.measureComplaints
                ))
        }
        return alerts
    }

    /// One version: judge it again, decide the measure, write what changed. Returns nil when
    /// nothing happened; throws only when the ledger fails.
    /// `extractor`: the inspector's `extractorID`, worked out once per run.
    func judge(
        _ version: ShelvedVersion, runID: Int64, complaints: ComplaintRules.AppTally?, extractor: String? = nil
    ) throws -> Item? {
        switch try assess(version, runID: runID, complaints: complaints, extractor: extractor) {
        case .done(let item): return item
        case .pending(let judged): return judged.finished(moved: try ledger.recordDaily(judged.change))
        }
    }

    /// A version judged whose change is still to be written (`recordDaily`, a group at a time).
    struct Judged: Sendable {
        var item: Item
        var change: DailyVersionChange
        /// The measure decided, and the part of it a complaint category called for.
        var measure: Measure
        var complaintMeasure: Measure

        /// The item once the change is written: `moved` is the state change the ledger made.
        func finished(moved: StateChange?) -> Item? {
            var item = item
            item.to = moved?.to
            item.measure = moved == nil ? nil : measure
            item.reason = moved?.reason
            if moved != nil && complaintMeasure > .none { item.complaints = change.complaintIDs }
            if moved == nil && change.newAlerts.isEmpty && change.resolvedAlerts.isEmpty && item.problem == nil
                && !item.reread
            {
                return nil  // only the recorded findings changed
            }
            return item
        }
    }

    /// What judging one version came to before anything is written.
    enum Assessment: Sendable {
        /// Nothing to write: the item to report, if any.
        case done(Item?)
        /// A change to write.
        case pending(Judged)
    }

    /// Judges one version again and decides the measure, writing nothing.
    func assess(
        _ version: ShelvedVersion, runID: Int64, complaints: ComplaintRules.AppTally?, extractor: String? = nil
    ) throws -> Assessment {
        let started = Monotonic.now()
        var item = Item(
            versionID: version.versionID, app: version.appID, version: version.versionLabel, from: version.state,
            newAlerts: [], resolvedAlerts: 0, reread: false, seconds: 0)
        var inspection: Inspection
        do {
            inspection = try StoredJSON.decode(Inspection.self, from: version.facts)
        } catch {
            item.problem = "the stored inventory cannot be read: \(error)"
            return .done(item)
        }
        let snapshot: DeclarationSnapshot
        do {
            snapshot = try StoredJSON.decode(DeclarationSnapshot.self, from: version.declaration)
        } catch {
            item.problem = "the stored declaration cannot be read: \(error)"
            return .done(item)
        }
        var change = DailyVersionChange(
            runID: runID, version: version, actor: actor, asOf: check.asOf, findingsDigest: "")
        if version.extractor != extractor ?? check.inspector.extractorID {
            switch reread(version) {
            case .success(let fresh):
                inspection = fresh
                var facts = fresh
                facts.entries = []
                let encoder = JSONEncoder()
                change.inventory = (
                    check.inspector.extractorID, String(decoding: try encoder.encode(facts), as: UTF8.self),
                    String(decoding: try encoder.encode(fresh.entries), as: UTF8.self)
                )
                item.reread = true
            case .failure(let problem):
                item.problem = "\(problem.description); judged on the stored inventory"
            }
        }
        let result: CheckResult
        do { result = try check.judge(inspection, declaration: snapshot) } catch {
            throw LedgerError("judging \(version.appID): \(error.description)")
        }
        let fingerprints = result.fingerprints
        change.findingsDigest = result.findingsDigest(fingerprints: fingerprints)
        if change.findingsDigest != version.findingsDigest { change.result = result }
        item.verdict = result.verdict

        // Alerts: each finding once, until it goes away.
        let alerts = result.alerts(fingerprints: fingerprints)
        var current = Set<String>()
        for alert in alerts {
            current.insert(alert.fingerprint)
            if !version.openAlerts.contains(alert.fingerprint) { change.newAlerts.append(alert) }
        }
        let complaintAlerts = complaintAlerts(complaints)
        for (alert, _, _) in complaintAlerts {
            current.insert(alert.fingerprint)
            if !version.openAlerts.contains(alert.fingerprint) { change.newAlerts.append(alert) }
        }
        change.resolvedAlerts = version.openAlerts.subtracting(current).sorted()
        item.newAlerts = change.newAlerts
        item.resolvedAlerts = change.resolvedAlerts.count

        // The measure: the strongest that the new findings call for (what the review or an
        // earlier run already reported was accepted then), and escalation of a measure whose
        // cause still stands after its grace period.
        var measure = Measure.none
        var reasons: [String] = []
        let policy = check.policy
        let daysInState = CalendarDay.days(from: version.stateEffectiveOn, to: check.asOf) ?? 0
        let fresh = Set(change.newAlerts.map(\.fingerprint))
        for alert in alerts {
            var m = Measure.none
            if fresh.contains(alert.fingerprint) {
                m = policy.dailyMeasure(rule: alert.rule, severity: alert.severity)
            }
            if let entry = policy.daily[alert.rule], let stronger = entry.escalateTo,
                version.state == entry.measure.target,
                daysInState >= (entry.afterDays ?? policy.settings.cancellationGraceDays)
            {
                m = max(m, stronger)
            }
            if m > .none { reasons.append(alert.rule) }
            if m > measure { measure = m }
        }
        // A complaint category the policy lets act: its measure, once, when first reached.
        var complaintMeasure = Measure.none
        for (alert, m, ids) in complaintAlerts where m > .none && fresh.contains(alert.fingerprint) {
            reasons.append("\(alert.rule) (complaints \(ids.map { "#\($0)" }.joined(separator: ", ")))")
            change.complaintIDs = ids
            complaintMeasure = max(complaintMeasure, m)
            if m > measure { measure = m }
        }
        if measure > .none, let target = measure.target, version.state.allows(target, by: .daily) {
            let why = Array(Set(reasons)).sorted().joined(separator: ", ")
            change.move = (target, measure, "\(measure.rawValue.replacingOccurrences(of: "_", with: " ")): \(why)")
        }
        item.seconds = Monotonic.seconds(since: started)
        guard !change.isEmpty else { return .done(item.problem == nil ? nil : item) }
        return .pending(Judged(item: item, change: change, measure: measure, complaintMeasure: complaintMeasure))
    }

    enum RereadProblem: Error, CustomStringConvertible {
        case noBundle(String)
        case changed(String)
        case unreadable(String)

        var description: String {
            switch self {
            case .noBundle(let why), .changed(let why), .unreadable(let why): why
            }
        }
    }

    /// Reads the version's bundle again, from the bundle store or where it was submitted,
    /// checking that it is still the same bytes; the reader's time limit bounds it.
    func reread(_ version: ShelvedVersion) -> Result<Inspection, RereadProblem> {
        let candidates = [bundleStore?.path(of: version.bundleSHA256), version.bundlePath].compactMap { $0 }
        guard let path = candidates.first(where: { RawPath.kind($0) == .regular }) else {
            return .failure(
                .noBundle("the extractor changed but the bundle is neither in the store nor at \(version.bundlePath)"))
        }
        let inspection: Inspection
        do { inspection = try check.inspector.inspect(path: path) } catch {
            return .failure(.unreadable("the stored bundle cannot be read again: \(error.description)"))
        }
        guard inspection.bundle.sha256 == version.bundleSHA256 else {
            return .failure(.changed("the stored bundle at \(path) no longer has the digest it was reviewed with"))
        }
        if inspection.hazards.contains(where: { $0.kind == .timeout }) {
            return .failure(.unreadable("reading the bundle again took longer than the time limit"))
        }
        return .success(inspection)
    }
}

/// What the workers of one run found, under one lock.
private final class DailyCollector: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var items: [DailyManagement.Item] = []
    private var count = 0
    private var rereads = 0
    private var error: (any Error)?

    func add(_ item: DailyManagement.Item?) {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        if let item {
            items.append(item)
            if item.reread { rereads += 1 }
        }
    }

    func fail(_ error: any Error) {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        if self.error == nil { self.error = error }
    }

    var checked: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    var reread: Int {
        lock.lock()
        defer { lock.unlock() }
        return rereads
    }

    var firstError: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }
}

/// A shared counter handing out indexes to workers.
final class AtomicIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

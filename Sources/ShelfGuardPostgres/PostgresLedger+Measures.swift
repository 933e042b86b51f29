import Foundation
import ShelfGuardKit

/// Emergency measures and the storefront feed in the PostgreSQL ledger. An order over a million
/// versions is one read of its selection and a few large statements: the audit entries are
/// chained in Swift (as the SQLite ledger does) and written with the state changes in chunks.
extension PostgresLedger {
    /// Rows per statement when an order writes its audit entries and state changes.
    static let measureChunk = 50_000

    /// The SQL condition and binds selecting the versions of a selector, its placeholders
    /// numbered from `$first`.
    static func measureCondition(_ selector: MeasureSelector, first: Int = 1) -> (String, [any SQLBindable]) {
        var parts: [String] = []
        var binds: [any SQLBindable] = []
        func next() -> String { "$\(first + binds.count)" }
        if let app = selector.app {
            parts.append("v.app_id = \(next())")
            binds.append(app)
        }
        if let version = selector.version {
            let isDigest = version.count >= 12 && version.allSatisfy(\.isHexDigit)
            if isDigest {
                // ILIKE: SQLite's LIKE ignores ASCII case.
                parts.append("v.bundle_sha256 ILIKE \(next())")
                binds.append(version.lowercased() + "%")
            } else {
                let name = next()
                binds.append(version)
                let code = next()
                binds.append(version)
                parts.append("(v.version_name = \(name) OR v.version_code = \(code))")
            }
        }
        if let developer = selector.developer {
            let name = next()
            binds.append(developer)
            let uscc = next()
            binds.append(developer.uppercased())
            parts.append("v.app_id IN (SELECT app_id FROM app WHERE developer = \(name) OR uscc = \(uscc))")
        }
        if let filing = selector.filing {
            parts.append("v.id IN (SELECT version_id FROM version_filing WHERE number = \(next()))")
            binds.append(AlgorithmFilingNumber(filing)?.text ?? filing)
        }
        if let signature = selector.signature {
            parts.append("v.id IN (SELECT version_id FROM version_signature WHERE signature = \(next()))")
            binds.append(signature)
        }
        if let feature = selector.feature {
            parts.append("v.id IN (SELECT version_id FROM version_feature WHERE feature = \(next()))")
            binds.append(feature)
        }
        return (parts.isEmpty ? "FALSE" : parts.joined(separator: " AND "), binds)
    }

    /// The feature and signature ids recorded for any version, and every app id: what a
    /// selector can name besides the feature database in use. Sorted by bytes, as SQLite sorts.
    public func recordedIDs() throws -> (features: [String], signatures: [String], apps: [String]) {
        try read { session in
            func strings(_ sql: String) throws -> [String] { try session.query(sql).map { try $0.first() } }
            return (
                try strings("SELECT DISTINCT feature COLLATE \"C\" FROM version_feature ORDER BY 1"),
                try strings("SELECT DISTINCT signature COLLATE \"C\" FROM version_signature ORDER BY 1"),
                try strings("SELECT DISTINCT app_id COLLATE \"C\" FROM version ORDER BY 1")
            )
        }
    }

    public func apply(_ order: MeasureOrder, dryRun: Bool) throws -> MeasureResult {
        guard !order.selector.isEmpty else {
            throw LedgerError("an order must select versions: give at least one criterion")
        }
        guard order.measure.target != nil else {
            throw LedgerError("'\(order.measure.rawValue)' changes nothing")
        }
        if dryRun {
            let (changes, unchanged) = try read { session in try PostgresLedger.selectMeasured(session, order) }
            return MeasureResult(order: order, dryRun: true, changes: changes, unchanged: unchanged, auditRange: nil)
        }
        let clock = now()
        let at = AuditEntry.timestamp(clock)
        return try write { session in
            let (changes, unchanged) = try PostgresLedger.selectMeasured(session, order)
            let range = try PostgresLedger.moveSelected(
                session, changes, order: order, at: at, effectiveOn: CalendarDay.today(now: clock))
            return MeasureResult(order: order, dryRun: false, changes: changes, unchanged: unchanged, auditRange: range)
        }
    }

    /// The versions an order selects, by id: those the measure moves, and how many it leaves.
    static func selectMeasured(
        _ session: SQLSession, _ order: MeasureOrder
    ) throws -> (
        changes: [PlannedChange], unchanged: Int
    ) {
        guard let target = order.measure.target else { return ([], 0) }
        let (condition, binds) = measureCondition(order.selector)
        let collected = Collected()
        // Streamed: an order may select hundreds of thousands of rows.
        try session.forEach(
            """
            SELECT v.id, v.app_id, v.version_name, v.bundle_sha256, s.state
            FROM version v JOIN shelf_state s ON s.version_id = v.id
            WHERE \(condition) ORDER BY v.id
            """, binds
        ) { row in
            let state = ShelfState(rawValue: try row.get("state", as: String.self)) ?? .submitted
            guard state.takes(order.measure) else {
                collected.add(nil)
                return
            }
            collected.add(
                PlannedChange(
                    versionID: try row.get("id"), appID: try row.get("app_id"),
                    versionName: try row.get("version_name", as: String?.self),
                    bundleSHA256: try row.get("bundle_sha256"), from: state, to: target))
        }
        return collected.result
    }

    /// Moves the versions `changes` lists, one audit entry each, chained in one pass (the head
    /// is read and written once for the whole order): one UPDATE of their states, guarded by
    /// the states they were selected in, then the audit entries and state changes in chunks.
    static func moveSelected(
        _ session: SQLSession, _ changes: [PlannedChange], order: MeasureOrder, at: String, effectiveOn: String
    ) throws -> ClosedRange<Int64>? {
        guard !changes.isEmpty, let target = order.measure.target else { return nil }
        let updated = try session.execute(
            """
            UPDATE shelf_state s SET state = $1
            FROM unnest($2::bigint[], $3::text[]) AS u(version_id, from_state)
            WHERE s.version_id = u.version_id AND s.state = u.from_state
            """,
            [target.rawValue, changes.map(\.versionID), changes.map(\.from.rawValue)])
        guard updated == changes.count else {
            throw LedgerError("the order selected \(changes.count) versions, then \(updated): nothing was changed")
        }
        let head = try session.one("SELECT seq, hash FROM audit_head WHERE id = 1")
        var seq: Int64 = try head?.get("seq", as: Int64.self) ?? 0
        var previous: String = try head?.get("hash", as: String.self) ?? AuditEntry.genesis
        let first = seq + 1
        let action = order.measure.rawValue
        let selection = order.selector.summary
        var start = 0
        while start < changes.count {
            let chunk = changes[start..<min(start + measureChunk, changes.count)]
            var seqs: [Int64] = []
            var subjects: [String] = []
            var details: [String] = []
            var previousHashes: [String] = []
            var hashes: [String] = []
            for change in chunk {
                seq += 1
                let subject = "\(change.appID) \(change.versionName ?? "?") (\(change.bundleSHA256.prefix(12)))"
                let detail = CanonicalJSON.object([
                    "order": .string(order.order), "from": .string(change.from.rawValue),
                    "to": .string(change.to.rawValue), "selected_by": .string(selection),
                    "bundle_sha256": .string(change.bundleSHA256),
                ])
                let hash = AuditEntry.hash(
                    prevHash: previous, seq: seq, at: at, actor: order.actor, action: action, subject: subject,
                    reason: order.reason, details: detail)
                seqs.append(seq)
                subjects.append(subject)
                details.append(detail)
                previousHashes.append(previous)
                hashes.append(hash)
                previous = hash
            }
            try session.execute(
                """
                INSERT INTO audit_log (seq, at, actor, action, subject, reason, details, prev_hash, hash)
                SELECT u.seq, $6, $7, $8, u.subject, $9, u.details, u.prev_hash, u.hash
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
                    AS u(seq, subject, details, prev_hash, hash)
                """,
                [seqs, subjects, details, previousHashes, hashes, at, order.actor, action, order.reason])
            // In the order of `changes` (by version id), so state change ids follow the audit entries.
            try session.execute(
                """
                INSERT INTO state_change
                    (version_id, from_state, to_state, at, effective_on, actor, reason, cause, audit_seq, order_ref)
                SELECT u.version_id, u.from_state, $4, $5, $6, $7, $8, $9, u.audit_seq, $10
                FROM unnest($1::bigint[], $2::text[], $3::bigint[]) WITH ORDINALITY
                    AS u(version_id, from_state, audit_seq, n)
                ORDER BY u.n
                """,
                [
                    chunk.map(\.versionID), chunk.map(\.from.rawValue), seqs, target.rawValue, at, effectiveOn,
                    order.actor, order.reason, order.measure.cause.rawValue, order.order,
                ])
            start += chunk.count
        }
        try session.execute(
            """
            INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
            """,
            [seq, previous])
        return first...seq
    }

    /// What a streamed selection found (rows arrive on the connection's event loop).
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var changes: [PlannedChange] = []
        private var unchanged = 0

        /// A change, or nil for a version the measure leaves.
        func add(_ change: PlannedChange?) {
            lock.lock()
            defer { lock.unlock() }
            if let change { changes.append(change) } else { unchanged += 1 }
        }

        var result: (changes: [PlannedChange], unchanged: Int) {
            lock.lock()
            defer { lock.unlock() }
            return (changes, unchanged)
        }
    }

    // MARK: - The feed

    public func feed(since: Int64, limit: Int) throws -> [FeedEvent] {
        // SQLite reads a negative LIMIT as none; PostgreSQL's none is NULL.
        let bound: Int? = limit < 0 ? nil : limit
        return try read { session in
            try session.query(
                """
                SELECT c.id, c.from_state, c.to_state, c.at, c.reason, c.cause, c.order_ref, v.app_id,
                    v.version_name, v.version_code, v.bundle_sha256
                FROM state_change c JOIN version v ON v.id = c.version_id
                WHERE c.id > $1 AND (c.from_state IN ('approved', 'warned', 'suspended', 'taken_down')
                    OR c.to_state IN ('approved', 'warned', 'suspended', 'taken_down'))
                ORDER BY c.id LIMIT $2
                """, [since, bound]
            ).map { row in
                let from = ShelfState(rawValue: try row.get("from_state", as: String.self)) ?? .submitted
                let to = ShelfState(rawValue: try row.get("to_state", as: String.self)) ?? .submitted
                return FeedEvent(
                    id: try row.get("id"), app: try row.get("app_id"),
                    version: try row.get("version_name", as: String?.self)
                        ?? row.get("version_code", as: String?.self),
                    bundleSHA256: try row.get("bundle_sha256"), action: FeedEvent.action(from: from, to: to),
                    from: from, to: to, at: try row.get("at"), reason: try row.get("reason"),
                    order: try row.get("order_ref"))
            }
        }
    }
}

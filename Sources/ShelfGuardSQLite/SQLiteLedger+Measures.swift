import Foundation
import GRDB
import ShelfGuardKit

/// Emergency measures and the storefront feed in the SQLite ledger.
extension SQLiteLedger {
    /// The SQL condition and arguments selecting the versions of a selector.
    static func condition(_ selector: MeasureSelector) -> (String, StatementArguments) {
        var parts: [String] = []
        var arguments = StatementArguments()
        if let app = selector.app {
            parts.append("v.app_id = ?")
            arguments += [app]
        }
        if let version = selector.version {
            let isDigest = version.count >= 12 && version.allSatisfy(\.isHexDigit)
            parts.append(isDigest ? "v.bundle_sha256 LIKE ?" : "(v.version_name = ? OR v.version_code = ?)")
            arguments += isDigest ? [version.lowercased() + "%"] : [version, version]
        }
        if let developer = selector.developer {
            parts.append("v.app_id IN (SELECT app_id FROM app WHERE developer = ? OR uscc = ?)")
            arguments += [developer, developer.uppercased()]
        }
        if let filing = selector.filing {
            parts.append("v.id IN (SELECT version_id FROM version_filing WHERE number = ?)")
            arguments += [AlgorithmFilingNumber(filing)?.text ?? filing]
        }
        if let signature = selector.signature {
            parts.append("v.id IN (SELECT version_id FROM version_signature WHERE signature = ?)")
            arguments += [signature]
        }
        if let feature = selector.feature {
            parts.append("v.id IN (SELECT version_id FROM version_feature WHERE feature = ?)")
            arguments += [feature]
        }
        return (parts.isEmpty ? "0" : parts.joined(separator: " AND "), arguments)
    }

    /// The feature and signature ids recorded for any version, and every app id: what a
    /// selector can name besides the feature database in use.
    public func recordedIDs() throws -> (features: [String], signatures: [String], apps: [String]) {
        try read { db in
            (
                try String.fetchAll(db, sql: "SELECT DISTINCT feature FROM version_feature ORDER BY 1"),
                try String.fetchAll(db, sql: "SELECT DISTINCT signature FROM version_signature ORDER BY 1"),
                try String.fetchAll(db, sql: "SELECT DISTINCT app_id FROM version ORDER BY 1")
            )
        }
    }

    public func apply(_ order: MeasureOrder, dryRun: Bool) throws -> MeasureResult {
        guard !order.selector.isEmpty else {
            throw LedgerError("an order must select versions: give at least one criterion")
        }
        guard let target = order.measure.target else {
            throw LedgerError("'\(order.measure.rawValue)' changes nothing")
        }
        let (condition, arguments) = SQLiteLedger.condition(order.selector)
        let sql = """
            SELECT v.id, v.app_id, v.version_name, v.bundle_sha256, s.state
            FROM version v JOIN shelf_state s ON s.version_id = v.id
            WHERE \(condition) ORDER BY v.id
            """
        @Sendable func select(_ db: Database) throws -> (changes: [PlannedChange], unchanged: Int) {
            var changes: [PlannedChange] = []
            var unchanged = 0
            // Columns by position: an order may select hundreds of thousands of rows.
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                let state = ShelfState(rawValue: row[4]) ?? .submitted
                guard state.takes(order.measure) else {
                    unchanged += 1
                    continue
                }
                changes.append(
                    PlannedChange(
                        versionID: row[0], appID: row[1], versionName: row[2], bundleSHA256: row[3], from: state,
                        to: target))
            }
            return (changes, unchanged)
        }
        if dryRun {
            let (changes, unchanged) = try read { db in try select(db) }
            return MeasureResult(order: order, dryRun: true, changes: changes, unchanged: unchanged, auditRange: nil)
        }
        let clock = now()
        let at = AuditEntry.timestamp(clock)
        return try write { db in
            let (changes, unchanged) = try select(db)
            let range = try SQLiteLedger.move(
                db, changes, order: order, at: at, effectiveOn: CalendarDay.today(now: clock), condition: condition,
                arguments: arguments)
            return MeasureResult(order: order, dryRun: false, changes: changes, unchanged: unchanged, auditRange: range)
        }
    }

    /// Moves the versions `changes` lists, one audit entry each, chained in one pass (the head
    /// is read and written once for the whole order). The state changes and the new states are
    /// written set-based, by the order's own selection run again inside the same transaction
    /// (so it selects exactly `changes`, in the same order; the row counts are checked).
    static func move(
        _ db: Database, _ changes: [PlannedChange], order: MeasureOrder, at: String, effectiveOn: String,
        condition: String, arguments: StatementArguments
    )
        throws -> ClosedRange<Int64>?
    {
        guard !changes.isEmpty, let target = order.measure.target else { return nil }
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_head WHERE id = 1")
        var seq: Int64 = head?["seq"] ?? 0
        var previous: String = head?["hash"] ?? AuditEntry.genesis
        let first = seq + 1
        let insertAudit = try BulkStatement(
            db,
            sql: """
                INSERT INTO audit_log (seq, at, actor, action, subject, reason, details, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let action = order.measure.rawValue
        let selection = order.selector.summary
        for change in changes {
            seq += 1
            let subject = "\(change.appID) \(change.versionName ?? "?") (\(change.bundleSHA256.prefix(12)))"
            let details = CanonicalJSON.object([
                "order": .string(order.order), "from": .string(change.from.rawValue), "to": .string(change.to.rawValue),
                "selected_by": .string(selection), "bundle_sha256": .string(change.bundleSHA256),
            ])
            let hash = AuditEntry.hash(
                prevHash: previous, seq: seq, at: at, actor: order.actor, action: action, subject: subject,
                reason: order.reason, details: details)
            try insertAudit.execute(
                .int(seq), .text(at), .text(order.actor), .text(action), .text(subject), .text(order.reason),
                .text(details), .text(previous), .text(hash))
            previous = hash
        }
        // The selection again, narrowed to the states that take the measure, in v.id order as
        // `changes` is: the n-th row is the n-th change and carries audit entry first + n - 1.
        let movable = ShelfState.allCases.filter { $0.takes(order.measure) }.map(\.rawValue)
        let inMovable = "s.state IN (\(movable.map { _ in "?" }.joined(separator: ", ")))"
        let selected = "FROM version v JOIN shelf_state s ON s.version_id = v.id WHERE (\(condition)) AND \(inMovable)"
        try db.run(
            sql: """
                INSERT INTO state_change (version_id, from_state, to_state, at, effective_on, actor, reason, cause, audit_seq, order_ref)
                SELECT v.id, s.state, ?, ?, ?, ?, ?, ?, ? + ROW_NUMBER() OVER (ORDER BY v.id) - 1, ? \(selected)
                ORDER BY v.id
                """,
            arguments: [
                target.rawValue, at, effectiveOn, order.actor, order.reason, order.measure.cause.rawValue, first,
                order.order,
            ] + arguments + StatementArguments(movable))
        guard db.changesCount == changes.count else {
            throw LedgerError(
                "the order selected \(changes.count) versions, then \(db.changesCount): nothing was changed")
        }
        try db.run(
            sql: "UPDATE shelf_state SET state = ? WHERE version_id IN (SELECT v.id \(selected))",
            arguments: [target.rawValue] + arguments + StatementArguments(movable))
        guard db.changesCount == changes.count else {
            throw LedgerError(
                "the order selected \(changes.count) versions, then \(db.changesCount): nothing was changed")
        }
        try db.run(
            sql: """
                INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
                """,
            arguments: [seq, previous])
        return first...seq
    }

    // MARK: - The feed

    public func feed(since: Int64, limit: Int) throws -> [FeedEvent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.from_state, c.to_state, c.at, c.reason, c.cause, c.order_ref, v.app_id,
                        v.version_name, v.version_code, v.bundle_sha256
                    FROM state_change c JOIN version v ON v.id = c.version_id
                    WHERE c.id > ? AND (c.from_state IN ('approved', 'warned', 'suspended', 'taken_down')
                        OR c.to_state IN ('approved', 'warned', 'suspended', 'taken_down'))
                    ORDER BY c.id LIMIT ?
                    """, arguments: [since, limit]
            ).map { row in
                let from = ShelfState(rawValue: row["from_state"]) ?? .submitted
                let to = ShelfState(rawValue: row["to_state"]) ?? .submitted
                return FeedEvent(
                    id: row["id"], app: row["app_id"], version: row["version_name"] ?? row["version_code"],
                    bundleSHA256: row["bundle_sha256"], action: SQLiteLedger.feedAction(from: from, to: to),
                    from: from, to: to, at: row["at"], reason: row["reason"], order: row["order_ref"])
            }
        }
    }

    /// What a storefront does about a change.
    static func feedAction(from: ShelfState, to: ShelfState) -> String { FeedEvent.action(from: from, to: to) }
}

import Foundation
import GRDB
import ShelfGuardKit

/// Daily management in the SQLite ledger: reading the shelf back page by page, and writing
/// what changed for a version in one transaction.
extension SQLiteLedger {
    public func startDailyRun(
        actor: String, asOf: String, policySHA256: String, signatureSHA256: String
    ) throws
        -> Int64
    {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            try db.run(
                sql: """
                    INSERT INTO daily_run (started_at, actor, as_of, policy_sha256, signature_sha256, status)
                    VALUES (?, ?, ?, ?, ?, 'running')
                    """, arguments: [at, actor, asOf, policySHA256, signatureSHA256])
            return db.lastInsertedRowID
        }
    }

    public func finishDailyRun(_ id: Int64, checked: Int, changed: Int, status: String) throws {
        let at = AuditEntry.timestamp(now())
        try write { db in
            try db.run(
                sql: "UPDATE daily_run SET finished_at = ?, checked = ?, changed = ?, status = ? WHERE id = ?",
                arguments: [at, checked, changed, status, id])
        }
    }

    public func shelvedVersions(after versionID: Int64, limit: Int, shard: DailyShard) throws -> [ShelvedVersion] {
        try read { db in
            // Read through a cursor, columns by position (in the SELECT's order): fetchAll copies
            // every row first, and a column by name is looked up again at every access.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT v.id, v.app_id, st.state, \(SQLiteLedger.stateSince) AS state_since,
                        \(SQLiteLedger.stateEffectiveOn) AS effective_on, v.bundle_sha256, v.version_name, v.version_code,
                        i.extractor, i.facts, s.id AS submission_id, s.bundle_path, s.declaration,
                        (SELECT findings_sha256 FROM review WHERE version_id = v.id ORDER BY id DESC LIMIT 1) AS digest
                    FROM version v
                    JOIN shelf_state st ON st.version_id = v.id
                    JOIN inventory i ON i.version_id = v.id
                    JOIN submission s ON s.id = (SELECT MAX(id) FROM submission WHERE version_id = v.id)
                    WHERE st.state IN ('approved', 'warned', 'suspended') AND v.id > ? AND v.id % ? = ?
                    ORDER BY v.id LIMIT ?
                    """, arguments: [versionID, shard.count, shard.index, limit])
            var versions: [ShelvedVersion] = []
            while let row = try rows.next() {
                versions.append(
                    ShelvedVersion(
                        versionID: row[0], appID: row[1],
                        versionLabel: (row[6] as String?) ?? (row[7] as String?) ?? "?",
                        state: ShelfState(rawValue: row[2]) ?? .approved, stateSince: row[3], stateEffectiveOn: row[4],
                        bundleSHA256: row[5], submissionID: row[10], bundlePath: row[11], declaration: row[12],
                        extractor: row[8], facts: row[9], findingsDigest: (row[13] as String?) ?? "", openAlerts: []))
            }
            guard let first = versions.first?.versionID, let last = versions.last?.versionID else { return [] }
            var alerts: [Int64: Set<String>] = [:]
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT version_id, fingerprint FROM alert WHERE resolved_at IS NULL AND version_id BETWEEN ? AND ?",
                arguments: [first, last])
            {
                alerts[row["version_id"], default: []].insert(row["fingerprint"])
            }
            for i in versions.indices { versions[i].openAlerts = alerts[versions[i].versionID] ?? [] }
            return versions
        }
    }

    public func recordDaily(_ changes: [DailyVersionChange]) throws -> [StateChange?] {
        guard changes.contains(where: { !$0.isEmpty }) else { return changes.map { _ in nil } }
        let at = AuditEntry.timestamp(now())
        return try write { db in try changes.map { try recordDaily(db, $0, at: at) } }
    }

    /// One version's daily change, inside the group's transaction.
    private func recordDaily(_ db: Database, _ change: DailyVersionChange, at: String) throws -> StateChange? {
        guard !change.isEmpty else { return nil }
        let version = change.version
        let result = change.result
        // The version may have moved since it was read (a takedown racing the run): measures
        // are decided against the state it is in now.
        guard
            let current = try String.fetchOne(
                db, sql: "SELECT state FROM shelf_state WHERE version_id = ?", arguments: [version.versionID]
            ).flatMap(ShelfState.init(rawValue:))
        else { return nil }
        if let inventory = change.inventory {
            try db.run(
                sql:
                    "UPDATE inventory SET extractor = ?, facts = ?, entries = ?, created_at = ? WHERE version_id = ?",
                arguments: [inventory.extractor, inventory.facts, inventory.entries, at, version.versionID])
        }
        let (move, audit) = change.recorded(from: current)
        let entry = try appendAudit(db, actor: change.actor, audit)
        if let result {
            try db.run(
                sql: """
                    INSERT INTO review (submission_id, version_id, kind, review_key, verdict, tool_version,
                        policy_sha256, signature_sha256, as_of, reviewed_at, audit_seq, findings_sha256)
                    VALUES (?, ?, 'daily', NULL, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    version.submissionID, version.versionID, result.verdict.rawValue, result.stamp.toolVersion,
                    result.stamp.policyDigest, result.stamp.signatureDigest, result.stamp.asOf, at, entry.seq,
                    change.findingsDigest,
                ])
            try SQLiteLedger.insertFindings(db, reviewID: db.lastInsertedRowID, result.findings)
        }
        for alert in change.newAlerts {
            try db.run(
                sql: """
                    INSERT INTO alert (version_id, fingerprint, rule, severity, message, first_seen, last_seen, daily_run)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (version_id, fingerprint) WHERE resolved_at IS NULL DO NOTHING
                    """,
                arguments: [
                    version.versionID, alert.fingerprint, alert.rule, alert.severity.rawValue, alert.message, at,
                    at,
                    change.runID,
                ])
        }
        for fingerprint in change.resolvedAlerts {
            try db.run(
                sql:
                    "UPDATE alert SET resolved_at = ? WHERE version_id = ? AND fingerprint = ? AND resolved_at IS NULL",
                arguments: [at, version.versionID, fingerprint])
        }
        guard let move else { return nil }
        try SQLiteLedger.move(
            db, versionID: version.versionID, from: current, to: move.to, at: at, effectiveOn: change.asOf,
            actor: change.actor,
            reason: move.reason, cause: .daily, auditSeq: entry.seq)
        return StateChange(
            versionID: version.versionID, appID: version.appID, from: current, to: move.to, at: at,
            actor: change.actor, reason: move.reason, cause: .daily, auditSeq: entry.seq)
    }
}

import Foundation
import ShelfGuardKit

/// Daily management in the PostgreSQL ledger: reading the shelf back page by page (one query
/// per page, plus one for the page's open alerts), and writing what changed for a version in
/// one transaction.
extension PostgresLedger {
    public func startDailyRun(
        actor: String, asOf: String, policySHA256: String, signatureSHA256: String
    ) throws
        -> Int64
    {
        let at = AuditEntry.timestamp(now())
        return try write { session in
            guard
                let id = try session.scalar(
                    """
                    INSERT INTO daily_run (started_at, actor, as_of, policy_sha256, signature_sha256, status)
                    VALUES ($1, $2, $3, $4, $5, 'running') RETURNING id
                    """, [at, actor, asOf, policySHA256, signatureSHA256], as: Int64.self)
            else { throw LedgerError("the shelf database gave no id for the daily run") }
            return id
        }
    }

    public func finishDailyRun(_ id: Int64, checked: Int, changed: Int, status: String) throws {
        let at = AuditEntry.timestamp(now())
        try write { session in
            _ = try session.execute(
                "UPDATE daily_run SET finished_at = $1, checked = $2, changed = $3, status = $4 WHERE id = $5",
                [at, checked, changed, status, id])
        }
    }

    public func shelvedVersions(after versionID: Int64, limit: Int, shard: DailyShard) throws -> [ShelvedVersion] {
        // SQLite reads a negative LIMIT as none; PostgreSQL's none is NULL.
        let bound: Int? = limit < 0 ? nil : limit
        return try read { session in
            // The SQLite ledger's query, every one-row lookup a lateral subquery: the plan walks
            // the version ids after `versionID` and stops at `limit`, one index lookup per table
            // each, however far into the shelf the page is (plain joins let the planner merge-join
            // shelf_state or inventory from their first row, a cost that grows page by page).
            let rows = try session.query(
                """
                SELECT v.id, v.app_id, st.state, COALESCE(c.at, v.first_seen) AS state_since,
                    COALESCE(c.effective_on, (SELECT as_of FROM review WHERE version_id = v.id ORDER BY id LIMIT 1),
                        substr(v.first_seen, 1, 10)) AS effective_on,
                    v.bundle_sha256, v.version_name, v.version_code, i.extractor, i.facts,
                    s.id AS submission_id, s.bundle_path, s.declaration,
                    (SELECT findings_sha256 FROM review WHERE version_id = v.id ORDER BY id DESC LIMIT 1) AS digest
                FROM version v
                JOIN LATERAL (
                    SELECT state FROM shelf_state
                    WHERE version_id = v.id AND state IN ('approved', 'warned', 'suspended') LIMIT 1
                ) st ON TRUE
                JOIN LATERAL (SELECT extractor, facts FROM inventory WHERE version_id = v.id LIMIT 1) i ON TRUE
                JOIN LATERAL (
                    SELECT id, bundle_path, declaration FROM submission WHERE version_id = v.id ORDER BY id DESC LIMIT 1
                ) s ON TRUE
                LEFT JOIN LATERAL (
                    SELECT at, effective_on FROM state_change WHERE version_id = v.id ORDER BY id DESC LIMIT 1
                ) c ON TRUE
                WHERE v.id > $1 AND v.id % $3 = $4
                ORDER BY v.id LIMIT $2
                """, [versionID, bound, Int64(shard.count), Int64(shard.index)])
            guard let first = try rows.first?.get("id", as: Int64.self),
                let last = try rows.last?.get("id", as: Int64.self)
            else { return [] }
            var alerts: [Int64: Set<String>] = [:]
            for row in try session.query(
                "SELECT version_id, fingerprint FROM alert WHERE resolved_at IS NULL AND version_id BETWEEN $1 AND $2",
                [first, last])
            {
                alerts[try row.get("version_id", as: Int64.self), default: []].insert(try row.get("fingerprint"))
            }
            return try rows.map { row in
                let id = try row.get("id", as: Int64.self)
                return ShelvedVersion(
                    versionID: id, appID: try row.get("app_id"),
                    versionLabel: try row.get("version_name", as: String?.self)
                        ?? row.get("version_code", as: String?.self) ?? "?",
                    state: ShelfState(rawValue: try row.get("state", as: String.self)) ?? .approved,
                    stateSince: try row.get("state_since"), stateEffectiveOn: try row.get("effective_on"),
                    bundleSHA256: try row.get("bundle_sha256"), submissionID: try row.get("submission_id"),
                    bundlePath: try row.get("bundle_path"), declaration: try row.get("declaration"),
                    extractor: try row.get("extractor"), facts: try row.get("facts"),
                    findingsDigest: try row.get("digest", as: String?.self) ?? "", openAlerts: alerts[id] ?? [])
            }
        }
    }

    public func recordDaily(_ change: DailyVersionChange) throws -> StateChange? {
        guard !change.isEmpty else { return nil }
        let at = AuditEntry.timestamp(now())
        let version = change.version
        let result = change.result
        return try write { session in
            // The version may have moved since it was read (a takedown racing the run): measures
            // are decided against the state it is in now.
            guard
                let current = try session.scalar(
                    "SELECT state FROM shelf_state WHERE version_id = $1", [version.versionID], as: String.self
                ).flatMap(ShelfState.init(rawValue:))
            else { return nil }
            if let inventory = change.inventory {
                try session.execute(
                    "UPDATE inventory SET extractor = $1, facts = $2, entries = $3, created_at = $4 WHERE version_id = $5",
                    [inventory.extractor, inventory.facts, inventory.entries, at, version.versionID])
            }
            let (move, audit) = change.recorded(from: current)
            let entry = try appendAudit(session, actor: change.actor, audit)
            if let result {
                guard
                    let reviewID = try session.scalar(
                        """
                        INSERT INTO review (submission_id, version_id, kind, review_key, verdict, tool_version,
                            policy_sha256, signature_sha256, as_of, reviewed_at, audit_seq, findings_sha256)
                        VALUES ($1, $2, 'daily', NULL, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
                        """,
                        [
                            version.submissionID, version.versionID, result.verdict.rawValue, result.stamp.toolVersion,
                            result.stamp.policyDigest, result.stamp.signatureDigest, result.stamp.asOf, at, entry.seq,
                            change.findingsDigest,
                        ], as: Int64.self)
                else { throw LedgerError("the shelf database gave no id for the daily review") }
                try PostgresLedger.insertFindings(session, reviewID: reviewID, result.findings)
            }
            if !change.newAlerts.isEmpty {
                // In the order given; an alert already open is left as it is.
                try session.execute(
                    """
                    INSERT INTO alert (version_id, fingerprint, rule, severity, message, first_seen, last_seen, daily_run)
                    SELECT $1, u.fingerprint, u.rule, u.severity, u.message, $6, $6, $7
                    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
                        AS u(fingerprint, rule, severity, message, n)
                    ORDER BY u.n
                    ON CONFLICT (version_id, fingerprint) WHERE resolved_at IS NULL DO NOTHING
                    """,
                    [
                        version.versionID, change.newAlerts.map(\.fingerprint), change.newAlerts.map(\.rule),
                        change.newAlerts.map(\.severity.rawValue), change.newAlerts.map(\.message), at, change.runID,
                    ])
            }
            if !change.resolvedAlerts.isEmpty {
                try session.execute(
                    """
                    UPDATE alert SET resolved_at = $1
                    WHERE version_id = $2 AND fingerprint = ANY($3) AND resolved_at IS NULL
                    """,
                    [at, version.versionID, change.resolvedAlerts])
            }
            guard let move else { return nil }
            try PostgresLedger.recordStateChange(
                session, versionID: version.versionID, from: current, to: move.to, at: at, effectiveOn: change.asOf,
                actor: change.actor, reason: move.reason, cause: .daily, auditSeq: entry.seq)
            return StateChange(
                versionID: version.versionID, appID: version.appID, from: current, to: move.to, at: at,
                actor: change.actor, reason: move.reason, cause: .daily, auditSeq: entry.seq)
        }
    }
}

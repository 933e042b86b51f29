import Foundation
import ShelfGuardKit

/// Daily management in the PostgreSQL ledger: reading the shelf back page by page (one query
/// per page, plus one for the page's open alerts), and writing what changed for a group of
/// versions in one transaction with set-based statements.
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

    public func recordDaily(_ changes: [DailyVersionChange]) throws -> [StateChange?] {
        guard changes.contains(where: { !$0.isEmpty }) else { return changes.map { _ in nil } }
        let at = AuditEntry.timestamp(now())
        return try write { session in
            // Groups of distinct versions: within one, every state is read before any is written.
            var results: [StateChange?] = []
            var group: [DailyVersionChange] = []
            var seen = Set<Int64>()
            for change in changes {
                if !seen.insert(change.version.versionID).inserted {
                    results += try recordDaily(session, group, at: at)
                    group = []
                    seen = [change.version.versionID]
                }
                group.append(change)
            }
            return results + (try recordDaily(session, group, at: at))
        }
    }

    /// Distinct versions' changes, set-based: each statement covers the whole group, so the
    /// group costs about ten round trips to the server however many versions it holds.
    private func recordDaily(
        _ session: SQLSession, _ group: [DailyVersionChange], at: String
    ) throws -> [StateChange?] {
        var current: [Int64: ShelfState] = [:]
        let ids = group.filter { !$0.isEmpty }.map(\.version.versionID)
        guard !ids.isEmpty else { return group.map { _ in nil } }
        for row in try session.query("SELECT version_id, state FROM shelf_state WHERE version_id = ANY($1)", [ids]) {
            current[try row.get("version_id", as: Int64.self)] = ShelfState(rawValue: try row.get("state"))
        }
        // The version may have moved since it was read (a takedown racing the run): measures
        // are decided against the state it is in now. A version with no state is left alone.
        let live = group.filter { !$0.isEmpty && current[$0.version.versionID] != nil }
        guard !live.isEmpty else { return group.map { _ in nil } }

        let inventories = live.compactMap { change in change.inventory.map { (change.version.versionID, $0) } }
        if !inventories.isEmpty {
            try session.execute(
                """
                UPDATE inventory i SET extractor = u.extractor, facts = u.facts, entries = u.entries, created_at = $5
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(version_id, extractor, facts, entries)
                WHERE i.version_id = u.version_id
                """,
                [
                    inventories.map(\.0), inventories.map(\.1.extractor), inventories.map(\.1.facts),
                    inventories.map(\.1.entries), at,
                ])
        }

        let recorded = live.map { $0.recorded(from: current[$0.version.versionID]!) }
        let entries = try appendAudit(
            session, at: at, recorded.enumerated().map { (live[$0.offset].actor, $0.element.1) })

        // Reviews, with ids drawn first so that their findings go in with the same statement count.
        let judged = live.indices.filter { live[$0].result != nil }
        if !judged.isEmpty {
            let reviewIDs = try session.query(
                "SELECT nextval(pg_get_serial_sequence('review', 'id')) AS id FROM generate_series(1, $1)",
                [judged.count]
            ).map { try $0.get("id", as: Int64.self) }
            let results = judged.map { live[$0].result! }
            try session.execute(
                """
                INSERT INTO review (id, submission_id, version_id, kind, review_key, verdict, tool_version,
                    policy_sha256, signature_sha256, as_of, reviewed_at, audit_seq, findings_sha256)
                SELECT u.id, u.submission_id, u.version_id, 'daily', NULL, u.verdict, u.tool_version, u.policy_sha256,
                    u.signature_sha256, u.as_of, $11, u.audit_seq, u.findings_sha256
                FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::bigint[], $10::text[])
                    AS u(id, submission_id, version_id, verdict, tool_version, policy_sha256, signature_sha256, as_of,
                        audit_seq, findings_sha256)
                """,
                [
                    reviewIDs, judged.map { live[$0].version.submissionID }, judged.map { live[$0].version.versionID },
                    results.map(\.verdict.rawValue), results.map(\.stamp.toolVersion),
                    results.map(\.stamp.policyDigest), results.map(\.stamp.signatureDigest),
                    results.map(\.stamp.asOf), judged.map { entries[$0].seq }, judged.map { live[$0].findingsDigest },
                    at,
                ])
            try PostgresLedger.insertFindings(
                session, reviews: zip(reviewIDs, results.map(\.findings)).map { ($0, $1) })
        }

        // Alerts raised, in the order given; an alert already open is left as it is.
        let raised = live.flatMap { change in change.newAlerts.map { (change.version.versionID, change.runID, $0) } }
        if !raised.isEmpty {
            try session.execute(
                """
                INSERT INTO alert (version_id, fingerprint, rule, severity, message, first_seen, last_seen, daily_run)
                SELECT u.version_id, u.fingerprint, u.rule, u.severity, u.message, $7, $7, u.daily_run
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) WITH ORDINALITY
                    AS u(version_id, fingerprint, rule, severity, message, daily_run, n)
                ORDER BY u.n
                ON CONFLICT (version_id, fingerprint) WHERE resolved_at IS NULL DO NOTHING
                """,
                [
                    raised.map(\.0), raised.map(\.2.fingerprint), raised.map(\.2.rule),
                    raised.map(\.2.severity.rawValue), raised.map(\.2.message), raised.map(\.1), at,
                ])
        }
        let resolved = live.flatMap { change in change.resolvedAlerts.map { (change.version.versionID, $0) } }
        if !resolved.isEmpty {
            try session.execute(
                """
                UPDATE alert a SET resolved_at = $1
                FROM unnest($2::bigint[], $3::text[]) AS u(version_id, fingerprint)
                WHERE a.version_id = u.version_id AND a.fingerprint = u.fingerprint AND a.resolved_at IS NULL
                """,
                [at, resolved.map(\.0), resolved.map(\.1)])
        }

        // The measures: states, then their changes in the order of the audit entries.
        var moves: [Int64: StateChange] = [:]
        for (i, change) in live.enumerated() {
            guard let move = recorded[i].0 else { continue }
            let version = change.version
            moves[version.versionID] = StateChange(
                versionID: version.versionID, appID: version.appID, from: current[version.versionID]!, to: move.to,
                at: at, actor: change.actor, reason: move.reason, cause: .daily, auditSeq: entries[i].seq)
        }
        let moved = live.compactMap { moves[$0.version.versionID] }
        if !moved.isEmpty {
            try session.execute(
                """
                UPDATE shelf_state s SET state = u.state
                FROM unnest($1::bigint[], $2::text[]) AS u(version_id, state) WHERE s.version_id = u.version_id
                """,
                [moved.map(\.versionID), moved.map(\.to.rawValue)])
            try session.execute(
                """
                INSERT INTO state_change (version_id, from_state, to_state, at, effective_on, actor, reason, cause,
                    audit_seq)
                SELECT u.version_id, u.from_state, u.to_state, $8, u.effective_on, u.actor, u.reason, $9, u.audit_seq
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
                    WITH ORDINALITY AS u(version_id, from_state, to_state, effective_on, actor, reason, audit_seq, n)
                ORDER BY u.n
                """,
                [
                    moved.map(\.versionID), moved.map(\.from.rawValue), moved.map(\.to.rawValue),
                    live.filter { moves[$0.version.versionID] != nil }.map(\.asOf), moved.map(\.actor),
                    moved.map(\.reason), moved.map(\.auditSeq), at, ShelfState.Cause.daily.rawValue,
                ])
        }
        return group.map { change in change.isEmpty ? nil : moves[change.version.versionID] }
    }
}

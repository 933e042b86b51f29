import Foundation
import ShelfGuardKit

/// The review queue in PostgreSQL. Queue work appends nothing to the audit log, so it takes no
/// write lock: a worker claims a job with `FOR UPDATE SKIP LOCKED`, so concurrent workers
/// neither wait on each other nor take the same job. Its review is recorded only while the claim
/// is still its own, in the transaction that deletes the job (finished jobs leave the table).
extension PostgresLedger {
    /// Jobs inserted per statement.
    static let enqueueChunk = 1000

    public func enqueue(_ bundles: [QueuedBundle], actor: String) throws -> [Int64] {
        let at = AuditEntry.timestamp(now())
        return try transaction(locked: false) { session in
            var ids: [Int64] = []
            ids.reserveCapacity(bundles.count)
            for start in stride(from: 0, to: bundles.count, by: PostgresLedger.enqueueChunk) {
                let chunk = bundles[start..<min(start + PostgresLedger.enqueueChunk, bundles.count)]
                // Arrays hold no NULL here: each optional goes as a flag and a text.
                let rows = try session.query(
                    """
                    INSERT INTO review_job (bundle_path, declaration_path, wechat_appid, enqueued_at, enqueued_by)
                    SELECT u.bundle, CASE WHEN u.has_declaration THEN u.declaration END,
                        CASE WHEN u.has_appid THEN u.appid END, $6, $7
                    FROM unnest($1::text[], $2::bool[], $3::text[], $4::bool[], $5::text[]) WITH ORDINALITY
                        AS u(bundle, has_declaration, declaration, has_appid, appid, n)
                    ORDER BY u.n RETURNING id
                    """,
                    [
                        chunk.map(\.bundle), chunk.map { $0.declaration != nil }, chunk.map { $0.declaration ?? "" },
                        chunk.map { $0.wechatAppID != nil }, chunk.map { $0.wechatAppID ?? "" }, at, actor,
                    ])
                // Ids are drawn in the order rows are inserted: sorted, they follow the bundles.
                ids += try rows.map { try $0.first(as: Int64.self) }.sorted()
            }
            return ids
        }
    }

    public func claimJob(worker: String, lease: Double, now: Double) throws -> ReviewJob? {
        // The condition is `QueueRules.claimable`: queued and due, or claimed with its lease run out.
        try transaction(locked: false) { session in
            try session.one(
                """
                UPDATE review_job SET state = 'claimed', claimed_by = $1, lease_until = $2, attempts = attempts + 1
                WHERE id = (
                    SELECT id FROM review_job
                    WHERE (state = 'queued' AND not_before <= $3)
                        OR (state = 'claimed' AND COALESCE(lease_until, 0) < $3)
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING *
                """, [worker, now + lease, now]
            ).map(PostgresLedger.job)
        }
    }

    public func finishJob(_ claim: JobClaim) throws -> Bool {
        try transaction(locked: false) { session in
            try session.execute(
                "DELETE FROM review_job WHERE id = $1 AND claimed_by = $2 AND state = 'claimed'",
                [claim.jobID, claim.worker]) == 1
        }
    }

    public func failJob(_ claim: JobClaim, error: String, now: Double, retry: QueueRules.Retry) throws -> ReviewJob? {
        try transaction(locked: false) { session in
            // Locked until the transaction ends: no other worker takes the job over meanwhile.
            guard
                let attempts = try session.scalar(
                    "SELECT attempts FROM review_job WHERE id = $1 AND claimed_by = $2 AND state = 'claimed' FOR UPDATE",
                    [claim.jobID, claim.worker], as: Int64.self)
            else { return nil }
            let row: SQLRow?
            switch QueueRules.afterFailure(attempts: Int(attempts), retry) {
            case .retry(let delay):
                row = try session.one(
                    """
                    UPDATE review_job SET state = 'queued', claimed_by = NULL, lease_until = NULL,
                        not_before = $1, last_error = $2 WHERE id = $3 RETURNING *
                    """, [now + delay, error, claim.jobID])
            case .failed:
                row = try session.one(
                    "UPDATE review_job SET state = 'failed', lease_until = NULL, last_error = $1 WHERE id = $2 RETURNING *",
                    [error, claim.jobID])
            }
            return try row.map(PostgresLedger.job)
        }
    }

    public func queueJobs(states: [ReviewJob.State], limit: Int) throws -> [ReviewJob] {
        try read { session in
            try session.query(
                "SELECT * FROM review_job WHERE state = ANY($1) ORDER BY id LIMIT $2", [states.map(\.rawValue), limit]
            ).map(PostgresLedger.job)
        }
    }

    public func requeueFailed(ids: [Int64]?) throws -> Int {
        try transaction(locked: false) { session in
            try session.execute(
                """
                UPDATE review_job SET state = 'queued', attempts = 0, claimed_by = NULL, not_before = 0
                WHERE state = 'failed'\(ids == nil ? "" : " AND id = ANY($1)")
                """, ids.map { [$0] as [any SQLBindable] } ?? [])
        }
    }

    /// Inside a review's write transaction: the job must still be held by this worker; it leaves
    /// the queue with the review (a rollback puts it back).
    static func takeClaimedJob(_ session: SQLSession, _ claim: JobClaim) throws {
        let deleted = try session.execute(
            "DELETE FROM review_job WHERE id = $1 AND claimed_by = $2 AND state = 'claimed'",
            [claim.jobID, claim.worker])
        guard deleted == 1 else {
            throw LedgerError(
                "job \(claim.jobID) is no longer held by worker \(claim.worker) (its lease ran out and another worker took it over, or it was removed): its review is not recorded here"
            )
        }
    }

    static func job(_ row: SQLRow) throws -> ReviewJob {
        ReviewJob(
            id: try row.get("id"), bundlePath: try row.get("bundle_path"),
            declarationPath: try row.get("declaration_path"), wechatAppID: try row.get("wechat_appid"),
            state: ReviewJob.State(rawValue: try row.get("state")) ?? .queued,
            attempts: Int(try row.get("attempts", as: Int64.self)), enqueuedAt: try row.get("enqueued_at"),
            enqueuedBy: try row.get("enqueued_by"), claimedBy: try row.get("claimed_by"),
            leaseUntil: try row.get("lease_until"), notBefore: try row.get("not_before"),
            lastError: try row.get("last_error"))
    }
}

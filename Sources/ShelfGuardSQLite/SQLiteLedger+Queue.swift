import Foundation
import GRDB
import ShelfGuardKit

/// The review queue in SQLite. A worker claims a job in one IMMEDIATE transaction (SQLite has
/// one writer at a time, so two workers never take the same job), and its review is recorded
/// only while the claim is still its own, in the transaction that deletes the job.
extension SQLiteLedger {
    public func enqueue(_ bundles: [QueuedBundle], actor: String) throws -> [Int64] {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO review_job (bundle_path, declaration_path, wechat_appid, enqueued_at, enqueued_by)
                    VALUES (?, ?, ?, ?, ?) RETURNING id
                    """)
            return try bundles.map { job in
                try Int64.fetchOne(insert, arguments: [job.bundle, job.declaration, job.wechatAppID, at, actor]) ?? 0
            }
        }
    }

    public func claimJob(worker: String, lease: Double, now: Double) throws -> ReviewJob? {
        try write { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE review_job SET state = 'claimed', claimed_by = ?, lease_until = ?, attempts = attempts + 1
                    WHERE id = (
                        SELECT id FROM review_job
                        WHERE (state = 'queued' AND not_before <= ?) OR (state = 'claimed' AND lease_until < ?)
                        ORDER BY id LIMIT 1)
                    RETURNING *
                    """, arguments: [worker, now + lease, now, now]
            ).map(SQLiteLedger.job)
        }
    }

    public func finishJob(_ claim: JobClaim) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "DELETE FROM review_job WHERE id = ? AND claimed_by = ? AND state = 'claimed'",
                arguments: [claim.jobID, claim.worker])
            return db.changesCount == 1
        }
    }

    public func failJob(_ claim: JobClaim, error: String, now: Double, retry: QueueRules.Retry) throws -> ReviewJob? {
        try write { db in
            guard
                let attempts = try Int.fetchOne(
                    db, sql: "SELECT attempts FROM review_job WHERE id = ? AND claimed_by = ? AND state = 'claimed'",
                    arguments: [claim.jobID, claim.worker])
            else { return nil }
            switch QueueRules.afterFailure(attempts: attempts, retry) {
            case .retry(let delay):
                try db.execute(
                    sql: """
                        UPDATE review_job SET state = 'queued', claimed_by = NULL, lease_until = NULL,
                            not_before = ?, last_error = ? WHERE id = ?
                        """, arguments: [now + delay, error, claim.jobID])
            case .failed:
                try db.execute(
                    sql: """
                        UPDATE review_job SET state = 'failed', lease_until = NULL, last_error = ? WHERE id = ?
                        """, arguments: [error, claim.jobID])
            }
            return try Row.fetchOne(db, sql: "SELECT * FROM review_job WHERE id = ?", arguments: [claim.jobID]).map(
                SQLiteLedger.job)
        }
    }

    public func queueJobs(states: [ReviewJob.State], limit: Int) throws -> [ReviewJob] {
        try read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT * FROM review_job WHERE state IN (\(states.map { _ in "?" }.joined(separator: ", "))) ORDER BY id LIMIT ?",
                arguments: StatementArguments(states.map(\.rawValue)) + [limit]
            ).map(SQLiteLedger.job)
        }
    }

    public func requeueFailed(ids: [Int64]?) throws -> Int {
        try write { db in
            let only = ids.map { " AND id IN (\($0.map { _ in "?" }.joined(separator: ", ")))" } ?? ""
            try db.execute(
                sql: """
                    UPDATE review_job SET state = 'queued', attempts = 0, claimed_by = NULL, not_before = 0
                    WHERE state = 'failed'\(only)
                    """, arguments: StatementArguments(ids ?? []))
            return db.changesCount
        }
    }

    /// Inside a review's write transaction: the job must still be held by this worker; it leaves
    /// the queue with the review (a rollback puts it back).
    static func takeClaimedJob(_ db: Database, _ claim: JobClaim) throws {
        try db.execute(
            sql: "DELETE FROM review_job WHERE id = ? AND claimed_by = ? AND state = 'claimed'",
            arguments: [claim.jobID, claim.worker])
        guard db.changesCount == 1 else {
            throw LedgerError(
                "job \(claim.jobID) is no longer held by worker \(claim.worker) (its lease ran out and another worker took it over, or it was removed): its review is not recorded here"
            )
        }
    }

    static func job(_ row: Row) -> ReviewJob {
        ReviewJob(
            id: row["id"], bundlePath: row["bundle_path"], declarationPath: row["declaration_path"],
            wechatAppID: row["wechat_appid"], state: ReviewJob.State(rawValue: row["state"]) ?? .queued,
            attempts: row["attempts"],
            enqueuedAt: row["enqueued_at"], enqueuedBy: row["enqueued_by"], claimedBy: row["claimed_by"],
            leaseUntil: row["lease_until"], notBefore: row["not_before"], lastError: row["last_error"])
    }
}

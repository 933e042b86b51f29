import Foundation
import GRDB
import ShelfGuardKit

/// Bundles sent to the service, in SQLite: each submission and its senders, the job that reviews
/// it and the review that answered it. `SubmissionRules` decides; these functions fetch and write.
extension SQLiteLedger {
    public func releaseJobs(worker: String) throws -> Int {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE review_job SET state = 'queued', claimed_by = NULL, lease_until = NULL, not_before = 0,
                        attempts = max(attempts - 1, 0)
                    WHERE state = 'claimed' AND (claimed_by = ? OR substr(claimed_by, 1, ?) = ?)
                    """, arguments: [worker, worker.count + 1, worker + "#"])
            return db.changesCount
        }
    }

    public func queueDepth() throws -> [ReviewJob.State: Int] {
        try read { db in
            var depth: [ReviewJob.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM review_job GROUP BY state") {
                if let state = ReviewJob.State(rawValue: row["state"]) { depth[state] = row["n"] }
            }
            return depth
        }
    }

    public func submitReview(_ intake: SubmissionIntake, submitter: APIKey) throws -> ServiceSubmission {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            let existing = try SQLiteLedger.submission(db, id: intake.id)
            let recorded = try SQLiteLedger.existingReview(db, key: intake.id)?.reviewID
            var jobID: Int64?
            switch SubmissionRules.onSubmit(existing: existing, recorded: recorded) {
            case .linkReview(let reviewID):
                if existing == nil {
                    try SQLiteLedger.insertSubmission(db, intake, jobID: nil, reviewID: reviewID, at: at)
                } else {
                    try db.execute(
                        sql: "UPDATE service_submission SET review_id = ? WHERE id = ?",
                        arguments: [reviewID, intake.id])
                }
            case .enqueue:
                jobID = try Int64.fetchOne(
                    db,
                    sql: """
                        INSERT INTO review_job (bundle_path, declaration_path, enqueued_at, enqueued_by)
                        VALUES (?, ?, ?, ?) RETURNING id
                        """, arguments: [intake.bundlePath, intake.declarationPath, at, submitter.actor])
                if existing == nil {
                    try SQLiteLedger.insertSubmission(db, intake, jobID: jobID, reviewID: nil, at: at)
                } else {
                    try db.execute(
                        sql: """
                            UPDATE service_submission SET job_id = ?, cancelled_at = NULL, cancelled_by = NULL,
                                bundle_path = ?, declaration_path = ? WHERE id = ?
                            """, arguments: [jobID, intake.bundlePath, intake.declarationPath, intake.id])
                }
            case .keep:
                break
            }
            try db.execute(
                sql: """
                    INSERT INTO service_submitter (submission_id, key_name, key_role, at) VALUES (?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """, arguments: [intake.id, submitter.name, submitter.role.rawValue, at])
            if jobID != nil || db.changesCount == 1 {
                _ = try appendAudit(db, actor: submitter.actor, .reviewSubmitted(intake, queuedAs: jobID))
            }
            guard let submission = try SQLiteLedger.submission(db, id: intake.id) else {
                throw LedgerError("submission \(intake.id) vanished while it was recorded")
            }
            return submission
        }
    }

    public func serviceSubmission(id: String) throws -> ServiceSubmission? {
        try read { db in try SQLiteLedger.submission(db, id: id) }
    }

    public func cancelSubmission(id: String, actor: String) throws -> SubmissionCancel {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            guard let submission = try SQLiteLedger.submission(db, id: id) else { return .notFound }
            let recorded =
                submission.reviewID == nil
                ? try SQLiteLedger.existingReview(db, key: id)?.reviewID : nil
            if let refusal = SubmissionRules.cancelRefusal(SubmissionRules.status(submission, recorded: recorded)) {
                return .refused(submission, refusal)
            }
            if let job = submission.job {
                try db.execute(
                    sql: "DELETE FROM review_job WHERE id = ? AND state IN ('queued', 'failed')", arguments: [job.id])
                guard db.changesCount == 1 else {
                    return .refused(submission, "the review started just now: it can no longer be cancelled")
                }
            }
            // The job's number is let go with it: SQLite may give it to a later job.
            try db.execute(
                sql: "UPDATE service_submission SET cancelled_at = ?, cancelled_by = ?, job_id = NULL WHERE id = ?",
                arguments: [at, actor, id])
            _ = try appendAudit(db, actor: actor, .reviewCancelled(submission))
            guard let cancelled = try SQLiteLedger.submission(db, id: id) else { return .notFound }
            return .cancelled(cancelled)
        }
    }

    static func insertSubmission(
        _ db: Database, _ intake: SubmissionIntake, jobID: Int64?, reviewID: Int64?, at: String
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO service_submission (id, bundle_sha256, bundle_path, declaration_sha256, declaration_path,
                    job_id, review_id, submitted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                intake.id, intake.bundleSHA256, intake.bundlePath, intake.declarationSHA256, intake.declarationPath,
                jobID, reviewID, at,
            ])
    }

    /// Inside a review's write transaction: the submission whose job this is now has its review.
    static func linkSubmission(_ db: Database, _ submission: ReviewSubmission, reviewID: Int64) throws {
        guard let job = submission.job else { return }
        try db.run(
            sql: """
                UPDATE service_submission SET review_id = ?
                WHERE job_id = ? AND review_id IS NULL AND bundle_path = ?
                """, arguments: [reviewID, job.jobID, submission.bundlePath])
    }

    static func submission(_ db: Database, id: String) throws -> ServiceSubmission? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT s.*, r.version_id FROM service_submission s LEFT JOIN review r ON r.id = s.review_id
                    WHERE s.id = ?
                    """, arguments: [id])
        else { return nil }
        let jobID: Int64? = row["job_id"]
        let bundlePath: String = row["bundle_path"]
        let job = try jobID.flatMap {
            try Row.fetchOne(
                db, sql: "SELECT * FROM review_job WHERE id = ? AND bundle_path = ?", arguments: [$0, bundlePath])
        }.map(SQLiteLedger.job)
        let submitters = try Row.fetchAll(
            db, sql: "SELECT * FROM service_submitter WHERE submission_id = ? ORDER BY at, key_name", arguments: [id]
        ).map { ServiceSubmission.Submitter(name: $0["key_name"], role: $0["key_role"], at: $0["at"]) }
        return ServiceSubmission(
            id: row["id"], bundleSHA256: row["bundle_sha256"], bundlePath: bundlePath,
            declarationSHA256: row["declaration_sha256"], declarationPath: row["declaration_path"], jobID: jobID,
            reviewID: row["review_id"], versionID: row["version_id"], submittedAt: row["submitted_at"],
            cancelledAt: row["cancelled_at"],
            cancelledBy: row["cancelled_by"], submitters: submitters, job: job)
    }
}

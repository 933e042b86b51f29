import Foundation
import ShelfGuardKit

/// Bundles sent to the service, in PostgreSQL: each submission and its senders, the job that
/// reviews it and the review that answered it. `SubmissionRules` decides; these functions fetch
/// and write. Submitting and cancelling append to the audit log, so they take the write lock.
extension PostgresLedger {
    public func releaseJobs(worker: String) throws -> Int {
        try transaction(locked: false) { session in
            try session.execute(
                """
                UPDATE review_job SET state = 'queued', claimed_by = NULL, lease_until = NULL, not_before = 0,
                    attempts = GREATEST(attempts - 1, 0)
                WHERE state = 'claimed' AND (claimed_by = $1 OR left(claimed_by, $2::integer) = $3)
                """, [worker, worker.count + 1, worker + "#"])
        }
    }

    public func queueDepth() throws -> [ReviewJob.State: Int] {
        try read { session in
            var depth: [ReviewJob.State: Int] = [:]
            for row in try session.query("SELECT state, COUNT(*) AS n FROM review_job GROUP BY state") {
                if let state = ReviewJob.State(rawValue: try row.get("state")) {
                    depth[state] = Int(try row.get("n", as: Int64.self))
                }
            }
            return depth
        }
    }

    public func submitReview(_ intake: SubmissionIntake, submitter: APIKey) throws -> ServiceSubmission {
        let at = AuditEntry.timestamp(now())
        return try write { session in
            // Two senders of the same files at once: the second waits here for the first's row.
            let existing = try PostgresLedger.submission(session, id: intake.id)
            let recorded = try PostgresLedger.existingReview(session, key: intake.id)?.reviewID
            var jobID: Int64?
            switch SubmissionRules.onSubmit(existing: existing, recorded: recorded) {
            case .linkReview(let reviewID):
                if existing == nil {
                    try PostgresLedger.insertSubmission(session, intake, jobID: nil, reviewID: reviewID, at: at)
                } else {
                    _ = try session.execute(
                        "UPDATE service_submission SET review_id = $1 WHERE id = $2", [reviewID, intake.id])
                }
            case .enqueue:
                jobID = try session.scalar(
                    """
                    INSERT INTO review_job (bundle_path, declaration_path, enqueued_at, enqueued_by)
                    VALUES ($1, $2, $3, $4) RETURNING id
                    """, [intake.bundlePath, intake.declarationPath, at, submitter.actor], as: Int64.self)
                if existing == nil {
                    try PostgresLedger.insertSubmission(session, intake, jobID: jobID, reviewID: nil, at: at)
                } else {
                    _ = try session.execute(
                        """
                        UPDATE service_submission SET job_id = $1, cancelled_at = NULL, cancelled_by = NULL,
                            bundle_path = $2, declaration_path = $3 WHERE id = $4
                        """, [jobID, intake.bundlePath, intake.declarationPath, intake.id])
                }
            case .keep:
                break
            }
            let added = try session.execute(
                """
                INSERT INTO service_submitter (submission_id, key_name, key_role, at) VALUES ($1, $2, $3, $4)
                ON CONFLICT DO NOTHING
                """, [intake.id, submitter.name, submitter.role.rawValue, at])
            if jobID != nil || added == 1 {
                _ = try appendAudit(session, actor: submitter.actor, .reviewSubmitted(intake, queuedAs: jobID))
            }
            guard let submission = try PostgresLedger.submission(session, id: intake.id) else {
                throw LedgerError("submission \(intake.id) vanished while it was recorded")
            }
            return submission
        }
    }

    public func serviceSubmission(id: String) throws -> ServiceSubmission? {
        try read { session in try PostgresLedger.submission(session, id: id) }
    }

    public func cancelSubmission(id: String, actor: String) throws -> SubmissionCancel {
        let at = AuditEntry.timestamp(now())
        return try write { session in
            guard let submission = try PostgresLedger.submission(session, id: id) else { return .notFound }
            let recorded =
                submission.reviewID == nil
                ? try PostgresLedger.existingReview(session, key: id)?.reviewID : nil
            if let refusal = SubmissionRules.cancelRefusal(SubmissionRules.status(submission, recorded: recorded)) {
                return .refused(submission, refusal)
            }
            if let job = submission.job {
                let deleted = try session.execute(
                    "DELETE FROM review_job WHERE id = $1 AND state IN ('queued', 'failed')", [job.id])
                guard deleted == 1 else {
                    return .refused(submission, "the review started just now: it can no longer be cancelled")
                }
            }
            _ = try session.execute(
                "UPDATE service_submission SET cancelled_at = $1, cancelled_by = $2, job_id = NULL WHERE id = $3",
                [at, actor, id])
            _ = try appendAudit(session, actor: actor, .reviewCancelled(submission))
            guard let cancelled = try PostgresLedger.submission(session, id: id) else { return .notFound }
            return .cancelled(cancelled)
        }
    }

    static func insertSubmission(
        _ session: SQLSession, _ intake: SubmissionIntake, jobID: Int64?, reviewID: Int64?, at: String
    ) throws {
        _ = try session.execute(
            """
            INSERT INTO service_submission (id, bundle_sha256, bundle_path, declaration_sha256, declaration_path,
                job_id, review_id, submitted_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            [
                intake.id, intake.bundleSHA256, intake.bundlePath, intake.declarationSHA256, intake.declarationPath,
                jobID, reviewID, at,
            ])
    }

    /// Inside a review's write transaction: the submission whose job this is now has its review.
    static func linkSubmission(_ session: SQLSession, _ submission: ReviewSubmission, reviewID: Int64) throws {
        guard let job = submission.job else { return }
        _ = try session.execute(
            """
            UPDATE service_submission SET review_id = $1
            WHERE job_id = $2 AND review_id IS NULL AND bundle_path = $3
            """, [reviewID, job.jobID, submission.bundlePath])
    }

    static func submission(_ session: SQLSession, id: String) throws -> ServiceSubmission? {
        guard
            let row = try session.one(
                """
                SELECT s.*, r.version_id FROM service_submission s LEFT JOIN review r ON r.id = s.review_id
                WHERE s.id = $1
                """, [id])
        else { return nil }
        let jobID: Int64? = try row.get("job_id")
        let bundlePath: String = try row.get("bundle_path")
        let job = try jobID.flatMap {
            try session.one("SELECT * FROM review_job WHERE id = $1 AND bundle_path = $2", [$0, bundlePath])
        }.map(PostgresLedger.job)
        let submitters = try session.query(
            "SELECT * FROM service_submitter WHERE submission_id = $1 ORDER BY at, key_name", [id]
        ).map {
            ServiceSubmission.Submitter(
                name: try $0.get("key_name"), role: try $0.get("key_role"), at: try $0.get("at"))
        }
        return ServiceSubmission(
            id: try row.get("id"), bundleSHA256: try row.get("bundle_sha256"), bundlePath: bundlePath,
            declarationSHA256: try row.get("declaration_sha256"), declarationPath: try row.get("declaration_path"),
            jobID: jobID, reviewID: try row.get("review_id"), versionID: try row.get("version_id"),
            submittedAt: try row.get("submitted_at"),
            cancelledAt: try row.get("cancelled_at"), cancelledBy: try row.get("cancelled_by"),
            submitters: submitters, job: job)
    }
}

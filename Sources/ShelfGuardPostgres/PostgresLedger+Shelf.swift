import Foundation
import ShelfGuardKit

/// The shelf in PostgreSQL: apps, versions by bundle SHA-256, inventories, submissions, reviews
/// with their findings, state changes and decisions, as `SQLiteLedger+Shelf.swift` does it.
/// Every state change is one write transaction with one audit entry. Rows written many at a
/// time (findings, alerts, the lookup tables) go in one `unnest` statement per table.
extension PostgresLedger {
    public func existingReview(key: String) throws -> RecordedReview? {
        // One SELECT needs no transaction around it: asked once per bundle.
        do { return try pool.withSession { session in try PostgresLedger.existingReview(session, key: key) } } catch {
            throw LedgerError("shelf database \(location): \(describe(error))")
        }
    }

    static func existingReview(_ session: SQLSession, key: String) throws -> RecordedReview? {
        guard
            let row = try session.one(
                """
                SELECT r.id, r.version_id, r.verdict, r.audit_seq, v.app_id, s.state
                FROM review r JOIN version v ON v.id = r.version_id JOIN shelf_state s ON s.version_id = v.id
                WHERE r.review_key = $1
                """, [key])
        else { return nil }
        return RecordedReview(
            reviewID: try row.get("id"), versionID: try row.get("version_id"), appID: try row.get("app_id"),
            verdict: VerdictOutcome(rawValue: try row.get("verdict")) ?? .refuse, from: nil,
            state: ShelfState(rawValue: try row.get("state")) ?? .submitted, alreadyRecorded: true,
            auditSeq: try row.get("audit_seq", as: Int64?.self))
    }

    public func recordReview(_ submission: ReviewSubmission) throws -> RecordedReview {
        // Everything that costs CPU is done before the write lock is taken.
        let plan = try ReviewWrite(submission)
        let result = submission.result
        let key = plan.key
        let appID = plan.appID
        let manifest = result.inspection.manifest
        let bundle = result.inspection.bundle
        let findingsDigest = result.findingsDigest
        let alerts = result.alerts
        let at = AuditEntry.timestamp(now())
        return try write { session in
            if let job = submission.job { try PostgresLedger.takeClaimedJob(session, job) }
            if let existing = try PostgresLedger.existingReview(session, key: key) {
                try PostgresLedger.linkSubmission(session, submission, reviewID: existing.reviewID)
                return existing
            }
            try session.execute(
                """
                INSERT INTO app (app_id, name, platform, developer, uscc, first_seen, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $6)
                ON CONFLICT (app_id) DO UPDATE SET
                    name = CASE WHEN excluded.name = '' THEN app.name ELSE excluded.name END,
                    platform = excluded.platform,
                    developer = CASE WHEN excluded.developer = '' THEN app.developer ELSE excluded.developer END,
                    uscc = CASE WHEN excluded.uscc = '' THEN app.uscc ELSE excluded.uscc END,
                    updated_at = excluded.updated_at
                """,
                [
                    appID, plan.appName, plan.platform, plan.developer, plan.uscc, at,
                ])
            var versionID: Int64
            var current = ShelfState.submitted
            var isNew = false
            if let row = try session.one(
                "SELECT v.id, s.state FROM version v JOIN shelf_state s ON s.version_id = v.id WHERE v.bundle_sha256 = $1",
                [bundle.sha256])
            {
                versionID = try row.get("id")
                current = ShelfState(rawValue: try row.get("state")) ?? .submitted
            } else {
                isNew = true
                versionID =
                    try session.scalar(
                        """
                        INSERT INTO version (app_id, bundle_sha256, format, size, version_name, version_code, first_seen)
                        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
                        """,
                        [
                            appID, bundle.sha256, bundle.format.rawValue, Int64(bundle.size), manifest?.versionName,
                            manifest?.versionCode, at,
                        ], as: Int64.self) ?? 0
                try session.execute(
                    "INSERT INTO shelf_state (version_id, state) VALUES ($1, 'submitted')", [versionID])
            }
            try session.execute(
                """
                INSERT INTO inventory (version_id, extractor, facts, entries, created_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (version_id) DO NOTHING
                """,
                [versionID, submission.extractor, plan.factsJSON, plan.entriesJSON, at])
            // Updated when known, else inserted: no identity value is used up by a conflict,
            // so submission ids follow SQLite's.
            let submissionID =
                try session.scalar(
                    """
                    WITH updated AS (
                        UPDATE submission SET bundle_path = $2, submitted_at = $5
                        WHERE version_id = $1 AND declaration_sha256 = $3 RETURNING id),
                    inserted AS (
                        INSERT INTO submission
                            (version_id, bundle_path, declaration_sha256, declaration, submitted_at, batch_id)
                        SELECT $1, $2, $3, $4, $5, $6::bigint WHERE NOT EXISTS (SELECT 1 FROM updated) RETURNING id)
                    SELECT id FROM updated UNION ALL SELECT id FROM inserted
                    """,
                    [
                        versionID, submission.bundlePath, result.declarationSnapshot.sha256, plan.declarationJSON, at,
                        submission.batchID,
                    ], as: Int64.self) ?? 0
            // Only a verdict that would list the version needs the app's other versions.
            let move = ShelfRules.review(
                app: appID, current: current, verdict: result.verdict,
                heldSibling: ShelfState.after(result.verdict) == .approved
                    ? try PostgresLedger.heldDown(session, app: appID, except: versionID) : nil)
            let next = move.next
            let note = move.note
            let entry = try appendAudit(
                session, actor: submission.actor, plan.audit(current: current, next: next, isNew: isNew))
            let reviewID =
                try session.scalar(
                    """
                    INSERT INTO review (submission_id, version_id, kind, review_key, verdict, tool_version,
                        policy_sha256, signature_sha256, as_of, reviewed_at, batch_id, audit_seq, findings_sha256)
                    VALUES ($1, $2, 'review', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                    RETURNING id
                    """,
                    [
                        submissionID, versionID, key, result.verdict.rawValue, result.stamp.toolVersion,
                        result.stamp.policyDigest, result.stamp.signatureDigest, result.stamp.asOf, at,
                        submission.batchID, entry.seq, findingsDigest,
                    ], as: Int64.self) ?? 0
            try PostgresLedger.linkSubmission(session, submission, reviewID: reviewID)
            try PostgresLedger.insertFindings(session, reviewID: reviewID, result.findings)
            // What the review reported counts as reported: daily management alerts only on
            // findings that appear after it. Open alerts are left out before inserting, so that
            // no identity value is used up by a conflict.
            if !alerts.isEmpty {
                try session.execute(
                    """
                    INSERT INTO alert (version_id, fingerprint, rule, severity, message, first_seen, last_seen)
                    SELECT $1, a.fingerprint, a.rule, a.severity, a.message, $6, $6
                    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
                        WITH ORDINALITY AS a(fingerprint, rule, severity, message, n)
                    WHERE NOT EXISTS (
                        SELECT 1 FROM alert o
                        WHERE o.version_id = $1 AND o.fingerprint = a.fingerprint AND o.resolved_at IS NULL)
                    ORDER BY a.n
                    ON CONFLICT (version_id, fingerprint) WHERE resolved_at IS NULL DO NOTHING
                    """,
                    [
                        versionID, alerts.map(\.fingerprint), alerts.map(\.rule), alerts.map(\.severity.rawValue),
                        alerts.map(\.message), at,
                    ])
            }
            try PostgresLedger.replaceIndex(session, "version_filing", "number", versionID, plan.filings, isNew: isNew)
            try PostgresLedger.replaceIndex(
                session, "version_signature", "signature", versionID, plan.signatures, isNew: isNew)
            try PostgresLedger.replaceIndex(
                session, "version_feature", "feature", versionID, plan.features, isNew: isNew)
            if next != current {
                try PostgresLedger.recordStateChange(
                    session, versionID: versionID, from: current, to: next, at: at, effectiveOn: result.stamp.asOf,
                    actor: submission.actor,
                    reason: "verdict \(result.verdict.rawValue)", cause: .review, auditSeq: entry.seq)
            }
            return RecordedReview(
                reviewID: reviewID, versionID: versionID, appID: appID, verdict: result.verdict,
                from: isNew ? nil : current, state: next, alreadyRecorded: false, note: note, auditSeq: entry.seq)
        }
    }

    /// The state of another version of the app held down by an emergency measure, if any.
    static func heldDown(_ session: SQLSession, app: String, except versionID: Int64) throws -> ShelfState? {
        try session.scalar(
            """
            SELECT s.state FROM version v JOIN shelf_state s ON s.version_id = v.id
            WHERE v.app_id = $1 AND v.id != $2 AND s.state IN ('suspended', 'taken_down') LIMIT 1
            """, [app, versionID], as: String.self
        ).flatMap(ShelfState.init(rawValue:))
    }

    /// Inserts a review's findings in one statement, numbered from 0 in their order.
    static func insertFindings(_ session: SQLSession, reviewID: Int64, _ findings: [Finding]) throws {
        try insertFindings(session, reviews: [(reviewID, findings)])
    }

    /// Several reviews' findings in one statement, each review's in its order.
    static func insertFindings(_ session: SQLSession, reviews: [(id: Int64, findings: [Finding])]) throws {
        let findings = reviews.flatMap(\.findings)
        guard !findings.isEmpty else { return }
        let reviewIDs = reviews.flatMap { review in review.findings.map { _ in review.id } }
        let ordinals = reviews.flatMap { review in review.findings.indices.map(Int64.init) }
        // A text array cannot carry NULLs here: each optional column comes with a "is NULL" array.
        try session.execute(
            """
            INSERT INTO finding (review_id, ordinal, rule, severity, message, basis, location, remedy, waiver, subject)
            SELECT f.review_id, f.ordinal, f.rule, f.severity, f.message, f.basis, f.location, f.remedy,
                CASE WHEN f.no_waiver THEN NULL ELSE f.waiver END, CASE WHEN f.no_subject THEN NULL ELSE f.subject END
            FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::bool[], $11::text[], $12::bool[])
                AS f(review_id, ordinal, rule, severity, message, basis, location, remedy, waiver, no_waiver, subject,
                    no_subject)
            """,
            [
                reviewIDs, ordinals, findings.map(\.rule), findings.map(\.severity.rawValue), findings.map(\.message),
                findings.map(\.basis), findings.map(\.location), findings.map(\.remedy),
                findings.map { $0.waiver ?? "" }, findings.map { $0.waiver == nil },
                findings.map { $0.subject ?? "" }, findings.map { $0.subject == nil },
            ])
    }

    /// Replaces a version's rows in one of the lookup tables emergency measures select by.
    static func replaceIndex(
        _ session: SQLSession, _ table: String, _ column: String, _ versionID: Int64, _ values: [String],
        isNew: Bool
    ) throws {
        if !isNew { try session.execute("DELETE FROM \(table) WHERE version_id = $1", [versionID]) }
        guard !values.isEmpty else { return }
        try session.execute(
            "INSERT INTO \(table) (version_id, \(column)) SELECT $1, value FROM unnest($2::text[]) AS t(value)",
            [versionID, values.sorted()])
    }

    /// Moves a version and records the change (inside the caller's transaction): SQLite's
    /// `SQLiteLedger.move(_:versionID:from:to:at:effectiveOn:actor:reason:cause:auditSeq:)`.
    static func recordStateChange(
        _ session: SQLSession, versionID: Int64, from: ShelfState, to: ShelfState, at: String, effectiveOn: String,
        actor: String, reason: String, cause: ShelfState.Cause, auditSeq: Int64
    ) throws {
        try session.execute("UPDATE shelf_state SET state = $1 WHERE version_id = $2", [to.rawValue, versionID])
        try session.execute(
            """
            INSERT INTO state_change (version_id, from_state, to_state, at, effective_on, actor, reason, cause, audit_seq)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [versionID, from.rawValue, to.rawValue, at, effectiveOn, actor, reason, cause.rawValue, auditSeq])
    }

    // MARK: - Batches

    public func startBatch(
        actor: String, jobs: Int, bundles: Int, policySHA256: String, signatureSHA256: String
    )
        throws -> Int64
    {
        let at = AuditEntry.timestamp(now())
        return try write { session in
            try session.scalar(
                """
                INSERT INTO batch (started_at, actor, jobs, bundles, policy_sha256, signature_sha256, status)
                VALUES ($1, $2, $3, $4, $5, $6, 'running') RETURNING id
                """, [at, actor, jobs, bundles, policySHA256, signatureSHA256], as: Int64.self) ?? 0
        }
    }

    public func finishBatch(_ id: Int64, reviewed: Int, skipped: Int, failed: Int, status: String) throws {
        let at = AuditEntry.timestamp(now())
        try write { session in
            _ = try session.execute(
                "UPDATE batch SET finished_at = $1, reviewed = $2, skipped = $3, failed = $4, status = $5 WHERE id = $6",
                [at, reviewed, skipped, failed, status, id])
        }
    }

    public func batches() throws -> [BatchRecord] {
        try read { session in
            try session.query("SELECT * FROM batch ORDER BY id").map { row in
                BatchRecord(
                    id: try row.get("id"), startedAt: try row.get("started_at"),
                    finishedAt: try row.get("finished_at"), actor: try row.get("actor"), jobs: try row.get("jobs"),
                    bundles: try row.get("bundles"), reviewed: try row.get("reviewed"),
                    skipped: try row.get("skipped"), failed: try row.get("failed"), status: try row.get("status"))
            }
        }
    }

    // MARK: - Reading the shelf

    /// Since when the version `v` is in its state: its latest state change, else when it was
    /// first seen (an SQL expression; a wall-clock time, for display).
    static let stateSince = """
        COALESCE((SELECT at FROM state_change WHERE version_id = v.id ORDER BY id DESC LIMIT 1), v.first_seen)
        """

    /// The business day the version `v`'s state took effect (an SQL expression): what grace
    /// periods count from.
    static let stateEffectiveOn = """
        COALESCE((SELECT effective_on FROM state_change WHERE version_id = v.id ORDER BY id DESC LIMIT 1),
            (SELECT as_of FROM review WHERE version_id = v.id ORDER BY id LIMIT 1), substr(v.first_seen, 1, 10))
        """

    static let versionColumns = """
        SELECT v.id, v.app_id, v.bundle_sha256, v.format, v.size, v.version_name, v.version_code, s.state,
            \(PostgresLedger.stateSince) AS state_since, a.name, a.platform, a.developer, a.uscc,
            (SELECT verdict FROM review WHERE version_id = v.id ORDER BY id DESC LIMIT 1) AS verdict,
            (SELECT reviewed_at FROM review WHERE version_id = v.id ORDER BY id DESC LIMIT 1) AS reviewed_at
        FROM version v JOIN shelf_state s ON s.version_id = v.id JOIN app a ON a.app_id = v.app_id
        """

    static func version(_ row: SQLRow) throws -> ShelfVersion {
        ShelfVersion(
            versionID: try row.get("id"), appID: try row.get("app_id"), appName: try row.get("name"),
            platform: try row.get("platform"), developer: try row.get("developer"), uscc: try row.get("uscc"),
            versionName: try row.get("version_name"), versionCode: try row.get("version_code"),
            bundleSHA256: try row.get("bundle_sha256"), format: try row.get("format"), size: try row.get("size"),
            state: ShelfState(rawValue: try row.get("state")) ?? .submitted, stateSince: try row.get("state_since"),
            verdict: try row.get("verdict", as: String?.self).flatMap(VerdictOutcome.init(rawValue:)),
            reviewedAt: try row.get("reviewed_at"))
    }

    public func versions(_ filter: ShelfFilter) throws -> [ShelfVersion] {
        var conditions: [String] = []
        var bound: [any SQLBindable] = []
        if !filter.states.isEmpty {
            bound.append(filter.states.map(\.rawValue))
            conditions.append("s.state = ANY($\(bound.count)::text[])")
        }
        if let platform = filter.platform {
            bound.append(platform)
            conditions.append("a.platform = $\(bound.count)")
        }
        if let developer = filter.developer {
            bound += [developer, developer.uppercased()]
            conditions.append("(a.developer = $\(bound.count - 1) OR a.uscc = $\(bound.count))")
        }
        if let app = filter.app {
            bound.append(app)
            conditions.append("v.app_id = $\(bound.count)")
        }
        // SQLite sorts texts by their bytes: so does the "C" collation. A negative limit is
        // none there, NULL here.
        bound.append(filter.limit < 0 ? nil : Int64(filter.limit))
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql =
            PostgresLedger.versionColumns + whereClause + " ORDER BY v.app_id COLLATE \"C\", v.id LIMIT $\(bound.count)"
        let binds = bound
        return try read { session in try session.query(sql, binds).map(PostgresLedger.version) }
    }

    /// An app's whole history in six queries, whatever its number of versions and reviews.
    public func history(app: String) throws -> AppHistory? {
        try read { session in
            guard let appRow = try session.one("SELECT * FROM app WHERE app_id = $1", [app]) else { return nil }
            let versions = try session.query(
                PostgresLedger.versionColumns + " WHERE v.app_id = $1 ORDER BY v.id", [app]
            )
            .map(PostgresLedger.version)
            var findings: [Int64: [Finding]] = [:]
            for row in try session.query(
                """
                SELECT f.* FROM finding f JOIN review r ON r.id = f.review_id JOIN version v ON v.id = r.version_id
                WHERE v.app_id = $1 ORDER BY f.review_id, f.ordinal
                """, [app])
            {
                findings[try row.get("review_id"), default: []].append(try PostgresLedger.finding(row))
            }
            var reviews: [Int64: [ReviewRecord]] = [:]
            for row in try session.query(
                PostgresLedger.reviewColumns
                    + " JOIN version v ON v.id = r.version_id WHERE v.app_id = $1 ORDER BY r.id", [app])
            {
                let review = try PostgresLedger.review(row, findings: findings[try row.get("id")] ?? [])
                reviews[try row.get("version_id"), default: []].append(review)
            }
            var changes: [Int64: [StateChange]] = [:]
            for row in try session.query(
                """
                SELECT c.* FROM state_change c JOIN version v ON v.id = c.version_id
                WHERE v.app_id = $1 ORDER BY c.id
                """, [app])
            {
                changes[try row.get("version_id"), default: []].append(try PostgresLedger.change(row, appID: app))
            }
            var decisions: [Int64: [ReviewerDecision]] = [:]
            for row in try session.query(
                """
                SELECT d.* FROM decision d JOIN version v ON v.id = d.version_id
                WHERE v.app_id = $1 ORDER BY d.id
                """, [app])
            {
                decisions[try row.get("version_id"), default: []].append(
                    ReviewerDecision(
                        versionID: try row.get("version_id"),
                        outcome: ReviewerDecision.Outcome(rawValue: try row.get("outcome")) ?? .refuse,
                        reviewer: try row.get("reviewer"), reason: try row.get("reason"), at: try row.get("at")))
            }
            return AppHistory(
                appID: app, name: try appRow.get("name"), platform: try appRow.get("platform"),
                developer: try appRow.get("developer"), uscc: try appRow.get("uscc"),
                versions: versions.map { version in
                    .init(
                        version: version, reviews: reviews[version.versionID] ?? [],
                        changes: changes[version.versionID] ?? [], decisions: decisions[version.versionID] ?? [])
                })
        }
    }

    static let reviewColumns = """
        SELECT r.*, s.bundle_path, s.declaration FROM review r JOIN submission s ON s.id = r.submission_id
        """

    static func review(_ row: SQLRow, findings: [Finding]) throws -> ReviewRecord {
        let snapshot = try? LedgerJSON.decode(DeclarationSnapshot.self, try row.get("declaration"))
        return ReviewRecord(
            reviewID: try row.get("id"), kind: try row.get("kind"),
            verdict: VerdictOutcome(rawValue: try row.get("verdict")) ?? .refuse,
            reviewedAt: try row.get("reviewed_at"),
            asOf: try row.get("as_of"), toolVersion: try row.get("tool_version"),
            policySHA256: try row.get("policy_sha256"), signatureSHA256: try row.get("signature_sha256"),
            bundlePath: try row.get("bundle_path"), declarationSource: snapshot?.source, findings: findings)
    }

    public func version(id: Int64) throws -> ShelfVersion? {
        try read { session in
            try session.one(PostgresLedger.versionColumns + " WHERE v.id = $1", [id]).map(PostgresLedger.version)
        }
    }

    public func review(id: Int64) throws -> ReviewRecord? {
        try read { session in
            guard let row = try session.one(PostgresLedger.reviewColumns + " WHERE r.id = $1", [id]) else {
                return nil
            }
            return try PostgresLedger.review(row, findings: try PostgresLedger.findings(session, reviewID: id))
        }
    }

    static func findings(_ session: SQLSession, reviewID: Int64) throws -> [Finding] {
        try session.query("SELECT * FROM finding WHERE review_id = $1 ORDER BY ordinal", [reviewID]).map(
            PostgresLedger.finding)
    }

    static func finding(_ row: SQLRow) throws -> Finding {
        Finding(
            rule: try row.get("rule"), severity: Severity(rawValue: try row.get("severity")) ?? .info,
            message: try row.get("message"), basis: try row.get("basis"), location: try row.get("location"),
            remedy: try row.get("remedy"), waiver: try row.get("waiver"), subject: try row.get("subject"))
    }

    static func change(_ row: SQLRow, appID: String) throws -> StateChange {
        StateChange(
            versionID: try row.get("version_id"), appID: appID,
            from: ShelfState(rawValue: try row.get("from_state")) ?? .submitted,
            to: ShelfState(rawValue: try row.get("to_state")) ?? .submitted, at: try row.get("at"),
            actor: try row.get("actor"), reason: try row.get("reason"),
            cause: ShelfState.Cause(rawValue: try row.get("cause")) ?? .review, auditSeq: try row.get("audit_seq"))
    }

    // MARK: - Decisions

    public func decide(
        versionID: Int64, outcome: ReviewerDecision.Outcome, reviewer: String, reason: String
    ) throws
        -> StateChange
    {
        let at = AuditEntry.timestamp(now())
        // A refusal by the rules (the version moved, or a sibling is held down, since the reviewer
        // chose it) is handed out of the transaction, which wrote nothing, as the conflict it is.
        let decided: Result<StateChange, UseCaseError> = try write { session in
            guard
                let row = try session.one(
                    """
                    SELECT v.app_id, s.state, v.bundle_sha256, v.version_name
                    FROM version v JOIN shelf_state s ON s.version_id = v.id WHERE v.id = $1
                    """,
                    [versionID])
            else { throw LedgerError("no app version \(versionID) in the shelf database") }
            let appID: String = try row.get("app_id")
            let current = ShelfState(rawValue: try row.get("state")) ?? .submitted
            let versionName = try row.get("version_name", as: String?.self) ?? "?"
            let bundleSHA256: String = try row.get("bundle_sha256")
            let target: ShelfState
            switch ShelfRules.decision(
                app: appID, versionName: versionName, current: current, outcome: outcome,
                heldSibling: outcome == .approve
                    ? try PostgresLedger.heldDown(session, app: appID, except: versionID) : nil
            ) {
            case .success(let state): target = state
            case .failure(let refusal): return .failure(refusal)
            }
            let entry = try appendAudit(
                session, actor: reviewer,
                AuditRecord.decision(
                    app: appID, version: versionName, bundleSHA256: bundleSHA256, outcome: outcome, reason: reason,
                    from: current, to: target))
            try session.execute(
                "INSERT INTO decision (version_id, outcome, reviewer, reason, at, audit_seq) VALUES ($1, $2, $3, $4, $5, $6)",
                [versionID, outcome.rawValue, reviewer, reason, at, entry.seq])
            try PostgresLedger.recordStateChange(
                session, versionID: versionID, from: current, to: target, at: at,
                effectiveOn: CalendarDay.today(now: now()), actor: reviewer, reason: reason, cause: .decision,
                auditSeq: entry.seq)
            return .success(
                StateChange(
                    versionID: versionID, appID: appID, from: current, to: target, at: at, actor: reviewer,
                    reason: reason, cause: .decision, auditSeq: entry.seq))
        }
        return try decided.get()
    }
}

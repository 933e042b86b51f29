import Foundation
import GRDB
import ShelfGuardKit

/// The shelf in the ledger: apps, versions by bundle SHA-256, inventories, submissions, reviews
/// with their findings, state changes and decisions. Every state change is one transaction with
/// one audit entry.
extension SQLiteLedger {
    public func existingReview(key: String) throws -> RecordedReview? {
        // One SELECT needs no transaction around it: cheaper than `read`, asked once per bundle.
        do { return try pool.unsafeRead { db in try SQLiteLedger.existingReview(db, key: key) } } catch {
            throw LedgerError("shelf database \(path): \(error)")
        }
    }

    static func existingReview(_ db: Database, key: String) throws -> RecordedReview? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT r.id, r.version_id, r.verdict, r.audit_seq, v.app_id, s.state
                    FROM review r JOIN version v ON v.id = r.version_id JOIN shelf_state s ON s.version_id = v.id
                    WHERE r.review_key = ?
                    """, arguments: [key])
        else { return nil }
        return RecordedReview(
            reviewID: row["id"], versionID: row["version_id"], appID: row["app_id"],
            verdict: VerdictOutcome(rawValue: row["verdict"]) ?? .refuse, from: nil,
            state: ShelfState(rawValue: row["state"]) ?? .submitted, alreadyRecorded: true, auditSeq: row["audit_seq"])
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
        return try write { db in
            if let job = submission.job { try SQLiteLedger.takeClaimedJob(db, job) }
            if let existing = try SQLiteLedger.existingReview(db, key: key) {
                try SQLiteLedger.linkSubmission(db, submission, reviewID: existing.reviewID)
                return existing
            }
            try db.run(
                sql: """
                    INSERT INTO app (app_id, name, platform, developer, uscc, first_seen, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (app_id) DO UPDATE SET
                        name = CASE WHEN excluded.name = '' THEN app.name ELSE excluded.name END,
                        platform = excluded.platform,
                        developer = CASE WHEN excluded.developer = '' THEN app.developer ELSE excluded.developer END,
                        uscc = CASE WHEN excluded.uscc = '' THEN app.uscc ELSE excluded.uscc END,
                        updated_at = excluded.updated_at
                    """,
                arguments: [
                    appID, plan.appName, plan.platform, plan.developer, plan.uscc, at, at,
                ])
            var versionID: Int64
            var current = ShelfState.submitted
            var isNew = false
            if let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT v.id, s.state FROM version v JOIN shelf_state s ON s.version_id = v.id WHERE v.bundle_sha256 = ?",
                arguments: [bundle.sha256])
            {
                versionID = row["id"]
                current = ShelfState(rawValue: row["state"]) ?? .submitted
            } else {
                isNew = true
                try db.run(
                    sql: """
                        INSERT INTO version
                            (app_id, bundle_sha256, format, size, version_name, version_code, first_seen)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        appID, bundle.sha256, bundle.format.rawValue, bundle.size, manifest?.versionName,
                        manifest?.versionCode, at,
                    ])
                versionID = db.lastInsertedRowID
                try db.run(
                    sql: "INSERT INTO shelf_state (version_id, state) VALUES (?, 'submitted')",
                    arguments: [versionID])
            }
            try db.run(
                sql: """
                    INSERT INTO inventory (version_id, extractor, facts, entries, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (version_id) DO NOTHING
                    """,
                arguments: [versionID, submission.extractor, plan.factsJSON, plan.entriesJSON, at])
            let submissionID =
                try Int64.fetchOne(
                    db.cachedStatement(
                        sql: """
                            INSERT INTO submission (version_id, bundle_path, declaration_sha256, declaration, submitted_at, batch_id)
                            VALUES (?, ?, ?, ?, ?, ?)
                            ON CONFLICT (version_id, declaration_sha256) DO UPDATE SET
                                bundle_path = excluded.bundle_path, submitted_at = excluded.submitted_at
                            RETURNING id
                            """),
                    arguments: [
                        versionID, submission.bundlePath, result.declarationSnapshot.sha256, plan.declarationJSON, at,
                        submission.batchID,
                    ]) ?? 0
            // Only a verdict that would list the version needs the app's other versions.
            let move = ShelfRules.review(
                app: appID, current: current, verdict: result.verdict,
                heldSibling: ShelfState.after(result.verdict) == .approved
                    ? try SQLiteLedger.heldDown(db, app: appID, except: versionID) : nil)
            let next = move.next
            let note = move.note
            let entry = try appendAudit(
                db, actor: submission.actor, plan.audit(current: current, next: next, isNew: isNew))
            try db.run(
                sql: """
                    INSERT INTO review (submission_id, version_id, kind, review_key, verdict, tool_version,
                        policy_sha256, signature_sha256, as_of, reviewed_at, batch_id, audit_seq, findings_sha256)
                    VALUES (?, ?, 'review', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    submissionID, versionID, key, result.verdict.rawValue, result.stamp.toolVersion,
                    result.stamp.policyDigest, result.stamp.signatureDigest, result.stamp.asOf, at, submission.batchID,
                    entry.seq, findingsDigest,
                ])
            let reviewID = db.lastInsertedRowID
            try SQLiteLedger.linkSubmission(db, submission, reviewID: reviewID)
            try SQLiteLedger.insertFindings(db, reviewID: reviewID, result.findings)
            // What the review reported counts as reported: daily management alerts only on
            // findings that appear after it.
            for alert in alerts {
                try db.run(
                    sql: """
                        INSERT INTO alert (version_id, fingerprint, rule, severity, message, first_seen, last_seen)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (version_id, fingerprint) WHERE resolved_at IS NULL DO NOTHING
                        """,
                    arguments: [
                        versionID, alert.fingerprint, alert.rule, alert.severity.rawValue, alert.message, at, at,
                    ])
            }
            try SQLiteLedger.replaceIndex(db, "version_filing", "number", versionID, plan.filings, isNew: isNew)
            try SQLiteLedger.replaceIndex(
                db, "version_signature", "signature", versionID, plan.signatures, isNew: isNew)
            try SQLiteLedger.replaceIndex(db, "version_feature", "feature", versionID, plan.features, isNew: isNew)
            if next != current {
                try SQLiteLedger.move(
                    db, versionID: versionID, from: current, to: next, at: at, effectiveOn: result.stamp.asOf,
                    actor: submission.actor,
                    reason: "verdict \(result.verdict.rawValue)", cause: .review, auditSeq: entry.seq)
            }
            return RecordedReview(
                reviewID: reviewID, versionID: versionID, appID: appID, verdict: result.verdict,
                from: isNew ? nil : current, state: next, alreadyRecorded: false, note: note, auditSeq: entry.seq)
        }
    }

    /// The state of another version of the app held down by an emergency measure, if any.
    static func heldDown(_ db: Database, app: String, except versionID: Int64) throws -> ShelfState? {
        try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT s.state FROM version v JOIN shelf_state s ON s.version_id = v.id
                    WHERE v.app_id = ? AND v.id != ? AND s.state IN ('suspended', 'taken_down') LIMIT 1
                    """), arguments: [app, versionID]
        ).flatMap(ShelfState.init(rawValue:))
    }

    static func insertFindings(_ db: Database, reviewID: Int64, _ findings: [Finding]) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO finding (review_id, ordinal, rule, severity, message, basis, location, remedy, waiver, subject)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (i, f) in findings.enumerated() {
            try statement.execute(arguments: [
                reviewID, i, f.rule, f.severity.rawValue, f.message, f.basis, f.location, f.remedy, f.waiver, f.subject,
            ])
        }
    }

    /// Replaces a version's rows in one of the lookup tables emergency measures select by.
    static func replaceIndex(
        _ db: Database, _ table: String, _ column: String, _ versionID: Int64, _ values: [String], isNew: Bool
    ) throws {
        if !isNew { try db.run(sql: "DELETE FROM \(table) WHERE version_id = ?", arguments: [versionID]) }
        let statement = try db.cachedStatement(sql: "INSERT INTO \(table) (version_id, \(column)) VALUES (?, ?)")
        for value in values.sorted() { try statement.execute(arguments: [versionID, value]) }
    }

    /// Moves a version and records the change (inside the caller's transaction).
    static func move(
        _ db: Database, versionID: Int64, from: ShelfState, to: ShelfState, at: String, effectiveOn: String,
        actor: String, reason: String, cause: ShelfState.Cause, auditSeq: Int64
    ) throws {
        try db.run(
            sql: "UPDATE shelf_state SET state = ? WHERE version_id = ?", arguments: [to.rawValue, versionID])
        try db.run(
            sql: """
                INSERT INTO state_change (version_id, from_state, to_state, at, effective_on, actor, reason, cause, audit_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                versionID, from.rawValue, to.rawValue, at, effectiveOn, actor, reason, cause.rawValue, auditSeq,
            ])
    }

    // MARK: - Batches

    public func startBatch(
        actor: String, jobs: Int, bundles: Int, policySHA256: String, signatureSHA256: String
    )
        throws -> Int64
    {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            try db.run(
                sql: """
                    INSERT INTO batch (started_at, actor, jobs, bundles, policy_sha256, signature_sha256, status)
                    VALUES (?, ?, ?, ?, ?, ?, 'running')
                    """, arguments: [at, actor, jobs, bundles, policySHA256, signatureSHA256])
            return db.lastInsertedRowID
        }
    }

    public func finishBatch(_ id: Int64, reviewed: Int, skipped: Int, failed: Int, status: String) throws {
        let at = AuditEntry.timestamp(now())
        try write { db in
            try db.run(
                sql: "UPDATE batch SET finished_at = ?, reviewed = ?, skipped = ?, failed = ?, status = ? WHERE id = ?",
                arguments: [at, reviewed, skipped, failed, status, id])
        }
    }

    public func batches() throws -> [BatchRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM batch ORDER BY id").map { row in
                BatchRecord(
                    id: row["id"], startedAt: row["started_at"], finishedAt: row["finished_at"], actor: row["actor"],
                    jobs: row["jobs"], bundles: row["bundles"], reviewed: row["reviewed"], skipped: row["skipped"],
                    failed: row["failed"], status: row["status"])
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
            \(SQLiteLedger.stateSince) AS state_since, a.name, a.platform, a.developer, a.uscc,
            (SELECT verdict FROM review WHERE version_id = v.id ORDER BY id DESC LIMIT 1) AS verdict,
            (SELECT reviewed_at FROM review WHERE version_id = v.id ORDER BY id DESC LIMIT 1) AS reviewed_at
        FROM version v JOIN shelf_state s ON s.version_id = v.id JOIN app a ON a.app_id = v.app_id
        """

    static func version(_ row: Row) -> ShelfVersion {
        ShelfVersion(
            versionID: row["id"], appID: row["app_id"], appName: row["name"], platform: row["platform"],
            developer: row["developer"], uscc: row["uscc"], versionName: row["version_name"],
            versionCode: row["version_code"], bundleSHA256: row["bundle_sha256"], format: row["format"],
            size: row["size"], state: ShelfState(rawValue: row["state"]) ?? .submitted, stateSince: row["state_since"],
            verdict: (row["verdict"] as String?).flatMap(VerdictOutcome.init(rawValue:)), reviewedAt: row["reviewed_at"]
        )
    }

    public func versions(_ filter: ShelfFilter) throws -> [ShelfVersion] {
        var conditions: [String] = []
        var bound = StatementArguments()
        if !filter.states.isEmpty {
            conditions.append("s.state IN (\(filter.states.map { _ in "?" }.joined(separator: ", ")))")
            bound += StatementArguments(filter.states.map(\.rawValue))
        }
        if let platform = filter.platform {
            conditions.append("a.platform = ?")
            bound += [platform]
        }
        if let developer = filter.developer {
            conditions.append("(a.developer = ? OR a.uscc = ?)")
            bound += [developer, developer.uppercased()]
        }
        if let app = filter.app {
            conditions.append("v.app_id = ?")
            bound += [app]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = SQLiteLedger.versionColumns + whereClause + " ORDER BY v.app_id, v.id LIMIT ?"
        bound += [filter.limit]
        let arguments = bound
        return try read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(SQLiteLedger.version) }
    }

    public func history(app: String) throws -> AppHistory? {
        try read { db in
            guard let appRow = try Row.fetchOne(db, sql: "SELECT * FROM app WHERE app_id = ?", arguments: [app]) else {
                return nil
            }
            let versions = try Row.fetchAll(
                db, sql: SQLiteLedger.versionColumns + " WHERE v.app_id = ? ORDER BY v.id", arguments: [app]
            ).map(SQLiteLedger.version)
            var histories: [AppHistory.VersionHistory] = []
            for version in versions {
                let reviews = try Row.fetchAll(
                    db, sql: SQLiteLedger.reviewColumns + " WHERE r.version_id = ? ORDER BY r.id",
                    arguments: [version.versionID]
                ).map { try SQLiteLedger.review(db, $0) }
                let changes = try Row.fetchAll(
                    db, sql: "SELECT * FROM state_change WHERE version_id = ? ORDER BY id",
                    arguments: [version.versionID]
                ).map { SQLiteLedger.change($0, appID: app) }
                let decisions = try Row.fetchAll(
                    db, sql: "SELECT * FROM decision WHERE version_id = ? ORDER BY id", arguments: [version.versionID]
                ).map { row in
                    ReviewerDecision(
                        versionID: row["version_id"],
                        outcome: ReviewerDecision.Outcome(rawValue: row["outcome"]) ?? .refuse,
                        reviewer: row["reviewer"], reason: row["reason"], at: row["at"])
                }
                histories.append(.init(version: version, reviews: reviews, changes: changes, decisions: decisions))
            }
            return AppHistory(
                appID: app, name: appRow["name"], platform: appRow["platform"], developer: appRow["developer"],
                uscc: appRow["uscc"], versions: histories)
        }
    }

    static let reviewColumns = """
        SELECT r.*, s.bundle_path, s.declaration FROM review r JOIN submission s ON s.id = r.submission_id
        """

    static func review(_ db: Database, _ row: Row) throws -> ReviewRecord {
        let snapshot = try? LedgerJSON.decode(DeclarationSnapshot.self, row["declaration"])
        return ReviewRecord(
            reviewID: row["id"], kind: row["kind"], verdict: VerdictOutcome(rawValue: row["verdict"]) ?? .refuse,
            reviewedAt: row["reviewed_at"], asOf: row["as_of"], toolVersion: row["tool_version"],
            policySHA256: row["policy_sha256"], signatureSHA256: row["signature_sha256"],
            bundlePath: row["bundle_path"], declarationSource: snapshot?.source,
            findings: try SQLiteLedger.findings(db, reviewID: row["id"]))
    }

    public func version(id: Int64) throws -> ShelfVersion? {
        try read { db in
            try Row.fetchOne(db, sql: SQLiteLedger.versionColumns + " WHERE v.id = ?", arguments: [id])
                .map(SQLiteLedger.version)
        }
    }

    public func review(id: Int64) throws -> ReviewRecord? {
        try read { db in
            try Row.fetchOne(db, sql: SQLiteLedger.reviewColumns + " WHERE r.id = ?", arguments: [id]).map {
                try SQLiteLedger.review(db, $0)
            }
        }
    }

    static func findings(_ db: Database, reviewID: Int64) throws -> [Finding] {
        try Row.fetchAll(db, sql: "SELECT * FROM finding WHERE review_id = ? ORDER BY ordinal", arguments: [reviewID])
            .map { row in
                Finding(
                    rule: row["rule"], severity: Severity(rawValue: row["severity"]) ?? .info, message: row["message"],
                    basis: row["basis"], location: row["location"], remedy: row["remedy"], waiver: row["waiver"],
                    subject: row["subject"])
            }
    }

    static func change(_ row: Row, appID: String) -> StateChange {
        StateChange(
            versionID: row["version_id"], appID: appID, from: ShelfState(rawValue: row["from_state"]) ?? .submitted,
            to: ShelfState(rawValue: row["to_state"]) ?? .submitted, at: row["at"], actor: row["actor"],
            reason: row["reason"], cause: ShelfState.Cause(rawValue: row["cause"]) ?? .review,
            auditSeq: row["audit_seq"])
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
        let decided: Result<StateChange, UseCaseError> = try write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT v.app_id, s.state, v.bundle_sha256, v.version_name
                        FROM version v JOIN shelf_state s ON s.version_id = v.id WHERE v.id = ?
                        """,
                    arguments: [versionID])
            else { throw LedgerError("no app version \(versionID) in the shelf database") }
            let appID: String = row["app_id"]
            let current = ShelfState(rawValue: row["state"]) ?? .submitted
            let target: ShelfState
            switch ShelfRules.decision(
                app: appID, versionName: row["version_name"] as String? ?? "?", current: current, outcome: outcome,
                heldSibling: outcome == .approve ? try SQLiteLedger.heldDown(db, app: appID, except: versionID) : nil
            ) {
            case .success(let state): target = state
            case .failure(let refusal): return .failure(refusal)
            }
            let entry = try appendAudit(
                db, actor: reviewer,
                AuditRecord.decision(
                    app: appID, version: row["version_name"], bundleSHA256: row["bundle_sha256"], outcome: outcome,
                    reason: reason, from: current, to: target))
            try db.run(
                sql:
                    "INSERT INTO decision (version_id, outcome, reviewer, reason, at, audit_seq) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [versionID, outcome.rawValue, reviewer, reason, at, entry.seq])
            try SQLiteLedger.move(
                db, versionID: versionID, from: current, to: target, at: at, effectiveOn: CalendarDay.today(now: now()),
                actor: reviewer, reason: reason,
                cause: .decision, auditSeq: entry.seq)
            return .success(
                StateChange(
                    versionID: versionID, appID: appID, from: current, to: target, at: at, actor: reviewer,
                    reason: reason, cause: .decision, auditSeq: entry.seq))
        }
        return try decided.get()
    }
}

import Foundation
import GRDB
import ShelfGuardKit

/// The shelf ledger in one SQLite file (the embedded default, `shelfguard.db`), through GRDB: WAL
/// journal so readers never wait for the writer, IMMEDIATE write transactions and a busy
/// timeout so that several processes can write one file without corrupting it or failing at
/// once, and named migrations applied when a writable ledger is opened.
public final class SQLiteLedger: LedgerStore, Sendable {
    public let path: String
    let pool: DatabasePool
    /// The clock audit entries and imports are stamped with (tests set their own).
    let now: @Sendable () -> Date

    /// The file's path, as given.
    public var location: String { path }

    /// The bundles are kept in a folder beside the file: `shelf.db` keeps them in `shelf.bundles`.
    public var defaultBundleStore: BundleStore { BundleStore.beside(database: path) }

    /// How long a write waits for another process's write to finish before giving up.
    public static let defaultBusyTimeout: TimeInterval = 30

    /// The database file used when none is named: `$SHELFGUARD_DB`, else `shelfguard.db` in the
    /// working folder.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["SHELFGUARD_DB"], !path.isEmpty { return path }
        return "shelfguard.db"
    }

    /// Opens (creating and migrating when writable) the ledger at `path`. A read-only ledger
    /// must exist and be up to date; it may lie in a folder this user cannot write. A database
    /// with migrations this ShelfGuard does not know (a newer one wrote it) is refused either way.
    public init(
        path: String, readOnly: Bool = false, busyTimeout: TimeInterval = SQLiteLedger.defaultBusyTimeout,
        now: @escaping @Sendable () -> Date = { WallClock.now() }
    ) throws(LedgerError) {
        self.path = path
        self.now = now
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "shelfguard-ledger"
        configuration.prepareDatabase { db in
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw LedgerError("no shelf database at \(path) (create one with `shelfguard registry import`)")
        }
        do {
            pool =
                readOnly
                ? try SQLiteLedger.openReadOnly(path: path, configuration: configuration)
                : try DatabasePool(path: path, configuration: configuration)
            let migrator = SQLiteLedger.migrator
            // A newer ShelfGuard's schema is refused before anything is read or migrated.
            let unknown = try pool.read { db in
                SQLiteLedger.unknownMigrations(applied: try migrator.appliedIdentifiers(db))
            }
            if !unknown.isEmpty { throw LedgerError(SQLiteLedger.newerSchemaMessage(path: path, unknown: unknown)) }
            if readOnly {
                let complete = try pool.read { try migrator.hasCompletedMigrations($0) }
                if !complete {
                    throw LedgerError(
                        "the shelf database \(path) lacks changes this shelfguard needs (an older ShelfGuard wrote it, or it is no shelf database); open it once for writing (e.g. `shelfguard registry stats`) to upgrade it"
                    )
                }
            } else {
                try SQLiteLedger.migrate(pool, migrator)
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(SQLiteLedger.problem(error, path: path, writing: !readOnly))
        }
    }

    /// Runs a read, turning database errors into ledger errors.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(LedgerError) -> T {
        do { return try pool.read(body) } catch let error as LedgerError { throw error } catch {
            throw LedgerError("shelf database \(path): \(error)")
        }
    }

    /// Runs one write transaction (IMMEDIATE), turning database errors into ledger errors. A
    /// database a newer ShelfGuard upgraded meanwhile is not written.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(LedgerError) -> T {
        let path = path
        do {
            return try pool.write { db in
                try SQLiteLedger.refuseNewerSchema(db, path: path)
                return try body(db)
            }
        } catch let error as LedgerError { throw error } catch let error as DatabaseError
            where error.resultCode == .SQLITE_READONLY
        {
            throw LedgerError(SQLiteLedger.readOnlyMessage(path: path, reason: SQLiteLedger.unwritable(path)))
        } catch {
            throw LedgerError("shelf database \(path): \(error)")
        }
    }

    /// Applies the migrations the file lacks. Several processes may open the same file at once
    /// (two `daily --shard` runs, workers starting together after an upgrade): each works out what
    /// is missing, then runs each migration in a transaction of its own, so one of them may find
    /// a table it meant to create already made by another. Its transaction is rolled back whole;
    /// it then checks again and is done when the other has finished, retrying a few times
    /// (50, 100, 150 … ms apart) while the other is still at work.
    static func migrate(_ pool: DatabasePool, _ migrator: DatabaseMigrator, attempts: Int = 8) throws {
        for attempt in 1... {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
                if attempt >= attempts { throw error }
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
            }
        }
    }

    /// The schema, one named migration per step. Never edit a migration that has shipped: add one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: evidence registry and audit log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE registry_filing (
                        number TEXT PRIMARY KEY NOT NULL,
                        entity TEXT NOT NULL,
                        role TEXT NOT NULL,
                        record TEXT NOT NULL,
                        content_sha256 TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE INDEX registry_filing_entity ON registry_filing(entity);
                    CREATE TABLE registry_cancellation (
                        number TEXT PRIMARY KEY NOT NULL,
                        notice_date TEXT NOT NULL,
                        record TEXT NOT NULL,
                        content_sha256 TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE registry_genai (
                        number TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        record TEXT NOT NULL,
                        content_sha256 TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE registry_assessment (
                        id TEXT PRIMARY KEY NOT NULL,
                        entity TEXT NOT NULL,
                        record TEXT NOT NULL,
                        content_sha256 TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE registry_waiver (
                        app TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        record TEXT NOT NULL,
                        content_sha256 TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (app, rule)
                    );
                    CREATE TABLE registry_import (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        file TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        rows INTEGER NOT NULL,
                        added INTEGER NOT NULL,
                        updated INTEGER NOT NULL,
                        unchanged INTEGER NOT NULL,
                        rejected INTEGER NOT NULL,
                        notes INTEGER NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        audit_seq INTEGER
                    );
                    CREATE TABLE audit_log (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        details TEXT NOT NULL,
                        prev_hash TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE INDEX audit_log_subject ON audit_log(subject);
                    CREATE TABLE audit_head (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        seq INTEGER NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v2: apps, versions, inventories, submissions, reviews, shelf states") { db in
            try db.execute(
                sql: """
                    CREATE TABLE app (
                        app_id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        platform TEXT NOT NULL,
                        developer TEXT NOT NULL,
                        uscc TEXT NOT NULL,
                        first_seen TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE INDEX app_developer ON app(developer);
                    CREATE INDEX app_uscc ON app(uscc);
                    CREATE TABLE version (
                        id INTEGER PRIMARY KEY,
                        app_id TEXT NOT NULL REFERENCES app(app_id),
                        bundle_sha256 TEXT NOT NULL UNIQUE,
                        format TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        version_name TEXT,
                        version_code TEXT,
                        state TEXT NOT NULL,
                        state_since TEXT NOT NULL,
                        first_seen TEXT NOT NULL
                    );
                    CREATE INDEX version_app ON version(app_id);
                    CREATE INDEX version_state ON version(state);
                    CREATE TABLE inventory (
                        version_id INTEGER PRIMARY KEY REFERENCES version(id),
                        extractor TEXT NOT NULL,
                        facts TEXT NOT NULL,
                        entries TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE TABLE batch (
                        id INTEGER PRIMARY KEY,
                        started_at TEXT NOT NULL,
                        finished_at TEXT,
                        actor TEXT NOT NULL,
                        jobs INTEGER NOT NULL,
                        bundles INTEGER NOT NULL,
                        reviewed INTEGER NOT NULL DEFAULT 0,
                        skipped INTEGER NOT NULL DEFAULT 0,
                        failed INTEGER NOT NULL DEFAULT 0,
                        policy_sha256 TEXT NOT NULL,
                        signature_sha256 TEXT NOT NULL,
                        status TEXT NOT NULL
                    );
                    CREATE TABLE submission (
                        id INTEGER PRIMARY KEY,
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        bundle_path TEXT NOT NULL,
                        declaration_sha256 TEXT NOT NULL,
                        declaration TEXT NOT NULL,
                        submitted_at TEXT NOT NULL,
                        batch_id INTEGER REFERENCES batch(id),
                        UNIQUE (version_id, declaration_sha256)
                    );
                    CREATE TABLE review (
                        id INTEGER PRIMARY KEY,
                        submission_id INTEGER NOT NULL REFERENCES submission(id),
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        kind TEXT NOT NULL,
                        review_key TEXT,
                        verdict TEXT NOT NULL,
                        tool_version TEXT NOT NULL,
                        policy_sha256 TEXT NOT NULL,
                        signature_sha256 TEXT NOT NULL,
                        as_of TEXT NOT NULL,
                        reviewed_at TEXT NOT NULL,
                        batch_id INTEGER REFERENCES batch(id),
                        audit_seq INTEGER
                    );
                    CREATE UNIQUE INDEX review_by_key ON review(review_key) WHERE review_key IS NOT NULL;
                    CREATE INDEX review_version ON review(version_id);
                    CREATE TABLE finding (
                        review_id INTEGER NOT NULL REFERENCES review(id),
                        ordinal INTEGER NOT NULL,
                        rule TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        message TEXT NOT NULL,
                        basis TEXT NOT NULL,
                        location TEXT NOT NULL,
                        remedy TEXT NOT NULL,
                        waiver TEXT,
                        subject TEXT,
                        PRIMARY KEY (review_id, ordinal)
                    );
                    CREATE TABLE decision (
                        id INTEGER PRIMARY KEY,
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        outcome TEXT NOT NULL,
                        reviewer TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        at TEXT NOT NULL,
                        audit_seq INTEGER NOT NULL
                    );
                    CREATE TABLE state_change (
                        id INTEGER PRIMARY KEY,
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        from_state TEXT NOT NULL,
                        to_state TEXT NOT NULL,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        cause TEXT NOT NULL,
                        audit_seq INTEGER NOT NULL
                    );
                    CREATE INDEX state_change_version ON state_change(version_id);
                    CREATE TABLE version_filing (
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        number TEXT NOT NULL,
                        PRIMARY KEY (version_id, number)
                    );
                    CREATE INDEX version_filing_number ON version_filing(number);
                    CREATE TABLE version_signature (
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        signature TEXT NOT NULL,
                        PRIMARY KEY (version_id, signature)
                    );
                    CREATE INDEX version_signature_signature ON version_signature(signature);
                    CREATE TABLE version_feature (
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        feature TEXT NOT NULL,
                        PRIMARY KEY (version_id, feature)
                    );
                    CREATE INDEX version_feature_feature ON version_feature(feature);
                    """)
        }
        migrator.registerMigration("v3: daily management, complaints, emergency measures, the feed") { db in
            try db.execute(
                sql: """
                    ALTER TABLE state_change ADD COLUMN order_ref TEXT NOT NULL DEFAULT '';
                    ALTER TABLE review ADD COLUMN findings_sha256 TEXT NOT NULL DEFAULT '';
                    CREATE TABLE complaint (
                        id INTEGER PRIMARY KEY,
                        app_id TEXT NOT NULL,
                        text TEXT NOT NULL,
                        contact TEXT NOT NULL,
                        received_at TEXT NOT NULL,
                        status TEXT NOT NULL,
                        resolved_at TEXT,
                        resolved_by TEXT,
                        resolution TEXT,
                        audit_seq INTEGER NOT NULL
                    );
                    CREATE INDEX complaint_app ON complaint(app_id, status);
                    CREATE TABLE alert (
                        id INTEGER PRIMARY KEY,
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        fingerprint TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        message TEXT NOT NULL,
                        first_seen TEXT NOT NULL,
                        last_seen TEXT NOT NULL,
                        resolved_at TEXT,
                        daily_run INTEGER
                    );
                    CREATE UNIQUE INDEX alert_open ON alert(version_id, fingerprint) WHERE resolved_at IS NULL;
                    CREATE TABLE daily_run (
                        id INTEGER PRIMARY KEY,
                        started_at TEXT NOT NULL,
                        finished_at TEXT,
                        actor TEXT NOT NULL,
                        as_of TEXT NOT NULL,
                        policy_sha256 TEXT NOT NULL,
                        signature_sha256 TEXT NOT NULL,
                        checked INTEGER NOT NULL DEFAULT 0,
                        changed INTEGER NOT NULL DEFAULT 0,
                        status TEXT NOT NULL
                    );
                    """)
        }
        // The shelf state moves out of the wide version row into a narrow table of its own: an
        // emergency measure rewrites the state of many versions at once, and with ~250 states to
        // a page instead of ~24 versions the same takedown dirties a tenth of the pages. Since
        // when a version is in its state is not stored twice: it is the time of its latest
        // state change (or its first sighting). No index on the state either: a takedown would
        // rewrite its pages too, while a listing by state scans this narrow table quickly.
        migrator.registerMigration("v4: shelf states in a table of their own") { db in
            try db.execute(
                sql: """
                    CREATE TABLE shelf_state (
                        version_id INTEGER PRIMARY KEY NOT NULL REFERENCES version(id),
                        state TEXT NOT NULL
                    );
                    INSERT INTO shelf_state (version_id, state) SELECT id, state FROM version;
                    DROP INDEX version_state;
                    ALTER TABLE version DROP COLUMN state;
                    ALTER TABLE version DROP COLUMN state_since;
                    """)
        }
        // Business days apart from wall-clock times: `at` says when a state change was written,
        // `effective_on` the day it took effect in the store's business (a review's or daily
        // run's `--as-of`, else the day it was written). Grace periods count from it, so a daily
        // run "as of" a day judges as of that day whatever the machine's clock says.
        migrator.registerMigration("v5: the business day each state change took effect") { db in
            try db.execute(
                sql: """
                    ALTER TABLE state_change ADD COLUMN effective_on TEXT NOT NULL DEFAULT '';
                    UPDATE state_change SET effective_on = COALESCE(
                        (SELECT r.as_of FROM review r WHERE r.audit_seq = state_change.audit_seq),
                        (SELECT d.as_of FROM daily_run d JOIN audit_log a ON a.seq = state_change.audit_seq
                            WHERE a.action LIKE 'daily_%' AND d.id = CAST(json_extract(a.details, '$.daily_run') AS INTEGER)),
                        substr(at, 1, 10));
                    """)
        }
        // Complaints (DSP Art. 12) get a category, the business day they were received and the
        // day an answer is due by the published handling time; reviewers' tasks are opened when
        // the complaints about an app reach the threshold. Complaints already stored were
        // received on the day they were written; their due day is counted from it by the policy.
        migrator.registerMigration("v6: complaint categories, due days and reviewers' tasks") { db in
            try db.execute(
                sql: """
                    ALTER TABLE complaint ADD COLUMN category TEXT NOT NULL DEFAULT '';
                    ALTER TABLE complaint ADD COLUMN received_on TEXT NOT NULL DEFAULT '';
                    ALTER TABLE complaint ADD COLUMN due_on TEXT NOT NULL DEFAULT '';
                    UPDATE complaint SET received_on = substr(received_at, 1, 10);
                    CREATE TABLE complaint_task (
                        id INTEGER PRIMARY KEY,
                        app_id TEXT NOT NULL,
                        complaints TEXT NOT NULL,
                        complainants INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        opened_at TEXT NOT NULL,
                        opened_on TEXT NOT NULL,
                        daily_run INTEGER,
                        audit_seq INTEGER NOT NULL,
                        closed_at TEXT,
                        closed_on TEXT,
                        closed_reason TEXT
                    );
                    CREATE UNIQUE INDEX complaint_task_open ON complaint_task(app_id) WHERE closed_at IS NULL;
                    """)
        }
        // The review queue: submissions recorded by `review --enqueue` and taken by workers.
        // Finished jobs are deleted, so the table stays as small as the work waiting.
        migrator.registerMigration("v7: the review queue") { db in
            try db.execute(
                sql: """
                    CREATE TABLE review_job (
                        id INTEGER PRIMARY KEY,
                        bundle_path TEXT NOT NULL,
                        declaration_path TEXT,
                        wechat_appid TEXT,
                        state TEXT NOT NULL DEFAULT 'queued',
                        attempts INTEGER NOT NULL DEFAULT 0,
                        enqueued_at TEXT NOT NULL,
                        enqueued_by TEXT NOT NULL,
                        claimed_by TEXT,
                        lease_until REAL,
                        not_before REAL NOT NULL DEFAULT 0,
                        last_error TEXT
                    );
                    CREATE INDEX review_job_ready ON review_job(state, not_before);
                    """)
        }
        // The service's keys (`shelfguard keys`): never the secret, only its SHA-256 and its first
        // characters. Names are unique regardless of case (ASCII), revoked keys included, so that
        // an audit entry's `api:NAME` names one key for good. Each row names the audit entries
        // of its creation and its revocation, which `audit verify` checks.
        migrator.registerMigration("v8: the service's API keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_key (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
                        role TEXT NOT NULL,
                        secret_sha256 TEXT NOT NULL UNIQUE,
                        hint TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        created_audit_seq INTEGER NOT NULL,
                        revoked_at TEXT,
                        revoked_by TEXT,
                        revoked_audit_seq INTEGER
                    );
                    """)
        }
        // Bundles sent to the service (`POST /v1/reviews`): the queue deletes finished jobs, so
        // who sent what, and the review that answered it, is kept here. The id is the review key.
        migrator.registerMigration("v9: submissions through the service") { db in
            try db.execute(
                sql: """
                    CREATE TABLE service_submission (
                        id TEXT PRIMARY KEY NOT NULL,
                        bundle_sha256 TEXT NOT NULL,
                        bundle_path TEXT NOT NULL,
                        declaration_sha256 TEXT,
                        declaration_path TEXT,
                        job_id INTEGER,
                        review_id INTEGER,
                        submitted_at TEXT NOT NULL,
                        cancelled_at TEXT,
                        cancelled_by TEXT
                    );
                    CREATE INDEX service_submission_job ON service_submission(job_id);
                    CREATE TABLE service_submitter (
                        submission_id TEXT NOT NULL,
                        key_name TEXT NOT NULL,
                        key_role TEXT NOT NULL,
                        at TEXT NOT NULL,
                        PRIMARY KEY (submission_id, key_name)
                    );
                    """)
        }
        return migrator
    }

    /// The names of the migrations applied, in order (for `shelfguard registry stats`).
    public func appliedMigrations() throws(LedgerError) -> [String] {
        try read { db in try SQLiteLedger.migrator.appliedIdentifiers(db).sorted() }
    }
}

// MARK: - The audit log

extension SQLiteLedger {
    /// Appends one entry inside the caller's write transaction, chained to the head.
    func appendAudit(
        _ db: Database, actor: String, action: String, subject: String, reason: String, details: String
    ) throws -> AuditEntry {
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_head WHERE id = 1")
        let seq: Int64 = (head?["seq"] ?? 0) + 1
        let prevHash: String = head?["hash"] ?? AuditEntry.genesis
        let at = AuditEntry.timestamp(now())
        let hash = AuditEntry.hash(
            prevHash: prevHash, seq: seq, at: at, actor: actor, action: action, subject: subject, reason: reason,
            details: details)
        try db.run(
            sql: """
                INSERT INTO audit_log (seq, at, actor, action, subject, reason, details, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [seq, at, actor, action, subject, reason, details, prevHash, hash])
        try db.run(
            sql: """
                INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
                """,
            arguments: [seq, hash])
        return AuditEntry(
            seq: seq, at: at, actor: actor, action: action, subject: subject, reason: reason, details: details,
            prevHash: prevHash, hash: hash)
    }

    /// Appends the entry a change makes (`AuditRecord` decides its words for every store).
    func appendAudit(_ db: Database, actor: String, _ record: AuditRecord) throws -> AuditEntry {
        try appendAudit(
            db, actor: actor, action: record.action, subject: record.subject, reason: record.reason,
            details: record.details)
    }

    static func entry(_ row: Row) -> AuditEntry {
        AuditEntry(
            seq: row["seq"], at: row["at"], actor: row["actor"], action: row["action"], subject: row["subject"],
            reason: row["reason"], details: row["details"], prevHash: row["prev_hash"], hash: row["hash"])
    }

    public func auditEntries(after seq: Int64, limit: Int) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]
            ).map(SQLiteLedger.entry)
        }
    }

    public func auditEntry(hash: String) throws -> AuditEntry? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit_log WHERE hash = ?", arguments: [hash]).map(
                SQLiteLedger.entry)
        }
    }

    /// Reads the log in storage order (rowid), not by sequence number, so that moved entries show,
    /// and cross-checks it against the rows that name its entries and the shelf's states, all in
    /// one read transaction.
    public func verifyAudit() throws -> AuditVerification {
        try read { db in
            var entries: [AuditEntry] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY rowid")
            while let row = try cursor.next() { entries.append(SQLiteLedger.entry(row)) }
            let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_head WHERE id = 1")
            let recorded = head.map { (seq: $0["seq"] as Int64, hash: $0["hash"] as String) }
            var verification = AuditVerification.verify(entries, recordedHead: recorded)
            verification.problems += AuditVerification.crossCheck(entries, try SQLiteLedger.auditFacts(db))
            return verification
        }
    }

    /// The rows that name audit entries, the state changes and the current states.
    static func auditFacts(_ db: Database) throws -> AuditLedgerFacts {
        var references: [AuditLedgerFacts.Reference] = []
        for table in ["review", "decision", "complaint", "complaint_task", "registry_import"] {
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, audit_seq FROM \(table) WHERE audit_seq IS NOT NULL ORDER BY id")
            while let row = try rows.next() {
                references.append(.init(record: table, id: row["id"], auditSeq: row["audit_seq"]))
            }
        }
        var changes: [AuditLedgerFacts.StateChange] = []
        let rows = try Row.fetchCursor(
            db, sql: "SELECT id, version_id, from_state, to_state, audit_seq FROM state_change ORDER BY id")
        while let row = try rows.next() {
            changes.append(
                .init(
                    id: row["id"], versionID: row["version_id"], from: row["from_state"], to: row["to_state"],
                    auditSeq: row["audit_seq"]))
        }
        var states: [Int64: String] = [:]
        let stateRows = try Row.fetchCursor(db, sql: "SELECT version_id, state FROM shelf_state")
        while let row = try stateRows.next() { states[row["version_id"]] = row["state"] }
        let keys = try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY id").map { row in
            AuditLedgerFacts.APIKeyRow(
                id: row["id"], name: row["name"], role: row["role"], hint: row["hint"],
                createdSeq: row["created_audit_seq"], revoked: (row["revoked_at"] as String?) != nil,
                revokedSeq: row["revoked_audit_seq"])
        }
        return AuditLedgerFacts(references: references, stateChanges: changes, shelfStates: states, apiKeys: keys)
    }

    /// The last entry of the log as its head row records it (nil for an empty log): what reports
    /// and checkpoints carry.
    public func auditHead() throws -> AuditHead? {
        try read { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT h.seq, h.hash, a.at FROM audit_head h LEFT JOIN audit_log a ON a.seq = h.seq WHERE h.id = 1"
            ).map { AuditHead(seq: $0["seq"], hash: $0["hash"], at: $0["at"] ?? "") }
        }
    }
}

extension Database {
    /// Executes one statement through the connection's statement cache: the statements a review
    /// writes are compiled once per connection, not once per bundle.
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

import Foundation
import Logging
import NIOSSL
import PostgresNIO
import ShelfGuardKit

/// The shelf ledger on a PostgreSQL server (`--db postgres://USER@HOST/DATABASE`), for a store
/// whose reviewers and workers are on more than one machine. Same behaviour as the SQLite ledger
/// (one behaviour suite runs against both), same rules (`ShelfRules`, `QueueRules`, the audit
/// chain), in PostgreSQL's SQL:
/// - every write is one transaction that first takes a transaction-scoped advisory lock, so the
///   audit chain is appended by one writer at a time (as SQLite's IMMEDIATE transactions do),
///   while reads never wait;
/// - reads run in REPEATABLE READ, READ ONLY transactions: one snapshot per read;
/// - queue claims skip rows other workers hold (`FOR UPDATE SKIP LOCKED`) and take no write lock;
/// - the schema is applied by named migrations, each in one transaction, and a database with a
///   migration this ShelfGuard does not know is refused for reading and for writing.
public final class PostgresLedger: Sendable {
    /// The URL with its user and password left out: for messages and reports.
    public let location: String
    /// Bundles reviewed are kept here unless the command names another folder: a server has no
    /// folder of its own, so the default is `shelfguard.bundles` in the working folder.
    public let defaultBundleStore: BundleStore
    let pool: ConnectionPool
    /// The clock audit entries and imports are stamped with (tests set their own).
    let now: @Sendable () -> Date

    /// The advisory lock every write transaction holds: the audit chain's one writer.
    static let writeLock: Int64 = 0x5348_454C_4647_0001
    /// The advisory lock migrations hold, so that two first openings do not both migrate.
    static let migrationLock: Int64 = 0x5348_454C_4647_0002

    /// Connects to the database the URL names and, unless `readOnly`, applies the migrations it
    /// lacks. `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`;
    /// `?host=/run/postgresql` connects through the server's Unix socket in that folder;
    /// `pool_max_conns` (16) and `pool_wait` (30 s) bound the connections it opens (`PoolSettings`).
    public init(
        url: String, readOnly: Bool = false, bundleStore: BundleStore = BundleStore(directory: "shelfguard.bundles"),
        now: @escaping @Sendable () -> Date = { WallClock.now() }
    ) throws(LedgerError) {
        location = StoreLocation.redacted(url)
        defaultBundleStore = bundleStore
        self.now = now
        let configuration = try PostgresLedger.configuration(url: url)
        var logger = Logger(label: "shelfguard.postgres")
        logger.logLevel = .critical
        pool = ConnectionPool(
            configuration: configuration, settings: try PostgresLedger.poolSettings(url: url), logger: logger)
        let location = location
        do {
            try pool.withSession { session in
                if readOnly {
                    let applied = try PostgresLedger.appliedMigrations(session)
                    try PostgresLedger.refuse(applied: applied, location: location)
                    if Set(applied) != Set(PostgresLedger.migrations.map(\.name)) {
                        throw LedgerError(
                            "the shelf database \(location) lacks changes this shelfguard needs (an older ShelfGuard wrote it, or it is no shelf database); open it once for writing (e.g. `shelfguard registry stats`) to upgrade it"
                        )
                    }
                } else {
                    try PostgresLedger.migrate(session, location: location)
                }
            }
        } catch let error as LedgerError {
            pool.close()
            throw error
        } catch {
            pool.close()
            throw LedgerError("cannot open the shelf database \(location): \(describe(error))")
        }
    }

    deinit { pool.close() }

    /// The pool's settings a database URL names (`pool_max_conns`, `pool_wait`).
    static func poolSettings(url text: String) throws(LedgerError) -> PoolSettings {
        let items = URLComponents(string: text)?.queryItems ?? []
        return try PoolSettings(
            query: Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last }))
    }

    /// The connection settings a database URL names.
    static func configuration(url text: String) throws(LedgerError) -> PostgresConnection.Configuration {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw LedgerError(
                "'\(StoreLocation.redacted(text))' is not a PostgreSQL URL (postgres://USER@HOST/DATABASE)")
        }
        let environment = ProcessInfo.processInfo.environment
        let user =
            url.user.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? environment["USER"]
            ?? "postgres"
        let password = url.password.flatMap { $0.removingPercentEncoding } ?? environment["PGPASSWORD"]
        var database = String(url.path.drop(while: { $0 == "/" }))
        database = database.removingPercentEncoding ?? database
        if database.isEmpty { database = user }
        let query = Dictionary(
            (url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let port = url.port ?? 5432
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            return .init(
                unixSocketPath: socketFolder + "/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        }
        let host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let tls: PostgresConnection.Configuration.TLS
        switch query["sslmode"] ?? "disable" {
        case "disable", "allow": tls = .disable
        case "prefer", "require", "verify-ca", "verify-full":
            do {
                var settings = TLSConfiguration.makeClientConfiguration()
                if query["sslmode"] == "prefer" || query["sslmode"] == "require" {
                    // As libpq: require means encrypted, not verified; verify-* verify.
                    settings.certificateVerification = .none
                }
                let context = try NIOSSLContext(configuration: settings)
                tls = query["sslmode"] == "prefer" ? .prefer(context) : .require(context)
            } catch {
                throw LedgerError("cannot set up TLS for \(StoreLocation.redacted(text)): \(error)")
            }
        case let other:
            throw LedgerError("unknown sslmode '\(other)' (use disable, prefer, require, verify-ca or verify-full)")
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// Runs one read transaction on one snapshot, turning server errors into ledger errors.
    func read<T>(_ body: (SQLSession) throws -> T) throws(LedgerError) -> T {
        let location = location
        do {
            return try pool.withSession { session in
                try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                do {
                    try PostgresLedger.refuseNewerSchema(session, location: location)
                    let result = try body(session)
                    try session.execute("COMMIT")
                    return result
                } catch {
                    _ = try? session.execute("ROLLBACK")
                    throw error
                }
            }
        } catch let error as LedgerError { throw error } catch {
            throw LedgerError("shelf database \(location): \(describe(error))")
        }
    }

    /// Runs one write transaction holding the ledger's write lock, turning server errors into
    /// ledger errors. A database a newer ShelfGuard upgraded meanwhile is not written.
    func write<T>(_ body: (SQLSession) throws -> T) throws(LedgerError) -> T {
        try transaction(locked: true, body)
    }

    /// A write transaction; `locked: false` only for work that appends nothing to the audit log
    /// and guards itself with row locks (queue claims).
    func transaction<T>(locked: Bool, _ body: (SQLSession) throws -> T) throws(LedgerError) -> T {
        let location = location
        do {
            return try pool.withSession { session in
                try session.execute("BEGIN")
                do {
                    if locked { try session.execute("SELECT pg_advisory_xact_lock($1)", [PostgresLedger.writeLock]) }
                    try PostgresLedger.refuseNewerSchema(session, location: location)
                    let result = try body(session)
                    try session.execute("COMMIT")
                    return result
                } catch {
                    _ = try? session.execute("ROLLBACK")
                    throw error
                }
            }
        } catch let error as LedgerError { throw error } catch {
            if sqlState(error) == "25006" || sqlState(error) == "42501" {
                throw LedgerError(
                    "the shelf database \(location) is read-only for this user (\(describe(error))). Commands that change the shelf need a role that may write it; reading commands work as it is"
                )
            }
            throw LedgerError("shelf database \(location): \(describe(error))")
        }
    }
}

// MARK: - The schema

extension PostgresLedger {
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    /// The migrations applied, by name.
    static func appliedMigrations(_ session: SQLSession) throws -> [String] {
        let exists =
            try session.scalar("SELECT to_regclass('shelfguard_migration') IS NOT NULL", as: Bool.self) ?? false
        guard exists else { return [] }
        return try session.query("SELECT name FROM shelfguard_migration ORDER BY name").map { try $0.first() }
    }

    /// The names of the migrations applied, in order (for `shelfguard registry stats`).
    public func appliedMigrations() throws(LedgerError) -> [String] {
        try read { session in try PostgresLedger.appliedMigrations(session) }
    }

    static func refuse(applied: [String], location: String) throws {
        let unknown = Set(applied).subtracting(migrations.map(\.name)).sorted()
        guard unknown.isEmpty else {
            throw LedgerError(
                "the shelf database \(location) was written by a newer ShelfGuard: it has schema changes this shelfguard "
                    + "(\(ShelfGuardVersion.current)) does not know (\(unknown.joined(separator: "; "))). Upgrade shelfguard "
                    + "to the version that wrote it, or a later one, and run the command again; nothing was read or changed"
            )
        }
    }

    /// Throws when the database has migrations this ShelfGuard does not know: one count, cheap
    /// enough for every transaction.
    static func refuseNewerSchema(_ session: SQLSession, location: String) throws {
        let count = try session.scalar("SELECT COUNT(*) FROM shelfguard_migration", as: Int64.self) ?? 0
        guard count > migrations.count else { return }
        try refuse(applied: try appliedMigrations(session), location: location)
    }

    /// Applies the migrations the database lacks, each in its own transaction, under a lock that
    /// makes a second process opening the same new database wait and then find them applied.
    static func migrate(_ session: SQLSession, location: String) throws {
        try session.execute("BEGIN")
        do {
            try session.execute("SELECT pg_advisory_xact_lock($1)", [migrationLock])
            try session.execute(
                "CREATE TABLE IF NOT EXISTS shelfguard_migration (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)"
            )
            let applied = try appliedMigrations(session)
            try refuse(applied: applied, location: location)
            for migration in migrations where !applied.contains(migration.name) {
                try session.execute("SAVEPOINT migration")
                for statement in migration.statements { try session.execute(statement) }
                try session.execute(
                    "INSERT INTO shelfguard_migration (name, applied_at) VALUES ($1, $2)",
                    [migration.name, AuditEntry.timestamp(Date())])
                try session.execute("RELEASE SAVEPOINT migration")
            }
            try session.execute("COMMIT")
        } catch {
            _ = try? session.execute("ROLLBACK")
            throw error
        }
    }

    /// The schema, one named migration per step. Never edit a migration that has shipped: add
    /// one. The first is the SQLite ledger's schema after its seventh migration, in PostgreSQL's
    /// types: identity columns for ids, BIGINT for counts and sizes, the audit log append-only
    /// by trigger (UPDATE, DELETE and TRUNCATE raise); each later one is a later SQLite migration.
    static let migrations: [Migration] = [
        Migration(
            name: "pg1: the shelf ledger (registry, audit log, shelf, daily management, complaints, queue)",
            statements: [
                """
                CREATE TABLE registry_filing (
                    number TEXT PRIMARY KEY NOT NULL, entity TEXT NOT NULL, role TEXT NOT NULL, record TEXT NOT NULL,
                    content_sha256 TEXT NOT NULL, updated_at TEXT NOT NULL)
                """,
                "CREATE INDEX registry_filing_entity ON registry_filing(entity)",
                """
                CREATE TABLE registry_cancellation (
                    number TEXT PRIMARY KEY NOT NULL, notice_date TEXT NOT NULL, record TEXT NOT NULL,
                    content_sha256 TEXT NOT NULL, updated_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE registry_genai (
                    number TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, record TEXT NOT NULL,
                    content_sha256 TEXT NOT NULL, updated_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE registry_assessment (
                    id TEXT PRIMARY KEY NOT NULL, entity TEXT NOT NULL, record TEXT NOT NULL,
                    content_sha256 TEXT NOT NULL, updated_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE registry_waiver (
                    app TEXT NOT NULL, rule TEXT NOT NULL, record TEXT NOT NULL, content_sha256 TEXT NOT NULL,
                    updated_at TEXT NOT NULL, PRIMARY KEY (app, rule))
                """,
                """
                CREATE TABLE registry_import (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT NOT NULL,
                    kind TEXT NOT NULL, rows BIGINT NOT NULL, added BIGINT NOT NULL, updated BIGINT NOT NULL,
                    unchanged BIGINT NOT NULL, rejected BIGINT NOT NULL, notes BIGINT NOT NULL, at TEXT NOT NULL,
                    actor TEXT NOT NULL, audit_seq BIGINT)
                """,
                """
                CREATE TABLE audit_log (
                    seq BIGINT PRIMARY KEY NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                    subject TEXT NOT NULL, reason TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL)
                """,
                "CREATE INDEX audit_log_subject ON audit_log(subject)",
                "CREATE INDEX audit_log_hash ON audit_log(hash)",
                "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL)",
                """
                CREATE FUNCTION shelfguard_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
                """,
                """
                CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION shelfguard_audit_append_only()
                """,
                """
                CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION shelfguard_audit_append_only()
                """,
                """
                CREATE TABLE app (
                    app_id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, platform TEXT NOT NULL, developer TEXT NOT NULL,
                    uscc TEXT NOT NULL, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL)
                """,
                "CREATE INDEX app_developer ON app(developer)",
                "CREATE INDEX app_uscc ON app(uscc)",
                """
                CREATE TABLE version (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, app_id TEXT NOT NULL REFERENCES app(app_id),
                    bundle_sha256 TEXT NOT NULL UNIQUE, format TEXT NOT NULL, size BIGINT NOT NULL, version_name TEXT,
                    version_code TEXT, first_seen TEXT NOT NULL)
                """,
                "CREATE INDEX version_app ON version(app_id)",
                """
                CREATE TABLE shelf_state (
                    version_id BIGINT PRIMARY KEY NOT NULL REFERENCES version(id), state TEXT NOT NULL)
                """,
                """
                CREATE TABLE inventory (
                    version_id BIGINT PRIMARY KEY REFERENCES version(id), extractor TEXT NOT NULL, facts TEXT NOT NULL,
                    entries TEXT NOT NULL, created_at TEXT NOT NULL)
                """,
                """
                CREATE TABLE batch (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
                    actor TEXT NOT NULL, jobs BIGINT NOT NULL, bundles BIGINT NOT NULL, reviewed BIGINT NOT NULL DEFAULT 0,
                    skipped BIGINT NOT NULL DEFAULT 0, failed BIGINT NOT NULL DEFAULT 0, policy_sha256 TEXT NOT NULL,
                    signature_sha256 TEXT NOT NULL, status TEXT NOT NULL)
                """,
                """
                CREATE TABLE submission (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    version_id BIGINT NOT NULL REFERENCES version(id), bundle_path TEXT NOT NULL,
                    declaration_sha256 TEXT NOT NULL, declaration TEXT NOT NULL, submitted_at TEXT NOT NULL,
                    batch_id BIGINT REFERENCES batch(id), UNIQUE (version_id, declaration_sha256))
                """,
                """
                CREATE TABLE review (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    submission_id BIGINT NOT NULL REFERENCES submission(id),
                    version_id BIGINT NOT NULL REFERENCES version(id), kind TEXT NOT NULL, review_key TEXT,
                    verdict TEXT NOT NULL, tool_version TEXT NOT NULL, policy_sha256 TEXT NOT NULL,
                    signature_sha256 TEXT NOT NULL, as_of TEXT NOT NULL, reviewed_at TEXT NOT NULL,
                    batch_id BIGINT REFERENCES batch(id), audit_seq BIGINT, findings_sha256 TEXT NOT NULL DEFAULT '')
                """,
                "CREATE UNIQUE INDEX review_by_key ON review(review_key) WHERE review_key IS NOT NULL",
                "CREATE INDEX review_version ON review(version_id)",
                """
                CREATE TABLE finding (
                    review_id BIGINT NOT NULL REFERENCES review(id), ordinal BIGINT NOT NULL, rule TEXT NOT NULL,
                    severity TEXT NOT NULL, message TEXT NOT NULL, basis TEXT NOT NULL, location TEXT NOT NULL,
                    remedy TEXT NOT NULL, waiver TEXT, subject TEXT, PRIMARY KEY (review_id, ordinal))
                """,
                """
                CREATE TABLE decision (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    version_id BIGINT NOT NULL REFERENCES version(id), outcome TEXT NOT NULL, reviewer TEXT NOT NULL,
                    reason TEXT NOT NULL, at TEXT NOT NULL, audit_seq BIGINT NOT NULL)
                """,
                """
                CREATE TABLE state_change (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    version_id BIGINT NOT NULL REFERENCES version(id), from_state TEXT NOT NULL, to_state TEXT NOT NULL,
                    at TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL, cause TEXT NOT NULL,
                    audit_seq BIGINT NOT NULL, order_ref TEXT NOT NULL DEFAULT '', effective_on TEXT NOT NULL DEFAULT '')
                """,
                "CREATE INDEX state_change_version ON state_change(version_id)",
                """
                CREATE TABLE version_filing (
                    version_id BIGINT NOT NULL REFERENCES version(id), number TEXT NOT NULL,
                    PRIMARY KEY (version_id, number))
                """,
                "CREATE INDEX version_filing_number ON version_filing(number)",
                """
                CREATE TABLE version_signature (
                    version_id BIGINT NOT NULL REFERENCES version(id), signature TEXT NOT NULL,
                    PRIMARY KEY (version_id, signature))
                """,
                "CREATE INDEX version_signature_signature ON version_signature(signature)",
                """
                CREATE TABLE version_feature (
                    version_id BIGINT NOT NULL REFERENCES version(id), feature TEXT NOT NULL,
                    PRIMARY KEY (version_id, feature))
                """,
                "CREATE INDEX version_feature_feature ON version_feature(feature)",
                """
                CREATE TABLE complaint (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, app_id TEXT NOT NULL, text TEXT NOT NULL,
                    contact TEXT NOT NULL, received_at TEXT NOT NULL, status TEXT NOT NULL, resolved_at TEXT,
                    resolved_by TEXT, resolution TEXT, audit_seq BIGINT NOT NULL, category TEXT NOT NULL DEFAULT '',
                    received_on TEXT NOT NULL DEFAULT '', due_on TEXT NOT NULL DEFAULT '')
                """,
                "CREATE INDEX complaint_app ON complaint(app_id, status)",
                """
                CREATE TABLE alert (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    version_id BIGINT NOT NULL REFERENCES version(id), fingerprint TEXT NOT NULL, rule TEXT NOT NULL,
                    severity TEXT NOT NULL, message TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
                    resolved_at TEXT, daily_run BIGINT)
                """,
                "CREATE UNIQUE INDEX alert_open ON alert(version_id, fingerprint) WHERE resolved_at IS NULL",
                """
                CREATE TABLE daily_run (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
                    actor TEXT NOT NULL, as_of TEXT NOT NULL, policy_sha256 TEXT NOT NULL,
                    signature_sha256 TEXT NOT NULL, checked BIGINT NOT NULL DEFAULT 0,
                    changed BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL)
                """,
                """
                CREATE TABLE complaint_task (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, app_id TEXT NOT NULL,
                    complaints TEXT NOT NULL, complainants BIGINT NOT NULL, reason TEXT NOT NULL,
                    opened_at TEXT NOT NULL, opened_on TEXT NOT NULL, daily_run BIGINT, audit_seq BIGINT NOT NULL,
                    closed_at TEXT, closed_on TEXT, closed_reason TEXT)
                """,
                "CREATE UNIQUE INDEX complaint_task_open ON complaint_task(app_id) WHERE closed_at IS NULL",
                """
                CREATE TABLE review_job (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, bundle_path TEXT NOT NULL,
                    declaration_path TEXT, wechat_appid TEXT, state TEXT NOT NULL DEFAULT 'queued',
                    attempts BIGINT NOT NULL DEFAULT 0, enqueued_at TEXT NOT NULL, enqueued_by TEXT NOT NULL,
                    claimed_by TEXT, lease_until DOUBLE PRECISION, not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
                    last_error TEXT)
                """,
                "CREATE INDEX review_job_ready ON review_job(state, not_before)",
            ]),
        // The SQLite ledger's v8: the service's keys, names unique regardless of case (ASCII).
        Migration(
            name: "pg2: the service's API keys",
            statements: [
                """
                CREATE TABLE api_key (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL, secret_sha256 TEXT NOT NULL UNIQUE, hint TEXT NOT NULL, created_at TEXT NOT NULL,
                    created_by TEXT NOT NULL, created_audit_seq BIGINT NOT NULL, revoked_at TEXT, revoked_by TEXT,
                    revoked_audit_seq BIGINT)
                """,
                "CREATE UNIQUE INDEX api_key_name_any_case ON api_key (lower(name))",
            ]),
        // The SQLite ledger's v9: bundles sent to the service, and who sent them.
        Migration(
            name: "pg3: submissions through the service",
            statements: [
                """
                CREATE TABLE service_submission (
                    id TEXT PRIMARY KEY NOT NULL, bundle_sha256 TEXT NOT NULL, bundle_path TEXT NOT NULL,
                    declaration_sha256 TEXT, declaration_path TEXT, job_id BIGINT, review_id BIGINT,
                    submitted_at TEXT NOT NULL, cancelled_at TEXT, cancelled_by TEXT)
                """,
                "CREATE INDEX service_submission_job ON service_submission(job_id)",
                """
                CREATE TABLE service_submitter (
                    submission_id TEXT NOT NULL, key_name TEXT NOT NULL, key_role TEXT NOT NULL, at TEXT NOT NULL,
                    PRIMARY KEY (submission_id, key_name))
                """,
            ]),
    ]
}

// MARK: - The audit log

extension PostgresLedger {
    /// Appends one entry inside the caller's write transaction (which holds the write lock),
    /// chained to the head.
    func appendAudit(
        _ session: SQLSession, actor: String, action: String, subject: String, reason: String, details: String
    ) throws -> AuditEntry {
        try appendAudit(
            session, at: AuditEntry.timestamp(now()),
            [(actor, AuditRecord(action: action, subject: subject, reason: reason, details: details))]
        )[0]
    }

    /// Appends entries in the order given, all stamped `at`: the head is read once, the entries
    /// go in with one statement, the head is written once.
    func appendAudit(
        _ session: SQLSession, at: String, _ records: [(actor: String, record: AuditRecord)]
    ) throws
        -> [AuditEntry]
    {
        guard !records.isEmpty else { return [] }
        let head = try session.one("SELECT seq, hash FROM audit_head WHERE id = 1")
        var seq: Int64 = try head?.get("seq", as: Int64.self) ?? 0
        var previous: String = try head?.get("hash", as: String.self) ?? AuditEntry.genesis
        var entries: [AuditEntry] = []
        entries.reserveCapacity(records.count)
        for (actor, record) in records {
            seq += 1
            let hash = AuditEntry.hash(
                prevHash: previous, seq: seq, at: at, actor: actor, action: record.action, subject: record.subject,
                reason: record.reason, details: record.details)
            entries.append(
                AuditEntry(
                    seq: seq, at: at, actor: actor, action: record.action, subject: record.subject,
                    reason: record.reason, details: record.details, prevHash: previous, hash: hash))
            previous = hash
        }
        try session.execute(
            """
            INSERT INTO audit_log (seq, at, actor, action, subject, reason, details, prev_hash, hash)
            SELECT u.seq, $1, u.actor, u.action, u.subject, u.reason, u.details, u.prev_hash, u.hash
            FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[]) AS u(seq, actor, action, subject, reason, details, prev_hash, hash)
            """,
            [
                at, entries.map(\.seq), entries.map(\.actor), entries.map(\.action), entries.map(\.subject),
                entries.map(\.reason), entries.map(\.details), entries.map(\.prevHash), entries.map(\.hash),
            ])
        try session.execute(
            """
            INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
            """,
            [seq, previous])
        return entries
    }

    func appendAudit(_ session: SQLSession, actor: String, _ record: AuditRecord) throws -> AuditEntry {
        try appendAudit(
            session, actor: actor, action: record.action, subject: record.subject, reason: record.reason,
            details: record.details)
    }

    static func entry(_ row: SQLRow) throws -> AuditEntry {
        AuditEntry(
            seq: try row.get("seq"), at: try row.get("at"), actor: try row.get("actor"), action: try row.get("action"),
            subject: try row.get("subject"), reason: try row.get("reason"), details: try row.get("details"),
            prevHash: try row.get("prev_hash"), hash: try row.get("hash"))
    }

    public func auditEntries(after seq: Int64, limit: Int) throws -> [AuditEntry] {
        try read { session in
            try session.query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2", [seq, limit]).map(
                PostgresLedger.entry)
        }
    }

    public func auditEntry(hash: String) throws -> AuditEntry? {
        try read { session in
            try session.one("SELECT * FROM audit_log WHERE hash = $1 ORDER BY seq LIMIT 1", [hash]).map(
                PostgresLedger.entry)
        }
    }

    /// Reads the whole log by sequence number and cross-checks it against the rows that name its
    /// entries and the shelf's states, on one snapshot.
    public func verifyAudit() throws -> AuditVerification {
        try read { session in
            let entries = try session.query("SELECT * FROM audit_log ORDER BY seq").map(PostgresLedger.entry)
            let head = try session.one("SELECT seq, hash FROM audit_head WHERE id = 1")
            let recorded = try head.map {
                (seq: try $0.get("seq", as: Int64.self), hash: try $0.get("hash", as: String.self))
            }
            var verification = AuditVerification.verify(entries, recordedHead: recorded)
            verification.problems += AuditVerification.crossCheck(entries, try PostgresLedger.auditFacts(session))
            return verification
        }
    }

    /// The rows that name audit entries, the state changes and the current states.
    static func auditFacts(_ session: SQLSession) throws -> AuditLedgerFacts {
        var references: [AuditLedgerFacts.Reference] = []
        for table in ["review", "decision", "complaint", "complaint_task", "registry_import"] {
            for row in try session.query("SELECT id, audit_seq FROM \(table) WHERE audit_seq IS NOT NULL ORDER BY id") {
                references.append(.init(record: table, id: try row.get("id"), auditSeq: try row.get("audit_seq")))
            }
        }
        let changes = try session.query(
            "SELECT id, version_id, from_state, to_state, audit_seq FROM state_change ORDER BY id"
        ).map { row in
            AuditLedgerFacts.StateChange(
                id: try row.get("id"), versionID: try row.get("version_id"), from: try row.get("from_state"),
                to: try row.get("to_state"), auditSeq: try row.get("audit_seq"))
        }
        var states: [Int64: String] = [:]
        for row in try session.query("SELECT version_id, state FROM shelf_state") {
            states[try row.get("version_id")] = try row.get("state")
        }
        let keys = try session.query("SELECT * FROM api_key ORDER BY id").map { row in
            AuditLedgerFacts.APIKeyRow(
                id: try row.get("id"), name: try row.get("name"), role: try row.get("role"), hint: try row.get("hint"),
                createdSeq: try row.get("created_audit_seq"),
                revoked: try row.get("revoked_at", as: String?.self) != nil,
                revokedSeq: try row.get("revoked_audit_seq", as: Int64?.self))
        }
        return AuditLedgerFacts(references: references, stateChanges: changes, shelfStates: states, apiKeys: keys)
    }

    /// The last entry of the log as its head row records it (nil for an empty log).
    public func auditHead() throws -> AuditHead? {
        try read { session in
            try session.one(
                "SELECT h.seq, h.hash, a.at FROM audit_head h LEFT JOIN audit_log a ON a.seq = h.seq WHERE h.id = 1"
            ).map {
                AuditHead(
                    seq: try $0.get("seq"), hash: try $0.get("hash"), at: try $0.get("at", as: String?.self) ?? "")
            }
        }
    }
}

/// Everything the shelf asks of a store, in the files beside this one: the registry, complaints
/// and the queue (`+Registry`, `+Complaints`, `+Queue`), the shelf (`+Shelf`), emergency measures
/// and the feed (`+Measures`), daily management (`+Daily`).
extension PostgresLedger: LedgerStore {}

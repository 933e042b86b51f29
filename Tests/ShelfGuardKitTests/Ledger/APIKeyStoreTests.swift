import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardPostgres
@testable import ShelfGuardSQLite

/// The service's keys in every store: created, listed, found by the digest of the secret a
/// caller sends, revoked for good; each change one audit entry that `audit verify` checks
/// against the key rows.
@Suite("API keys in the ledger")
struct APIKeyStoreTests {
    /// The store's clock in these tests: a fixed instant, whatever day the tests run.
    static let instant = Date(timeIntervalSince1970: 1_900_000_000)
    static let stamp = AuditEntry.timestamp(instant)

    static func store(_ kind: StoreKind, _ label: String) throws -> any LedgerStore {
        try TestStores.make(kind, label, now: { APIKeyStoreTests.instant })
    }

    /// Creates a key with a fresh secret; returns it with the secret.
    static func create(
        _ store: any LedgerStore, _ name: String, _ role: APIRole, actor: String = "ops 王"
    ) throws -> (key: APIKey, secret: String) {
        let secret = APIKeySecret.generate()
        let key = try store.createAPIKey(
            name: name, role: role, secretSHA256: APIKeySecret.sha256(secret), hint: APIKeySecret.hint(secret),
            actor: actor)
        return (key, secret)
    }

    @Test(
        "create, list, authenticate by digest, revoke: a revoked key authenticates no one",
        arguments: StoreKind.available)
    func lifecycle(_ kind: StoreKind) throws {
        let store = try Self.store(kind, "keys")
        #expect(try store.apiKeys(includeRevoked: true).isEmpty)
        let (shop, shopSecret) = try Self.create(store, "storefront-huawei", .storefront)
        let (ci, ciSecret) = try Self.create(store, "ci@example.com", .developer)
        #expect(shop.id > 0 && ci.id > shop.id)
        #expect(
            shop.name == "storefront-huawei" && shop.role == .storefront && shop.hint == APIKeySecret.hint(shopSecret))
        #expect(shop.createdAt == Self.stamp && shop.createdBy == "ops 王" && shop.isActive)
        #expect(try store.apiKeys(includeRevoked: false) == [shop, ci])

        #expect(try store.activeAPIKey(secretSHA256: APIKeySecret.sha256(shopSecret)) == shop)
        #expect(try store.activeAPIKey(secretSHA256: APIKeySecret.sha256(ciSecret)) == ci)
        #expect(try store.activeAPIKey(secretSHA256: APIKeySecret.sha256(APIKeySecret.generate())) == nil)
        #expect(try store.activeAPIKey(secretSHA256: APIKeySecret.sha256(shopSecret).uppercased()) == nil)
        #expect(try store.activeAPIKey(secretSHA256: "") == nil)

        let revoked = try store.revokeAPIKey(name: "storefront-huawei", actor: "ops 李")
        #expect(revoked.id == shop.id && !revoked.isActive)
        #expect(revoked.revokedAt == Self.stamp && revoked.revokedBy == "ops 李")
        #expect(try store.activeAPIKey(secretSHA256: APIKeySecret.sha256(shopSecret)) == nil)
        #expect(try store.activeAPIKey(secretSHA256: APIKeySecret.sha256(ciSecret)) == ci, "other keys still work")
        #expect(try store.apiKeys(includeRevoked: false) == [ci])
        #expect(try store.apiKeys(includeRevoked: true) == [revoked, ci])

        let verification = try store.verifyAudit()
        #expect(verification.intact, "\(verification.problems)")
        #expect(verification.entries == 3)
    }

    @Test("names are never reused: taken by an active or a revoked key, in any case", arguments: StoreKind.available)
    func nameTaken(_ kind: StoreKind) throws {
        let store = try Self.store(kind, "taken")
        _ = try Self.create(store, "shop", .storefront)
        for name in ["shop", "SHOP", "Shop"] {
            let error = #expect(throws: LedgerError.self) { try Self.create(store, name, .admin) }
            #expect(error?.description.contains("exists already") == true, "\(error?.description ?? "")")
            #expect(error?.description.contains("choose another name") == true)
        }
        _ = try store.revokeAPIKey(name: "shop", actor: "ops")
        let error = #expect(throws: LedgerError.self) { try Self.create(store, "shop", .storefront) }
        #expect(error?.description.contains("revoked") == true, "\(error?.description ?? "")")
        #expect(try store.apiKeys(includeRevoked: true).count == 1)
        #expect(try TestStores.count(store, "audit_log") == 2, "refusals write nothing")
        #expect(try store.verifyAudit().intact)
    }

    @Test(
        "a secret already in use is refused; names against the rule are refused with the rule",
        arguments: StoreKind.available)
    func refusals(_ kind: StoreKind) throws {
        let store = try Self.store(kind, "refusals")
        let secret = APIKeySecret.generate()
        _ = try store.createAPIKey(
            name: "one", role: .reviewer, secretSHA256: APIKeySecret.sha256(secret), hint: APIKeySecret.hint(secret),
            actor: "ops")
        #expect(throws: LedgerError.self) {
            try store.createAPIKey(
                name: "two", role: .reviewer, secretSHA256: APIKeySecret.sha256(secret),
                hint: APIKeySecret.hint(secret), actor: "ops")
        }
        for name in ["", "has space", "esc\u{1B}[2J", String(repeating: "k", count: 65), "-x"] {
            let error = #expect(throws: LedgerError.self) { try Self.create(store, name, .admin) }
            #expect(error?.description.contains(APIKey.nameRule) == true, "\(error?.description ?? "")")
        }
        #expect(throws: LedgerError.self) {
            try store.createAPIKey(name: "three", role: .admin, secretSHA256: secret, hint: "sgk_AAAA", actor: "ops")
        }
        #expect(try store.apiKeys(includeRevoked: true).map(\.name) == ["one"])
        #expect(try TestStores.count(store, "audit_log") == 1)
    }

    @Test(
        "revoking a name no key has, or a key revoked already, is refused and writes nothing",
        arguments: StoreKind.available)
    func revokeRefused(_ kind: StoreKind) throws {
        let store = try Self.store(kind, "revoke")
        let unknown = #expect(throws: LedgerError.self) { try store.revokeAPIKey(name: "nobody", actor: "ops") }
        #expect(unknown?.description.contains("no key is named 'nobody'") == true, "\(unknown?.description ?? "")")
        _ = try Self.create(store, "officer-console", .officer)
        let revoked = try store.revokeAPIKey(name: "OFFICER-console", actor: "ops")
        #expect(revoked.name == "officer-console", "a name in another case names the same key")
        let again = #expect(throws: LedgerError.self) { try store.revokeAPIKey(name: "officer-console", actor: "x") }
        #expect(again?.description.contains("revoked already") == true, "\(again?.description ?? "")")
        #expect(again?.description.contains(Self.stamp) == true)
        #expect(try TestStores.count(store, "audit_log") == 2)
    }

    @Test(
        "each change is one audit entry: name, role, hint, by whom; never the secret or its digest",
        arguments: StoreKind.available)
    func auditEntries(_ kind: StoreKind) throws {
        let store = try Self.store(kind, "keyaudit")
        let (_, secret) = try Self.create(store, "auditor-1", .auditor, actor: "ops 王")
        _ = try store.revokeAPIKey(name: "auditor-1", actor: "ops 李")
        let entries = try store.auditEntries(after: 0, limit: 10)
        #expect(entries.map(\.action) == ["api_key_created", "api_key_revoked"])
        #expect(entries.map(\.subject) == ["auditor-1", "auditor-1"])
        #expect(entries.map(\.actor) == ["ops 王", "ops 李"])
        #expect(entries.map(\.at) == [Self.stamp, Self.stamp])
        for entry in entries {
            #expect(entry.details.contains(#""role":"auditor""#) && entry.details.contains(APIKeySecret.hint(secret)))
            let text = [entry.reason, entry.details].joined()
            #expect(!text.contains(secret) && !text.contains(APIKeySecret.sha256(secret)))
        }
        let verification = try store.verifyAudit()
        #expect(verification.intact && verification.entries == 2, "\(verification.problems)")
    }

    @Test(
        "audit verify finds keys edited by hand: a role raised, a revoked key revived, a key slipped in or deleted",
        arguments: StoreKind.available)
    func tampering(_ kind: StoreKind) throws {
        let store = try Self.store(kind, "keytamper")
        _ = try Self.create(store, "shop", .storefront)
        _ = try Self.create(store, "old", .officer)
        _ = try store.revokeAPIKey(name: "old", actor: "ops")
        #expect(try store.verifyAudit().intact)
        let problems: () throws -> [AuditVerification.Problem] = { try store.verifyAudit().problems }

        try TestStores.tamper(store, "UPDATE api_key SET role = 'admin' WHERE name = 'shop'")
        #expect(try problems().contains { $0.kind == .stateMismatch && $0.detail.contains("has role admin") })
        try TestStores.tamper(store, "UPDATE api_key SET role = 'storefront' WHERE name = 'shop'")
        #expect(try store.verifyAudit().intact)

        try TestStores.tamper(store, "UPDATE api_key SET revoked_at = NULL, revoked_by = NULL WHERE name = 'old'")
        #expect(try problems().contains { $0.detail.contains("made active again") })
        try TestStores.tamper(store, "UPDATE api_key SET revoked_audit_seq = NULL WHERE name = 'old'")
        #expect(try problems().contains { $0.kind == .unrecorded && $0.detail.contains("revocation of key 'old'") })

        try TestStores.tamper(store, "DELETE FROM api_key WHERE name = 'shop'")
        #expect(try problems().contains { $0.kind == .unrecorded && $0.detail.contains("creation of key 'shop'") })

        let forged = APIKeySecret.generate()
        try TestStores.tamper(
            store,
            """
            INSERT INTO api_key (name, role, secret_sha256, hint, created_at, created_by, created_audit_seq)
            VALUES ('mine', 'admin', '\(APIKeySecret.sha256(forged))', 'sgk_Zzzz', 'x', 'x', 1)
            """)
        #expect(try store.activeAPIKey(secretSHA256: APIKeySecret.sha256(forged)) != nil, "the store trusts its rows")
        #expect(try problems().contains { $0.detail.contains("'mine'") && $0.detail.contains("creation") })
    }

    @Test(
        "a database a newer ShelfGuard migrated: keys are neither created nor revoked", arguments: StoreKind.available)
    func newerSchema(_ kind: StoreKind) throws {
        let store = try Self.store(kind, "keynewer")
        _ = try Self.create(store, "shop", .storefront)
        let table = kind == .sqlite ? "grdb_migrations (identifier)" : "shelfguard_migration (name, applied_at)"
        let values = kind == .sqlite ? "('v99: from the future')" : "('pg99: from the future', 'x')"
        try TestStores.tamper(store, "INSERT INTO \(table) VALUES \(values)")
        let create = #expect(throws: LedgerError.self) { try Self.create(store, "other", .admin) }
        #expect(create?.description.contains("newer ShelfGuard") == true, "\(create?.description ?? "")")
        let revoke = #expect(throws: LedgerError.self) { try store.revokeAPIKey(name: "shop", actor: "ops") }
        #expect(revoke?.description.contains("newer ShelfGuard") == true, "\(revoke?.description ?? "")")
        // Counted past the store (PostgreSQL's reads refuse the newer schema too).
        let entries: Int64?
        switch store {
        case let postgres as PostgresLedger:
            entries = try postgres.pool.withSession { try $0.scalar("SELECT COUNT(*) FROM audit_log", as: Int64.self) }
        default:
            entries = Int64(try TestStores.count(store, "audit_log"))
        }
        #expect(entries == 1, "nothing written")
        for readOnly in [false, true] {
            let error = #expect(throws: LedgerError.self) {
                switch store {
                case let sqlite as SQLiteLedger: _ = try SQLiteLedger(path: sqlite.path, readOnly: readOnly)
                default: _ = try PostgresLedger(url: try Self.url(of: store), readOnly: readOnly)
                }
            }
            #expect(error?.description.contains("newer ShelfGuard") == true)
        }
    }

    /// The URL a PostgreSQL test store was opened with (its location hides no password: the test
    /// server trusts its one user).
    static func url(of store: any LedgerStore) throws -> String {
        let server = try #require(StoreKind.postgresURL)
        let name = try #require(store.location.split(separator: "/").last.map(String.init))
        return try TestStores.database(name, on: server)
    }

    @Test("a v7 SQLite database opens upgraded (v8): no keys yet, keys work, the log verifies")
    func upgradeSQLite() throws {
        let path = try TestFiles.directory("v7").appendingPathComponent("old.db").path
        let queue = try DatabaseQueue(path: path)
        try SQLiteLedger.migrator.migrate(queue, upTo: "v7: the review queue")
        try queue.close()
        let ledger = try SQLiteLedger(path: path, now: { APIKeyStoreTests.instant })
        #expect(try ledger.appliedMigrations().contains("v8: the service's API keys"))
        #expect(try ledger.apiKeys(includeRevoked: true).isEmpty)
        let (key, secret) = try Self.create(ledger, "shop", .storefront)
        #expect(try ledger.activeAPIKey(secretSHA256: APIKeySecret.sha256(secret)) == key)
        #expect(try ledger.verifyAudit().intact)
    }

    @Test(
        "a pg1 PostgreSQL database opens upgraded (pg2) under the migration lock, recorded in shelfguard_migration",
        .enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresAbsent)))
    func upgradePostgres() throws {
        let url = try TestStores.freshDatabase("pg1")
        // What the previous ShelfGuard left: pg1 applied, nothing more.
        let pool = ConnectionPool(
            configuration: try PostgresLedger.configuration(url: url), logger: .init(label: "test"))
        defer { pool.close() }
        let first = try #require(PostgresLedger.migrations.first)
        try pool.withSession { session in
            try session.execute(
                "CREATE TABLE shelfguard_migration (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)")
            for statement in first.statements { try session.execute(statement) }
            try session.execute("INSERT INTO shelfguard_migration (name, applied_at) VALUES ($1, 'then')", [first.name])
        }
        #expect(throws: LedgerError.self, "a reader does not upgrade") { try PostgresLedger(url: url, readOnly: true) }
        let ledger = try PostgresLedger(url: url, now: { APIKeyStoreTests.instant })
        #expect(try ledger.appliedMigrations() == PostgresLedger.migrations.map(\.name))
        #expect(try ledger.appliedMigrations().contains("pg2: the service's API keys"))
        let (key, secret) = try Self.create(ledger, "shop", .storefront)
        #expect(try ledger.activeAPIKey(secretSHA256: APIKeySecret.sha256(secret)) == key)
        #expect(try PostgresLedger(url: url, readOnly: true).apiKeys(includeRevoked: true) == [key])
        #expect(try ledger.verifyAudit().intact)
    }
}

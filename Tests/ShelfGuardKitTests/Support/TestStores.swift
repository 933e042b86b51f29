import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardPostgres
@testable import ShelfGuardSQLite

/// The stores the behaviour suite runs against: SQLite always; PostgreSQL when a server is given
/// in `SHELFGUARD_TEST_POSTGRES` (the README's test command starts a throwaway one through
/// `scripts/with-postgres`). Each test gets a fresh, empty store of its own: a new SQLite file,
/// or a new database on the server.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The server's URL, when the suite has one.
    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["SHELFGUARD_TEST_POSTGRES"] ?? ""
        return url.isEmpty ? nil : url
    }

    /// Why PostgreSQL is left out, when it is.
    static let postgresAbsent =
        "no PostgreSQL server: SHELFGUARD_TEST_POSTGRES is not set (the README's test command, scripts/test, starts one through scripts/with-postgres)"

    /// Every store this run can test.
    static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

enum TestStores {
    /// A fresh, empty store of this kind, with the given clock.
    static func make(
        _ kind: StoreKind, _ label: String = "store", now: @escaping @Sendable () -> Date = { WallClock.now() }
    ) throws -> any LedgerStore {
        switch kind {
        case .sqlite:
            return try SQLiteLedger(
                path: try TestFiles.directory(label).appendingPathComponent("\(label).db").path, now: now)
        case .postgres:
            return try PostgresLedger(url: try freshDatabase(label), now: now)
        }
    }

    /// A fresh store for the built binary: the arguments that name it (`--db`, and for a server
    /// `--bundle-store` in the test's folder, which a SQLite store keeps beside its file), a
    /// handle on it for checks, and the test's folder.
    struct ForBinary {
        var arguments: [String]
        var store: any LedgerStore
        var folder: URL
    }

    static func forBinary(_ kind: StoreKind, _ label: String) throws -> ForBinary {
        let folder = try TestFiles.directory(label)
        switch kind {
        case .sqlite:
            let path = folder.appendingPathComponent("\(label).db").path
            return ForBinary(arguments: ["--db", path], store: try SQLiteLedger(path: path), folder: folder)
        case .postgres:
            let url = try freshDatabase(label)
            return ForBinary(
                arguments: ["--db", url, "--bundle-store", folder.appendingPathComponent("bundles").path],
                store: try PostgresLedger(url: url), folder: folder)
        }
    }

    /// Two handles on one fresh store, as two processes or machines would hold them.
    static func pair(_ kind: StoreKind, _ label: String) throws -> (any LedgerStore, any LedgerStore) {
        switch kind {
        case .sqlite:
            let path = try TestFiles.directory(label).appendingPathComponent("\(label).db").path
            return (try SQLiteLedger(path: path), try SQLiteLedger(path: path))
        case .postgres:
            let url = try freshDatabase(label)
            return (try PostgresLedger(url: url), try PostgresLedger(url: url))
        }
    }

    /// The URL of a new, empty database on the test server.
    static func freshDatabase(_ label: String) throws -> String {
        guard let server = StoreKind.postgresURL else { throw LedgerError(StoreKind.postgresAbsent) }
        let name =
            "sg_" + label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(20) + "_"
            + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let admin = ConnectionPool(
            configuration: try PostgresLedger.configuration(url: server), logger: .init(label: "test"))
        defer { admin.close() }
        try admin.withSession { session in _ = try session.execute("CREATE DATABASE \(name)") }
        return try database(name, on: server)
    }

    /// `server`'s URL with its database replaced by `name`.
    static func database(_ name: String, on server: String) throws -> String {
        var url = try #require(URLComponents(string: server))
        url.path = "/" + name
        return try #require(url.string)
    }

    /// How many rows a table of the store holds: for tests that check what a change wrote.
    static func count(_ store: any LedgerStore, _ table: String) throws -> Int {
        switch store {
        case let sqlite as SQLiteLedger:
            return try DatabaseQueue(path: sqlite.path).read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
        case let postgres as PostgresLedger:
            return try postgres.read { session in
                Int(try session.scalar("SELECT COUNT(*) FROM \(table)", as: Int64.self) ?? 0)
            }
        default:
            throw LedgerError("no row counts for \(type(of: store))")
        }
    }

    /// Every column of every row a query returns, as text (for checks that join tables; cast
    /// numbers with `CAST(x AS TEXT)`, which both stores read).
    static func texts(_ store: any LedgerStore, _ sql: String) throws -> [[String]] {
        switch store {
        case let sqlite as SQLiteLedger:
            return try DatabaseQueue(path: sqlite.path).read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    row.databaseValues.map { String.fromDatabaseValue($0) ?? ($0.isNull ? "" : $0.description) }
                }
            }
        case let postgres as PostgresLedger:
            return try postgres.read { session in
                try session.query(sql).map { row in
                    try (0..<row.row.count).map { try row.row[$0].decode(String?.self, context: .default) ?? "" }
                }
            }
        default:
            throw LedgerError("no queries on \(type(of: store))")
        }
    }

    /// What would differ if anything were written: the rows of every table that a change
    /// writes to, counted, and the audit head.
    static func fingerprint(_ store: any LedgerStore) throws -> [String] {
        var parts = [try store.auditHead().map { "\($0.seq) \($0.hash)" } ?? "empty"]
        for table in ["app", "version", "shelf_state", "state_change", "review", "decision", "complaint", "alert"] {
            parts.append("\(table) \(try count(store, table))")
        }
        parts += try texts(store, "SELECT CAST(version_id AS TEXT), state FROM shelf_state ORDER BY version_id").map {
            $0.joined(separator: " ")
        }
        return parts
    }

    /// Runs SQL on the store directly, as someone with write access to the database would:
    /// for tests that tamper with it. `?` placeholders are written `$1…` for PostgreSQL.
    static func tamper(_ store: any LedgerStore, _ sql: String) throws {
        switch store {
        case let sqlite as SQLiteLedger:
            try DatabaseQueue(path: sqlite.path).write { try $0.execute(sql: sql) }
        case let postgres as PostgresLedger:
            try postgres.pool.withSession { session in _ = try session.execute(sql) }
        default:
            throw LedgerError("cannot run SQL on \(type(of: store))")
        }
    }
}

/// Shown as a skipped test when the suite runs without a PostgreSQL server, so that a run that
/// tested SQLite only says so.
@Suite("PostgreSQL test server")
struct PostgresServerTests {
    @Test(
        "the behaviour suite runs against PostgreSQL too",
        .enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresAbsent)))
    func serverAnswers() throws {
        let store = try TestStores.make(.postgres, "server")
        #expect(try store.auditHead() == nil)
        #expect(try TestStores.count(store, "audit_log") == 0)
    }
}

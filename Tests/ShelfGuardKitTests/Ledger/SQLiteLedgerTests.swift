import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardSQLite

/// The evidence registry in the SQLite ledger: idempotent imports, the same answers as the
/// files, and an audit log that shows any tampering done to the file directly.
@Suite("SQLite ledger: registry and audit log")
struct SQLiteLedgerTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples/registry")

    static func ledger(_ label: String = "ledger") throws -> SQLiteLedger {
        let path = try TestFiles.directory(label).appendingPathComponent("shelfguard.db").path
        return try SQLiteLedger(path: path)
    }

    static func sampleFiles() throws -> [RegistryFile] {
        try RegistryFile.expand([samples.path]).map { try RegistryFile.read(URL(fileURLWithPath: $0)) }
    }

    @Test("a database from an older ShelfGuard, opened by eight writers at once: each opens it, migrated once")
    func concurrentUpgrade() throws {
        let last = try #require(SQLiteLedger.knownMigrations.last)
        let previous = SQLiteLedger.knownMigrations[SQLiteLedger.knownMigrations.count - 2]
        for round in 0..<4 {
            let path = try TestFiles.directory("upgrade-\(round)").appendingPathComponent("old.db").path
            // The file as the ShelfGuard before the last migration left it.
            try SQLiteLedger.migrator.migrate(try DatabasePool(path: path), upTo: previous)
            let errors = ErrorBox()
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try SQLiteLedger(path: path) } catch { errors.add(error) }
            }
            #expect(errors.first == nil, "round \(round): \(String(describing: errors.first))")
            let applied = try DatabaseQueue(path: path).read { try SQLiteLedger.migrator.appliedIdentifiers($0) }
            #expect(applied.contains(last))
        }
    }

    @Test("read-only opening needs an existing, up-to-date database")
    func readOnly() throws {
        let folder = try TestFiles.directory("ro")
        let path = folder.appendingPathComponent("none.db").path
        #expect(throws: LedgerError.self) { try SQLiteLedger(path: path, readOnly: true) }
        _ = try SQLiteLedger(path: path)
        let reader = try SQLiteLedger(path: path, readOnly: true)
        #expect(try reader.counts() == RegistryCounts())
        let foreign = folder.appendingPathComponent("foreign.db").path
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect(throws: LedgerError.self) { try SQLiteLedger(path: foreign, readOnly: true) }
        let text = folder.appendingPathComponent("text.db").path
        try "not a database".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(throws: LedgerError.self) { try SQLiteLedger(path: text) }
    }

    @Test("migrations this ShelfGuard does not know are named, in order; known ones, applied or not, are not")
    func unknownMigrations() {
        let known = ["v1: a", "v2: b", "v3: c"]
        #expect(SQLiteLedger.unknownMigrations(applied: ["v1: a", "v2: b"], known: known) == [])
        #expect(SQLiteLedger.unknownMigrations(applied: Set(known), known: known) == [])
        #expect(
            SQLiteLedger.unknownMigrations(applied: Set(known + ["v5: e", "v4: d"]), known: known) == [
                "v4: d", "v5: e",
            ])
        #expect(SQLiteLedger.knownMigrations.first?.hasPrefix("v1:") == true)
        #expect(SQLiteLedger.knownMigrations.last?.hasPrefix("v\(SQLiteLedger.knownMigrations.count):") == true)
    }

    @Test(
        "a database a newer ShelfGuard migrated: not opened for reading or writing, and not written by a ledger opened before"
    )
    func newerSchema() throws {
        let path = try TestFiles.directory("newer").appendingPathComponent("shelf.db").path
        let ledger = try SQLiteLedger(path: path)
        var newer = SQLiteLedger.migrator
        newer.registerMigration("v99: from the future") { db in
            try db.execute(sql: "CREATE TABLE future (x)")
        }
        try newer.migrate(try DatabaseQueue(path: path))
        let waiver = Waiver(app: "a", rule: "r", reason: "x", expires: "2027-01-01", grantedBy: "b", source: "s")
        func isNewer(_ error: LedgerError) -> Bool {
            error.description.contains("\(path) was written by a newer ShelfGuard")
                && error.description.contains("(v99: from the future)")
                && error.description.contains("Upgrade shelfguard")
        }
        #expect(throws: LedgerError.self) {
            _ = try ledger.record(waiver, actor: "a")
        }
        do {
            _ = try ledger.record(waiver, actor: "a")
        } catch let error as LedgerError { #expect(isNewer(error), "\(error)") }
        #expect(try ledger.auditEntries(after: 0, limit: 10).isEmpty, "written after the upgrade")
        for readOnly in [false, true] {
            do {
                _ = try SQLiteLedger(path: path, readOnly: readOnly)
                Issue.record("opened a newer database, readOnly: \(readOnly)")
            } catch { #expect(isNewer(error), "\(error)") }
        }
    }

    @Test("the immutable URI: absolute, percent-encoded, read-only")
    func immutableURI() {
        #expect(SQLiteLedger.immutableURI("/srv/shelf.db") == "file:/srv/shelf.db?mode=ro&immutable=1")
        #expect(
            SQLiteLedger.immutableURI("db/a b?#%.db", workingFolder: "/home/审核")
                == "file:/home/%E5%AE%A1%E6%A0%B8/db/a%20b%3F%23%25.db?mode=ro&immutable=1")
        #expect(SQLiteLedger.immutableURI("x.db", workingFolder: "/") == "file:/x.db?mode=ro&immutable=1")
    }

    @Test("the busy timeout: a write waits for another process's write, then fails with a clear error")
    func busyTimeout() throws {
        #expect(SQLiteLedger.defaultBusyTimeout == 30)
        let path = try Self.ledger("busy").path
        let impatient = try SQLiteLedger(path: path, busyTimeout: 0.2)
        let waiver = Waiver(app: "a", rule: "r", reason: "x", expires: "2027-01-01", grantedBy: "b", source: "s")
        let other = try DatabaseQueue(path: path)
        let started = Date()
        try other.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            #expect(throws: LedgerError.self) { try impatient.record(waiver, actor: "a") }
        }
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.15 && waited < 10, "waited \(waited) s")
        #expect(try impatient.record(waiver, actor: "a") == .added, "once the other write is done")
    }

    // MARK: - Tampering with the file

    /// A ledger with `count` audit entries, and a raw connection to its file with the
    /// append-only triggers dropped, as someone editing the file would.
    static func tampered(_ count: Int) throws -> (SQLiteLedger, DatabaseQueue) {
        let ledger = try Self.ledger("tamper")
        for i in 0..<count {
            _ = try ledger.record(
                Waiver(
                    app: "com.app\(i)", rule: "r", reason: "why \(i)", expires: "2027-01-01", grantedBy: "b",
                    source: "s"),
                actor: "reviewer\(i)")
        }
        #expect(try ledger.verifyAudit().intact)
        let raw = try DatabaseQueue(path: ledger.path)
        try raw.write {
            try $0.execute(sql: "DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete")
        }
        return (ledger, raw)
    }

    @Test("the log refuses updates and deletes through SQL while its triggers stand")
    func appendOnly() throws {
        let ledger = try Self.ledger("append-only")
        _ = try ledger.record(
            Waiver(app: "a", rule: "r", reason: "x", expires: "2027-01-01", grantedBy: "b", source: "s"), actor: "a")
        let raw = try DatabaseQueue(path: ledger.path)
        #expect(throws: DatabaseError.self) {
            try raw.write { try $0.execute(sql: "UPDATE audit_log SET actor = 'x'") }
        }
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "DELETE FROM audit_log") } }
    }

    @Test("an edited entry is found")
    func edited() throws {
        let (ledger, raw) = try Self.tampered(5)
        try raw.write { try $0.execute(sql: "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3") }
        let problems = try ledger.verifyAudit().problems
        #expect(problems.contains { $0.kind == .edited && $0.seq == 3 }, "\(problems)")
    }

    @Test("a deleted entry is found, in the middle and at the end")
    func deleted() throws {
        let (ledger, raw) = try Self.tampered(5)
        try raw.write { try $0.execute(sql: "DELETE FROM audit_log WHERE seq = 2") }
        let problems = try ledger.verifyAudit().problems
        #expect(problems.contains { $0.kind == .deleted && $0.seq == 3 }, "\(problems)")
        try raw.write { try $0.execute(sql: "DELETE FROM audit_log WHERE seq = 5") }
        #expect(try ledger.verifyAudit().problems.contains { $0.kind == .headMismatch })
    }

    @Test("reordered entries are found")
    func reordered() throws {
        let (ledger, raw) = try Self.tampered(5)
        try raw.write { db in
            let columns = "at, actor, action, subject, reason, details, prev_hash, hash"
            try db.execute(sql: "CREATE TEMP TABLE swap AS SELECT seq, \(columns) FROM audit_log WHERE seq IN (2, 3)")
            try db.execute(
                sql: """
                    UPDATE audit_log SET (\(columns)) = (SELECT \(columns) FROM swap
                    WHERE swap.seq = CASE audit_log.seq WHEN 2 THEN 3 ELSE 2 END) WHERE seq IN (2, 3)
                    """)
        }
        let problems = try ledger.verifyAudit().problems
        #expect(problems.contains { $0.kind == .reordered && $0.seq == 2 }, "\(problems)")
    }

    @Test("a rewritten chain is caught against a head recorded earlier")
    func rewritten() throws {
        let (ledger, raw) = try Self.tampered(3)
        let head = try ledger.verifyAudit().headHash
        // Rewrite entry 3 and recompute its hash and the head: the chain is consistent again…
        try raw.write { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM audit_log WHERE seq = 3"))
            let hash = AuditEntry.hash(
                prevHash: row["prev_hash"], seq: 3, at: row["at"], actor: "forger", action: row["action"],
                subject: row["subject"], reason: row["reason"], details: row["details"])
            try db.execute(sql: "UPDATE audit_log SET actor = 'forger', hash = ? WHERE seq = 3", arguments: [hash])
            try db.execute(sql: "UPDATE audit_head SET hash = ? WHERE id = 1", arguments: [hash])
        }
        #expect(try ledger.verifyAudit().intact)
        // …but the head recorded before is gone from it.
        #expect(try ledger.auditEntry(hash: head) == nil)
    }

    @Test("verification catches tampering through the binary too, exit 2")
    func verifyCommand() throws {
        let (ledger, raw) = try Self.tampered(3)
        let intact = try ShelfGuardBinary.run(["audit", "verify", "--db", ledger.path, "--format", "json"])
        #expect(intact.status == 0, "\(intact.stdout)\(intact.stderr)")
        let head = try #require(try intact.json()["headHash"] as? String)
        try raw.write { try $0.execute(sql: "UPDATE audit_log SET reason = 'nothing' WHERE seq = 1") }
        let broken = try ShelfGuardBinary.run(["audit", "verify", "--db", ledger.path])
        #expect(broken.status == 2)
        #expect(broken.stdout.contains("entry 1: edited"))
        let ok = try ShelfGuardBinary.run(["audit", "verify", "--db", ledger.path, "--expect-head", head])
        #expect(ok.status == 2, "still broken at entry 1")
        let unknown = try ShelfGuardBinary.run([
            "audit", "verify", "--db", ledger.path, "--expect-head", String(repeating: "f", count: 64),
        ])
        #expect(unknown.stdout.contains("is not in the chain"))
    }
}

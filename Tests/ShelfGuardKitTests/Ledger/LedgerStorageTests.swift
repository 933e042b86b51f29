import Crypto
import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardSQLite

/// The pieces under the ledger that emergency orders lean on for speed: the hand-written
/// canonical JSON the audit chain hashes, the bulk statement binding values straight to SQLite,
/// and the v4 migration that moved shelf states into a table of their own.
@Suite("Ledger storage: canonical JSON, bulk statements, the v4 migration")
struct LedgerStorageTests {
    @Test("canonical JSON escapes quotes, backslashes and control characters, and nothing else")
    func escapes() {
        #expect(CanonicalJSON.string("") == #""""#)
        #expect(CanonicalJSON.string("plain") == #""plain""#)
        #expect(CanonicalJSON.string(#"say "hi" \ bye"#) == #""say \"hi\" \\ bye""#)
        #expect(CanonicalJSON.string("a\nb\tc\rd\u{08}e\u{0C}f") == #""a\nb\tc\rd\be\ff""#)
        #expect(CanonicalJSON.string("\u{00}\u{01}\u{1F}") == #""\u0000\u0001\u001f""#)
        // Slashes, DEL and CJK stay literal UTF-8.
        #expect(CanonicalJSON.string("网信算备/1\u{7F}") == "\"网信算备/1\u{7F}\"")
        // An escape at the very start and the very end of the text.
        #expect(CanonicalJSON.string("\"x\"") == #""\"x\"""#)
    }

    @Test("canonical JSON objects sort their keys by code point, whatever order they are given in")
    func objects() {
        let details = CanonicalJSON.object([
            "to": "taken_down", "from": "approved", "order": "网信办〔2026〕1号", "count": .int(-3), "ok": true,
            "list": .strings(["b", "a\""]), "Zed": "capital letters sort first",
        ])
        #expect(
            details
                == #"{"Zed":"capital letters sort first","count":-3,"from":"approved","list":["b","a\""],"ok":true,"order":"网信办〔2026〕1号","to":"taken_down"}"#
        )
        #expect(CanonicalJSON.array(["1", "两", "\n"]) == #"["1","两","\n"]"#)
        #expect(CanonicalJSON.object([:]) == "{}")
        #expect(CanonicalJSON.array([]) == "[]")
    }

    @Test("an audit hash is SHA-256 over the previous hash, a newline and the canonical entry")
    func auditHash() {
        let hash = AuditEntry.hash(
            prevHash: AuditEntry.genesis, seq: 7, at: "2026-11-25T08:00:00.000Z", actor: "officer 王",
            action: "take_down", subject: #"com.example "quoted""#, reason: "order\nline two", details: "{}")
        let text =
            AuditEntry.genesis + "\n"
            + #"["7","2026-11-25T08:00:00.000Z","officer 王","take_down","com.example \"quoted\"","order\nline two","{}"]"#
        #expect(hash == SHA256.hash(data: Array(text.utf8)).hexString)
    }

    static func table() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write {
            try $0.execute(
                sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER NOT NULL)")
        }
        return queue
    }

    @Test("a bulk statement binds text (the empty string as text, not NULL) and integers")
    func bulkBinds() throws {
        let queue = try Self.table()
        try queue.write { db in
            let insert = try BulkStatement(db, sql: "INSERT INTO t (name, n) VALUES (?, ?)")
            try insert.execute(.text(""), .int(-1))
            try insert.execute(.text("两个字"), .int(Int64.max))
            try insert.execute(.text(String(repeating: "x", count: 100_000)), .int(0))
        }
        let rows = try queue.read { try Row.fetchAll($0, sql: "SELECT name, n FROM t ORDER BY id") }
        #expect(rows.map { $0["name"] as String? } == ["", "两个字", String(repeating: "x", count: 100_000)])
        #expect(rows.map { $0["n"] as Int64 } == [-1, Int64.max, 0])
    }

    @Test("a bulk statement that breaks a constraint throws SQLite's error, and the statement stays usable")
    func bulkErrors() throws {
        let queue = try Self.table()
        try queue.write { db in
            let insert = try BulkStatement(db, sql: "INSERT INTO t (name, n) VALUES (?, ?)")
            try insert.execute(.text("once"), .int(1))
            let error = #expect(throws: DatabaseError.self) { try insert.execute(.text("once"), .int(2)) }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT)
            #expect(error?.message?.contains("UNIQUE") == true)
            try insert.execute(.text("twice"), .int(2))
        }
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 2)
    }

    @Test("a v3 database opens upgraded: states move to shelf_state, 'since' comes from the state changes")
    func migrationV4() throws {
        let path = try TestFiles.directory("v3").appendingPathComponent("old.db").path
        let queue = try DatabaseQueue(path: path)
        try SQLiteLedger.migrator.migrate(queue, upTo: "v3: daily management, complaints, emergency measures, the feed")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO app (app_id, name, platform, developer, uscc, first_seen, updated_at)
                    VALUES ('com.example.old', 'Old', 'android', 'Dev', '', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
                    INSERT INTO version (id, app_id, bundle_sha256, format, size, version_name, version_code, state, state_since, first_seen)
                    VALUES (1, 'com.example.old', 'aa', 'apk', 1, '1.0', '1', 'suspended', '2026-03-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                           (2, 'com.example.old', 'bb', 'apk', 1, '1.1', '2', 'submitted', '2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
                    INSERT INTO state_change (version_id, from_state, to_state, at, actor, reason, cause, audit_seq)
                    VALUES (1, 'submitted', 'approved', '2026-01-01T00:00:00.000Z', 'r', '', 'review', 1),
                           (1, 'approved', 'suspended', '2026-03-01T00:00:00.000Z', 'o', 'order', 'measure', 2);
                    """)
        }
        try queue.close()
        let ledger = try SQLiteLedger(path: path)
        let versions = try ledger.versions(ShelfFilter(app: "com.example.old"))
        #expect(versions.map(\.state) == [.suspended, .submitted])
        #expect(versions.map(\.stateSince) == ["2026-03-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"])
        #expect(try ledger.versions(ShelfFilter(states: [.suspended])).map(\.versionID) == [1])
        #expect(try ledger.appliedMigrations().contains("v4: shelf states in a table of their own"))
        // v5: changes written before business days were kept take effect on the day they were written.
        let days = try DatabaseQueue(path: path).read {
            try String.fetchAll($0, sql: "SELECT effective_on FROM state_change ORDER BY id")
        }
        #expect(days == ["2026-01-01", "2026-03-01"])
    }

    @Test("a v5 database opens upgraded: complaints keep their day of receipt, due days come from the policy")
    func migrationV6() throws {
        let path = try TestFiles.directory("v5").appendingPathComponent("old.db").path
        let queue = try DatabaseQueue(path: path)
        try SQLiteLedger.migrator.migrate(queue, upTo: "v5: the business day each state change took effect")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO complaint (id, app_id, text, contact, received_at, status, audit_seq)
                    VALUES (1, 'com.example.old', '没有标识', '', '2026-03-01T10:00:00.000Z', 'open', 1);
                    """)
        }
        try queue.close()
        let ledger = try SQLiteLedger(path: path)
        #expect(try ledger.appliedMigrations().contains("v6: complaint categories, due days and reviewers' tasks"))
        let old = try #require(try ledger.openComplaints().first)
        #expect(old.receivedOn == "2026-03-01" && old.dueOn == "" && old.category == "")
        var policy = ComplaintPolicy()
        policy.handlingDays = 10
        #expect(ComplaintRules.dueOn(old, policy: policy) == "2026-03-11")
        #expect(policy.category(old.category).id == "general")
        #expect(try ledger.complaintTasks(openOnly: false).isEmpty)
    }
}

import Foundation
import GRDB
import ShelfGuardSQLite
import Testing

@testable import ShelfGuardKit

/// `audit verify` against someone with write access to the database: the log is cross-checked
/// with the rows it records and the shelf's states, and checkpoints kept outside the database
/// catch entries cut from the end. Tampering is done to real ledgers (the samples reviewed, a
/// decision and a takedown applied) through a raw connection with the append-only triggers
/// dropped, as someone editing the file would.
@Suite("Audit log: cross-checks and checkpoints")
struct AuditIntegrityTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

    /// A shelf database with every sample reviewed, voicechat (wx8c3f…) decided by a reviewer and facefun
    /// taken down: reviews, decisions, state changes of every cause, one audit entry each.
    static func shelf(_ name: String) throws -> String {
        let folder = try TestFiles.directory("audit-\(name)")
        let db = folder.appendingPathComponent("shelf.db").path
        let registry = samples.appendingPathComponent("registry").path
        let review = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", "2026-06-01", "--registry", registry, "--report-dir",
            folder.appendingPathComponent("reports").path, samples.path,
        ])
        #expect([0, 2, 3].contains(review.status), "\(review.stderr)")
        let decide = try ShelfGuardBinary.run([
            "shelf", "decide", "wx8c3f2a1b0d9e7f65", "--approve", "--reason", "checked by hand", "--reviewer",
            "审核员 李四", "--db", db,
        ])
        #expect(decide.status == 0, "\(decide.stdout)\(decide.stderr)")
        let takedown = try ShelfGuardBinary.run([
            "takedown", "--app", "com.example.facefun", "--reason", "incident", "--order", "CAC-1", "--db", db,
            "--operator", "officer",
        ])
        #expect([0, 2].contains(takedown.status), "\(takedown.stdout)\(takedown.stderr)")
        return db
    }

    static func tamper(_ db: String, _ sql: String) throws {
        let raw = try DatabaseQueue(path: db)
        try raw.write { db in
            try db.execute(
                sql:
                    "DROP TRIGGER IF EXISTS audit_log_append_only_update; DROP TRIGGER IF EXISTS audit_log_append_only_delete"
            )
            try db.execute(sql: sql)
        }
    }

    static func verify(_ db: String, _ extra: [String] = []) throws -> (status: Int32, problems: [[String: Any]]) {
        let run = try ShelfGuardBinary.run(["audit", "verify", "--db", db, "--format", "json"] + extra)
        let problems = (try? run.json()["problems"] as? [[String: Any]]) ?? nil
        return (run.status, problems ?? [["unreadable": run.stdout + run.stderr]])
    }

    static func kinds(_ problems: [[String: Any]]) -> Set<String> {
        Set(problems.compactMap { $0["kind"] as? String })
    }

    @Test("a real ledger verifies intact: every review, decision and measure has its entry and its row")
    func intact() throws {
        let db = try Self.shelf("intact")
        let result = try Self.verify(db)
        #expect(result.status == 0, "\(result.problems)")
        #expect(result.problems.isEmpty)
        // The batch report carries the head as it was after the batch: still in the chain.
        let report = URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent("reports/report.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let head = try #require(json["auditHead"] as? [String: Any])
        #expect(head["seq"] as? Int == 15, "one review entry per sample")
        let hash = try #require(head["hash"] as? String)
        #expect(try Self.verify(db, ["--expect-head", hash]).status == 0)
    }

    @Test(
        "tampering with the ledger beside an intact chain is found",
        arguments: [
            // The log and its head emptied: every row that names an entry finds none.
            ("emptied log", "DELETE FROM audit_log; DELETE FROM audit_head;", "missing_entry"),
            // Only the head deleted.
            ("head deleted", "DELETE FROM audit_head;", "head_mismatch"),
            // A refused version listed by editing its state.
            (
                "state edited", "UPDATE shelf_state SET state = 'approved' WHERE state = 'refused';",
                "state_mismatch"
            ),
            // The takedown's state changes deleted and the states put back: its entries remain.
            (
                "measure undone",
                "DELETE FROM state_change WHERE cause = 'measure'; UPDATE shelf_state SET state = 'approved' WHERE state = 'taken_down';",
                "unrecorded"
            ),
            // A review row deleted: its entry remains.
            ("review deleted", "DELETE FROM finding; DELETE FROM review WHERE id = 1;", "unrecorded"),
            // A state change rewritten to a different move than its entry's.
            (
                "state change edited", "UPDATE state_change SET to_state = 'approved' WHERE to_state = 'refused';",
                "state_mismatch"
            ),
        ])
    func tampering(label: String, sql: String, kind: String) throws {
        let db = try Self.shelf("tamper")
        try Self.tamper(db, sql)
        let result = try Self.verify(db)
        #expect(result.status == 2, "\(label)")
        #expect(Self.kinds(result.problems).contains(kind), "\(label): \(result.problems)")
    }

    @Test("a signed checkpoint proves the log still reaches it; cutting entries from the end is caught")
    func checkpoints() throws {
        let db = try Self.shelf("checkpoint")
        let folder = URL(fileURLWithPath: db).deletingLastPathComponent()
        let key = folder.appendingPathComponent("operator.key").path
        let keygen = try ShelfGuardBinary.run(["audit", "keygen", "--out", key])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let publicKey = folder.appendingPathComponent("operator.pub").path
        try (keygen.stdout.split(separator: " ").last.map(String.init) ?? "").write(
            toFile: publicKey, atomically: true, encoding: .utf8)
        let again = try ShelfGuardBinary.run(["audit", "keygen", "--out", key])
        #expect(again.status == 1, "an existing key file is never overwritten")

        let checkpoint = folder.appendingPathComponent("checkpoint.json").path
        let taken = try ShelfGuardBinary.run(["audit", "checkpoint", "--db", db, "--key", key, "-o", checkpoint])
        #expect(taken.status == 0, "\(taken.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint)))
                as? [String: Any])
        #expect(json["signature"] is String && json["seq"] as? Int ?? 0 > 10)
        #expect(try Self.verify(db, ["--against", checkpoint, "--public-key", publicKey]).status == 0)
        // Without a pinned key the signature proves nothing about who signed, and it says so.
        let unpinned = try ShelfGuardBinary.run(["audit", "verify", "--db", db, "--against", checkpoint])
        #expect(unpinned.status == 0 && unpinned.stderr.contains("pass --public-key"), "\(unpinned.stderr)")

        // Another operator's key does not vouch for it.
        let otherKey = folder.appendingPathComponent("other.key").path
        let other = try ShelfGuardBinary.run(["audit", "keygen", "--out", otherKey])
        let otherPublic = folder.appendingPathComponent("other.pub").path
        try (other.stdout.split(separator: " ").last.map(String.init) ?? "").write(
            toFile: otherPublic, atomically: true, encoding: .utf8)
        let forged = try ShelfGuardBinary.run([
            "audit", "verify", "--db", db, "--against", checkpoint, "--public-key", otherPublic,
        ])
        #expect(forged.status == 1 && forged.stderr.contains("not signed by"), "\(forged.stderr)")

        // The last entries cut, with their rows and the head made consistent: only the checkpoint shows it.
        let seq = try #require(json["seq"] as? Int)
        try Self.tamper(
            db,
            """
            DELETE FROM audit_log WHERE seq >= \(seq - 1);
            UPDATE audit_head SET seq = \(seq - 2), hash = (SELECT hash FROM audit_log WHERE seq = \(seq - 2));
            DELETE FROM state_change WHERE audit_seq >= \(seq - 1);
            UPDATE shelf_state SET state = 'approved' WHERE state = 'taken_down';
            """)
        let cut = try Self.verify(db, ["--against", checkpoint, "--public-key", publicKey])
        #expect(cut.status == 2)
        #expect(Self.kinds(cut.problems).contains("checkpoint_missing"), "\(cut.problems)")
    }

    @Test("no checkpoint is taken of a broken log, nor of an empty one")
    func checkpointRefused() throws {
        let db = try Self.shelf("checkpoint-broken")
        try Self.tamper(db, "UPDATE audit_log SET reason = 'nothing' WHERE seq = 2")
        let broken = try ShelfGuardBinary.run(["audit", "checkpoint", "--db", db])
        #expect(broken.status == 2 && broken.stdout.isEmpty, "\(broken.stdout)")
        let empty = try TestFiles.directory("audit-empty").appendingPathComponent("empty.db").path
        _ = try SQLiteLedger(path: empty)
        let none = try ShelfGuardBinary.run(["audit", "checkpoint", "--db", empty])
        #expect(none.status == 1 && none.stderr.contains("empty"), "\(none.stderr)")
    }

    @Test("a checkpoint file that is not one, or whose signature was altered, is refused")
    func badCheckpoints() throws {
        var checkpoint = AuditCheckpoint(
            head: AuditHead(seq: 3, hash: String(repeating: "a", count: 64), at: "2026-06-01T00:00:00.000Z"),
            takenAt: "2026-06-01T00:00:01.000Z")
        #expect(checkpoint.signatureValid(trusted: nil) == nil)
        let (keyFile, publicText) = AuditSigningKey.generate()
        try checkpoint.sign(with: AuditSigningKey.privateKey(keyFile, source: "k"))
        let trusted = try AuditSigningKey.publicKey(publicText, source: "p")
        #expect(checkpoint.signatureValid(trusted: trusted) == true)
        var altered = checkpoint
        altered.seq = 2
        #expect(altered.signatureValid(trusted: trusted) == false)
        #expect(throws: LedgerError.self) { try AuditCheckpoint.read(Data("{}".utf8), source: "x.json") }
        #expect(throws: LedgerError.self) {
            try AuditCheckpoint.read(Data(#"{"format": "other", "seq": 1, "hash": "x"}"#.utf8), source: "x.json")
        }
        #expect(throws: LedgerError.self) { try AuditSigningKey.privateKey("not a key", source: "k") }
        // The entry at the checkpoint's number must carry its hash.
        let entry = AuditEntry(
            seq: 3, at: "t", actor: "a", action: "x", subject: "s", reason: "r", details: "{}",
            prevHash: AuditEntry.genesis, hash: String(repeating: "b", count: 64))
        #expect(AuditVerification.checkpointProblem(checkpoint, entry: entry)?.kind == .checkpointMissing)
        #expect(AuditVerification.checkpointProblem(checkpoint, entry: nil)?.kind == .checkpointMissing)
        var same = entry
        same.hash = checkpoint.hash
        #expect(AuditVerification.checkpointProblem(checkpoint, entry: same) == nil)
    }

    @Test("the cross-check as a pure function: a consistent ledger raises nothing")
    func pureCrossCheck() {
        func entry(_ seq: Int64, _ action: String, from: String? = nil, to: String? = nil) -> AuditEntry {
            var details: [String: CanonicalJSON.Value] = [:]
            if let from, let to { details = ["from": .string(from), "to": .string(to)] }
            return AuditEntry(
                seq: seq, at: "t", actor: "a", action: action, subject: "app \(seq)", reason: "r",
                details: CanonicalJSON.object(details), prevHash: "", hash: "")
        }
        let entries = [
            entry(1, "review", from: "submitted", to: "manual_review"),
            entry(2, "decision", from: "manual_review", to: "approved"),
            entry(3, "takedown", from: "approved", to: "taken_down"),
            entry(4, "waiver_granted"),
        ]
        var facts = AuditLedgerFacts(
            references: [
                .init(record: "review", id: 1, auditSeq: 1), .init(record: "decision", id: 1, auditSeq: 2),
            ],
            stateChanges: [
                .init(id: 1, versionID: 7, from: "submitted", to: "manual_review", auditSeq: 1),
                .init(id: 2, versionID: 7, from: "manual_review", to: "approved", auditSeq: 2),
                .init(id: 3, versionID: 7, from: "approved", to: "taken_down", auditSeq: 3),
            ],
            shelfStates: [7: "taken_down", 8: "submitted"])
        #expect(AuditVerification.crossCheck(entries, facts).isEmpty)
        // A second state change naming the same entry.
        facts.stateChanges.append(.init(id: 4, versionID: 7, from: "taken_down", to: "taken_down", auditSeq: 3))
        let problems = AuditVerification.crossCheck(entries, facts)
        #expect(problems.contains { $0.kind == .stateMismatch && $0.detail.contains("2 state changes") }, "\(problems)")
        // An emptied log of a large ledger: the first rows of each kind named, the rest counted.
        let orphans = AuditLedgerFacts(
            references: (1...50).map { .init(record: "review", id: $0, auditSeq: $0) },
            stateChanges: (1...30).map {
                .init(id: $0, versionID: $0, from: "submitted", to: "approved", auditSeq: $0)
            },
            shelfStates: Dictionary(uniqueKeysWithValues: (1...30).map { (Int64($0), "approved") }))
        let missing = AuditVerification.crossCheck([], orphans).filter { $0.kind == .missingEntry }
        #expect(missing.count == 20 + 20 + 2, "\(missing.count)")
        #expect(missing.contains { $0.detail == "and 30 more review rows name audit entries that are not in the log" })
        #expect(
            missing.contains { $0.detail == "and 10 more state_change rows name audit entries that are not in the log" }
        )
    }
}

import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// The shelf database as an operator meets the file: written by a newer ShelfGuard, or one this
/// user may only read (file and folder), through the built binary.
@Suite("the shelf database file, end to end", .serialized)
struct LedgerFileTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    static let day = "2026-11-24"

    /// A fresh folder that every user can enter (the unprivileged runs read from it): under the
    /// temporary folder when every folder above it is open to others, else under /tmp.
    static func sharedFolder(_ label: String) throws -> URL {
        func openToOthers(_ url: URL) -> Bool {
            var folder = url
            while true {
                var info = stat()
                guard stat(folder.path, &info) == 0, info.st_mode & 0o001 != 0 else { return false }
                if folder.path == "/" { return true }
                folder = folder.deletingLastPathComponent()
            }
        }
        let base = try #require(
            [FileManager.default.temporaryDirectory, URL(fileURLWithPath: "/tmp")].first(where: openToOthers),
            "no temporary folder that other users can enter")
        let folder = base.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        chmod(folder.path, 0o755)
        return folder
    }

    /// A shelf database holding the sample evidence and the reviewed calculator, with copies of
    /// the calculator and of the notes app (not reviewed) and their declarations in `intake/`,
    /// every file readable by every user.
    static func shelf(_ label: String) throws -> (folder: URL, db: String, reviewed: String, fresh: String) {
        let folder = try sharedFolder(label)
        let db = folder.appendingPathComponent("shelfguard.db").path
        let intake = folder.appendingPathComponent("intake")
        try FileManager.default.createDirectory(at: intake, withIntermediateDirectories: true)
        chmod(intake.path, 0o755)
        for name in [
            "calculator.apk", "calculator.apk.declaration.yaml", "notes.hap", "notes.hap.declaration.yaml",
        ] {
            let copy = intake.appendingPathComponent(name)
            try FileManager.default.copyItem(at: samples.appendingPathComponent(name), to: copy)
            chmod(copy.path, 0o644)
        }
        let imported = try ShelfGuardBinary.run([
            "registry", "import", "--db", db, samples.appendingPathComponent("registry").path,
        ])
        try #require(imported.status == 0, "\(imported.stderr)")
        let reviewed = intake.appendingPathComponent("calculator.apk").path
        let review = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", day, "--report-dir", folder.appendingPathComponent("reports").path,
            reviewed,
        ])
        try #require(review.status == 0, "\(review.stderr)")
        chmod(db, 0o644)
        return (folder, db, reviewed, intake.appendingPathComponent("notes.hap").path)
    }

    /// What the database holds, to show that a refused command changed nothing.
    static func snapshot(_ db: String) throws -> [Int] {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: db, configuration: configuration).read { db in
            try ["audit_log", "review", "complaint", "state_change", "registry_import", "grdb_migrations"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1
            }
        }
    }

    // MARK: - A newer schema

    @Test("a database a newer ShelfGuard migrated is refused by every command, reading or writing, and left as it was")
    func newerSchema() throws {
        let (folder, db, reviewed, fresh) = try Self.shelf("ledger-newer")
        // What a newer binary does: every migration this one knows, and one more.
        do {
            var newer = SQLiteLedger.migrator
            newer.registerMigration("v99: a newer ShelfGuard's change") { db in
                try db.execute(sql: "ALTER TABLE app ADD COLUMN region TEXT NOT NULL DEFAULT 'cn'")
            }
            try newer.migrate(try DatabasePool(path: db))
        }
        let before = try Self.snapshot(db)
        let reports = folder.appendingPathComponent("reports-again").path
        let commands: [[String]] = [
            ["review", "--db", db, "--as-of", Self.day, "--report-dir", reports, fresh],
            ["shelf", "list", "--db", db],
            ["audit", "verify", "--db", db],
            ["feed", "--db", db, "--since", "0"],
            ["check", "--db", db, "--as-of", Self.day, reviewed],
            ["registry", "lookup", "--db", db, "网信算备310104900000401240025号"],
            ["registry", "import", "--db", db, Self.samples.appendingPathComponent("registry").path],
            ["daily", "--db", db, "--as-of", Self.day, "--report-dir", reports],
            ["complaint", "add", "--db", db, "--app", "com.example.calculator", "--text", "一个投诉"],
            [
                "takedown", "--db", db, "--app", "com.example.calculator", "--reason", "test", "--order", "T-1",
                "--operator", "tester",
            ],
        ]
        for command in commands {
            let run = try ShelfGuardBinary.run(command)
            let name = command.prefix(2).joined(separator: " ")
            #expect(run.status == 1, "\(name): exit \(run.status)\n\(run.stdout)\(run.stderr)")
            #expect(
                run.stderr.contains("the shelf database \(db) was written by a newer ShelfGuard"),
                "\(name): \(run.stderr)")
            #expect(run.stderr.contains("v99: a newer ShelfGuard's change"), "\(name): \(run.stderr)")
            #expect(run.stderr.contains("Upgrade shelfguard"), "\(name): \(run.stderr)")
        }
        let json = try ShelfGuardBinary.run(["shelf", "list", "--db", db, "--format", "json"])
        #expect(json.status == 1)
        #expect((try json.json()["error"] as? String)?.contains("written by a newer ShelfGuard") == true)
        #expect(try Self.snapshot(db) == before, "a refused command changed the database")
    }

    // MARK: - A database this user may only read

    /// Makes the database, its folder and the intake read-only; returns what undoes it.
    static func makeReadOnly(_ folder: URL, db: String) -> () -> Void {
        let intake = folder.appendingPathComponent("intake")
        let files =
            [db]
            + ((try? FileManager.default.contentsOfDirectory(atPath: intake.path)) ?? []).map {
                intake.appendingPathComponent($0).path
            }
        for file in files { chmod(file, 0o444) }
        chmod(intake.path, 0o555)
        chmod(folder.path, 0o555)
        return {
            chmod(folder.path, 0o755)
            chmod(intake.path, 0o755)
            for file in files { chmod(file, 0o644) }
        }
    }

    @Test("a database this user may only read (file and folder): the reading commands work, the writing ones say why")
    func readOnlyDatabase() throws {
        let (folder, db, reviewed, fresh) = try Self.shelf("ledger-readonly")
        // What the reading commands answer while the database can be written.
        let lookupArguments = ["registry", "lookup", "--db", db, "--format", "json", "网信算备310104900000401240025号"]
        let checkArguments = ["check", "--db", db, "--as-of", Self.day, "--format", "json", reviewed]
        let expected = (
            list: try ShelfGuardBinary.run(["shelf", "list", "--db", db, "--format", "json"]),
            feed: try ShelfGuardBinary.run(["feed", "--db", db, "--since", "0"]),
            lookup: try ShelfGuardBinary.run(lookupArguments),
            check: try ShelfGuardBinary.run(checkArguments)
        )
        #expect(expected.list.status == 0 && expected.feed.status == 0)
        #expect(expected.lookup.stdout.contains("\"found\" : true"), "\(expected.lookup.stdout)")
        let before = try Self.snapshot(db)
        // Readers leave an empty write-ahead log and its shared-memory file behind; the last
        // writer to close removes them. Closed so, the database has neither beside it: SQLite
        // would have to create them to read it the usual way.
        #expect(try ShelfGuardBinary.run(["registry", "stats", "--db", db]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: db + "-shm"))

        let restore = Self.makeReadOnly(folder, db: db)
        defer { restore() }

        let verify = try ShelfGuardBinary.runUnprivileged(["audit", "verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("audit log intact, \(before[0]) entries"), "\(verify.stdout)")
        let list = try ShelfGuardBinary.runUnprivileged(["shelf", "list", "--db", db, "--format", "json"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout == expected.list.stdout)
        #expect(list.stdout.contains("com.example.calculator"))
        let feed = try ShelfGuardBinary.runUnprivileged(["feed", "--db", db, "--since", "0"])
        #expect(feed.status == 0, "\(feed.stderr)")
        #expect(feed.stdout == expected.feed.stdout)
        let lookup = try ShelfGuardBinary.runUnprivileged(lookupArguments)
        #expect(lookup.status == expected.lookup.status, "\(lookup.stderr)")
        #expect(lookup.stdout == expected.lookup.stdout)
        let check = try ShelfGuardBinary.runUnprivileged(checkArguments)
        #expect(check.status == expected.check.status, "\(check.stderr)")
        #expect(try check.json()["verdict"] as? String == expected.check.json()["verdict"] as? String)

        // Commands that change the shelf say that the database is read-only, not SQLite's number.
        let writing: [[String]] = [
            [
                "review", "--db", db, "--as-of", Self.day, "--report-dir",
                FileManager.default.temporaryDirectory.appendingPathComponent("ro-\(UUID().uuidString)").path, fresh,
            ],
            ["complaint", "add", "--db", db, "--app", "com.example.calculator", "--text", "一个投诉"],
            [
                "takedown", "--db", db, "--app", "com.example.calculator", "--reason", "test", "--order", "T-1",
                "--operator", "tester",
            ],
        ]
        for command in writing {
            let run = try ShelfGuardBinary.runUnprivileged(command)
            let name = command.prefix(2).joined(separator: " ")
            #expect(run.status == 1, "\(name): exit \(run.status)\n\(run.stdout)\(run.stderr)")
            #expect(
                run.stderr.contains("the shelf database \(db) is read-only for this user"), "\(name): \(run.stderr)")
            #expect(!run.stderr.contains("SQLite error"), "\(name): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: db + "-shm"))
        restore()
        #expect(try Self.snapshot(db) == before)
    }

    @Test(
        "a read-only database while its owner writes: the reader sees what the write-ahead log holds; a log copied without its index is refused in words"
    )
    func readOnlyWithWriter() throws {
        let (folder, db, _, _) = try Self.shelf("ledger-readonly-wal")
        let writer = try SQLiteLedger(path: db)
        func waiver(_ app: String) -> Waiver {
            Waiver(
                app: app, rule: "filing_product_unlisted", reason: "r", expires: "2027-01-01", grantedBy: "b",
                source: "cli")
        }
        try withExtendedLifetime(writer) {
            _ = try writer.record(waiver("com.example.one"), actor: "owner")
            #expect(FileManager.default.fileExists(atPath: db + "-wal"))
            let restore = Self.makeReadOnly(folder, db: db)
            defer { restore() }
            // Written to the log, not yet to the database file.
            _ = try writer.record(waiver("com.example.two"), actor: "owner")
            let entries = try writer.verifyAudit().entries

            let verify = try ShelfGuardBinary.runUnprivileged(["audit", "verify", "--db", db, "--format", "json"])
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(try verify.json()["entries"] as? Int == entries, "the reader missed what the log holds")

            // The file and its log copied without the shared-memory index, into a read-only
            // folder: the file alone is out of date, and reading the log needs the index.
            let copy = try Self.sharedFolder("ledger-wal-copy")
            let copied = copy.appendingPathComponent("shelfguard.db").path
            try FileManager.default.copyItem(atPath: db + "-wal", toPath: copied + "-wal")
            try FileManager.default.copyItem(atPath: db, toPath: copied)
            for file in [copied, copied + "-wal"] { chmod(file, 0o444) }
            chmod(copy.path, 0o555)
            defer { chmod(copy.path, 0o755) }
            let refused = try ShelfGuardBinary.runUnprivileged(["audit", "verify", "--db", copied])
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("its write-ahead log (\(copied)-wal) holds changes"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("SQLite error"), "\(refused.stderr)")
        }
    }
}

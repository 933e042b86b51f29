import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit

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
            newer.registerMigration("v7: a newer ShelfGuard's change") { db in
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
            #expect(run.stderr.contains("v7: a newer ShelfGuard's change"), "\(name): \(run.stderr)")
            #expect(run.stderr.contains("Upgrade shelfguard"), "\(name): \(run.stderr)")
        }
        let json = try ShelfGuardBinary.run(["shelf", "list", "--db", db, "--format", "json"])
        #expect(json.status == 1)
        #expect((try json.json()["error"] as? String)?.contains("written by a newer ShelfGuard") == true)
        #expect(try Self.snapshot(db) == before, "a refused command changed the database")
    }
}

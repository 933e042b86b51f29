import BundleFactory
import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit

/// `shelfguard review` through the built binary: a batch with a broken bundle, the report and
/// its rendering, a crash and a resume, two reviewers writing one database at once.
@Suite("review, end to end", .serialized)
struct ReviewCommandTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")

    /// A fresh folder with a shelf database holding the sample evidence.
    static func shelf(_ label: String) throws -> (folder: URL, db: String) {
        let folder = try TestFiles.directory(label)
        let db = folder.appendingPathComponent("shelfguard.db").path
        let imported = try ShelfGuardBinary.run([
            "registry", "import", "--db", db, samples.appendingPathComponent("registry").path,
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        return (folder, db)
    }

    /// `count` generated submissions in a folder of their own.
    static func batch(_ count: Int, in folder: URL) throws -> URL {
        let batch = folder.appendingPathComponent("intake")
        try FileManager.default.createDirectory(at: batch, withIntermediateDirectories: true)
        for i in 0..<count {
            let s = BatchBundles.submission(i, scale: 0.5)
            let path = batch.appendingPathComponent(s.name).path
            try Data(s.bytes).write(to: URL(fileURLWithPath: path))
            try s.declaration.write(toFile: path + ".declaration.yaml", atomically: true, encoding: .utf8)
        }
        return batch
    }

    static func count(_ db: String, _ sql: String) throws -> Int {
        try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: sql) ?? 0 }
    }

    @Test("the samples as a batch: a broken bundle is refused with its reason and the batch goes on")
    func samplesBatch() throws {
        let (folder, db) = try Self.shelf("review-samples")
        let reports = folder.appendingPathComponent("reports").path
        let run = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", "2026-11-24", "--report-dir", reports, "--format", "json",
            Self.samples.path,
        ])
        #expect(run.status == 2, "\(run.stderr)")
        let report = try JSONDecoder().decode(BatchReport.self, from: Data(run.stdout.utf8))
        #expect(report.counts.bundles == 15 && report.counts.reviewed == 15 && report.counts.failed == 0)
        #expect(report.counts.approve == 4 && report.counts.warn == 1 && report.counts.manualReview == 2)
        #expect(report.counts.refuse == 8)
        // The labels inside the sample outputs are verified in review as in check.
        let voicechat = try #require(report.items.first { $0.path.hasSuffix("voicechat.wxapkg") })
        #expect(
            voicechat.findings.contains {
                $0.rule == "implicit_label_other_producer" && $0.message.contains("sample-reply.docx")
                    && $0.message.contains("91110108MA01KP2T5U")
            })
        let hap = try #require(report.items.first { $0.path.hasSuffix("portrait.hap") })
        #expect(
            hap.findings.contains { $0.rule == "implicit_label_absent" && $0.message.contains("sample-output.jpg") })
        let broken = try #require(report.items.first { $0.path.hasSuffix("broken.apk") })
        #expect(broken.verdict == .refuse && broken.state == .refused)
        #expect(
            Set(broken.findings.map(\.rule)) == [
                "declaration_missing", "bundle_unreadable", "damaged_structure", "manifest_unreadable",
            ])
        for name in ["report.html", "report.json", "report.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(reports)/\(name)"), "\(name)")
        }
        let csv = try String(contentsOfFile: "\(reports)/report.csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").count == 16)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM version") == 15)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM shelf_state WHERE state = 'manual_review'") == 2)
        // Stored bundles are kept by digest beside the database.
        let store = BundleStore.beside(database: db)
        for item in report.items { #expect(store.contains(try #require(item.sha256)), "\(item.path)") }

        let again = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", "2026-11-24", "--report-dir", reports, Self.samples.path,
        ])
        #expect(again.status == 2)
        #expect(again.stdout.contains("0 reviewed, 15 already recorded"), "\(again.stdout)")
        #expect(try Self.count(db, "SELECT COUNT(*) FROM review") == 15)
        #expect(try ShelfGuardBinary.run(["audit", "verify", "--db", db]).status == 0)
    }

    @Test("the stored bundle is the store's own read-only copy: overwriting the intake file changes nothing kept")
    func storedCopy() throws {
        let (folder, db) = try Self.shelf("review-stored-copy")
        let intake = folder.appendingPathComponent("intake")
        try FileManager.default.createDirectory(at: intake, withIntermediateDirectories: true)
        for name in ["calculator.apk", "calculator.apk.declaration.yaml"] {
            try FileManager.default.copyItem(
                at: Self.samples.appendingPathComponent(name), to: intake.appendingPathComponent(name))
        }
        let bundle = intake.appendingPathComponent("calculator.apk").path
        let original = try Data(contentsOf: URL(fileURLWithPath: bundle))
        let run = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", "2026-11-24", "--report-dir",
            folder.appendingPathComponent("reports").path,
            "--format", "json", bundle,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(BatchReport.self, from: Data(run.stdout.utf8))
        let sha256 = try #require(report.items.first?.sha256)
        let stored = BundleStore.beside(database: db).path(of: sha256)

        // The developer's file is overwritten in place (same inode), as an editor or a re-upload would.
        let handle = try #require(FileHandle(forWritingAtPath: bundle))
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 4096))
        try handle.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: bundle)) != original)

        #expect(try Data(contentsOf: URL(fileURLWithPath: stored)) == original)
        #expect(try FileDigest.sha256(path: stored) == sha256, "the stored bundle no longer matches its name")
        var info = stat()
        #expect(stat(stored, &info) == 0)
        #expect(
            info.st_mode & 0o222 == 0, "the stored bundle is writable: mode \(String(info.st_mode & 0o7777, radix: 8))")
    }

    @Test("the HTML report displays: headless Chromium renders it to a PNG")
    func renderReport() throws {
        let (folder, db) = try Self.shelf("review-render")
        let reports = folder.appendingPathComponent("reports").path
        _ = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", "2026-11-24", "--report-dir", reports, Self.samples.path,
        ])
        let html = try String(contentsOfFile: "\(reports)/report.html", encoding: .utf8)
        #expect(html.contains("<!DOCTYPE html>") && html.contains("data-filter=\"refuse\""))
        #expect(!html.contains("<script src") && !html.contains("href=\"http"), "the page loads nothing")
        let png = folder.appendingPathComponent("report.png").path
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [
            TestFiles.packageRoot.appendingPathComponent("scripts/render-report").path, "\(reports)/report.html", png,
            "1400x1600",
        ]
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0, "scripts/render-report failed (it installs chromium when missing)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1400 && height == 1600)
        #expect(bytes.count > 60_000, "a page with content, not a blank one (\(bytes.count) bytes)")
    }

    /// Starts `shelfguard review` of `batch` with one worker in the background and returns once
    /// it has recorded `reviews` reviews (or ended, or two minutes passed).
    static func startReview(db: String, batch: URL, reportDir: URL, until reviews: Int) throws -> Process {
        let process = Process()
        process.executableURL = ShelfGuardBinary.url
        process.arguments = [
            "review", "--db", db, "--jobs", "1", "--as-of", "2026-11-24", "--no-progress", "--report-dir",
            reportDir.path, batch.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var recorded = 0
        let deadline = Date().addingTimeInterval(120)
        while recorded < reviews && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            recorded = (try? count(db, "SELECT COUNT(*) FROM review")) ?? 0
        }
        return process
    }

    @Test("killed mid-batch, run again: nothing lost, nothing recorded twice")
    func crashAndResume() throws {
        let (folder, db) = try Self.shelf("review-crash")
        let batch = try Self.batch(30, in: folder)
        let process = try Self.startReview(
            db: db, batch: batch, reportDir: folder.appendingPathComponent("r1"), until: 4)
        #expect(process.isRunning, "the batch ended before it could be interrupted; make it larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let before = try Self.count(db, "SELECT COUNT(*) FROM review")
        #expect(before >= 4 && before < 30, "\(before) reviews recorded when killed")

        let resumed = try ShelfGuardBinary.run([
            "review", "--db", db, "--jobs", "2", "--as-of", "2026-11-24", "--format", "json", "--report-dir",
            folder.appendingPathComponent("r2").path, batch.path,
        ])
        #expect(resumed.status != 1, "\(resumed.stderr)")
        let report = try JSONDecoder().decode(BatchReport.self, from: Data(resumed.stdout.utf8))
        #expect(report.counts.skipped == before && report.counts.reviewed == 30 - before)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM review") == 30)
        #expect(try Self.count(db, "SELECT COUNT(DISTINCT review_key) FROM review") == 30)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM version") == 30)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'review'") == 30)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM batch WHERE status = 'running'") == 1, "the killed one")
        #expect(try ShelfGuardBinary.run(["audit", "verify", "--db", db]).status == 0)
    }

    @Test("two review processes on one database: no corruption, nothing recorded twice")
    func twoWriters() throws {
        let (folder, db) = try Self.shelf("review-two")
        let batch = try Self.batch(24, in: folder)
        var processes: [(Process, Pipe)] = []
        for i in 0..<2 {
            let process = Process()
            process.executableURL = ShelfGuardBinary.url
            process.arguments = [
                "review", "--db", db, "--jobs", "2", "--as-of", "2026-11-24", "--format", "json", "--report-dir",
                folder.appendingPathComponent("r\(i)").path, batch.path,
            ]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            processes.append((process, output))
        }
        var reviewed = 0
        for (process, output) in processes {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus != 1)
            let report = try JSONDecoder().decode(BatchReport.self, from: data)
            #expect(report.counts.failed == 0 && report.counts.reviewed + report.counts.skipped == 24)
            reviewed += report.counts.reviewed
        }
        #expect(reviewed == 24, "each bundle recorded by exactly one of the two")
        #expect(try Self.count(db, "SELECT COUNT(*) FROM review") == 24)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM version") == 24)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM state_change") == 24)
        #expect(try DatabaseQueue(path: db).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try ShelfGuardBinary.run(["audit", "verify", "--db", db]).status == 0)
    }

    @Test("shelf list, show and decide through the binary; decisions need a reason and a reviewer")
    func shelfCommands() throws {
        let (folder, db) = try Self.shelf("review-shelf")
        _ = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", "2026-11-24", "--report-dir", folder.appendingPathComponent("r").path,
            Self.samples.path,
        ])
        let list = try ShelfGuardBinary.run([
            "shelf", "list", "--db", db, "--state", "manual_review", "--format", "json",
        ])
        let versions = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(Set(versions.compactMap { $0["appID"] as? String }) == ["com.example.facefun", "wx8c3f2a1b0d9e7f65"])
        let android = try ShelfGuardBinary.run(["shelf", "list", "--db", db, "--platform", "android"])
        #expect(android.stdout.contains("com.example.voicenote") && !android.stdout.contains("chatpal"))
        let developer = try ShelfGuardBinary.run(["shelf", "list", "--db", db, "--developer", "91330110MA2CH7PL0L"])
        #expect(developer.stdout.contains("com.example.chatpal"))

        let noReason = try ShelfGuardBinary.run([
            "shelf", "decide", "--db", db, "com.example.facefun", "--approve", "--reviewer", "张三",
        ])
        #expect(noReason.status == 1)
        let decided = try ShelfGuardBinary.run([
            "shelf", "decide", "--db", db, "com.example.facefun", "--approve", "--reason", "assessment renewed",
            "--reviewer", "审核员 张三",
        ])
        #expect(decided.status == 0, "\(decided.stderr)")
        #expect(decided.stdout.contains("manual_review → approved"))
        let twice = try ShelfGuardBinary.run([
            "shelf", "decide", "--db", db, "com.example.facefun", "--refuse", "--reason", "x", "--reviewer", "y",
        ])
        #expect(twice.status == 1 && twice.stderr.contains("no version in manual review"))
        let show = try ShelfGuardBinary.run(["shelf", "show", "--db", db, "com.example.facefun"])
        #expect(show.stdout.contains("decision approve by 审核员 张三"))
        #expect(try ShelfGuardBinary.run(["shelf", "show", "--db", db, "com.nobody"]).status == 1)
    }

    @Test(
        "a bundle's review is recorded only after its copy is kept: with --jobs 2, a store that cannot be written leaves every bundle not reviewed and nothing recorded, and a good store holds every bundle recorded"
    )
    func keptBeforeRecorded() throws {
        let (folder, db) = try Self.shelf("review-kept-first")
        let batch = try Self.batch(12, in: folder)
        // A file where the store's folder should be: no copy can be kept.
        let blocked = folder.appendingPathComponent("blocked.bundles").path
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: blocked))
        let refused = try ShelfGuardBinary.run([
            "review", "--db", db, "--jobs", "2", "--as-of", "2026-11-24", "--no-progress", "--format", "json",
            "--bundle-store", blocked, "--report-dir", folder.appendingPathComponent("r1").path, batch.path,
        ])
        #expect(refused.status == 1, "\(refused.stderr)")
        let report = try JSONDecoder().decode(BatchReport.self, from: Data(refused.stdout.utf8))
        #expect(report.counts.bundles == 12 && report.counts.failed == 12 && report.counts.reviewed == 0)
        #expect(report.items.allSatisfy { ($0.error ?? "").contains("cannot keep a copy in the bundle store") })
        #expect(try Self.count(db, "SELECT COUNT(*) FROM review") == 0)

        let store = folder.appendingPathComponent("good.bundles").path
        let kept = try ShelfGuardBinary.run([
            "review", "--db", db, "--jobs", "2", "--as-of", "2026-11-24", "--no-progress", "--format", "json",
            "--bundle-store", store, "--report-dir", folder.appendingPathComponent("r2").path, batch.path,
        ])
        #expect(kept.status != 1, "\(kept.stderr)")
        let second = try JSONDecoder().decode(BatchReport.self, from: Data(kept.stdout.utf8))
        #expect(second.counts.reviewed == 12 && second.counts.failed == 0)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM review") == 12)
        for item in second.items {
            #expect(BundleStore(directory: store).contains(try #require(item.sha256)), "\(item.path)")
        }
        // The reviews read the store's temporary copies; what is recorded and reported names the
        // submitted files, and no temporary copy is left.
        #expect(!kept.stdout.contains(".upload."))
        let inventories = try Self.count(
            db, "SELECT COUNT(*) FROM inventory WHERE facts LIKE '%.upload.%' OR entries LIKE '%.upload.%'")
        #expect(inventories == 0)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM inventory WHERE facts LIKE '%app0.apk%'") >= 1)
        let left = try FileManager.default.contentsOfDirectory(atPath: store).filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test("bad input to review is a tool error: no bundles, a missing path, --jobs 0")
    func badInput() throws {
        let folder = try TestFiles.directory("review-bad")
        let db = folder.appendingPathComponent("x.db").path
        #expect(try ShelfGuardBinary.run(["review", "--db", db, folder.path]).status == 1)
        #expect(try ShelfGuardBinary.run(["review", "--db", db, "/nonexistent"]).status == 1)
        #expect(try ShelfGuardBinary.run(["review", "--db", db, "--jobs", "0", Self.samples.path]).status == 1)
    }
}

import Foundation
import Testing

@testable import ShelfGuardKit

/// The shelf's whole story through the built binary, on every store: a registry import, a
/// review batch, a cancellation that daily management turns into a suspension and then a
/// takedown, the feed a storefront reads, a reviewer's decision, a complaint, and an audit log
/// that verifies and checkpoints. What the operator sees must not depend on the store.
@Suite("every command on every store, end to end")
struct StoreCommandTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    static let facefunFiling = "网信算备440305900000101250017号"

    static func state(_ store: any LedgerStore, app: String, format: String = "apk") throws -> String? {
        try TestStores.texts(
            store,
            "SELECT s.state FROM version v JOIN shelf_state s ON s.version_id = v.id WHERE v.app_id = '\(app)' AND v.format = '\(format)'"
        ).first?.first
    }

    @Test(
        "import, review, daily suspends then takes down, feed, decision, complaint, audit",
        arguments: StoreKind.available)
    func story(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "story")
        let db = target.arguments
        let imported = try ShelfGuardBinary.run(
            ["registry", "import"] + db + [Self.samples.appendingPathComponent("registry").path])
        #expect(imported.status == 0, "\(imported.stderr)")
        let review = try ShelfGuardBinary.run(
            ["review"] + db + [
                "--as-of", "2026-11-24", "--report-dir", target.folder.appendingPathComponent("batch").path,
                "--format", "json", Self.samples.path,
            ])
        #expect(review.status == 2, "\(review.stderr)")
        let listed = try ShelfGuardBinary.run(["shelf", "list"] + db + ["--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count >= 5, "\(listed.stdout)")
        // The same review again records nothing new.
        let again = try ShelfGuardBinary.run(
            ["review"] + db + [
                "--as-of", "2026-11-24", "--report-dir", target.folder.appendingPathComponent("batch2").path,
                "--format", "json", Self.samples.path,
            ])
        let counts = try #require(try again.json()["counts"] as? [String: Any])
        #expect(counts["reviewed"] as? Int == 0 && (counts["skipped"] as? Int ?? 0) >= 5, "\(counts)")

        func daily(_ day: String) throws -> (Int32, DailyReport) {
            let run = try ShelfGuardBinary.run(
                ["daily"] + db + [
                    "--as-of", day, "--format", "json", "--report-dir",
                    target.folder.appendingPathComponent("daily").path,
                ])
            return (run.status, try JSONDecoder().decode(DailyReport.self, from: Data(run.stdout.utf8)))
        }
        let (quiet, first) = try daily("2026-11-24")
        #expect(quiet == 0 && first.items.isEmpty)
        let notice = target.folder.appendingPathComponent("notice.csv")
        try """
        备案编号,注销日期,公告日期,公告标题,算法名称,角色,主体名称,应用产品
        \(Self.facefunFiling),2026年11月,2026-11-25,关于注销“示例人脸替换生成合成算法”的公告,示例人脸替换生成合成算法,服务提供者,深圳市示例智能科技有限公司,FaceFun(APP)

        """.write(to: notice, atomically: true, encoding: .utf8)
        #expect(try ShelfGuardBinary.run(["registry", "import"] + db + [notice.path]).status == 0)
        let (suspended, report) = try daily("2026-11-26")
        #expect(suspended == 2 && report.measures.suspend == 1)
        #expect(try Self.state(target.store, app: "com.example.facefun") == "suspended")
        let (down, later) = try daily("2026-12-27")
        #expect(down == 2 && later.measures.takeDown == 1)
        #expect(try Self.state(target.store, app: "com.example.facefun") == "taken_down")

        let feed = try ShelfGuardBinary.run(["feed"] + db).json()
        let actions = (feed["events"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        #expect(actions.suffix(2) == ["suspend", "take_down"])

        let warned = try ShelfGuardBinary.run(
            ["warn"] + db + [
                "--app", "com.example.calculator", "--reason", "labels too small", "--order", "T-1", "--operator",
                "officer",
            ])
        #expect(warned.status == 0, "\(warned.stderr)")
        let complaint = try ShelfGuardBinary.run(
            ["complaint", "add"] + db + ["--app", "com.example.calculator", "--text", "无标识", "--as-of", "2026-12-01"])
        #expect(complaint.status == 0, "\(complaint.stderr)")
        let history = try ShelfGuardBinary.run(["shelf", "show"] + db + ["com.example.calculator"])
        #expect(history.status == 0 && history.stdout.contains("warned"), "\(history.stdout)\(history.stderr)")

        let verified = try ShelfGuardBinary.run(["audit", "verify"] + db + ["--format", "json"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let checkpoint = target.folder.appendingPathComponent("head.json").path
        #expect(try ShelfGuardBinary.run(["audit", "checkpoint"] + db + ["-o", checkpoint]).status == 0)
        #expect(try ShelfGuardBinary.run(["audit", "verify"] + db + ["--against", checkpoint]).status == 0)
    }

    @Test(
        "two daily runs share the shelf with --shard 1/2 and 2/2: each version judged by exactly one",
        arguments: StoreKind.available)
    func shards(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "shards")
        let db = target.arguments
        #expect(
            try ShelfGuardBinary.run(
                ["registry", "import"] + db + [Self.samples.appendingPathComponent("registry").path]
            )
            .status == 0)
        let review = try ShelfGuardBinary.run(
            ["review"] + db + [
                "--as-of", "2026-11-24", "--report-dir", target.folder.appendingPathComponent("batch").path,
                Self.samples.path,
            ])
        #expect(review.status == 2, "\(review.stderr)")
        let shelved = try TestStores.count(target.store, "shelf_state")
        let runs = ValueBox<[String: ShelfGuardBinary.Result]>()
        runs.set([:])
        let lock = NSLock()
        try StoreConcurrencyTests.together(
            ["1/2", "2/2"].map { shard in
                {
                    let run = try ShelfGuardBinary.run(
                        ["daily"] + db + [
                            "--as-of", "2026-11-24", "--shard", shard, "--format", "json", "--report-dir",
                            target.folder.appendingPathComponent("daily-\(shard.prefix(1))").path,
                        ])
                    lock.withLock { runs.set((runs.value ?? [:]).merging([shard: run]) { $1 }) }
                }
            })
        let reports = try ["1/2", "2/2"].map { shard in
            let run = try #require(runs.value?[shard])
            #expect(run.status != 1, "\(shard): \(run.stderr)")
            return try JSONDecoder().decode(DailyReport.self, from: Data(run.stdout.utf8))
        }
        #expect(reports.map(\.shard) == ["1/2", "2/2"])
        let states = try TestStores.texts(
            target.store, "SELECT CAST(version_id AS TEXT), state FROM shelf_state ORDER BY version_id")
        let onShelf = states.filter { ["approved", "warned", "suspended"].contains($0[1]) }.count
        #expect(reports[0].checked + reports[1].checked == onShelf && onShelf > 1 && onShelf <= shelved)
        #expect(reports[0].checked > 0 && reports[1].checked > 0, "both shards had work")
        let whole = try ShelfGuardBinary.run(
            ["daily"] + db + [
                "--as-of", "2026-11-24", "--format", "json", "--report-dir",
                target.folder.appendingPathComponent("daily-whole").path,
            ])
        let all = try JSONDecoder().decode(DailyReport.self, from: Data(whole.stdout.utf8))
        #expect(all.shard == nil && all.checked == onShelf)
        let bad = try ShelfGuardBinary.run(["daily"] + db + ["--shard", "3/2"])
        #expect(bad.status == 1 && bad.stderr.contains("--shard"), "\(bad.stderr)")
    }

    @Test("shards: K/N parsed 1-based; every id in exactly one shard")
    func shardRule() throws {
        #expect(try DailyShard.parse("1/2").get() == DailyShard(index: 0, count: 2))
        #expect(try DailyShard.parse("1/1").get() == .whole)
        for bad in ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3", "1/2000"] {
            #expect(throws: LedgerError.self, "\(bad)") { try DailyShard.parse(bad).get() }
        }
        let shards = (0..<3).map { DailyShard(index: $0, count: 3) }
        for id in Int64(1)...100 { #expect(shards.filter { $0.contains(id) }.count == 1) }
    }

    @Test("a newer schema is refused by every command, for reading and writing", arguments: StoreKind.available)
    func newerSchema(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "newer")
        let table = kind == .sqlite ? "grdb_migrations (identifier)" : "shelfguard_migration (name, applied_at)"
        let values = kind == .sqlite ? "('v99: from the future')" : "('pg99: from the future', 'x')"
        try TestStores.tamper(target.store, "INSERT INTO \(table) VALUES \(values)")
        for command in [
            ["shelf", "list"], ["audit", "verify"], ["registry", "stats"], ["keys", "list"],
            ["keys", "create", "--role", "admin", "--name", "late"], ["keys", "revoke", "late"],
        ] {
            let run = try ShelfGuardBinary.run(command + target.arguments)
            #expect(run.status == 1 && run.stderr.contains("newer ShelfGuard"), "\(command): \(run.stderr)")
        }
    }
}

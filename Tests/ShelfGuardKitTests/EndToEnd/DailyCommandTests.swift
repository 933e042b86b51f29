import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit

/// Daily management, emergency measures, the feed and complaints through the built binary.
@Suite("daily and emergency measures, end to end", .serialized)
struct DailyCommandTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    static let facefunFiling = "网信算备440305900000101250017号"

    /// A shelf with the samples reviewed as of 2026-11-24.
    static func shelf(_ label: String, environment: [String: String] = [:]) throws -> (folder: URL, db: String) {
        let (folder, db) = try ReviewCommandTests.shelf(label)
        let review = try ShelfGuardBinary.run(
            [
                "review", "--db", db, "--as-of", "2026-11-24", "--report-dir",
                folder.appendingPathComponent("batch").path, samples.path,
            ], environment: environment)
        #expect(review.status == 2, "\(review.stderr)")
        return (folder, db)
    }

    static func daily(
        _ db: String, _ day: String, _ more: [String] = [], environment: [String: String] = [:]
    ) throws
        -> (Int32, DailyReport)
    {
        let reports = URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent("daily-reports").path
        let run = try ShelfGuardBinary.run(
            ["daily", "--db", db, "--as-of", day, "--format", "json", "--report-dir", reports] + more,
            environment: environment)
        let report = try JSONDecoder().decode(DailyReport.self, from: Data(run.stdout.utf8))
        return (run.status, report)
    }

    static func state(_ db: String, app: String, format: String = "apk") throws -> String? {
        try DatabaseQueue(path: db).read {
            try String.fetchOne(
                $0,
                sql:
                    "SELECT s.state FROM version v JOIN shelf_state s ON s.version_id = v.id WHERE v.app_id = ? AND v.format = ?",
                arguments: [app, format])
        }
    }

    /// Business days come from `--as-of` alone: the same story holds whatever the machine's
    /// clock says, years before or after the days it names (`SHELFGUARD_NOW` sets every
    /// command's wall clock).
    @Test(
        "a cancellation imported into the registry: daily suspends the apps citing it, then takes them down",
        arguments: [nil, "2019-03-01", "2041-07-15T23:30:00Z"])
    func cancellation(clock: String?) throws {
        let env = clock.map { [WallClock.overrideVariable: $0] } ?? [:]
        let (folder, db) = try Self.shelf("daily-cancel", environment: env)
        let (quiet, first) = try Self.daily(db, "2026-11-24", environment: env)
        #expect(quiet == 0 && first.checked == 5 && first.items.isEmpty, "nothing new since the review")
        let notice = folder.appendingPathComponent("notice.csv")
        try """
        备案编号,注销日期,公告日期,公告标题,算法名称,角色,主体名称,应用产品
        \(Self.facefunFiling),2026年11月,2026-11-25,关于注销“示例人脸替换生成合成算法”的公告,示例人脸替换生成合成算法,服务提供者,深圳市示例智能科技有限公司,FaceFun(APP)

        """.write(to: notice, atomically: true, encoding: .utf8)
        #expect(
            try ShelfGuardBinary.run(["registry", "import", "--db", db, notice.path], environment: env).status == 0)
        let (status, report) = try Self.daily(db, "2026-11-26", environment: env)
        #expect(status == 2, "a suspension was applied")
        #expect(report.measures.suspend == 1)
        let item = try #require(report.items.first { $0.to != nil })
        #expect(item.app == "com.example.facefun" && item.from == .approved && item.to == .suspended)
        #expect(item.newAlerts.map(\.rule).contains("filing_cancelled"))
        #expect(try Self.state(db, app: "com.example.facefun") == "suspended")
        // The report carries the audit log's head after the run, which the log still reaches.
        let head = try #require(report.auditHead)
        let verified = try ShelfGuardBinary.run(
            ["audit", "verify", "--db", db, "--expect-head", head.hash, "--format", "json"], environment: env)
        let headSeq = try verified.json()["headSeq"] as? Int
        #expect(verified.status == 0 && headSeq == Int(head.seq))

        let (graceStatus, grace) = try Self.daily(db, "2026-12-10", environment: env)
        #expect(
            graceStatus == 0 && grace.items.isEmpty,
            "within the grace period nothing more happens, and nothing is alerted twice")
        let (downStatus, down) = try Self.daily(db, "2026-12-27", environment: env)
        #expect(downStatus == 2 && down.measures.takeDown == 1)
        #expect(try Self.state(db, app: "com.example.facefun") == "taken_down")
        let feed = try ShelfGuardBinary.run(["feed", "--db", db]).json()
        let actions = (feed["events"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        #expect(actions.suffix(2) == ["suspend", "take_down"])
        #expect(try ShelfGuardBinary.run(["audit", "verify", "--db", db]).status == 0)
    }

    @Test("--write-group: one version per transaction or all at once, the same run; out of range is refused")
    func writeGroup() throws {
        var outcomes: [[String]] = []
        for group in ["1", "10000"] {
            let (_, db) = try Self.shelf("daily-group-\(group)")
            let (status, report) = try Self.daily(db, "2027-07-01", ["--write-group", group, "--jobs", "2"])
            #expect(status == 3, "warnings applied")
            outcomes.append(
                report.items.map { "\($0.app) \($0.to?.rawValue ?? "-") \($0.newAlerts.map(\.rule).sorted())" }.sorted()
            )
            #expect(try ShelfGuardBinary.run(["audit", "verify", "--db", db]).status == 0)
        }
        #expect(outcomes[0] == outcomes[1] && !outcomes[0].isEmpty)
        let (_, db) = try Self.shelf("daily-group-bad")
        for bad in ["0", "10001"] {
            let run = try ShelfGuardBinary.run(["daily", "--db", db, "--as-of", "2027-07-01", "--write-group", bad])
            #expect(run.status == 1 && run.stderr.contains("--write-group must be between 1 and 10000"))
        }
    }

    @Test("an expired assessment warns, once")
    func expiredAssessment() throws {
        let (_, db) = try Self.shelf("daily-expired")
        let (status, report) = try Self.daily(db, "2027-07-01")
        #expect(status == 3)
        let warned = report.items.filter { $0.to == .warned }.map(\.app)
        #expect(warned.contains("com.example.facefun"))
        #expect(
            report.items.first { $0.app == "com.example.facefun" }?.newAlerts.map(\.rule).contains("assessment_expired")
                == true)
        #expect(try Self.state(db, app: "com.example.facefun") == "warned")
        let (again, second) = try Self.daily(db, "2027-07-01")
        #expect(again == 0 && second.newAlerts == 0 && second.items.isEmpty, "alerted once")
        let html = try String(
            contentsOfFile: URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent(
                "daily-reports/daily.html"
            ).path, encoding: .utf8)
        #expect(html.contains("Nothing changed on the shelf"))
    }

    @Test("takedown: a dry run changes nothing; the order needs a reason, a reference and an operator")
    func takedownCommand() throws {
        let (_, db) = try Self.shelf("daily-takedown")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let dry = try ShelfGuardBinary.run([
            "takedown", "--db", db, "--filing", Self.facefunFiling, "--reason", "CAC order", "--order", "网信办〔2026〕12号",
            "--operator", "应急 王五", "--dry-run", "--format", "json",
        ])
        #expect(dry.status == 0, "\(dry.stderr)")
        let planned = try dry.json()["changes"] as? [[String: Any]] ?? []
        #expect(planned.count == 2, "facefun.apk (approved) and facefun.xapk (manual review)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "the dry run wrote nothing")
        for missing in [["--order", "x"], ["--reason", "x"], ["--operator", "x"]] {
            var arguments = [
                "takedown", "--db", db, "--app", "com.example.calculator", "--reason", "r", "--order", "o",
                "--operator", "p",
            ]
            let i = try #require(arguments.firstIndex(of: missing[0]))
            arguments.removeSubrange(i...(i + 1))
            #expect(try ShelfGuardBinary.run(arguments).status == 1, "without \(missing[0])")
        }
        #expect(
            try ShelfGuardBinary.run(["takedown", "--db", db, "--reason", "r", "--order", "o", "--operator", "p"])
                .status == 1,
            "no selector")
        #expect(
            try ShelfGuardBinary.run([
                "takedown", "--db", db, "--version", "1.0", "--reason", "r", "--order", "o", "--operator", "p",
            ]).status == 1, "a version name needs --app")
        let real = try ShelfGuardBinary.run([
            "takedown", "--db", db, "--filing", Self.facefunFiling, "--reason", "CAC order", "--order", "网信办〔2026〕12号",
            "--operator", "应急 王五",
        ])
        #expect(real.status == 0 && real.stdout.contains("moved 2 versions"))
        let cursor = try #require(
            try ShelfGuardBinary.run(["feed", "--db", db, "--limit", "100000"]).json()["cursor"] as? String)
        // The page limit's bounds: 1 to 100,000 events; outside them, a usage error.
        for limit in ["0", "100001"] {
            let refused = try ShelfGuardBinary.run(["feed", "--db", db, "--limit", limit])
            #expect(refused.status != 0 && refused.stderr.contains("--limit must be between 1 and 100000"))
        }
        let one = try ShelfGuardBinary.run(["feed", "--db", db, "--limit", "1"]).json()
        #expect((one["events"] as? [Any])?.count == 1 && one["more"] as? Bool == true)
        let reinstated = try ShelfGuardBinary.run([
            "reinstate", "--db", db, "--app", "com.example.facefun", "--reason", "order withdrawn", "--operator",
            "应急 王五",
        ])
        #expect(reinstated.status == 0 && reinstated.stdout.contains("moved 2 versions"))
        let after = try ShelfGuardBinary.run(["feed", "--db", db, "--since", cursor]).json()
        let events = after["events"] as? [[String: Any]] ?? []
        #expect(events.compactMap { $0["action"] as? String } == ["reinstate", "reinstate"])
        #expect(after["more"] as? Bool == false)
        let warn = try ShelfGuardBinary.run([
            "warn", "--db", db, "--developer", "91110105MA0CA1C00N", "--reason", "labels too small", "--order", "T-1",
            "--operator", "王五",
        ])
        #expect(warn.status == 0 && warn.stdout.contains("moved 1 version"))
        #expect(try Self.state(db, app: "com.example.calculator") == "warned")
    }

    @Test("a takedown racing a running review batch: both land, nothing is lost, the order holds")
    func racingTakedown() throws {
        let (folder, db) = try ReviewCommandTests.shelf("daily-race")
        let batch = try ReviewCommandTests.batch(30, in: folder)
        let process = try ReviewCommandTests.startReview(
            db: db, batch: batch, reportDir: folder.appendingPathComponent("r"), until: 5)
        let takedown = try ShelfGuardBinary.run([
            "takedown", "--db", db, "--developer", "深圳市示例智能科技有限公司", "--reason", "incident", "--order", "INC-9",
            "--operator", "应急", "--format", "json",
        ])
        process.waitUntilExit()
        #expect(takedown.status == 0, "\(takedown.stderr)")
        #expect(process.terminationStatus != 1)
        let moved = Set(
            (try takedown.json()["changes"] as? [[String: Any]] ?? []).compactMap { $0["versionID"] as? Int })
        #expect(!moved.isEmpty)
        #expect(try ReviewCommandTests.count(db, "SELECT COUNT(*) FROM review") == 30)
        let stillDown = try ReviewCommandTests.count(
            db,
            "SELECT COUNT(*) FROM shelf_state WHERE state = 'taken_down' AND version_id IN (\(moved.map(String.init).joined(separator: ",")))"
        )
        #expect(stillDown == moved.count, "the batch did not put a taken-down version back")
        // Running the batch again changes none of them either.
        let again = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", "2026-11-24", "--report-dir", folder.appendingPathComponent("r2").path,
            batch.path,
        ])
        #expect(again.stdout.contains("0 reviewed, 30 already recorded"), "\(again.stdout)")
        #expect(try ShelfGuardBinary.run(["audit", "verify", "--db", db]).status == 0)
    }

    @Test("when the extractor changed, daily reads the stored bundle again, within the time limit")
    func rereadAndTimeLimit() throws {
        let (_, db) = try Self.shelf("daily-reread")
        try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE inventory SET extractor = 'inspect/0'") }
        let (_, slow) = try Self.daily(db, "2026-11-24", ["--timeout", "0.000001"])
        #expect(slow.reread == 0)
        #expect(
            slow.items.filter { $0.problem?.contains("time limit") == true }.count == 5, "\(slow.items.map(\.problem))")
        let (_, report) = try Self.daily(db, "2026-11-24")
        #expect(report.reread == 5 && report.checked == 5)
        let stale = try ReviewCommandTests.count(db, "SELECT COUNT(*) FROM inventory WHERE extractor = 'inspect/0'")
        #expect(stale == 10, "the 10 versions off the shelf keep their inventories; the 5 on it were renewed")
        let (_, quiet) = try Self.daily(db, "2026-11-24")
        #expect(quiet.reread == 0, "read once, then judged from the new inventory")
    }
}

/// The wall-clock override every command honours.
@Suite("the wall clock")
struct WallClockTests {
    @Test("SHELFGUARD_NOW takes a day or a UTC time; anything else is refused")
    func parse() {
        #expect(WallClock.parse("2041-07-15").map(AuditEntry.timestamp) == "2041-07-15T00:00:00.000Z")
        #expect(WallClock.parse("2041-07-15T23:30:05Z").map(AuditEntry.timestamp) == "2041-07-15T23:30:05.000Z")
        #expect(CalendarDay.today(now: WallClock.parse("2041-07-15T23:30:00Z")!) == "2041-07-16", "China is UTC+8")
        for bad in ["tomorrow", "2041-13-01", "2041-07-15 10:00", "2041-07-15T25:00:00Z", "2041-07-15T10:00:00"] {
            #expect(WallClock.parse(bad) == nil, "\(bad)")
        }
        #expect(WallClock.environmentProblem([WallClock.overrideVariable: "soon"]) != nil)
        #expect(WallClock.environmentProblem([WallClock.overrideVariable: "2041-07-15"]) == nil)
        #expect(WallClock.environmentProblem([:]) == nil)
    }

    @Test("an invalid SHELFGUARD_NOW is a tool error, not a silent fallback to the real clock")
    func refused() throws {
        let run = try ShelfGuardBinary.run(["policy", "lint"], environment: [WallClock.overrideVariable: "next week"])
        #expect(run.status == 1 && run.stderr.contains("SHELFGUARD_NOW"), "\(run.stderr)")
    }

    @Test("audit entries are stamped with the overridden clock")
    func stamped() throws {
        let (_, db) = try ReviewCommandTests.shelf("wallclock")
        let add = try ShelfGuardBinary.run(
            ["complaint", "add", "--db", db, "--app", "com.example.x", "--text", "无标识"],
            environment: [WallClock.overrideVariable: "2041-07-15T01:02:03Z"])
        #expect(add.status == 0, "\(add.stderr)")
        let at = try DatabaseQueue(path: db).read {
            try String.fetchOne($0, sql: "SELECT at FROM audit_log ORDER BY seq DESC LIMIT 1")
        }
        #expect(at == "2041-07-15T01:02:03.000Z")
    }
}

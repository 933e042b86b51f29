import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit

/// Public complaints (DSP Art. 12) through the built binary: kept whatever they are about,
/// counted by distinct complainants about apps on the shelf, a reviewer's task at the
/// threshold, a measure only when the policy's category says so, due days and overdue alerts.
@Suite("complaints, end to end", .serialized)
struct ComplaintCommandTests {
    static let listed = "com.example.calculator"

    static func add(
        _ db: String, app: String = listed, _ text: String, contact: String? = nil, category: String? = nil,
        asOf: String? = "2026-11-24", policy: String? = nil, environment: [String: String] = [:]
    ) throws -> [String: Any] {
        var arguments = ["complaint", "add", "--db", db, "--app", app, "--text", text, "--format", "json"]
        if let contact { arguments += ["--contact", contact] }
        if let category { arguments += ["--category", category] }
        if let asOf { arguments += ["--as-of", asOf] }
        if let policy { arguments += ["--policy", policy] }
        let run = try ShelfGuardBinary.run(arguments, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        return try run.json()
    }

    static func id(_ answer: [String: Any]) -> Int64 {
        ((answer["complaint"] as? [String: Any])?["id"] as? NSNumber)?.int64Value ?? -1
    }

    static func feedCursor(_ db: String) throws -> String {
        try #require(try ShelfGuardBinary.run(["feed", "--db", db, "--limit", "100000"]).json()["cursor"] as? String)
    }

    @Test("the threshold opens a reviewer's task and an alert; nothing leaves the shelf by default")
    func threshold() throws {
        let (_, db) = try DailyCommandTests.shelf("complaints-threshold")
        let cursor = try Self.feedCursor(db)
        // One person twice with the same text, two anonymous people: two complainants.
        let first = try Self.add(db, "换脸没有标识", contact: "138 0000 0000")
        let again = try Self.add(db, "  换脸没有标识\n", contact: "138-0000-0000")
        #expect(again["standing"] as? String == "duplicate")
        #expect((again["duplicateOf"] as? NSNumber)?.int64Value == Self.id(first))
        _ = try Self.add(db, "冒用我的照片")
        _ = try Self.add(db, "客服不回应")
        // Complaints about an app nobody listed: kept, never counted, however many.
        for (i, contact) in ["a@x.cn", "b@x.cn", "c@x.cn"].enumerated() {
            let stray = try Self.add(db, app: "com.example.nobody", "骗钱 \(i)", contact: contact)
            #expect(stray["standing"] as? String == "app_not_on_shelf" && stray["appKnown"] as? Bool == false)
        }
        let text = try ShelfGuardBinary.run([
            "complaint", "add", "--db", db, "--app", "com.example.nobody", "--text", "还是骗钱", "--as-of", "2026-11-24",
        ])
        #expect(text.stdout.contains("not an app the store knows: kept, not counted"), "\(text.stdout)")
        let (quiet, before) = try DailyCommandTests.daily(db, "2026-11-24")
        #expect(quiet == 0, "two complainants are under the threshold of 3")
        #expect(before.complaints.tasksOpened.isEmpty && before.complaints.open == 8)
        #expect(before.complaints.notOnShelf.count == 4 && before.complaints.duplicates == 1)

        let third = try Self.add(db, "诱导充值", contact: "someone@example.com")
        let (status, report) = try DailyCommandTests.daily(db, "2026-11-24")
        #expect(status == 3, "a task and an alert, no measure")
        #expect(report.measures == DailyReport.Counts())
        let task = try #require(report.complaints.tasksOpened.first)
        #expect(report.complaints.tasksOpened.count == 1 && task.app == Self.listed)
        #expect(task.complainants == 3 && task.complaints.contains(Self.id(third)))
        #expect(!task.complaints.contains(Self.id(again)), "the duplicate is not counted")
        let item = try #require(report.items.first { $0.app == Self.listed })
        #expect(item.to == nil && item.newAlerts.map(\.rule) == ["complaint_threshold"])
        #expect(try DailyCommandTests.state(db, app: Self.listed) == "approved")
        let events = try ShelfGuardBinary.run(["feed", "--db", db, "--since", cursor]).json()["events"] as? [Any]
        #expect(events?.isEmpty == true, "storefronts are told nothing: the app stays listed")
        let tasks = try ShelfGuardBinary.run(["complaint", "tasks", "--db", db, "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: Data(tasks.stdout.utf8)) as? [Any])?.count == 1)

        // The next run opens no second task; answering the complaints closes it.
        let (_, next) = try DailyCommandTests.daily(db, "2026-11-25")
        #expect(next.complaints.tasksOpened.isEmpty && next.items.isEmpty)
        for id in [Self.id(first), Self.id(third)] {
            let resolved = try ShelfGuardBinary.run([
                "complaint", "resolve", "--db", db, String(id), "--resolution", "label added", "--operator", "客服",
            ])
            #expect(resolved.status == 0, "\(resolved.stderr)")
        }
        let twice = try ShelfGuardBinary.run([
            "complaint", "resolve", "--db", db, String(Self.id(first)), "--resolution", "x",
        ])
        #expect(twice.status == 1 && twice.stderr.contains("resolved already"))
        let (_, closed) = try DailyCommandTests.daily(db, "2026-11-26")
        #expect(closed.complaints.tasksClosed == [task.id])
        #expect(try ShelfGuardBinary.run(["complaint", "tasks", "--db", db]).stdout.contains("no open tasks"))
        #expect(try ShelfGuardBinary.run(["complaint", "add", "--db", db, "--app", "x", "--text", "  "]).status == 1)
    }

    @Test("a category the policy lets suspend does so, with the complaint ids in the audit entry")
    func categorySuspends() throws {
        let (folder, db) = try DailyCommandTests.shelf("complaints-category")
        let shipped = try String(
            contentsOf: TestFiles.packageRoot.appendingPathComponent("policies/review-policy.yaml"), encoding: .utf8)
        let strict = shipped.replacingOccurrences(
            of: "(DSP Art. 14, 16, 17).\n      measure: none", with: "(DSP Art. 14, 16, 17).\n      measure: suspend")
        #expect(strict != shipped)
        let policy = folder.appendingPathComponent("strict-policy.yaml")
        try strict.write(to: policy, atomically: true, encoding: .utf8)

        let unknown = try ShelfGuardBinary.run([
            "complaint", "add", "--db", db, "--app", Self.listed, "--text", "x", "--category", "deepfake",
        ])
        #expect(unknown.status == 1 && unknown.stderr.contains("deep_synthesis_abuse"), "\(unknown.stderr)")
        var ids: [Int64] = []
        for contact in ["a@x.cn", "b@x.cn", "c@x.cn"] {
            ids.append(
                Self.id(
                    try Self.add(
                        db, "把我的脸换进了视频", contact: contact, category: "deep_synthesis_abuse", policy: policy.path)))
        }
        // The same complaints under the shipped policy: a task, no measure.
        let (_, db2) = try DailyCommandTests.shelf("complaints-category-default")
        for contact in ["a@x.cn", "b@x.cn", "c@x.cn"] {
            _ = try Self.add(db2, "把我的脸换进了视频", contact: contact, category: "deep_synthesis_abuse")
        }
        let (lenient, _) = try DailyCommandTests.daily(db2, "2026-11-24")
        let lenientState = try DailyCommandTests.state(db2, app: Self.listed)
        #expect(lenient == 3 && lenientState == "approved")

        let (status, report) = try DailyCommandTests.daily(db, "2026-11-24", ["--policy", policy.path])
        #expect(status == 2 && report.measures.suspend == 1)
        #expect(try DailyCommandTests.state(db, app: Self.listed) == "suspended")
        let item = try #require(report.items.first { $0.app == Self.listed })
        #expect(item.complaints == ids)
        let entry = try #require(
            try DatabaseQueue(path: db).read {
                try Row.fetchOne($0, sql: "SELECT reason, details FROM audit_log WHERE action = 'daily_suspend'")
            })
        let details: String = entry["details"]
        #expect(details.contains(#""complaints":[\#(ids.map { "\"\($0)\"" }.joined(separator: ","))]"#), "\(details)")
        #expect((entry["reason"] as String).contains("complaint_category"))
        // A person reinstates it: the same complaints do not suspend it again.
        let reinstated = try ShelfGuardBinary.run([
            "reinstate", "--db", db, "--app", Self.listed, "--reason", "complaints unfounded", "--operator", "审核 张三",
        ])
        #expect(reinstated.status == 0, "\(reinstated.stderr)")
        let (_, after) = try DailyCommandTests.daily(db, "2026-11-25", ["--policy", policy.path])
        let afterState = try DailyCommandTests.state(db, app: Self.listed)
        #expect(after.measures.suspend == 0 && afterState == "approved")
    }

    @Test("due days come from the policy's handling time and the business day; daily alerts on overdue ones")
    func overdue() throws {
        let (_, db) = try DailyCommandTests.shelf("complaints-due")
        let urgent = try Self.add(db, "生成违法内容", contact: "a@x.cn", category: "illegal_content")
        let general = try Self.add(db, "界面太慢", contact: "b@x.cn")
        #expect(
            (urgent["complaint"] as? [String: Any])?["dueOn"] as? String == "2026-12-01", "7 days for this category")
        #expect((general["complaint"] as? [String: Any])?["dueOn"] as? String == "2026-12-09", "15 days by default")
        let (onTime, due) = try DailyCommandTests.daily(db, "2026-12-01")
        #expect(onTime == 0 && due.complaints.overdue.isEmpty, "due today is not overdue")
        let (status, late) = try DailyCommandTests.daily(db, "2026-12-02")
        #expect(status == 3)
        #expect(late.complaints.overdue.map(\.complaint) == [Self.id(urgent)])
        #expect(late.complaints.overdue.first?.daysOverdue == 1)
        let (_, later) = try DailyCommandTests.daily(db, "2026-12-10")
        #expect(later.complaints.overdue.map(\.complaint) == [Self.id(urgent), Self.id(general)])
        let reports = URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent("text").path
        let text = try ShelfGuardBinary.run(["daily", "--db", db, "--as-of", "2026-12-10", "--report-dir", reports])
        #expect(text.stdout.contains("complaints overdue: #\(Self.id(urgent))"), "\(text.stdout)")
        let listed = try ShelfGuardBinary.run([
            "complaint", "list", "--db", db, "--overdue", "--as-of", "2026-12-05", "--format", "json",
        ])
        let lateOnes = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(lateOnes?.compactMap { ($0["id"] as? NSNumber)?.int64Value } == [Self.id(urgent)], "\(listed.stderr)")
        let html = try String(contentsOfFile: reports + "/daily.html", encoding: .utf8)
        #expect(html.contains("complaint \(Self.id(urgent)) about \(Self.listed) (illegal_content) was due 2026-12-01"))
        for answer in [urgent, general] {
            #expect(
                try ShelfGuardBinary.run([
                    "complaint", "resolve", "--db", db, String(Self.id(answer)), "--resolution", "answered",
                ]).status == 0)
        }
        let (done, answered) = try DailyCommandTests.daily(db, "2026-12-20")
        #expect(done == 0 && answered.complaints.overdue.isEmpty)
    }

    @Test(
        "without --as-of the day of receipt is the injected clock's day in China, not the machine's",
        arguments: [("2041-07-15T23:30:00Z", "2041-07-16", "2041-07-31"), ("2019-03-01", "2019-03-01", "2019-03-16")])
    func injectedClock(now: String, day: String, dueOn: String) throws {
        let (_, db) = try ReviewCommandTests.shelf("complaints-clock")
        let answer = try Self.add(
            db, "无标识", asOf: nil, environment: [WallClock.overrideVariable: now])
        let complaint = answer["complaint"] as? [String: Any]
        #expect(complaint?["receivedOn"] as? String == day && complaint?["dueOn"] as? String == dueOn)
    }
}

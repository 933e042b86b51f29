import Testing

@testable import ShelfGuardKit

/// The complaint rules on plain values, no database: duplicates, apps not on the shelf,
/// distinct complainants, the threshold, categories that may act, due days and overdue ones.
@Suite("Complaint rules")
struct ComplaintRulesTests {
    static let app = "com.example.listed"

    static func complaint(
        _ id: Int64, _ text: String = "没有标识", contact: String = "", app: String = app, category: String = "",
        status: String = "open", receivedOn: String = "2026-11-24", dueOn: String = ""
    ) -> Complaint {
        Complaint(
            id: id, app: app, text: text, contact: contact, status: status, category: category, receivedOn: receivedOn,
            dueOn: dueOn)
    }

    /// A policy with a suspending category and the default threshold of 3.
    static var policy: ComplaintPolicy {
        var policy = ComplaintPolicy()
        policy.categories = [
            .init(id: "general", description: "other"),
            .init(id: "deep_synthesis_abuse", description: "abuse", measure: .suspend, handlingDays: 7),
        ]
        return policy
    }

    static func assess(_ complaints: [Complaint], policy: ComplaintPolicy = policy) -> ComplaintRules.Assessment {
        ComplaintRules.assess(complaints, appsOnShelf: [app], policy: policy)
    }

    @Test("the same text from the same source counts once, however it is spaced or cased")
    func duplicates() {
        let complaints = [
            Self.complaint(1, "Face swapped  without consent", contact: "a@example.com"),
            Self.complaint(2, " face swapped without CONSENT ", contact: "A@example.com "),
            Self.complaint(3, "Face swapped without consent", contact: "b@example.com"),
            Self.complaint(4, "ＦＡＣＥ swapped without consent", contact: "a@example.com"),
        ]
        let result = Self.assess(complaints)
        #expect(result.standing[1] == .counted)
        #expect(result.standing[2] == .duplicate(of: 1))
        #expect(result.standing[3] == .counted, "another source")
        #expect(result.standing[4] == .duplicate(of: 1), "full-width letters are the same text")
        #expect(result.apps[Self.app]?.complaints == [1, 3])
        #expect(result.apps[Self.app]?.complainants == 2)
    }

    @Test("anonymous duplicates count once even when each anonymous complaint is a complainant")
    func anonymousDuplicates() {
        var policy = Self.policy
        policy.anonymous = .each
        let result = Self.assess(
            [Self.complaint(1, "假冒"), Self.complaint(2, "假冒"), Self.complaint(3, "假冒"), Self.complaint(4, "诈骗")],
            policy: policy)
        #expect(result.standing[2] == .duplicate(of: 1) && result.standing[3] == .duplicate(of: 1))
        #expect(result.apps[Self.app]?.complainants == 2)
        #expect(result.apps[Self.app]?.reachedThreshold == false)
    }

    @Test("a complaint about an app not on the shelf is kept but not counted")
    func notOnShelf() {
        let complaints = (1...5).map { Self.complaint(Int64($0), "text \($0)", contact: "p\($0)", app: "com.nobody") }
        let result = ComplaintRules.assess(complaints, appsOnShelf: [Self.app], policy: Self.policy)
        #expect(result.apps.isEmpty)
        #expect(result.notOnShelf == [1, 2, 3, 4, 5])
    }

    @Test(
        "the threshold counts distinct complainants",
        arguments: [
            // Three complaints from one contact: one complainant.
            (["138 0000 0000", "138-0000-0000", "13800000000"], ComplaintPolicy.AnonymousCounting.together, 1),
            // Three anonymous complaints: one complainant together, three each.
            (["", "", ""], .together, 1), (["", "", ""], .each, 3),
            // Two contacts and the anonymous ones: three.
            (["a@x.cn", "b@x.cn", "", ""], .together, 3),
        ])
    func distinct(contacts: [String], anonymous: ComplaintPolicy.AnonymousCounting, expected: Int) {
        var policy = Self.policy
        policy.anonymous = anonymous
        let complaints = contacts.enumerated().map { Self.complaint(Int64($0 + 1), "text \($0)", contact: $1) }
        let tally = Self.assess(complaints, policy: policy).apps[Self.app]
        #expect(tally?.complainants == expected)
        #expect(tally?.reachedThreshold == (expected >= 3))
    }

    @Test("reaching the threshold takes no measure unless a category says so")
    func thresholdAlone() {
        let complaints = ["a", "b", "c"].enumerated().map {
            Self.complaint(Int64($0 + 1), "text", contact: $1, category: "general")
        }
        let tally = Self.assess(complaints).apps[Self.app]
        #expect(tally?.reachedThreshold == true)
        #expect(tally?.measure == Measure.none)
        #expect(tally?.measureComplaints == [])
        // The shipped default: no category acts.
        #expect(ComplaintPolicy().categories.allSatisfy { $0.measure == .none })
    }

    @Test("a category configured to suspend does so when its own complainants reach the threshold")
    func categoryMeasure() {
        var complaints = ["a", "b"].enumerated().map {
            Self.complaint(Int64($0 + 1), "换脸", contact: $1, category: "deep_synthesis_abuse")
        }
        complaints.append(Self.complaint(3, "other", contact: "c", category: "general"))
        let mixed = Self.assess(complaints).apps[Self.app]
        #expect(mixed?.reachedThreshold == true)
        #expect(mixed?.measure == Measure.none, "two abuse complainants and one other: no suspension")
        complaints.append(Self.complaint(4, "换脸", contact: "d", category: "deep_synthesis_abuse"))
        complaints.append(Self.complaint(5, "换脸", contact: "d", category: "deep_synthesis_abuse"))
        let tally = Self.assess(complaints).apps[Self.app]
        #expect(tally?.measure == .suspend)
        #expect(tally?.measureCategories == ["deep_synthesis_abuse"])
        #expect(tally?.measureComplaints == [1, 2, 4], "5 repeats 4")
        #expect(tally?.categories["general"]?.complaints == [3])
    }

    @Test("resolved complaints do not count; unknown categories count as the default one")
    func resolvedAndUnknownCategory() {
        let complaints = [
            Self.complaint(1, "x", contact: "a", status: "resolved"), Self.complaint(2, "y", contact: "b"),
            Self.complaint(3, "z", contact: "c", category: "gone_category"),
        ]
        let result = Self.assess(complaints)
        #expect(result.standing[1] == .resolved)
        #expect(result.apps[Self.app]?.complaints == [2, 3])
        #expect(result.apps[Self.app]?.categories.keys.sorted() == ["general"])
    }

    @Test("due days: the handling time, a category's own, and complaints from before due days")
    func dueDays() {
        let policy = Self.policy
        #expect(ComplaintRules.dueOn(receivedOn: "2026-11-24", category: "general", policy: policy) == "2026-12-09")
        #expect(
            ComplaintRules.dueOn(receivedOn: "2026-11-24", category: "deep_synthesis_abuse", policy: policy)
                == "2026-12-01")
        #expect(
            ComplaintRules.dueOn(receivedOn: "2028-02-25", category: "deep_synthesis_abuse", policy: policy)
                == "2028-03-03")
        #expect(ComplaintRules.dueOn(receivedOn: "not a day", category: "general", policy: policy) == nil)
        // Recorded at receipt: a later policy does not move it.
        #expect(ComplaintRules.dueOn(Self.complaint(1, dueOn: "2026-11-30"), policy: policy) == "2026-11-30")
        #expect(ComplaintRules.dueOn(Self.complaint(1, receivedOn: "2026-01-01"), policy: policy) == "2026-01-16")
    }

    @Test("overdue: open complaints past their due day, most overdue first")
    func overdue() {
        let complaints = [
            Self.complaint(1, dueOn: "2026-12-01"), Self.complaint(2, dueOn: "2026-12-02"),
            Self.complaint(3, dueOn: "2026-11-20"), Self.complaint(4, status: "resolved", dueOn: "2026-11-01"),
            Self.complaint(5, app: "com.nobody", dueOn: "2026-12-01"),
        ]
        let late = ComplaintRules.overdue(complaints, asOf: "2026-12-02", policy: Self.policy)
        #expect(late.map(\.complaint) == [3, 1, 5], "2 is due today; 4 was answered; 5 is late whatever its app")
        #expect(late.map(\.daysOverdue) == [12, 1, 1])
        #expect(ComplaintRules.overdue(complaints, asOf: "2026-11-20", policy: Self.policy).isEmpty)
    }

    @Test("reviewers' tasks: opened once per app at the threshold, closed when under it again")
    func tasks() {
        let reached = Self.assess(["a", "b", "c"].enumerated().map { Self.complaint(Int64($0 + 1), "t", contact: $1) })
        let first = ComplaintRules.taskChanges(reached, openTasks: [], policy: Self.policy)
        #expect(first.open.map(\.app) == [Self.app] && first.close.isEmpty)
        #expect(first.open.first?.complaints == [1, 2, 3])
        #expect(first.open.first?.reason.contains("#1, #2, #3") == true)
        let task = ComplaintTask(
            id: 7, app: Self.app, complaints: [1, 2, 3], complainants: 3, reason: "", openedAt: "", openedOn: "",
            dailyRun: 1, auditSeq: 1)
        let again = ComplaintRules.taskChanges(reached, openTasks: [task], policy: Self.policy)
        #expect(again.open.isEmpty && again.close.isEmpty)
        let under = Self.assess([Self.complaint(1, "t", contact: "a")])
        #expect(ComplaintRules.taskChanges(under, openTasks: [task], policy: Self.policy).close == [task])
    }
}

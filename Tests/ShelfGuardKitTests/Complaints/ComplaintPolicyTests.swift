import Foundation
import Testing

@testable import ShelfGuardKit

/// The policy's `complaints:` section: read strictly, with defaults that take nothing down.
@Suite("Complaint policy")
struct ComplaintPolicyTests {
    static func policy(_ complaints: String, settings: String = "") throws(PolicyLoader.LoadError) -> Policy {
        let text = """
            policy: shelfguard/policy/v1
            name: t
            \(settings)rules:
            \(PolicyLoaderTests.rule("a", check: "filing_cancelled"))
            \(complaints)
            """
        return try PolicyLoader.parse(text, source: "p.yaml")
    }

    static func problems(_ complaints: String, settings: String = "") -> [String] {
        do {
            _ = try policy(complaints, settings: settings)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("the section is read: handling time, threshold, anonymous counting, categories")
    func read() throws {
        let policy = try Self.policy(
            """
            complaints:
              handling_days: 10
              threshold: 5
              anonymous: each
              default_category: other
              categories:
                other:
                  description: Anything else.
                deep_synthesis_abuse:
                  description: Faces and voices edited without consent.
                  measure: suspend
                  handling_days: 3
            """)
        let c = policy.complaints
        #expect(c.handlingDays == 10 && c.threshold == 5 && c.anonymous == .each && c.defaultCategory == "other")
        #expect(c.categories.map(\.id) == ["other", "deep_synthesis_abuse"])
        #expect(c.category("deep_synthesis_abuse").measure == .suspend)
        #expect(c.handlingDays(for: "deep_synthesis_abuse") == 3 && c.handlingDays(for: "other") == 10)
        #expect(c.category("other").measure == Measure.none)
        #expect(c.category("deep_synthesis_abuse").definedAt.hasPrefix("p.yaml:"))
    }

    @Test("without the section: 15 days, 3 complainants, anonymous together, nothing taken down")
    func defaults() throws {
        let c = try Self.policy("").complaints
        #expect(c.handlingDays == 15 && c.threshold == 3 && c.anonymous == .together)
        #expect(c.categories.allSatisfy { $0.measure == .none })
    }

    @Test("the shipped policy publishes a handling time and lets no category take an app down")
    func shipped() throws {
        let file = TestFiles.packageRoot.appendingPathComponent("policies/review-policy.yaml")
        let c = try PolicyLoader.load(file: file).complaints
        #expect(c.handlingDays > 0 && c.threshold >= 1)
        #expect(c.knows("illegal_content") && c.knows("deep_synthesis_abuse") && c.knows(c.defaultCategory))
        #expect(c.categories.allSatisfy { $0.measure == .none })
    }

    @Test(
        "mistakes are problems at their place",
        arguments: [
            ("complaints:\n  threshold: 0\n", "", "threshold must be at least 1"),
            ("complaints:\n  handling_days: 0\n", "", "handling_days must be at least 1"),
            ("complaints:\n  anonymous: sometimes\n", "", "anonymous must be together or each"),
            ("complaints:\n  treshold: 3\n", "", "did you mean 'threshold'"),
            (
                "complaints:\n  categories:\n    abuse:\n      description: d\n      measure: delete\n", "",
                "measure of abuse must be one of none, warn, manual_review, suspend, take_down"
            ),
            ("complaints:\n  categories:\n    Abuse:\n      description: d\n", "", "snake_case"),
            (
                "complaints:\n  categories:\n    abuse:\n      measure: suspend\n", "",
                "missing the required key 'description'"
            ),
            ("complaints:\n  default_category: nope\n", "", "the default category 'nope' is not among the categories"),
            ("complaints:\n  threshold: 4\n", "settings:\n  complaint_threshold: 3\n", "given twice"),
        ])
    func mistakes(complaints: String, settings: String, expected: String) {
        let problems = Self.problems(complaints, settings: settings)
        #expect(problems.contains { $0.contains(expected) && $0.hasPrefix("p.yaml:") }, "\(problems)")
    }
}

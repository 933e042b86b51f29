import Foundation
import Testing

@testable import ShelfGuardKit

/// `shelfguard policy lint`: the default policy is sound; broken ones are named precisely.
@Suite("Policy loader")
struct PolicyLoaderTests {
    @Test("the default policy loads: snake_case ids, a basis and a remedy for every rule")
    func defaultPolicy() {
        let policy = DefaultPolicy.policy
        #expect(policy.name == "default")
        #expect(policy.rules.count >= 30)
        #expect(policy.digest.count == 64)
        for rule in policy.rules {
            #expect(Signature.isSnakeCase(rule.id))
            #expect(
                rule.basis.contains("Art.") || rule.basis.contains("GB") || rule.basis.contains("工信部"), "\(rule.id)")
            #expect(!rule.remedy.isEmpty && !rule.description.isEmpty)
        }
        #expect(policy.settings.assessmentMaxAgeDays == 365)
        // Derived or summarised facts warn rather than refuse (regulation.md).
        #expect(policy.rules.first { $0.id == "filing_check_digit" }?.outcome == .warn)
    }

    static func problems(_ rules: String, settings: String = "") -> [YAMLProblem] {
        let text = "policy: shelfguard/policy/v1\nname: t\n\(settings)rules:\n\(rules)"
        do {
            _ = try PolicyLoader.parse(text, source: "p.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    static func rule(_ id: String, check: String, outcome: String = "refuse", extra: String = "") -> String {
        """
          - id: \(id)
            check: \(check)
            basis: DSP Art. 13
            outcome: \(outcome)
            description: d
            remedy: r
        \(extra)
        """
    }

    @Test("broken policies: each problem with its line and column")
    func broken() {
        let cases: [(String, String, Int, String)] = [
            ("unknown check", Self.rule("a", check: "filing_cancelld"), 5, "did you mean 'filing_cancelled'?"),
            ("unknown outcome", Self.rule("a", check: "filing_cancelled", outcome: "reject"), 7, "must be one of"),
            ("missing key", "  - id: a\n    check: filing_cancelled\n", 4, "basis"),
            ("unknown key", Self.rule("a", check: "filing_cancelled", extra: "    severity: refuse\n"), 10, "severity"),
            (
                "wrong parameter", Self.rule("a", check: "filing_cancelled", extra: "    confidence: strong\n"), 10,
                "does not go with"
            ),
            ("no confidence", Self.rule("a", check: "undeclared_feature"), 4, "needs confidence"),
            (
                "bad confidence", Self.rule("a", check: "undeclared_feature", extra: "    confidence: sure\n"), 10,
                "weak, medium or strong"
            ),
            (
                "unknown hazard", Self.rule("a", check: "structural_hazards", extra: "    hazards: [zip_slip]\n"), 10,
                "zip_slip"
            ),
            ("id", Self.rule("BadId", check: "filing_cancelled"), 4, "snake_case"),
            (
                "duplicate", Self.rule("a", check: "filing_cancelled") + Self.rule("a", check: "filing_type"), 10,
                "duplicate rule id 'a'"
            ),
        ]
        for (label, rules, line, words) in cases {
            let problems = Self.problems(rules)
            #expect(problems.contains { $0.line == line && $0.message.contains(words) }, "\(label): \(problems)")
        }
        #expect(Self.problems("  []\n").contains { $0.message.contains("no rules") })
        #expect(
            Self.problems(
                Self.rule("a", check: "filing_cancelled"), settings: "settings:\n  assessment_max_age_days: -1\n"
            )
            .contains { $0.message.contains("cannot be negative") })
        #expect(
            Self.problems(Self.rule("a", check: "filing_cancelled"), settings: "settings:\n  max_age: 3\n")
                .contains { $0.message.contains("max_age") })
    }

    @Test("settings and parameters are read")
    func settings() throws {
        let text = """
            policy: shelfguard/policy/v1
            name: strict
            settings:
              assessment_max_age_days: 180
              cancellation_grace_days: 7
              complaint_threshold: 1
            rules:
            \(Self.rule("old", check: "assessment_age", outcome: "warn", extra: "    max_age_days: 90\n"))
            """
        let policy = try PolicyLoader.parse(text, source: "p.yaml")
        #expect(policy.settings.assessmentMaxAgeDays == 180)
        #expect(policy.settings.cancellationGraceDays == 7)
        #expect(policy.complaints.threshold == 1, "settings.complaint_threshold, of older policies, is still read")
        #expect(policy.rules.first?.maxAgeDays == 90)
        #expect(policy.rules.first?.definedAt == "p.yaml:8:5")
    }
}

import Foundation
import Testing

@testable import ShelfGuardKit

/// `shelfguard check` through the built binary, as a CI pipeline runs it.
@Suite("check, end to end")
struct CheckCommandTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    static let registry = samples.appendingPathComponent("registry").path
    static let day = "2026-11-24"

    /// Each sample, its verdict on the sample registry as of `day`, and exactly the rules it fires.
    static let expected: [(String, VerdictOutcome, [String])] = [
        (
            "broken.apk", .refuse,
            ["bundle_unreadable", "damaged_structure", "declaration_missing", "manifest_unreadable"]
        ),
        ("calculator.apk", .approve, []),
        (
            "chatpal.ipa", .warn,
            ["declared_not_detected", "filing_check_digit", "genai_number_invalid", "other_ai_detected"]
        ),
        ("facefun.apk", .approve, ["other_ai_detected"]),
        (
            "facefun.xapk", .manualReview,
            ["assessment_expired", "filing_product_unlisted", "label_writer_unseen", "other_ai_detected"]
        ),
        ("flashlight.ipa", .approve, []),
        ("notes.hap", .refuse, ["declaration_invalid"]),
        (
            "portrait.app", .refuse,
            [
                "declared_not_detected", "filing_product_unlisted", "filing_unregistered", "filing_wrong_owner",
                "filing_wrong_type", "implicit_label_unverified", "other_ai_detected", "supplier_filing_invalid",
            ]
        ),
        (
            "portrait.hap", .refuse,
            ["filing_unregistered", "implicit_label_absent", "other_ai_detected", "undeclared_feature_strong"]
        ),
        (
            "storybook.rpk", .refuse,
            [
                "filing_malformed", "filing_missing", "implicit_label_malformed", "labeling_material_beside_unread",
                "undeclared_feature_weak",
            ]
        ),
        (
            "suspicious.apk", .refuse,
            [
                "ai_generation_denied", "app_id_mismatch", "bundle_packed", "declared_not_detected",
                "hostile_structure",
                "possible_feature_undeclared",
            ]
        ),
        ("todo.wxapkg", .approve, []),
        (
            "voicechat.wxapkg", .manualReview,
            ["declared_not_detected", "implicit_label_other_producer", "undeclared_feature_medium"]
        ),
        (
            "voicenote.aab", .refuse,
            [
                "assessment_missing", "consent_missing", "explicit_label_missing", "filing_cancelled",
                "implicit_label_missing", "labeling_materials_missing",
            ]
        ),
        ("weather.rpk", .refuse, ["ai_statement_missing", "icp_filing_invalid", "uscc_invalid"]),
    ]

    static func check(_ arguments: [String]) throws -> ShelfGuardBinary.Result {
        try ShelfGuardBinary.run(["check", "--registry", registry, "--as-of", day] + arguments)
    }

    @Test("every sample gets its verdict, exit code and rules", arguments: expected)
    func sample(name: String, verdict: VerdictOutcome, rules: [String]) throws {
        let result = try Self.check(["--format", "json", Self.samples.appendingPathComponent(name).path])
        #expect(result.status == verdict.exitStatus.rawValue, "\(result.stderr)")
        let json = try result.json()
        #expect(json["verdict"] as? String == verdict.rawValue)
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(Set(findings.compactMap { $0["rule"] as? String }) == Set(rules))
        for finding in findings {
            for key in ["rule", "severity", "message", "basis", "location", "remedy"] {
                #expect(finding[key] is String, "\(name): finding without \(key)")
            }
        }
        for key in ["bundle", "hazards", "detections", "verdict", "findings", "policy", "signatureDatabase"] {
            #expect(json[key] != nil, "\(name): no \(key)")
        }
    }

    @Test("the samples cover every verdict and every rule of the default policy")
    func coverage() {
        #expect(Set(Self.expected.map(\.1)) == Set(VerdictOutcome.allCases))
        let fired = Set(Self.expected.flatMap(\.2))
        let rules = Set(DefaultPolicy.policy.rules.map(\.id))
        #expect(fired == rules, "never fired: \(rules.subtracting(fired).sorted())")
        let onDisk = try? FileManager.default.contentsOfDirectory(atPath: Self.samples.path).filter {
            !$0.hasSuffix(".yaml") && !$0.hasSuffix(".md") && $0 != "registry" && $0 != "labeling"
        }
        #expect(Set(onDisk ?? []) == Set(Self.expected.map(\.0)), "a sample without an expected verdict")
    }

    @Test("several reports at once with -o, and the contract's JSON on standard output")
    func severalReports() throws {
        let folder = try TestFiles.directory("reports")
        let sarif = folder.appendingPathComponent("out.sarif").path
        let junit = folder.appendingPathComponent("out.xml").path
        let markdown = folder.appendingPathComponent("out.md").path
        let result = try Self.check([
            "-o", "sarif=\(sarif)", "-o", "junit=\(junit)", "-o", "markdown=\(markdown)", "--format", "json",
            Self.samples.appendingPathComponent("calculator.apk").path,
            Self.samples.appendingPathComponent("chatpal.ipa").path,
        ])
        #expect(result.status == 3, "warn is the worst of approve and warn")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.compactMap { $0["verdict"] as? String } == ["approve", "warn"])
        #expect(try String(contentsOfFile: sarif, encoding: .utf8).contains("\"version\" : \"2.1.0\""))
        #expect(try String(contentsOfFile: junit, encoding: .utf8).contains("<testsuites"))
        #expect(try String(contentsOfFile: markdown, encoding: .utf8).contains("| Bundle | App | Verdict |"))
    }

    @Test("the text report lists a bare vendor's possible features apart from the detected ones")
    func possibleFeaturesShown() throws {
        let result = try Self.check([Self.samples.appendingPathComponent("suspicious.apk").path])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("  detected     no AI features"), "\(result.stdout)")
        #expect(
            lines.contains(
                "  possible     text_generation, voice_synthesis, video_generation (a vendor's service, not proven)"),
            "\(result.stdout)")
    }

    @Test("--declaration names the declaration; the one beside is then ignored")
    func explicitDeclaration() throws {
        let result = try Self.check([
            "--format", "json", "--declaration",
            Self.samples.appendingPathComponent("facefun.apk.declaration.yaml").path,
            Self.samples.appendingPathComponent("facefun.xapk").path,
        ])
        // The APK's declaration fits the XAPK but for one question: last year's build inside it
        // has no code that writes the labels it declares.
        #expect(result.status == 3, "\(result.stdout)")
        let json = try result.json()
        #expect((json["declarationSource"] as? String)?.hasSuffix("facefun.apk.declaration.yaml") == true)
        let asked = (json["findings"] as? [[String: Any]] ?? []).filter { ($0["severity"] as? String) != "info" }
        #expect(asked.compactMap { $0["rule"] as? String } == ["label_writer_unseen"], "\(asked)")
    }

    @Test("a declaration inside the bundle is found when none is beside it")
    func embeddedDeclaration() throws {
        let json = try Self.check(["--format", "json", Self.samples.appendingPathComponent("todo.wxapkg").path]).json()
        #expect(json["declarationSource"] as? String == "todo.wxapkg!/deep-synthesis.yaml")
        #expect((json["declaration"] as? [String: Any])?["ai_generation"] as? Bool == false)
    }

    @Test("a malformed declaration is refused (2) with findings at its lines, not a tool error")
    func malformedDeclaration() throws {
        let folder = try TestFiles.directory("declaration")
        let bundle = folder.appendingPathComponent("calculator.apk")
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("calculator.apk"), to: bundle)
        let cases = [
            "schema: shelfguard/declaration/v1\napp: [not, a, mapping]\n",
            "schema: shelfguard/declaration/v1\napp: {id: a\n",
            String(repeating: "[", count: 10_000),
            "&a [*a, *a]\n",
            "",
        ]
        for text in cases {
            try text.write(
                to: URL(fileURLWithPath: bundle.path + ".declaration.yaml"), atomically: true, encoding: .utf8)
            let result = try Self.check(["--format", "json", bundle.path])
            #expect(result.status == 2, "\(text.prefix(40)): \(result.stderr)")
            let findings = try result.json()["findings"] as? [[String: Any]] ?? []
            #expect(findings.contains { $0["rule"] as? String == "declaration_invalid" }, "\(text.prefix(40))")
            #expect(
                findings.allSatisfy { ($0["location"] as? String)?.contains("calculator.apk") == true },
                "\(findings)")
        }
        try Data([0xFF, 0xFE, 0x41, 0x00]).write(to: URL(fileURLWithPath: bundle.path + ".declaration.yaml"))
        #expect(try Self.check([bundle.path]).status == 2)
    }

    @Test(
        "tool errors exit 1 and, with --format json, print an error object",
        arguments: [
            ["/nonexistent/app.apk"],
            ["--declaration", "/nonexistent/d.yaml", "SAMPLE"],
            ["--policy", "/nonexistent/policy.yaml", "SAMPLE"],
            ["--registry", "/nonexistent/filings.csv", "SAMPLE"],
            ["--declaration", "SAMPLE_DECL", "SAMPLE", "SAMPLE"],
            ["--as-of", "24/11/2026", "SAMPLE"],
            ["-o", "pdf=report.pdf", "SAMPLE"],
        ])
    func toolErrors(arguments: [String]) throws {
        let sample = Self.samples.appendingPathComponent("calculator.apk").path
        let filled = arguments.map {
            $0 == "SAMPLE" ? sample : $0 == "SAMPLE_DECL" ? sample + ".declaration.yaml" : $0
        }
        let result = try Self.check(["--format", "json"] + filled)
        #expect(result.status == 1, "\(filled): \(result.stdout) \(result.stderr)")
        let json = try result.json()
        #expect(json["error"] != nil || (json["findings"] == nil && json["path"] != nil), "\(json)")
        #expect(!result.stderr.isEmpty)
    }

    @Test("a broken policy or registry file is a tool error naming the place")
    func brokenInputs() throws {
        let folder = try TestFiles.directory("broken-inputs")
        let policy = folder.appendingPathComponent("policy.yaml")
        try """
        policy: shelfguard/policy/v1
        name: broken
        rules:
          - id: a_rule
            check: filing_cancelld
            basis: DSP Art. 13
            outcome: refuse
            description: x
            remedy: y
        """.write(to: policy, atomically: true, encoding: .utf8)
        let sample = Self.samples.appendingPathComponent("calculator.apk").path
        let result = try Self.check(["--policy", policy.path, sample])
        #expect(result.status == 1)
        #expect(result.stderr.contains("policy.yaml:5:12: unknown check 'filing_cancelld'"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean 'filing_cancelled'?"))
        let lint = try ShelfGuardBinary.run(["policy", "lint", policy.path])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("policy.yaml:5:12"))

        let csv = folder.appendingPathComponent("list.csv")
        try "名称,编号\n甲,1\n".write(to: csv, atomically: true, encoding: .utf8)
        let badRegistry = try ShelfGuardBinary.run(["check", "--registry", csv.path, sample])
        #expect(badRegistry.status == 1)
        #expect(badRegistry.stderr.contains("is not one of the published lists"))

        let partly = folder.appendingPathComponent("partly.csv")
        try """
        序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注
        1,好,服务提供者,甲,甲（APP）,生成,网信算备110108823483901230031号,
        2,坏,服务提供者,乙,乙（APP）,生成,网信算备11010882348390123003号,

        """.write(to: partly, atomically: true, encoding: .utf8)
        let kept = try ShelfGuardBinary.run(["check", "--format", "json", "--registry", partly.path, sample])
        #expect(kept.status == 0)
        #expect(kept.stderr.contains("partly.csv:3:"), "\(kept.stderr)")
        #expect(((try kept.json()["registry"] as? [String: Any])?["filings"] as? Int) == 1)
    }

    @Test("policy lint passes on the default policy; policy checks lists every check")
    func policyCommands() throws {
        let lint = try ShelfGuardBinary.run(["policy", "lint", "--format", "json"])
        #expect(lint.status == 0, "\(lint.stdout)")
        #expect(try lint.json()["rules"] as? Int == DefaultPolicy.policy.rules.count)
        let checks = try ShelfGuardBinary.run(["policy", "checks"])
        for check in PolicyCheck.allCases { #expect(checks.stdout.contains(check.rawValue)) }
    }
}

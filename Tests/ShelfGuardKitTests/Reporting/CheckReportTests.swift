import Foundation
import Testing

@testable import ShelfGuardKit

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every report format of `check`, pinned by golden files, and the SARIF validated against the
/// official SARIF 2.1.0 schema.
@Suite("check reports")
struct CheckReportTests {
    /// Two bundles: one refused with findings of every kind of location (a declaration line, an
    /// entry inside the bundle, the bundle itself, a waived rule), one the tool could not read.
    static let outputs: [CheckOutput] = {
        var scenario = ReviewScenario()
        scenario.declaration.positions = [
            "app.id": "build/facefun.apk.declaration.yaml:5:7",
            "features[0].algorithm_filing": "build/facefun.apk.declaration.yaml:14:23",
        ]
        scenario.declaration.source = "build/facefun.apk.declaration.yaml"
        scenario.declaration.app.id = "com.example.facefun.pro"
        scenario.feature.algorithmFiling = ReviewScenario.oddCheckDigitFiling
        scenario.detect("text_generation", .strong)
        scenario.detect("ml_inference", .weak, synthesis: false)
        scenario.inspection.hazards.append(
            Hazard(kind: .pathTraversal, location: "facefun.apk!../../evil|name.so", detail: "climbs out with \"..\""))
        scenario.evidence += """
            waivers:
              - app: com.example.facefun.pro
                rule: filing_check_digit
                reason: the certificate shows this number
                expires: 2027-01-31
                granted_by: reviewer Wang

            """
        let policy = DefaultPolicy.policy
        let context = try! scenario.context(policy: policy)
        let evaluation = try! PolicyEvaluator(policy: policy).evaluate(context)
        let result = CheckResult(
            inspection: scenario.inspection, declaration: scenario.declaration,
            declarationSource: scenario.declaration.source, verdict: evaluation.outcome, findings: evaluation.findings,
            stamp: CheckResult.Stamp(
                toolVersion: "0.0.0-test", policyName: policy.name, policyDigest: String(repeating: "1", count: 64),
                signatureDigest: String(repeating: "2", count: 64), asOf: scenario.asOf,
                registry: try! scenario.registry.counts(), policySource: .builtIn, signatureSource: .builtIn,
                evidenceDatabase: ConfigSource(chosenBy: "--db", path: "build/shelf.db")))
        return [
            CheckOutput(path: "build/facefun.apk", result: result),
            CheckOutput(path: "build/gone.apk", error: "cannot open build/gone.apk: No such file or directory"),
        ]
    }()

    /// The default policy with a fixed digest, so that editing the policy's text changes the
    /// golden files only where a rule changed.
    static let policy: Policy = {
        var policy = DefaultPolicy.policy
        policy.digest = String(repeating: "1", count: 64)
        policy.origin = .builtIn
        return policy
    }()

    static func render(_ format: ReportFormat, color: Bool = false) throws -> String {
        try format.render(outputs, policy: policy, color: color)
    }

    @Test("the example refuses for the reasons it was built with")
    func example() throws {
        let result = try #require(Self.outputs[0].result)
        #expect(result.verdict == .refuse)
        #expect(
            Set(result.findings.map(\.rule)) == [
                "app_id_mismatch", "undeclared_feature_strong", "filing_check_digit", "hostile_structure",
                "other_ai_detected",
            ])
        #expect(result.findings.first?.severity == .refuse, "worst first")
    }

    @Test("golden files", arguments: ReportFormat.allCases)
    func golden(format: ReportFormat) throws {
        let name: String
        switch format {
        case .text: name = "check.txt"
        case .json: name = "check.json"
        case .sarif: name = "check.sarif"
        case .junit: name = "check.junit.xml"
        case .github: name = "check.github.txt"
        case .markdown: name = "check.md"
        }
        try Golden.check(name, try Self.render(format))
    }

    @Test("the SARIF log validates against the SARIF 2.1.0 schema")
    func sarifSchema() throws {
        let schema = try Data(
            contentsOf: Golden.directory.deletingLastPathComponent().appendingPathComponent(
                "Schemas/sarif-schema-2.1.0.json"))
        let validator = try JSONSchemaValidator(schema: schema)
        let log = try Self.render(.sarif)
        let violations = try validator.validate(Data(log.utf8))
        #expect(violations.isEmpty, "\(violations.map(\.description))")
        // A single approved bundle with no findings is a valid log too.
        let approved = try ReportFormat.sarif.render(
            [CheckOutput(path: "a.apk", result: try Self.approved())], policy: DefaultPolicy.policy)
        #expect(try validator.validate(Data(approved.utf8)).isEmpty)
    }

    @Test("SARIF: rule ids are policy rule ids, nested paths are logical locations, waivers are suppressions")
    func sarifContent() throws {
        let log = try #require(
            try JSONSerialization.jsonObject(with: Data(try Self.render(.sarif).utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let ruleIDs = (driver["rules"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ruleIDs == DefaultPolicy.policy.rules.map(\.id))
        let results = try #require(run["results"] as? [[String: Any]])
        for result in results {
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(ruleIDs?[index] == result["ruleId"] as? String)
        }
        let hostile = try #require(results.first { $0["ruleId"] as? String == "hostile_structure" })
        let location = try #require((hostile["locations"] as? [[String: Any]])?.first)
        let logical = try #require((location["logicalLocations"] as? [[String: Any]])?.first)
        #expect(logical["fullyQualifiedName"] as? String == "facefun.apk!../../evil|name.so")
        let waived = try #require(results.first { $0["ruleId"] as? String == "filing_check_digit" })
        #expect((waived["suppressions"] as? [[String: Any]])?.first?["status"] as? String == "accepted")
        let notifications = (run["invocations"] as? [[String: Any]])?.first?["toolExecutionNotifications"]
        #expect((notifications as? [Any])?.count == 1, "the unreadable bundle is a tool notification")
    }

    @Test("SARIF fingerprints are stable across runs, days and declaration edits, and differ between findings")
    func fingerprints() throws {
        let result = try #require(Self.outputs[0].result)
        let prints = result.findings.map {
            $0.fingerprint(app: result.appIdentity, place: FindingPlace($0.location, bundlePath: "build/facefun.apk"))
        }
        #expect(Set(prints).count == prints.count)
        var moved = result.findings[0]
        moved.location = moved.location.replacingOccurrences(of: ":5:7", with: ":9:7")
        let before = result.findings[0].fingerprint(
            app: "a", place: FindingPlace(result.findings[0].location, bundlePath: "build/facefun.apk"))
        let after = moved.fingerprint(app: "a", place: FindingPlace(moved.location, bundlePath: "other/facefun.apk"))
        #expect(before == after, "a line number or a folder does not change the fingerprint")
        var aged = ReviewScenario()
        aged.asOf = "2027-08-01"
        let first = try #require(try aged.findings().first)
        aged.asOf = "2027-08-02"
        let second = try #require(try aged.findings().first)
        #expect(first.message != second.message)
        #expect(
            first.fingerprint(app: "a", place: FindingPlace(first.location, bundlePath: "x.apk"))
                == second.fingerprint(app: "a", place: FindingPlace(second.location, bundlePath: "x.apk")))
    }

    @Test("finding locations are taken apart into file, line, column and the path inside the bundle")
    func places() {
        #expect(
            FindingPlace("a/b.yaml:12:5", bundlePath: "x/app.apk")
                == FindingPlace(file: "a/b.yaml", line: 12, column: 5))
        #expect(FindingPlace("app.apk", bundlePath: "x/app.apk") == FindingPlace(file: "x/app.apk"))
        #expect(
            FindingPlace("app.apk!base.apk!lib/x.so", bundlePath: "x/app.apk")
                == FindingPlace(file: "x/app.apk", inner: "base.apk!lib/x.so"))
        #expect(
            FindingPlace("app.apk!META-INF/deep-synthesis.yaml:3:1", bundlePath: "app.apk")
                == FindingPlace(file: "app.apk", inner: "META-INF/deep-synthesis.yaml:3:1"))
        #expect(FindingPlace(file: "样例 dir/a b.apk").uri == "%E6%A0%B7%E4%BE%8B%20dir/a%20b.apk")
    }

    @Test("JUnit XML is well formed: one suite per bundle, one case per rule")
    func junit() throws {
        let xml = try Self.render(.junit)
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = ElementCounter()
        parser.delegate = counter
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(counter.counts["testsuite"] == 2)
        #expect(counter.counts["testcase"] == DefaultPolicy.policy.rules.count + 1)
        #expect(counter.counts["failure"] == 3)
        #expect(counter.counts["skipped"] == 1)
        #expect(counter.counts["error"] == 1)
    }

    @Test("GitHub annotations escape what would end a command")
    func github() throws {
        let escaper = GitHubAnnotations()
        #expect(escaper.data("50%\nnext\r") == "50%25%0Anext%0D")
        #expect(escaper.property("a:b,c") == "a%3Ab%2Cc")
        let text = try Self.render(.github)
        for line in text.split(separator: "\n") {
            #expect(line.hasPrefix("::error ") || line.hasPrefix("::warning ") || line.hasPrefix("::notice "))
        }
    }

    @Test("text: colour only when asked, and the same words either way")
    func colour() throws {
        let plain = try Self.render(.text)
        let coloured = try Self.render(.text, color: true)
        #expect(!plain.contains("\u{1B}["))
        #expect(coloured.contains("\u{1B}[1;31mREFUSE\u{1B}[0m"))
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == plain)
    }

    @Test("markdown tables survive pipes and markup in what bundles and declarations say")
    func markdown() {
        let report = MarkdownReport()
        #expect(report.cell("a|b <script>") == "a\\|b &lt;script&gt;")
        #expect(report.code("x`y|z") == "x'y\\|z")
    }

    static func approved() throws -> CheckResult {
        let scenario = ReviewScenario()
        return CheckResult(
            inspection: scenario.inspection, declaration: scenario.declaration, declarationSource: nil,
            verdict: .approve, findings: [],
            stamp: .init(
                toolVersion: "0", policyName: "default", policyDigest: "", signatureDigest: "", asOf: "2026-11-24",
                registry: RegistryCounts()))
    }
}

/// Counts elements by name while an XMLParser reads.
final class ElementCounter: NSObject, XMLParserDelegate, @unchecked Sendable {
    var counts: [String: Int] = [:]

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        counts[elementName, default: 0] += 1
    }
}

import Foundation
import Testing
import Yams

@testable import ShelfGuardKit

/// Declarations: strict reading with positions, hostile YAML, and where they are found.
@Suite("Declarations")
struct DeclarationTests {
    static let taxonomy = SeedDatabase.database.taxonomy

    /// The product contract's example declaration.
    static let example = """
        schema: shelfguard/declaration/v1
        app:
          id: com.example.facefun
          name: FaceFun
        developer:
          name: 深圳市示例科技有限公司
          uscc: 91440300708461136T
          icp_filing: 粤ICP备2024012345号-3A
        ai_generation: true
        features:
          - category: face_swap
            role: service_provider
            algorithm_filing: 网信算备440304083805101230015号
            suppliers:
              - name: 深圳市腾讯计算机系统有限公司
                algorithm_filing: 网信算备440305295988701230013号
            genai_filing: Guangdong-FaceFun-20240428S0001
            security_assessment: SA-2025-0117
            biometric_consent: separate_consent_prompt
            labeling:
              explicit: [corner_text_label]
              implicit: [aigc_metadata]
              materials: [labeling/sample-output.png, labeling/user-agreement.md]

        """

    /// Where the locator finds the declaration, as the policy sees it.
    static func locate(
        bundlePath: String, explicit: String?, inspection: Inspection, taxonomy: FeatureTaxonomy,
        limits: DeclarationLimits = .standard
    ) throws -> DeclarationState {
        try DeclarationLocator.locate(
            bundlePath: bundlePath, explicit: explicit, inspection: inspection, taxonomy: taxonomy, limits: limits
        ).state
    }

    static func problems(_ text: String) -> [YAMLProblem] {
        if case .failure(let failure) = DeclarationReader.read(text, source: "d.yaml", taxonomy: taxonomy) {
            return failure.problems
        }
        return []
    }

    @Test("the contract's example reads whole, with the positions of its fields")
    func example() throws {
        let declaration = try DeclarationReader.read(Self.example, source: "d.yaml", taxonomy: Self.taxonomy).get()
        #expect(declaration.app.id == "com.example.facefun")
        #expect(declaration.developer.uscc == "91440300708461136T")
        #expect(declaration.aiGeneration == true)
        let feature = try #require(declaration.features.first)
        #expect(feature.category == "face_swap" && feature.role == .serviceProvider)
        #expect(feature.suppliers.first?.algorithmFiling == "网信算备440305295988701230013号")
        #expect(feature.labeling?.materials.count == 2)
        #expect(declaration.position("app.id") == "d.yaml:3:7")
        #expect(declaration.position("features[0].algorithm_filing") == "d.yaml:13:23")
        #expect(declaration.position("features[0].suppliers[0].algorithm_filing") == "d.yaml:16:27")
        #expect(declaration.position("nowhere") == "d.yaml")
    }

    @Test("each mistake is named with its line, column and what was expected")
    func mistakes() {
        let cases: [(String, String, Int, Int, String)] = [
            ("unknown key", "ai_generation: true", 9, 1, "did you mean 'ai_generation'?"),
            ("wrong type", "ai_generation: sometimes", 9, 16, "true or false"),
            ("unknown category", "category: face_swapping", 11, 15, "did you mean 'face_swap'?"),
            ("role", "role: service_provider", 12, 11, "service_provider or technical_supporter"),
            ("supplier key", "name: 深圳市腾讯计算机系统有限公司", 15, 9, "unknown key"),
        ]
        let replacements = [
            ("ai_generation: true", "ai_generaton: true"),
            ("ai_generation: true", "ai_generation: sometimes"),
            ("category: face_swap", "category: face_swapping"),
            ("role: service_provider", "role: provider"),
            ("- name: 深圳市腾讯计算机系统有限公司", "- nam: 深圳市腾讯计算机系统有限公司"),
        ]
        for ((label, _, line, column, words), (old, new)) in zip(cases, replacements) {
            let problems = Self.problems(Self.example.replacingOccurrences(of: old, with: new))
            #expect(problems.count >= 1, "\(label)")
            let problem = problems.first { $0.line == line && $0.column == column }
            #expect(problem != nil, "\(label): \(problems)")
            #expect(problem?.message.contains(words) == true, "\(label): \(problems)")
        }
        let missing = Self.problems("schema: shelfguard/declaration/v1\napp: {id: a}\ndeveloper: {uscc: x}\n")
        #expect(missing.contains { $0.message.contains("'name'") })
        #expect(missing.contains { $0.message.contains("'features'") })
        #expect(
            Self.problems(
                "schema: shelfguard/declaration/v9\napp: {id: a, name: b}\ndeveloper: {name: c}\nfeatures: []\n"
            )
            .first?.message.contains("shelfguard/declaration/v1") == true)
        #expect(Self.problems("").first?.message == "the document is empty")
    }

    @Test("hostile YAML is refused with a problem, never a crash or a hang")
    func hostile() {
        let bomb = (0..<12).reduce("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n") { text, i in
            text + "a\(i + 1): &a\(i + 1) [" + Array(repeating: "*a\(i)", count: 10).joined(separator: ", ") + "]\n"
        }
        let cases = [
            String(repeating: "[", count: 20_000),
            String(repeating: "- ", count: 5_000) + "x",
            bomb + "schema: shelfguard/declaration/v1\napp: *a12\ndeveloper: {name: x}\nfeatures: []\n",
            "schema: shelfguard/declaration/v1\napp: {id: \"\u{0}\", name: b}\n",
            "\t- broken: [\n",
            "features: !!binary AAAA\n",
        ]
        for text in cases {
            #expect(!Self.problems(text).isEmpty, "\(text.prefix(30))")
        }
    }

    @Test("found in order: --declaration, <bundle>.declaration.yaml, <name>.declaration.yaml, inside the bundle")
    func locator() throws {
        let folder = try TestFiles.directory("locate")
        let bundle = folder.appendingPathComponent("app.apk").path
        let inspection = ReviewScenario().inspection
        func source() throws -> String? {
            switch try Self.locate(
                bundlePath: bundle, explicit: nil, inspection: inspection, taxonomy: Self.taxonomy)
            {
            case .found(let d, _): d.source
            case .invalid(let f): f.source
            case .missing: nil
            }
        }
        #expect(
            DeclarationLocator.candidates(besideBundle: "x/app.apk") == [
                "x/app.apk.declaration.yaml", "x/app.declaration.yaml",
            ])
        #expect(DeclarationLocator.candidates(besideBundle: "app") == ["app.declaration.yaml"])
        #expect(try source() == nil)
        guard
            case .missing(let searched) = try Self.locate(
                bundlePath: bundle, explicit: nil, inspection: inspection, taxonomy: Self.taxonomy)
        else { Issue.record("not missing"); return }
        #expect(
            searched == [
                "app.apk.declaration.yaml", "app.declaration.yaml", "app.apk!META-INF/deep-synthesis.yaml",
                "app.apk!deep-synthesis.yaml",
            ])

        var carrying = inspection
        carrying.embeddedDeclarations = [
            .init(path: "META-INF/deep-synthesis.yaml", bytes: Array(Self.example.utf8), complete: true)
        ]
        if case .found(let d, _) = try Self.locate(
            bundlePath: bundle, explicit: nil, inspection: carrying, taxonomy: Self.taxonomy)
        {
            #expect(d.source == "app.apk!META-INF/deep-synthesis.yaml")
            #expect(d.position("app.id") == "app.apk!META-INF/deep-synthesis.yaml:3:7")
        } else {
            Issue.record("the embedded declaration was not found")
        }

        try Self.example.write(
            toFile: folder.appendingPathComponent("app.declaration.yaml").path, atomically: true, encoding: .utf8)
        #expect(try source() == folder.appendingPathComponent("app.declaration.yaml").path)
        try Self.example.write(toFile: bundle + ".declaration.yaml", atomically: true, encoding: .utf8)
        #expect(try source() == bundle + ".declaration.yaml")

        let explicit = folder.appendingPathComponent("other.yaml").path
        try "features: [".write(toFile: explicit, atomically: true, encoding: .utf8)
        guard
            case .invalid = try Self.locate(
                bundlePath: bundle, explicit: explicit, inspection: inspection, taxonomy: Self.taxonomy)
        else { Issue.record("the explicit declaration was not taken"); return }
        #expect(throws: DeclarationLocator.MissingFile.self) {
            try DeclarationLocator.locate(
                bundlePath: bundle, explicit: folder.appendingPathComponent("gone.yaml").path, inspection: inspection,
                taxonomy: Self.taxonomy)
        }
    }

    @Test("the declaration limits: size and YAML nodes, each with its default and a lower setting")
    func limits() throws {
        #expect(DeclarationLimits.standard.maxFileBytes == 1 << 20)
        #expect(DeclarationLimits.standard.maxNodes == 100_000)
        let folder = try TestFiles.directory("large")
        let path = folder.appendingPathComponent("big.yaml").path
        try Data(repeating: 0x23, count: DeclarationLimits.standard.maxFileBytes + 1).write(
            to: URL(fileURLWithPath: path))
        let inspection = ReviewScenario().inspection
        let state = try Self.locate(
            bundlePath: "a.apk", explicit: path, inspection: inspection, taxonomy: Self.taxonomy)
        guard case .invalid(let failure) = state else {
            Issue.record("taken")
            return
        }
        #expect(failure.problems.first?.message.contains("declaration size limit") == true)

        let example = folder.appendingPathComponent("example.yaml").path
        try Self.example.write(toFile: example, atomically: true, encoding: .utf8)
        var small = DeclarationLimits()
        small.maxFileBytes = 100
        guard
            case .invalid = try Self.locate(
                bundlePath: "a.apk", explicit: example, inspection: inspection, taxonomy: Self.taxonomy, limits: small)
        else {
            Issue.record("a declaration over the size limit was taken")
            return
        }
        var few = DeclarationLimits()
        few.maxNodes = 20
        guard
            case .invalid(let tooMany) = try Self.locate(
                bundlePath: "a.apk", explicit: example, inspection: inspection, taxonomy: Self.taxonomy, limits: few)
        else {
            Issue.record("a declaration over the node limit was taken")
            return
        }
        #expect(tooMany.problems.contains { $0.message.contains("more than 20 nodes") })
        guard
            case .found = try Self.locate(
                bundlePath: "a.apk", explicit: example, inspection: inspection, taxonomy: Self.taxonomy)
        else {
            Issue.record("the example was not taken under the default limits")
            return
        }
    }

    /// A declaration read with one of Yams's resolvers: its declaration, or its problems.
    static func read(_ text: String, _ resolver: Yams.Resolver) -> (Declaration?, [YAMLProblem]) {
        outcome(
            DeclarationReader.read(
                text, source: "d.yaml", taxonomy: taxonomy, maxNodes: DeclarationLimits.standard.maxNodes,
                resolver: resolver))
    }

    static func outcome(_ result: Result<Declaration, DeclarationReader.Failure>) -> (Declaration?, [YAMLProblem]) {
        switch result {
        case .success(let declaration): (declaration, [])
        case .failure(let failure): (nil, failure.problems)
        }
    }

    @Test(
        "a declaration reads the same with Yams's basic resolver; a defective one gets the default resolver's problems")
    func resolvers() throws {
        let samples = TestFiles.packageRoot.appendingPathComponent("samples")
        var texts = [Self.example]
        for name in try FileManager.default.contentsOfDirectory(atPath: samples.path) where name.hasSuffix(".yaml") {
            texts.append(try String(contentsOf: samples.appendingPathComponent(name), encoding: .utf8))
        }
        var valid = 0
        for text in texts {
            let standard = Self.read(text, .default)
            #expect(Self.outcome(DeclarationReader.read(text, source: "d.yaml", taxonomy: Self.taxonomy)) == standard)
            guard standard.0 != nil else { continue }
            valid += 1
            #expect(Self.read(text, .basic) == standard)
        }
        #expect(valid >= 10)
        // Keys the default resolver takes for a bool, a timestamp, a merge, a value or a number,
        // beside the same words tagged as text.
        var differ = 0
        for insert in [
            "yes: 1", "2026-01-01: x", "<<: {}", "=: x", "1.5: x", "~: x", "!!str true: a\ntrue: b",
            "!!bool true: a\ntrue: b", "!!str app: x",
        ] {
            let text = Self.example.replacingOccurrences(
                of: "ai_generation: true\n", with: "ai_generation: true\n\(insert)\n")
            let read = DeclarationReader.read(text, source: "d.yaml", taxonomy: Self.taxonomy)
            #expect(Self.outcome(read) == Self.read(text, .default), "\(insert)")
            #expect(Self.outcome(read).0 == nil, "\(insert) was read as a valid declaration")
            if Self.read(text, .basic) != Self.read(text, .default) { differ += 1 }
        }
        #expect(differ > 0, "the basic resolver never told these apart: the fallback is not tested")
    }
}

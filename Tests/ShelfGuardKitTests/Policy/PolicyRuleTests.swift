import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Every rule of the default policy, fired and not fired: a passing review changed in one place
/// must raise exactly that rule, and the passing review raises nothing. A rule added to the policy
/// without a scenario here fails `everyRuleHasAScenario`.
@Suite("Default policy: each rule fires, and only when it should")
struct PolicyRuleTests {
    /// Rule id → the change that must make it fire (and, where a change cannot help raising
    /// others, the rules that fire with it).
    static let scenarios: [String: @Sendable (inout ReviewScenario) -> Void] = [
        "declaration_missing": { $0.declarationState = .missing(searched: ["facefun.apk.declaration.yaml"]) },
        "declaration_invalid": { s in
            let text =
                "schema: shelfguard/declaration/v1\napp: {id: x, name: y}\ndeveloper: {name: z}\nfeatures: []\nai: 1\n"
            if case .failure(let failure) = DeclarationReader.read(
                text, source: "bad.yaml", taxonomy: SeedDatabase.database.taxonomy)
            {
                s.declarationState = .invalid(failure)
            }
        },
        "ai_statement_missing": { $0.declaration.aiGeneration = nil },
        "labeling_materials_missing": { $0.materials = [:] },
        "labeling_material_beside_unread": {
            $0.unreadBeside = ["assets/labeling/sample.png": "sha256:" + String(repeating: "ab", count: 32)]
        },
        "undeclared_feature_strong": { $0.detect("text_generation", .strong) },
        "undeclared_feature_medium": { $0.detect("voice_synthesis", .medium) },
        "undeclared_feature_weak": { $0.detect("image_generation", .weak) },
        "ai_generation_denied": { $0.declaration.aiGeneration = false },
        "app_id_mismatch": { $0.declaration.app.id = "com.example.other" },
        "filing_missing": { $0.feature.algorithmFiling = nil },
        "filing_malformed": { $0.feature.algorithmFiling = "网信算备4403059000001号" },
        "filing_check_digit": { $0.feature.algorithmFiling = ReviewScenario.oddCheckDigitFiling },
        "filing_unregistered": { $0.feature.algorithmFiling = ReviewScenario.unregisteredFiling },
        "filing_cancelled": { s in
            s.csv["cancellations.csv"] = """
                备案编号,注销日期,公告日期,公告标题,算法名称,角色,主体名称,应用产品
                \(ReviewScenario.ownFiling),2026年3月,2026-03-20,关于注销的公告,换脸算法,服务提供者,\(ReviewScenario.developer),FaceFun(APP)

                """
        },
        "filing_wrong_type": { $0.feature.algorithmFiling = ReviewScenario.typeTwoFiling },
        "filing_wrong_owner": { $0.feature.algorithmFiling = ReviewScenario.otherOwnersFiling },
        "filing_product_unlisted": { $0.declaration.app.name = "FaceFun Pro" },
        "supplier_filing_invalid": {
            $0.feature.suppliers = [
                .init(name: ReviewScenario.supplier, algorithmFiling: ReviewScenario.supplierServiceFiling)
            ]
        },
        "genai_number_invalid": { $0.feature.genaiFiling = "FaceFun-2025" },
        "assessment_missing": { $0.feature.securityAssessment = nil },
        "assessment_expired": { $0.asOf = "2027-08-01" },
        "consent_missing": { $0.feature.biometricConsent = nil },
        "explicit_label_missing": { $0.feature.labeling?.explicit = [] },
        "implicit_label_missing": { $0.feature.labeling?.implicit = [] },
        "implicit_label_absent": { $0.materialLabels = ReviewScenario.labels(nil) },
        "implicit_label_malformed": {
            $0.materialLabels = ReviewScenario.labels(ReviewScenario.developerLabel.with("Label", "4"))
        },
        "implicit_label_other_producer": { $0.materialLabels = ReviewScenario.labels(LabelFields.otherProducer) },
        "implicit_label_unverified": {
            $0.materialLabels = [
                "assets/labeling/sample.png": MaterialLabels(
                    source: "bundle", unreadable: "it is larger than the material size limit")
            ]
        },
        "uscc_invalid": { s in
            s.declaration.developer.uscc = "91440300MA5G0FFN03"
            // The sample's label then names the developer by name, not by a code holding the USCC.
            s.materialLabels = ReviewScenario.labels(
                ReviewScenario.developerLabel.with("ContentProducer", ReviewScenario.developer))
        },
        "icp_filing_invalid": { $0.declaration.developer.icpFiling = "粤ICP备2025012345号-3X" },
        "bundle_unreadable": { s in
            s.inspection.bundle.complete = false
            s.inspection.hazards.append(
                Hazard(kind: .truncated, location: "facefun.apk", detail: "the zip ends early"))
        },
        "bundle_packed": {
            $0.inspection.hazards.append(
                Hazard(kind: .packed, location: "facefun.apk!lib/libjiagu.so", detail: "Jiagu packer"))
        },
        "manifest_unreadable": {
            $0.inspection.hazards.append(
                Hazard(kind: .manifestUnreadable, location: "facefun.apk!AndroidManifest.xml", detail: "bad chunk"))
        },
        "damaged_structure": {
            $0.inspection.hazards.append(
                Hazard(kind: .damagedDirectory, location: "facefun.apk", detail: "38 bytes follow the end record"))
        },
        "hostile_structure": {
            $0.inspection.hazards.append(
                Hazard(kind: .pathTraversal, location: "facefun.apk!../x.so", detail: "climbs out"))
        },
        "declared_not_detected": { s in
            s.declaration.features.append(
                Declaration.Feature(
                    category: "image_generation", role: .technicalSupporter, algorithmFiling: nil, suppliers: [],
                    genaiFiling: nil, securityAssessment: nil, biometricConsent: nil,
                    labeling: .init(explicit: ["corner_text_label"], implicit: ["aigc_metadata"], materials: [])))
        },
        "other_ai_detected": { $0.detect("ml_inference", .weak, synthesis: false) },
        "possible_feature_undeclared": { s in
            // A bare DashScope host: a service of the vendor, none of its features declared.
            s.inspection.detections.append(
                Detection(
                    signature: "alibaba_dashscope", features: [], confidence: .medium, category: .synthesis,
                    vendor: "Alibaba Cloud", product: "DashScope", location: "facefun.apk!classes.dex",
                    evidence: "dashscope.aliyuncs.com", occurrences: 1, alsoAt: [],
                    possibleFeatures: ["text_generation", "image_generation"]))
        },
        "label_writer_unseen": { $0.inspection.detections.append(PolicyRuleTests.onDeviceFaceSwap()) },
    ]

    /// The face-effects SDK proving face swap on the device, as the detector reports it.
    static func onDeviceFaceSwap(runs: Signature.Runs = .device) -> Detection {
        Detection(
            signature: "faceunity_nama", features: ["face_swap"], confidence: .strong, category: .synthesis,
            vendor: "FaceUnity", product: "Nama SDK", location: "facefun.apk!classes.dex",
            evidence: "Lcom/faceunity/", occurrences: 1, alsoAt: [],
            proofs: [
                .init(
                    feature: "face_swap", confidence: .strong, location: "facefun.apk!classes.dex",
                    evidence: "Lcom/faceunity/")
            ], runs: runs)
    }

    @Test("label_writer_unseen asks only about features made on the device, and a label writer answers it")
    func labelWriter() throws {
        func rules(_ change: (inout ReviewScenario) -> Void) throws -> [String] {
            var scenario = ReviewScenario()
            change(&scenario)
            return try scenario.findings().map(\.rule)
        }
        #expect(try rules { $0.inspection.detections.append(Self.onDeviceFaceSwap()) } == ["label_writer_unseen"])
        // The vendor's servers make the content and write its labels: nothing to ask.
        #expect(try rules { $0.inspection.detections.append(Self.onDeviceFaceSwap(runs: .service)) }.isEmpty)
        // Code that writes labels answers the question, whatever kind it is.
        for writer in ["gb45438_xmp_namespace", "gb45438_label_keys", "c2pa_sdk"] {
            let found = try rules {
                $0.inspection.detections.append(Self.onDeviceFaceSwap())
                $0.inspection.detections.append(
                    Detection(
                        signature: writer, features: [], confidence: .strong, category: .labeling, vendor: "TC260",
                        product: "label writer", location: "facefun.apk!classes.dex", evidence: "AIGC",
                        occurrences: 1, alsoAt: []))
            }
            #expect(found.isEmpty, "\(writer): \(found)")
        }
        // A feature that declares no implicit label is implicit_label_missing's business alone.
        #expect(
            try rules {
                $0.inspection.detections.append(Self.onDeviceFaceSwap())
                $0.feature.labeling?.implicit = []
            } == ["implicit_label_missing"])
    }

    @Test("a policy may not refuse over missing label-writing code")
    func labelWriterNeverRefuses() {
        let problems = PolicyLoaderTests.problems(PolicyLoaderTests.rule("a", check: "label_writer"))
        #expect(problems.contains { $0.message.contains("never refuse") }, "\(problems)")
    }

    @Test("the passing review raises nothing")
    func passing() throws {
        let findings = try ReviewScenario().findings()
        #expect(findings.isEmpty, "\(findings.map { "\($0.rule): \($0.message)" })")
    }

    /// Rules that fire with another by design: with no declaration at all, the strong feature
    /// the scenario's bundle shows is undeclared too (reported in the same round).
    static let alsoFires: [String: Set<String>] = ["declaration_missing": ["undeclared_feature_strong"]]

    @Test("with no declaration, the detected features are reported as undeclared, and say why")
    func missingDeclarationReportsFeatures() throws {
        var scenario = ReviewScenario()
        scenario.declarationState = .missing(searched: ["facefun.apk.declaration.yaml"])
        let undeclared = try scenario.findings().filter { $0.rule == "undeclared_feature_strong" }
        #expect(!undeclared.isEmpty)
        #expect(undeclared.allSatisfy { $0.message.contains("there is no declaration to declare it") })
        // A defective declaration is not judged for features: what it declares is not known.
        scenario.declarationState = .invalid(DeclarationReader.Failure(source: "d.yaml", problems: []))
        #expect(try scenario.findings().allSatisfy { $0.rule != "undeclared_feature_strong" })
    }

    @Test("every rule of the default policy has a scenario here")
    func everyRuleHasAScenario() {
        let rules = Set(DefaultPolicy.policy.rules.map(\.id))
        #expect(rules == Set(Self.scenarios.keys), "missing: \(rules.subtracting(Self.scenarios.keys).sorted())")
    }

    @Test(
        "one change fires exactly its rule, with the rule's outcome, basis and remedy",
        arguments: scenarios.keys.sorted())
    func fires(rule id: String) throws {
        var scenario = ReviewScenario()
        let change = try #require(Self.scenarios[id])
        change(&scenario)
        let findings = try scenario.findings()
        let rule = try #require(DefaultPolicy.policy.rules.first { $0.id == id })
        let expected = Set([id]).union(Self.alsoFires[id] ?? [])
        #expect(Set(findings.map(\.rule)) == expected, "\(findings.map { "\($0.rule): \($0.message)" })")
        for finding in findings where finding.rule == id {
            #expect(finding.severity == rule.outcome)
            #expect(finding.basis == rule.basis)
            #expect(finding.remedy == rule.remedy)
            #expect(!finding.message.isEmpty && !finding.location.isEmpty)
        }
    }

    @Test("the verdict is the worst outcome among the findings, with the contract's exit codes")
    func verdicts() throws {
        func verdict(_ change: (inout ReviewScenario) -> Void) throws -> VerdictOutcome {
            var scenario = ReviewScenario()
            change(&scenario)
            return VerdictOutcome(findings: try scenario.findings())
        }
        #expect(try verdict { _ in } == .approve)
        #expect(try verdict { $0.detect("ml_inference", .weak, synthesis: false) } == .approve)
        #expect(try verdict { $0.declaration.app.name = "FaceFun Pro" } == .warn)
        #expect(try verdict { $0.asOf = "2027-08-01" } == .manualReview)
        #expect(
            try verdict {
                $0.asOf = "2027-08-01"
                $0.declaration.app.id = "x"
            } == .refuse)
        #expect(VerdictOutcome.approve.exitStatus.rawValue == 0)
        #expect(VerdictOutcome.refuse.exitStatus.rawValue == 2)
        #expect(VerdictOutcome.warn.exitStatus.rawValue == 3)
        #expect(VerdictOutcome.manualReview.exitStatus.rawValue == 3)
    }

    @Test("without any filing list loaded, filings are reported as not verified rather than passed")
    func noFilingList() throws {
        var scenario = ReviewScenario()
        scenario.csv = [:]
        let findings = try scenario.findings()
        let unverified = try #require(findings.first { $0.rule == "filing_unregistered" })
        #expect(unverified.message.contains("no published filing list was loaded"))
    }

    @Test("a waiver turns its rule into information for its app until it expires")
    func waivers() throws {
        var scenario = ReviewScenario()
        scenario.declaration.app.name = "FaceFun Pro"
        scenario.evidence += """
            waivers:
              - app: com.example.facefun
                rule: filing_product_unlisted
                reason: product change filed on 2026-11-01
                expires: 2026-12-31
                granted_by: reviewer Li

            """
        let waived = try #require(try scenario.findings().first)
        #expect(waived.severity == .info)
        #expect(waived.waiver?.contains("reviewer Li") == true)
        #expect(VerdictOutcome(findings: try scenario.findings()) == .approve)
        scenario.asOf = "2027-01-01"
        let expired = try #require(try scenario.findings().first)
        #expect(expired.severity == .warn && expired.waiver == nil)
    }

    @Test("a rule's max_age_days overrides the policy's assessment age")
    func assessmentAgeParameter() throws {
        var policy = DefaultPolicy.policy
        let index = try #require(policy.rules.firstIndex { $0.id == "assessment_expired" })
        policy.rules[index].maxAgeDays = 30
        let findings = try ReviewScenario().findings(policy)
        #expect(findings.map(\.rule) == ["assessment_expired"])
        #expect(findings.first?.message.contains("accepts 30") == true)
    }

    @Test("a filing reached through a declared supplier's technical-supporter filing belongs to the app")
    func supplierFilingIsAccepted() throws {
        var scenario = ReviewScenario()
        let supporter = ReviewScenario.filing("11010890000020124007")
        scenario.csv["supporters.csv"] = """
            序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注
            1,大模型算法,服务技术支持者,（测试）\(ReviewScenario.supplier),--,生成,\(supporter),

            """
        scenario.feature.algorithmFiling = supporter
        scenario.feature.suppliers = [.init(name: "(测试)\(ReviewScenario.supplier)", algorithmFiling: supporter)]
        let findings = try scenario.findings()
        #expect(findings.isEmpty, "\(findings.map(\.message))")
    }

    @Test("a filing year outside 2022 and the review's year is malformed")
    func filingYear() throws {
        var scenario = ReviewScenario()
        scenario.feature.algorithmFiling = ReviewScenario.filing("44030590000010119001")
        scenario.csv = [:]
        let malformed = try scenario.findings().filter { $0.rule == "filing_malformed" }
        #expect(malformed.count == 1)
        #expect(malformed.first?.message.contains("2019") == true)
    }
}

extension ReviewScenario {
    /// Adds a detected feature to the bundle's facts.
    mutating func detect(_ feature: String, _ confidence: Signature.Confidence, synthesis: Bool = true) {
        inspection.featureSummary.append(
            FeatureEvidence(
                feature: feature, confidence: confidence, synthesis: synthesis, signature: "test_\(feature)",
                location: "facefun.apk!classes.dex", evidence: "Lcom/test/\(feature);"))
    }
}

import BundleFactory
import Foundation

@testable import ShelfGuardKit

/// A complete, passing shelf review built in memory — a face-swap app with its own filing, an
/// assessment, consent, labels, an ICP filing and a USCC — that tests change one thing at a time
/// to make exactly one rule fire.
struct ReviewScenario {
    static let developer = "深圳市测试智能科技有限公司"
    static let uscc = "91440300MA5G0FFN02"
    static let supplier = "北京测试模型科技有限公司"

    /// A filing number with the check digit the derived rule gives, from its first 20 digits.
    static func filing(_ first20: String) -> String {
        let probe = AlgorithmFilingNumber("网信算备\(first20)0号")!
        return "网信算备\(first20)\(probe.expectedCheckDigit)号"
    }

    static let ownFiling = filing("44030590000010125001")
    static let otherOwnersFiling = filing("44030590000990125001")
    static let supplierServiceFiling = filing("11010890000020124001")
    static let typeTwoFiling = filing("44030590000010225002")
    static let unregisteredFiling = filing("44030590000010125009")
    /// Published, but with a check digit that breaks the derived rule.
    static let oddCheckDigitFiling: String = {
        let good = filing("44030590000010125003")
        let digit = (Int(String(good.dropLast().last!))! + 5) % 10
        return String(good.dropLast(2)) + "\(digit)号"
    }()

    var inspection: Inspection
    var declaration: Declaration
    /// Overrides the declaration when set (missing or invalid).
    var declarationState: DeclarationState?
    var csv: [String: String]
    var evidence: String
    var asOf = "2026-11-24"
    /// The labeling materials found (the declared sample is in the bundle).
    var materials: [String: String] = ["assets/labeling/sample.png": "bundle"]
    /// The labels read from it: a valid label naming the developer.
    var materialLabels: [String: MaterialLabels]? = Self.labels(Self.developerLabel)
    /// Materials the bundle carries that were also given beside the declaration (not read).
    var unreadBeside: [String: String] = [:]

    /// A well-formed label in the developer's own provider code.
    static let developerLabel = LabelFields.valid.with("ContentProducer", "0011\(uscc)1FFUN")

    /// The sample as read when it is a PNG carrying `fields` in its XMP (none: no label).
    static func labels(_ fields: LabelFields?) -> [String: MaterialLabels] {
        var png = PNGBuilder()
        if let fields { png.iTXt(keyword: "XML:com.adobe.xmp", XMPBuilder(label: fields.json).text) }
        let report = LabelReader.read(bytes: png.bytes, name: "assets/labeling/sample.png")
        return ["assets/labeling/sample.png": MaterialLabels(source: "bundle", report: report)]
    }

    init() {
        var manifest = AppManifest(platform: .android)
        manifest.appId = "com.example.facefun"
        manifest.displayName = "FaceFun"
        manifest.sources = ["facefun.apk!AndroidManifest.xml"]
        inspection = Inspection(
            bundle: BundleSummary(
                path: "build/facefun.apk", sha256: String(repeating: "0f", count: 32), format: .apk, size: 1000,
                entryCount: 3, entriesRead: 3, nestedArchives: 0, bytesRead: 3000, peakBufferedBytes: 0, complete: true),
            manifest: manifest, detections: [],
            featureSummary: [
                FeatureEvidence(
                    feature: "face_swap", confidence: .strong, synthesis: true, signature: "faceunity_nama",
                    location: "facefun.apk!lib/arm64-v8a/libCNamaSDK.so", evidence: "libCNamaSDK.so")
            ],
            hazards: [],
            entries: [
                BundleEntry(chain: ["AndroidManifest.xml"], size: 900, kind: .binaryXML),
                BundleEntry(chain: ["lib/arm64-v8a/libCNamaSDK.so"], size: 1000, kind: .elf),
                BundleEntry(chain: ["assets/labeling/sample.png"], size: 1000, kind: .png),
            ])
        declaration = Declaration(
            schema: Declaration.schemaID, app: .init(id: "com.example.facefun", name: "FaceFun"),
            developer: .init(name: Self.developer, uscc: Self.uscc, icpFiling: "粤ICP备2025012345号-3A"),
            aiGeneration: true,
            features: [
                Declaration.Feature(
                    category: "face_swap", role: .serviceProvider, algorithmFiling: Self.ownFiling, suppliers: [],
                    genaiFiling: "Guangdong-FaceFun-20250312S0011", securityAssessment: "SA-1",
                    biometricConsent: "separate_consent_prompt",
                    labeling: .init(
                        explicit: ["corner_text_label"], implicit: ["aigc_metadata"],
                        materials: ["assets/labeling/sample.png"]))
            ],
            source: "facefun.apk.declaration.yaml", positions: [:])
        csv = [
            "filings.csv": """
            序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注
            1,换脸算法,服务提供者,\(Self.developer),FaceFun（APP）,人脸替换,\(Self.ownFiling),
            2,别家算法,服务提供者,广州别家科技有限公司,FaceFun（APP）,人脸替换,\(Self.otherOwnersFiling),
            3,供应商算法,服务提供者,\(Self.supplier),供应商应用（APP）,文本生成,\(Self.supplierServiceFiling),
            4,推荐算法,服务提供者,\(Self.developer),FaceFun（APP）,个性化推送,\(Self.typeTwoFiling),
            5,旧算法,服务提供者,\(Self.developer),FaceFun（APP）,人脸替换,\(Self.oddCheckDigitFiling),

            """,
            "registrations.csv": """
            序号,属地,应用/功能名称,登记单位,上线编号,登记时间
            1,广东省,FaceFun,\(Self.developer),Guangdong-FaceFun-20250312S0011,2025/3/12

            """,
        ]
        evidence = """
            evidence: shelfguard/evidence/v1
            assessments:
              - id: SA-1
                entity: \(Self.developer)
                features: [face_swap, face_manipulation]
                date: 2026-06-01
                assessor: 测试评估中心
                document_sha256: \(String(repeating: "ab", count: 32))

            """
    }

    /// The first feature, for changing it.
    var feature: Declaration.Feature {
        get { declaration.features[0] }
        set { declaration.features[0] = newValue }
    }

    var registry: InMemoryRegistry {
        get throws {
            var files: [RegistryFile] = []
            for (name, text) in csv.sorted(by: { $0.key < $1.key }) {
                files.append(try RegistryFile.csv(text, path: name))
            }
            files.append(try RegistryFile.evidence(evidence, path: "evidence.yaml"))
            return InMemoryRegistry(files: files)
        }
    }

    func context(policy: Policy) throws -> ReviewContext {
        ReviewContext(
            inspection: inspection, declaration: declarationState ?? .found(declaration, materials: materials),
            registry: try registry, taxonomy: SeedDatabase.database.taxonomy, asOf: asOf, settings: policy.settings,
            materialLabels: materialLabels, unreadBesideMaterials: unreadBeside)
    }

    /// The findings of the default policy on this scenario.
    func findings(_ policy: Policy = DefaultPolicy.policy) throws -> [Finding] {
        try PolicyEvaluator(policy: policy).evaluate(try context(policy: policy)).findings
    }
}

/// The project's default review policy, loaded once.
enum DefaultPolicy {
    static let file = SeedDatabase.policies.appendingPathComponent(PolicyLoader.defaultFileName)
    static let policy: Policy = {
        do { return try PolicyLoader.load(file: file) } catch { fatalError("the default policy is broken: \(error)") }
    }()
}

extension ReviewScenario {
    /// The scenario judged under the default policy, as `check` would return it.
    func result(declarationFileSHA256: String? = "decl-1") throws -> CheckResult {
        let policy = DefaultPolicy.policy
        let evaluation = try PolicyEvaluator(policy: policy).evaluate(try context(policy: policy))
        var result = CheckResult(
            inspection: inspection, declaration: declaration, declarationSource: declaration.source,
            verdict: evaluation.outcome, findings: evaluation.findings,
            stamp: CheckResult.Stamp(
                toolVersion: "test", policyName: policy.name, policyDigest: policy.digest,
                signatureDigest: String(repeating: "5", count: 64), asOf: asOf, registry: try registry.counts()))
        result.declarationSnapshot = DeclarationSnapshot(
            source: declaration.source, text: "declaration \(declarationFileSHA256 ?? "")", materials: materials)
        result.declarationSnapshot.labels = materialLabels
        result.declarationSnapshot.fileSHA256 = declarationFileSHA256
        return result
    }
}

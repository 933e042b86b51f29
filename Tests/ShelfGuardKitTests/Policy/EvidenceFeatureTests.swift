import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Features come from the evidence, not from the vendor: a chat app that calls DashScope's chat
/// endpoint and declares text generation is approved; one that hides DashScope's image synthesis
/// is refused with the matched text that proves it; a bare vendor host is a question, never a
/// refusal. The bundles are real APKs read by the inspector with the seed feature database; the
/// declaration, registry and policy are the passing review scenario's.
@Suite("Features from the evidence")
struct EvidenceFeatureTests {
    static func apk(strings: [String]) -> [UInt8] {
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", HostileBundles.manifest("com.example.facefun"))
        zip.addFile("classes.dex", DexStringWalker.minimalDEX(strings: ["Lcom/example/facefun/Main;"] + strings))
        zip.finish()
        return zip.bytes
    }

    /// The passing scenario, turned into a chat app declaring text generation only, reviewing a
    /// real inspection of `strings` in a DEX.
    static func chatApp(strings: [String]) throws -> ReviewScenario {
        var scenario = ReviewScenario()
        scenario.feature.category = "text_generation"
        scenario.feature.securityAssessment = nil
        scenario.feature.biometricConsent = nil
        let inspection = try SeedDatabase.inspect(apk(strings: strings), name: "facefun.apk")
        scenario.inspection.detections = inspection.detections
        scenario.inspection.featureSummary = inspection.featureSummary
        scenario.inspection.manifest = inspection.manifest
        return scenario
    }

    static func verdict(_ scenario: ReviewScenario) throws -> (Severity?, [Finding]) {
        let findings = try scenario.findings()
        return (findings.map(\.severity).max(), findings)
    }

    @Test(
        "a chat app that declares text generation is approved, whatever else its vendor sells",
        arguments: [
            "https://dashscope.aliyuncs.com/api/v1/services/aigc/text-generation/generation",
            "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions",
            "https://open.bigmodel.cn/api/paas/v4/chat/completions",
            "https://api.siliconflow.cn/v1/chat/completions",
            "https://ark.cn-beijing.volces.com/api/v3/chat/completions",
            "https://api.openai.com/v1/chat/completions",
            "https://api.deepseek.com/chat/completions",
        ])
    func declaredChatApproved(endpoint: String) throws {
        let scenario = try Self.chatApp(strings: [endpoint])
        let detection = try #require(scenario.inspection.detections.first)
        #expect(detection.features == ["text_generation"], "\(endpoint)")
        #expect(!detection.features.contains("image_generation"))
        let (worst, findings) = try Self.verdict(scenario)
        #expect(findings.filter { $0.severity > .info }.isEmpty, "\(findings.map { "\($0.rule): \($0.message)" })")
        #expect(worst == nil || worst == .info)
    }

    @Test("a HarmonyOS app calling many LLM APIs' chat endpoints shows text generation only")
    func harmonyManyVendors() throws {
        let endpoints = [
            "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions",
            "https://api.siliconflow.cn/v1/chat/completions",
            "https://open.bigmodel.cn/api/paas/v4/chat/completions",
            "https://ark.cn-beijing.volces.com/api/v3/chat/completions",
            "https://api.deepseek.com/chat/completions",
            "https://api.moonshot.cn/v1/chat/completions",
            "https://api.stepfun.com/v1/chat/completions",
            "https://api.openai.com/v1/chat/completions",
        ]
        let module = """
            {"app": {"bundleName": "com.example.llms", "versionCode": 1, "versionName": "1.0.0"},
             "module": {"name": "entry", "type": "entry", "abilities": [{"name": "EntryAbility"}]}}
            """
        let zip = ZipBuilder()
        zip.addFile("module.json", Array(module.utf8))
        zip.addFile("ets/modules.abc", Array("PANDA\0\0\0".utf8) + endpoints.flatMap { Array($0.utf8) + [0] })
        zip.finish()
        let inspection = try SeedDatabase.inspect(zip.bytes, name: "llms.hap")
        #expect(inspection.detections.count == endpoints.count, "\(inspection.detections.map(\.signature))")
        #expect(inspection.featureSummary.map(\.feature) == ["text_generation"])
        for detection in inspection.detections {
            #expect(detection.features == ["text_generation"], "\(detection.signature)")
        }
    }

    @Test("an app hiding DashScope image synthesis is refused, with the text that proves it")
    func hiddenImageGenerationRefused() throws {
        let scenario = try Self.chatApp(strings: [
            "https://dashscope.aliyuncs.com/api/v1/services/aigc/text-generation/generation",
            "https://dashscope.aliyuncs.com/api/v1/services/aigc/text2image/image-synthesis",
        ])
        let detection = try #require(scenario.inspection.detections.first { $0.signature == "alibaba_dashscope" })
        #expect(Set(detection.features) == ["text_generation", "image_generation"])
        let image = try #require(detection.proofs.first { $0.feature == "image_generation" })
        #expect(image.evidence.contains("/services/aigc/text2image/"))
        #expect(image.location == "facefun.apk!classes.dex")
        #expect(image.confidence == .strong)
        let (worst, findings) = try Self.verdict(scenario)
        #expect(worst == .refuse)
        let refusal = try #require(findings.first { $0.rule == "undeclared_feature_strong" })
        #expect(refusal.message.contains("image_generation"))
        #expect(refusal.message.contains("text2image/image-synthesis"))
        #expect(!findings.contains { $0.rule == "undeclared_feature_strong" && $0.message.contains("text_generation") })
    }

    @Test("a bare vendor host proves nothing: possible features, a question when none is declared")
    func bareHost() throws {
        var scenario = try Self.chatApp(strings: ["https://dashscope.aliyuncs.com/compatible-mode/v1"])
        let detection = try #require(scenario.inspection.detections.first)
        #expect(detection.features.isEmpty)
        #expect(detection.confidence == .medium)
        #expect(detection.possibleFeatures.contains("image_generation"))
        #expect(detection.possibleFeatures.contains("text_generation"))
        #expect(scenario.inspection.featureSummary.isEmpty, "possible features are not found features")
        // Declared text generation: one of the vendor's features, so no question.
        var (worst, findings) = try Self.verdict(scenario)
        #expect(findings.filter { $0.severity > .info }.isEmpty, "\(findings.map { "\($0.rule): \($0.message)" })")
        // Declaring nothing the vendor provides: a reviewer asks, nothing refuses.
        scenario.feature.category = "face_swap"
        scenario.feature.securityAssessment = "SA-1"
        scenario.feature.biometricConsent = "separate_consent_prompt"
        (worst, findings) = try Self.verdict(scenario)
        #expect(worst == .manualReview, "\(findings.map { "\($0.rule): \($0.message)" })")
        #expect(findings.contains { $0.rule == "possible_feature_undeclared" })
        #expect(!findings.contains { $0.severity == .refuse })
    }

    @Test(
        "a speech-recognition SDK does not imply voice synthesis",
        arguments: [
            "Lorg/vosk/Recognizer;", "Lai/kitt/snowboy/SnowboyDetect;", "Lai/picovoice/porcupine/Porcupine;",
            "Lcom/k2fsa/sherpa/onnx/OnlineRecognizer;", "Lcom/iflytek/cloud/SpeechRecognizer;",
        ])
    func recognitionIsNotSynthesis(className: String) throws {
        let inspection = try SeedDatabase.inspect(Self.apk(strings: [className]), name: "asr.apk")
        #expect(!inspection.detections.isEmpty, "\(className) is detected")
        #expect(inspection.featureSummary.map(\.feature) == ["speech_recognition"])
        #expect(!inspection.detections.contains { $0.features.contains("voice_synthesis") })
    }

    @Test("a policy may not refuse over possible features")
    func possibleNeverRefuses() {
        let problems = PolicyLoaderTests.problems(PolicyLoaderTests.rule("a", check: "possible_feature"))
        #expect(problems.contains { $0.message.contains("never refuse") }, "\(problems)")
        #expect(
            PolicyLoaderTests.problems(PolicyLoaderTests.rule("a", check: "possible_feature", outcome: "manual_review"))
                .isEmpty)
    }

    @Test("detections stored before proofs existed still decode")
    func oldDetectionsDecode() throws {
        let json = """
            {"signature": "deepseek", "features": ["text_generation"], "confidence": "strong",
             "category": "synthesis", "vendor": "DeepSeek", "product": "API", "location": "a.apk!classes.dex",
             "evidence": "api.deepseek.com", "occurrences": 1, "alsoAt": []}
            """
        let detection = try JSONDecoder().decode(Detection.self, from: Data(json.utf8))
        #expect(detection.proofs.isEmpty && detection.possibleFeatures.isEmpty)
        #expect(detection.features == ["text_generation"])
    }
}

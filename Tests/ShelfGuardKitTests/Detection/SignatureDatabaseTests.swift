import Foundation
import Testing

@testable import ShelfGuardKit

@Suite("The seed feature database")
struct SignatureDatabaseTests {
    @Test("loads, with at least 80 signatures in every category")
    func size() {
        let signatures = SeedDatabase.database.signatures
        #expect(signatures.count >= 80)
        #expect(Set(signatures.map(\.category)) == Set(Signature.Category.allCases))
        #expect(SeedDatabase.database.digest.count == 64)
    }

    @Test("every platform has signatures with examples on it")
    func platforms() {
        let examples = SeedDatabase.database.signatures.flatMap(\.positiveExamples)
        let platforms = Set(examples.map(\.platform))
        for platform: AppManifest.Platform in [.android, .ios, .harmony, .wechatMini, .quickapp] {
            #expect(platforms.contains(platform), "no positive example on \(platform.rawValue)")
        }
    }

    @Test("every vendor group of ai-signatures.md is covered")
    func vendorGroups() {
        let ids = Set(SeedDatabase.ids)
        let groups: [String: [String]] = [
            "inference runtimes": [
                "tensorflow_lite", "onnx_runtime", "alibaba_mnn", "tencent_ncnn", "baidu_paddle_lite",
            ],
            "on-device generative": ["mediapipe_llm_inference", "litert_lm", "llama_cpp", "gguf_model"],
            "speech and voice": ["iflytek_msc", "baidu_tts", "sherpa_onnx", "volcengine_tts_api"],
            "face, beauty, AR": [
                "faceunity_nama", "sensetime_stmobile", "megvii_liveness", "arcsoft_face", "deepar_sdk",
            ],
            "Chinese LLM endpoints": [
                "alibaba_dashscope", "deepseek", "zhipu_bigmodel", "volcengine_ark", "tencent_hunyuan",
            ],
            "global endpoints": ["openai_api", "anthropic_api", "google_gemini_api", "openrouter"],
            "deep-synthesis SaaS": ["elevenlabs_api", "heygen_api", "d_id_api", "stability_api"],
            "model files": ["tflite_model", "onnx_model", "safetensors_model", "ncnn_model", "coreml_model"],
            "mini-programs": ["wechat_si_plugin", "wechat_vk_session", "wechat_inference_session", "wechat_cloud_ai"],
            "packers": ["qihoo_jiagu", "bangcle_secneo", "tencent_legu", "baidu_protect"],
            "label writers": ["gb45438_xmp_namespace", "gb45438_label_keys", "c2pa_sdk"],
        ]
        for (group, expected) in groups {
            for id in expected { #expect(ids.contains(id), "\(group): \(id) missing") }
        }
    }

    @Test("confidence is graded on purpose", arguments: SeedDatabase.ids)
    func grading(id: String) {
        let s = SeedDatabase.signature(id)
        let taxonomy = SeedDatabase.database.taxonomy
        switch s.category {
        case .runtime:
            #expect(s.confidence == .weak, "an inference runtime alone is weak")
            #expect(s.features == ["ml_inference"])
        case .recognition:
            #expect(s.features.allSatisfy { taxonomy.features[$0]?.synthesis == false }, "recognition is not synthesis")
        case .synthesis:
            // A synthesis SDK may also recognise (sherpa-onnx's recognizers prove speech
            // recognition), but what it can prove or may provide includes synthesis.
            #expect((s.features + s.possibleFeatures).contains { taxonomy.features[$0]?.synthesis == true })
        case .packer, .labeling:
            #expect(s.features.isEmpty && s.possibleFeatures.isEmpty, "packers and label writers prove no feature")
        }
        #expect(!s.platforms.isEmpty, "\(id) names the platforms it ships for")
        if s.category.provesFeatures && s.proofs.contains(where: \.features.isEmpty) {
            #expect(!s.possibleFeatures.isEmpty, "a bare match lists what the vendor may provide")
        }
        if s.note?.lowercased().contains("unverified") == true {
            #expect(s.confidence == .weak, "unverified signatures carry no more than weak confidence")
        }
    }

    @Test("face-swap and voice SDKs are strong; liveness is recognition, never synthesis")
    func classes() {
        #expect(SeedDatabase.signature("faceunity_nama").confidence == .strong)
        #expect(SeedDatabase.signature("faceunity_nama").features.contains("face_swap"))
        #expect(SeedDatabase.signature("iflytek_speech_synthesizer").confidence == .strong)
        #expect(SeedDatabase.signature("megvii_liveness").category == .recognition)
        #expect(SeedDatabase.signature("tencent_face_verification").category == .recognition)
        #expect(SeedDatabase.signature("qihoo_jiagu").category == .packer)
    }
}

/// The strict loader: every mistake named with file, line and column.
@Suite("Feature database lint")
struct SignatureLintTests {
    static let valid = """
        signatures:
          - id: sample_sdk
            vendor: Example
            product: Sample SDK
            category: synthesis
            features: [face_swap]
            confidence: strong
            match:
              - file: libsamplesdk.so
            examples:
              positive:
                - path: lib/arm64-v8a/libsamplesdk.so
              negative:
                - path: lib/arm64-v8a/libother.so

        """

    static func load(_ text: String, file: String = "test.yaml") throws -> SignatureDatabase {
        let directory = try TestFiles.directory("signatures")
        try text.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        return try SignatureDatabase.load(signatures: directory, taxonomy: SeedDatabase.database.taxonomy)
    }

    static func problems(_ text: String) -> [String] {
        do {
            _ = try load(text)
            return []
        } catch let error as SignatureDatabase.LoadError {
            return error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test("a valid file loads")
    func valid() throws {
        let database = try Self.load(Self.valid)
        #expect(database.signatures.map(\.id) == ["sample_sdk"])
        #expect(SignatureExamples.check(SignatureEngine(database)).isEmpty)
    }

    static let mistakes: [(String, String, String)] = [
        (
            "unknown key", Self.valid.replacingOccurrences(of: "    vendor:", with: "    vendr:"),
            "3:5: unknown key 'vendr' in a signature"
        ),
        (
            "unknown feature", Self.valid.replacingOccurrences(of: "[face_swap]", with: "[face_swp]"),
            "6:16: unknown feature id 'face_swp' in signature 'sample_sdk' (see taxonomy.yaml); did you mean 'face_swap'?"
        ),
        (
            "over-broad file", Self.valid.replacingOccurrences(of: "file: libsamplesdk.so", with: "file: lib.so"),
            "9:15: file pattern 'lib.so' of signature 'sample_sdk' is over-broad"
        ),
        (
            "over-broad class", Self.valid.replacingOccurrences(of: "file: libsamplesdk.so", with: "class: Lcom/dv/"),
            "9:16: class pattern 'Lcom/dv/' of signature 'sample_sdk' is over-broad"
        ),
        (
            "bad class", Self.valid.replacingOccurrences(of: "file: libsamplesdk.so", with: "class: com.example.sdk"),
            "9:16: class 'com.example.sdk' must be a DEX type descriptor prefix"
        ),
        (
            "bad kind", Self.valid.replacingOccurrences(of: "file: libsamplesdk.so", with: "kind: tflit"),
            "9:15: unknown content kind 'tflit'; did you mean 'tflite'?"
        ),
        (
            "bad hex", Self.valid.replacingOccurrences(of: "file: libsamplesdk.so", with: "magic_hex: zz00"),
            "9:20: magic_hex 'zz00' is not hexadecimal bytes"
        ),
        (
            "bad category", Self.valid.replacingOccurrences(of: "category: synthesis", with: "category: magic"),
            "5:15: category of signature 'sample_sdk' must be one of"
        ),
        (
            "bad confidence", Self.valid.replacingOccurrences(of: "confidence: strong", with: "confidence: certain"),
            "7:17: confidence of signature 'sample_sdk' must be one of weak, medium, strong"
        ),
        (
            "not snake_case", Self.valid.replacingOccurrences(of: "id: sample_sdk", with: "id: Sample-SDK"),
            "2:9: signature id 'Sample-SDK' must be snake_case"
        ),
        (
            "two matchers in one",
            Self.valid.replacingOccurrences(
                of: "      - file: libsamplesdk.so", with: "      - file: libsamplesdk.so\n        host: api.sample.com"
            ), "9:9: a matcher of signature 'sample_sdk' needs exactly one of"
        ),
        (
            "no negative example",
            Self.valid.replacingOccurrences(
                of: "      negative:\n        - path: lib/arm64-v8a/libother.so\n", with: "      negative: []\n"),
            "signature 'sample_sdk' needs a negative example"
        ),
        (
            "wrong type", Self.valid.replacingOccurrences(of: "features: [face_swap]", with: "features: {a: b}"),
            "6:15: features of signature 'sample_sdk' must be a list"
        ),
        (
            "syntax", Self.valid.replacingOccurrences(of: "features: [face_swap]", with: "features: [face_swap"),
            "YAML syntax"
        ),
        (
            "missing key", Self.valid.replacingOccurrences(of: "    product: Sample SDK\n", with: ""),
            "2:5: a signature is missing the required key 'product'"
        ),
        (
            "in on a file matcher",
            Self.valid.replacingOccurrences(
                of: "      - file: libsamplesdk.so", with: "      - file: libsamplesdk.so\n        in: [dex]"),
            "10:13: 'in' only goes with string and host matchers"
        ),
    ]

    @Test("every mistake is reported with its line and column", arguments: mistakes)
    func mistake(label: String, text: String, expected: String) {
        let found = Self.problems(text)
        #expect(found.contains { $0.contains(expected) }, "\(label): \(found)")
    }

    @Test("duplicate ids across files name the first definition")
    func duplicate() throws {
        let directory = try TestFiles.directory("signatures")
        try Self.valid.write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try Self.valid.write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try SignatureDatabase.load(signatures: directory, taxonomy: SeedDatabase.database.taxonomy)
            Issue.record("loaded a database with a duplicate id")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems[0].file.hasSuffix("b.yaml"))
            #expect(error.problems[0].message.contains("duplicate signature id 'sample_sdk' (first defined at"))
            #expect(error.problems[0].message.contains("a.yaml:2:5"))
        }
    }

    @Test("examples that do not behave are reported with their position")
    func examples() throws {
        let swapped = Self.valid.replacingOccurrences(of: "libother.so", with: "libsamplesdk.so2")
            .replacingOccurrences(
                of: "- path: lib/arm64-v8a/libsamplesdk.so\n", with: "- path: lib/arm64-v8a/libnope.so\n")
        let failures = SignatureExamples.check(SignatureEngine(try Self.load(swapped)))
        // The positive example that does not match, and so no example left proving face_swap.
        #expect(failures.map(\.positive) == [true, true])
        #expect(
            failures.first?.description.hasSuffix("test.yaml:12:11: positive example of 'sample_sdk' does not match it")
                == true)
        #expect(failures.last?.description.hasSuffix("no positive example of 'sample_sdk' proves face_swap") == true)
    }

    @Test("a billion-laughs file is refused within bounds, not expanded")
    func aliases() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        text += "signatures: *a9\n"
        let found = Self.problems(text)
        #expect(!found.isEmpty)
    }
}

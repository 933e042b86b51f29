import Foundation
import Testing

@testable import ShelfGuardKit

/// The samples' detections through the built `shelfguard` binary.
@Suite("Sample detections, end to end")
struct SampleDetectionTests {
    /// Each sample, the signatures that must be found, and whether it is a clean app.
    static let expected: [(String, [String], Bool)] = [
        ("facefun.apk", ["faceunity_nama", "tensorflow_lite", "tflite_model", "gb45438_xmp_namespace"], false),
        ("facefun.xapk", ["faceunity_nama", "tensorflow_lite", "tflite_model"], false),
        ("calculator.apk", [], true),
        ("voicenote.aab", ["iflytek_speech_synthesizer", "iflytek_msc", "iflytek_aisound", "baidu_tts"], false),
        (
            "chatpal.ipa", ["alibaba_dashscope", "openai_api", "onnx_runtime", "coreml_model", "gb45438_label_keys"],
            false
        ),
        ("flashlight.ipa", [], true),
        ("portrait.hap", ["alibaba_dashscope", "huawei_mindspore_lite", "harmony_core_vision_kit"], false),
        ("notes.hap", [], true),
        ("portrait.app", ["alibaba_dashscope", "huawei_mindspore_lite", "harmony_core_vision_kit"], false),
        ("voicechat.wxapkg", ["wechat_si_plugin"], false),
        ("todo.wxapkg", [], true),
        ("storybook.rpk", ["deepseek", "quickapp_tts_service"], false),
        ("weather.rpk", [], true),
        ("suspicious.apk", ["qihoo_jiagu", "minimax"], false),
        ("broken.apk", [], true),
    ]

    @Test("every sample's detections, and no strong detection in a clean app", arguments: expected)
    func sample(name: String, signatures: [String], clean: Bool) throws {
        let path = TestFiles.packageRoot.appendingPathComponent("samples/\(name)").path
        let result = try ShelfGuardBinary.run(["inspect", "--format", "json", path])
        #expect(result.status != 1, "\(result.stderr)")
        let json = try result.json()
        let detections = try #require(json["detections"] as? [[String: Any]])
        let found = Set(detections.compactMap { $0["signature"] as? String })
        #expect(found == Set(signatures), "\(name): \(found.sorted())")
        if clean {
            #expect(!detections.contains { $0["confidence"] as? String == "strong" })
            #expect((json["featureSummary"] as? [Any])?.isEmpty == true)
        } else {
            #expect(detections.allSatisfy { ($0["location"] as? String)?.hasPrefix(name) == true })
        }
    }

    @Test("signatures lint passes on the seed database through the binary")
    func lint() throws {
        let result = try ShelfGuardBinary.run(["signatures", "lint", "--format", "json"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(try result.json()["ok"] as? Bool == true)
    }

    @Test("a broken database: lint and inspect both exit 1 and name the place")
    func broken() throws {
        let policies = try TestFiles.directory("policies")
        try FileManager.default.createDirectory(
            at: policies.appendingPathComponent("signatures"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: SeedDatabase.policies.appendingPathComponent("taxonomy.yaml"),
            to: policies.appendingPathComponent("taxonomy.yaml"))
        try "signatures:\n  - id: x_y\n    vendorr: V\n".write(
            to: policies.appendingPathComponent("signatures/bad.yaml"), atomically: true, encoding: .utf8)
        let lint = try ShelfGuardBinary.run(["signatures", "lint", "--policies", policies.path])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("bad.yaml:3:5: unknown key 'vendorr'"))
        let sample = TestFiles.packageRoot.appendingPathComponent("samples/calculator.apk").path
        let inspect = try ShelfGuardBinary.run(["inspect", "--policies", policies.path, "--format", "json", sample])
        #expect(inspect.status == 1)
        #expect((try inspect.json()["error"] as? String)?.contains("bad.yaml:3:5") == true)
    }
}

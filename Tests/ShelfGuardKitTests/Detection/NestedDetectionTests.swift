import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// SDKs hidden a level or more down are detected, with the full location chain: Instant Run
/// splits (`instant-run.zip` of `slice_*.apk`) inside an APK, HAPs deflated inside a HarmonyOS
/// `.app`, and both nested again.
@Suite("Detection through every nesting level")
struct NestedDetectionTests {
    static func zip(_ files: [(String, [UInt8], ZipBuilder.Method)]) -> [UInt8] {
        let zip = ZipBuilder()
        for (name, data, method) in files { zip.addFile(name, data, method: method) }
        zip.finish()
        return zip.bytes
    }

    static func dex(_ strings: [String]) -> [UInt8] { DexStringWalker.minimalDEX(strings: strings) }

    @Test("an Instant Run split inside an APK", arguments: [ZipBuilder.Method.deflated, .stored])
    func instantRun(method: ZipBuilder.Method) throws {
        var g = ContentGenerator(seed: 71)
        let slice = Self.zip([
            ("classes.dex", Self.dex(["Lcom/faceunity/wrapper/faceunity;"]), .deflated)
        ])
        let instantRun = Self.zip([("slice_3-classes.apk", slice, method)])
        let apk = Self.zip([
            ("AndroidManifest.xml", HostileBundles.manifest("com.example.instant"), .deflated),
            ("classes.dex", Self.dex(["Lcom/example/instant/Main;"]), .deflated),
            ("instant-run.zip", instantRun, method),
            ("lib/arm64-v8a/libother.so", g.elf(size: 2_000), .deflated),
        ])
        let inspection = try SeedDatabase.inspect(apk, name: "instant.apk")
        let detection = try #require(inspection.detections.first { $0.signature == "faceunity_nama" })
        #expect(detection.location == "instant.apk!instant-run.zip!slice_3-classes.apk!classes.dex")
        #expect(inspection.featureSummary.contains { $0.feature == "face_swap" && $0.confidence == .strong })
    }

    @Test("a deflated HAP inside a HarmonyOS .app, and a HAR's native library inside it")
    func compressedHAP() throws {
        var g = ContentGenerator(seed: 72)
        let module = """
            {"app": {"bundleName": "com.example.nested", "versionCode": 1, "versionName": "1.0.0"},
             "module": {"name": "entry", "type": "entry", "abilities": [{"name": "EntryAbility"}]}}
            """
        let hap = Self.zip([
            ("module.json", Array(module.utf8), .deflated),
            (
                "ets/modules.abc",
                Array("PANDA\0\0\0".utf8) + g.code(2_000) + [0]
                    + Array("https://api.siliconflow.cn/v1/images/generations".utf8) + [0],
                .deflated
            ),
            ("libs/arm64-v8a/libsherpa_onnx.so", g.elf(size: 3_000), .deflated),
        ])
        let pack = """
            {"summary": {"app": {"bundleName": "com.example.nested", "version": {"code": 1, "name": "1.0.0"}},
                         "modules": [{"distro": {"moduleName": "entry"}}]}}
            """
        let app = Self.zip([
            ("pack.info", Array(pack.utf8), .deflated),
            ("entry-default.hap", hap, .deflated),
        ])
        let inspection = try SeedDatabase.inspect(app, name: "nested.app")
        let image = try #require(inspection.detections.first { $0.signature == "siliconflow" })
        #expect(image.location == "nested.app!entry-default.hap!ets/modules.abc")
        #expect(image.features == ["image_generation"])
        let speech = try #require(inspection.detections.first { $0.signature == "sherpa_onnx" })
        #expect(speech.location == "nested.app!entry-default.hap!libs/arm64-v8a/libsherpa_onnx.so")
        #expect(speech.features.isEmpty && speech.possibleFeatures.contains("voice_synthesis"))
    }

    @Test("three levels: an XAPK holding an APK holding an Instant Run split")
    func threeLevels() throws {
        let slice = Self.zip([("classes.dex", Self.dex(["Lcom/k2fsa/sherpa/onnx/OfflineTts;"]), .deflated)])
        let apk = Self.zip([
            ("AndroidManifest.xml", HostileBundles.manifest("com.example.deep"), .deflated),
            ("instant-run.zip", Self.zip([("slice_0-classes.apk", slice, .deflated)]), .deflated),
        ])
        let manifest = """
            {"xapk_version": 2, "package_name": "com.example.deep", "name": "Deep", "version_code": "1",
             "split_apks": [{"file": "com.example.deep.apk", "id": "base"}]}
            """
        let xapk = Self.zip([
            ("manifest.json", Array(manifest.utf8), .deflated), ("com.example.deep.apk", apk, .deflated),
        ])
        let inspection = try SeedDatabase.inspect(xapk, name: "deep.xapk")
        let detection = try #require(inspection.detections.first { $0.signature == "sherpa_onnx" })
        #expect(
            detection.location == "deep.xapk!com.example.deep.apk!instant-run.zip!slice_0-classes.apk!classes.dex")
        #expect(detection.features == ["voice_synthesis"])
    }
}

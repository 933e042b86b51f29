import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// The normalised manifest of every platform, through the whole inspection.
@Suite("Manifests, platform by platform")
struct ManifestInspectionTests {
    static func inspect(_ bytes: [UInt8], name: String, options: InspectOptions = InspectOptions()) throws -> Inspection
    {
        let path = try TestFiles.write(bytes, name: name)
        return try Inspector(options: options).inspect(path: path)
    }

    @Test("APK: the label resolved through resources.arsc, capabilities from permissions")
    func apk() throws {
        let inspection = try Self.inspect(SampleBundles.faceFunAPK(), name: "facefun.apk")
        let m = try #require(inspection.manifest)
        #expect(m.platform == .android)
        #expect(m.appId == "com.example.facefun")
        #expect(m.versionCode == "7")
        #expect(m.versionName == "1.2.0")
        #expect(m.displayName == "FaceFun")
        #expect(m.capabilities == [.camera, .photos])
        #expect(m.features == ["android.hardware.camera.front"])
        #expect(m.metaData.map(\.name) == ["com.faceunity.APP_KEY"])
        #expect(m.sources == ["facefun.apk!AndroidManifest.xml"])
        #expect(inspection.hazards.isEmpty)
    }

    @Test("XAPK: the base APK leads, splits become modules, the wrapper is checked against it")
    func xapk() throws {
        let m = try #require(try Self.inspect(SampleBundles.faceFunXAPK(), name: "facefun.xapk").manifest)
        #expect(m.appId == "com.example.facefun")
        #expect(m.modules.map(\.name) == ["config.arm64_v8a"])
        #expect(m.sources.first == "facefun.xapk!com.example.facefun.apk!AndroidManifest.xml")

        let lying = ZipBuilder()
        lying.addFile("manifest.json", Array("{\"package_name\": \"com.innocent.app\", \"version_code\": \"7\"}".utf8))
        lying.addFile("base.apk", SampleBundles.faceFunAPK(), method: .stored)
        lying.finish()
        let conflict = try Self.inspect(lying.bytes, name: "lying.xapk")
        #expect(conflict.manifest?.appId == "com.example.facefun")
        #expect(conflict.hazards.map(\.kind) == [.manifestConflict])
        #expect(conflict.hazards.first?.detail.contains("com.innocent.app") == true)
    }

    @Test("AAB: protobuf manifests of the base and feature modules")
    func aab() throws {
        let m = try #require(try Self.inspect(SampleBundles.voiceNoteAAB(), name: "voicenote.aab").manifest)
        #expect(m.appId == "com.example.voicenote")
        #expect(m.versionName == "2.4.1")
        #expect(m.permissions == ["android.permission.INTERNET", "android.permission.RECORD_AUDIO"])
        #expect(m.modules.map(\.kind) == ["feature_module"])
        #expect(m.modules.first?.name == "voice")
    }

    @Test("IPA: Info.plist, extensions, frameworks, provisioning profile")
    func ipa() throws {
        let m = try #require(try Self.inspect(try SampleBundles.chatPalIPA(), name: "chatpal.ipa").manifest)
        #expect(m.platform == .ios)
        #expect(m.appId == "com.example.chatpal")
        #expect(m.versionName == "4.1")
        #expect(m.versionCode == "410")
        #expect(m.permissions == ["NSMicrophoneUsageDescription", "NSSpeechRecognitionUsageDescription"])
        #expect(m.capabilities == [.microphone, .photos, .speechRecognition])
        #expect(m.modules.first?.appId == "com.example.chatpal.widget")
        #expect(m.frameworks == ["onnxruntime.framework"])
        #expect(m.signing?.teamIdentifier == "ABCDE12345")
        #expect(m.signing?.entitlements.contains("application-identifier") == true)
    }

    @Test("IPA with an XML Info.plist")
    func xmlPlist() throws {
        let zip = ZipBuilder()
        zip.addFile(
            "Payload/X.app/Info.plist",
            PropertyListWriter.xml(["CFBundleIdentifier": "com.example.x", "NSCameraUsageDescription": "photos"]))
        zip.finish()
        let m = try #require(try Self.inspect(zip.bytes, name: "x.ipa").manifest)
        #expect(m.appId == "com.example.x")
        #expect(m.capabilities == [.camera])
    }

    @Test("HarmonyOS: Stage and FA models, and a .app pack of HAPs")
    func harmony() throws {
        let hap = try #require(try Self.inspect(SampleBundles.portraitHAP(), name: "portrait.hap").manifest)
        #expect(hap.appId == "com.example.portrait")
        #expect(hap.versionCode == "2000000")
        #expect(hap.permissions == ["ohos.permission.CAMERA", "ohos.permission.INTERNET"])
        #expect(hap.components.map(\.name) == ["EntryAbility"])

        let pack = try #require(try Self.inspect(SampleBundles.portraitPack(), name: "portrait.app").manifest)
        #expect(pack.permissions.contains("ohos.permission.READ_IMAGEVIDEO"))
        #expect(pack.modules.map(\.name) == ["entry-default.hap", "gallery-default.hap"])

        let fa = ZipBuilder()
        fa.addFile(
            "config.json",
            Array(
                """
                {"app": {"bundleName": "com.example.legacy", "version": {"code": 3, "name": "0.3"}},
                 "module": {"reqPermissions": [{"name": "ohos.permission.MICROPHONE"}]}}
                """.utf8))
        fa.addFile("pack.info", Array("{}".utf8))
        fa.finish()
        let legacy = try #require(try Self.inspect(fa.bytes, name: "legacy.hap").manifest)
        #expect(legacy.appId == "com.example.legacy")
        #expect(legacy.versionName == "0.3")
        #expect(legacy.capabilities == [.microphone])
    }

    @Test("WeChat: pages, sub-packages, plugins with providers, scopes, code APIs")
    func wechat() throws {
        let m = try #require(try Self.inspect(SampleBundles.voiceChatWxapkg(), name: "voicechat.wxapkg").manifest)
        #expect(m.platform == .wechatMini)
        #expect(m.pages == ["pages/index/index", "pages/chat/chat", "pkgA/settings/settings"])
        #expect(m.plugins == [.init(alias: "WechatSI", provider: "wx069ba97219f66d99", version: "0.3.5")])
        #expect(m.permissions == ["scope.userLocation", "getLocation"])
        #expect(Set(m.codeUses.map(\.api)) == ["scope.record", "getRecorderManager", "<camera"])
        #expect(m.capabilities == [.camera, .location, .microphone])
        let clean = try #require(try Self.inspect(SampleBundles.todoWxapkg(), name: "todo.wxapkg").manifest)
        #expect(clean.capabilities.isEmpty)
        #expect(clean.codeUses.isEmpty)
    }

    @Test("a decrypted PC wxapkg takes its appid from --appid when the package has none")
    func wechatAppID() throws {
        let bytes = try PackageBuilder.encryptedWxapkg(
            [
                ("/app-config.json", Array("{\"pages\": [\"index\"]}".utf8)),
                ("/app.js", [UInt8](repeating: 0x20, count: 2_000)),
            ],
            appID: "wx1122334455667788")
        let options = InspectOptions(read: ReadOptions(wechatAppID: "wx1122334455667788"))
        let m = try #require(try Self.inspect(bytes, name: "pc.wxapkg", options: options).manifest)
        #expect(m.appId == "wx1122334455667788")
    }

    @Test("a wxapkg sub-package has no app config: manifest_missing")
    func subPackage() throws {
        let bytes = PackageBuilder.wxapkg([("/pkgA/page.js", Array("Page({})".utf8))])
        let inspection = try Self.inspect(bytes, name: "sub.wxapkg")
        #expect(inspection.manifest == nil)
        #expect(inspection.hazards.map(\.kind) == [.manifestMissing])
        #expect(inspection.status == .warn)
    }

    @Test("quick app: package, versions, features as permissions")
    func quickApp() throws {
        let m = try #require(try Self.inspect(SampleBundles.storybookRPK(), name: "storybook.rpk").manifest)
        #expect(m.platform == .quickapp)
        #expect(m.appId == "com.example.storybook")
        #expect(m.versionCode == "11")
        #expect(m.permissions == ["system.fetch", "system.record", "service.tts"])
        #expect(m.capabilities == [.microphone])
    }

    @Test("a damaged AndroidManifest.xml: manifest_unreadable with the reason, the rest still inspected")
    func unreadable() throws {
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", [0x03, 0x00, 0x08, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x09])
        zip.addFile("classes.dex", ContentGeneratorBox.dex)
        zip.finish()
        let inspection = try Self.inspect(zip.bytes, name: "broken.apk")
        #expect(inspection.manifest == nil)
        let hazard = try #require(inspection.hazards.first)
        #expect(hazard.kind == .manifestUnreadable)
        #expect(hazard.location == "broken.apk!AndroidManifest.xml")
        #expect(inspection.entries.count == 2)
        #expect(inspection.status == .refused)
    }

    @Test("an IPA without Info.plist, an AAB without a base module: manifest_missing")
    func missing() throws {
        let ipa = ZipBuilder()
        ipa.addFile("Payload/X.app/X", [0xCF, 0xFA, 0xED, 0xFE])
        ipa.finish()
        #expect(try Self.inspect(ipa.bytes, name: "x.ipa").hazards.map(\.kind) == [.manifestMissing])
        let aab = ZipBuilder()
        aab.addFile("BundleConfig.pb", [1])
        aab.addFile("base/manifest/other.txt", [1])
        aab.finish()
        #expect(try Self.inspect(aab.bytes, name: "x.aab").hazards.map(\.kind) == [.manifestMissing])
    }
}

/// Small fixed contents shared by tests.
enum ContentGeneratorBox {
    static let dex: [UInt8] = {
        var g = ContentGenerator(seed: 99)
        return g.dex(size: 2_000, strings: ["Lcom/example/Main;"])
    }()
}

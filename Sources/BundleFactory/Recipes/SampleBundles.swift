/// The bundles in `samples/`, which the README's demo command reads: for each platform an app
/// with deep-synthesis features and a clean one, plus one with hostile structure. Regenerate with
/// `swift run shelfguard-factory samples`; the bytes are the same every time.
public enum SampleBundles {
    /// File name → content, for every sample bundle.
    public static func all() throws -> [(String, [UInt8])] {
        [
            ("facefun.apk", faceFunAPK()),
            ("facefun.xapk", faceFunXAPK()),
            ("calculator.apk", calculatorAPK()),
            ("voicenote.aab", voiceNoteAAB()),
            ("chatpal.ipa", try chatPalIPA()),
            ("flashlight.ipa", try flashlightIPA()),
            ("portrait.hap", portraitHAP()),
            ("notes.hap", notesHAP()),
            ("portrait.app", portraitPack()),
            ("voicechat.wxapkg", voiceChatWxapkg()),
            ("todo.wxapkg", todoWxapkg()),
            ("storybook.rpk", storybookRPK()),
            ("weather.rpk", weatherRPK()),
            ("suspicious.apk", suspiciousAPK()),
            ("broken.apk", brokenAPK()),
        ]
    }

    // MARK: - Android

    /// A face-swap app: a face-effects SDK in DEX and native code, a TFLite model, the camera.
    /// `writesLabels`: the current build writes the GB 45438 label into the pictures it saves;
    /// last year's build (inside the XAPK edition) did not yet.
    public static func faceFunAPK(writesLabels: Bool = true) -> [UInt8] {
        var g = ContentGenerator(seed: 11)
        let manifest = AndroidManifestBuilder.manifest(
            package: "com.example.facefun", versionCode: 7, versionName: .string("1.2.0"),
            label: .reference(0x7F05_0000),
            permissions: [
                "android.permission.INTERNET", "android.permission.CAMERA", "android.permission.READ_MEDIA_IMAGES",
            ],
            features: ["android.hardware.camera.front"],
            components: [.init("activity", "com.example.facefun.MainActivity", exported: true)],
            metaData: [("com.faceunity.APP_KEY", "sample-key")])
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", BinaryXMLWriter.write(manifest))
        zip.addFile(
            "classes.dex",
            g.dex(
                size: 60_000,
                strings: [
                    "Lcom/example/facefun/MainActivity;", "Lcom/faceunity/wrapper/faceunity;",
                    "Lcom/faceunity/core/FURenderKit;", "Lorg/tensorflow/lite/Interpreter;",
                ]
                    // The GB 45438 implicit label it writes into the XMP of every picture it saves.
                    + (writesLabels ? ["http://www.tc260.org.cn/ns/AIGC/1.0/", "<TC260:AIGC>"] : [])))
        zip.addFile("resources.arsc", ResourceTableWriter.write(strings: ["FaceFun"]), method: .stored)
        zip.addFile("res/drawable/icon.png", g.png(size: 4_000), method: .stored)
        zip.addFile("lib/arm64-v8a/libCNamaSDK.so", g.elf(size: 80_000, strings: ["fuSetup", "fuRenderItems"]))
        zip.addFile("lib/arm64-v8a/libfuai.so", g.elf(size: 40_000))
        zip.addFile("lib/arm64-v8a/libtensorflowlite_jni.so", g.elf(size: 60_000))
        zip.addFile("assets/models/face_swap.tflite", g.tflite(size: 40_000), method: .stored)
        zip.finish()
        return zip.bytes
    }

    /// The same app as an XAPK: last year's APK stored inside (it writes no labels yet), with a
    /// split for one ABI.
    public static func faceFunXAPK() -> [UInt8] {
        var g = ContentGenerator(seed: 12)
        let split = ZipBuilder()
        split.addFile(
            "AndroidManifest.xml",
            BinaryXMLWriter.write(
                AndroidManifestBuilder.manifest(
                    package: "com.example.facefun", versionCode: 7, versionName: .string("1.2.0"),
                    split: "config.arm64_v8a")))
        split.addFile("lib/arm64-v8a/libCNamaSDK.so", g.elf(size: 50_000))
        split.finish()
        let manifest = """
            {"xapk_version": 2, "package_name": "com.example.facefun", "name": "FaceFun",
             "version_code": "7", "version_name": "1.2.0",
             "split_apks": [{"file": "com.example.facefun.apk", "id": "base"},
                            {"file": "config.arm64_v8a.apk", "id": "config.arm64_v8a"}]}
            """
        let zip = ZipBuilder()
        zip.addFile("manifest.json", Array(manifest.utf8))
        zip.addFile("com.example.facefun.apk", faceFunAPK(writesLabels: false), method: .stored)
        zip.addFile("config.arm64_v8a.apk", split.bytes, method: .stored)
        zip.addFile("icon.png", g.png(size: 2_000), method: .stored)
        zip.finish()
        return zip.bytes
    }

    /// A clean app: no AI inside, no sensitive permission.
    public static func calculatorAPK() -> [UInt8] {
        var g = ContentGenerator(seed: 16)
        let manifest = AndroidManifestBuilder.manifest(
            package: "com.example.calculator", versionCode: 3, versionName: .string("3.0"),
            label: .string("Calculator"),
            components: [.init("activity", "com.example.calculator.MainActivity", exported: true)])
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", BinaryXMLWriter.write(manifest))
        zip.addFile(
            "classes.dex",
            g.dex(
                size: 40_000,
                strings: [
                    "Lcom/example/calculator/MainActivity;", "Landroidx/appcompat/app/AppCompatActivity;",
                ]))
        zip.addFile("resources.arsc", ResourceTableWriter.write(strings: ["Calculator"]), method: .stored)
        zip.addFile("res/drawable/icon.png", g.png(size: 3_000), method: .stored)
        zip.finish()
        return zip.bytes
    }

    /// An Android App Bundle for a voice-notes app: iFlytek TTS in the base module, Baidu TTS in
    /// a `voice` feature module; manifests are protobuf.
    public static func voiceNoteAAB() -> [UInt8] {
        var g = ContentGenerator(seed: 17)
        let base = AndroidManifestBuilder.manifest(
            package: "com.example.voicenote", versionCode: 12, versionName: .string("2.4.1"),
            label: .string("VoiceNote"),
            permissions: ["android.permission.INTERNET", "android.permission.RECORD_AUDIO"],
            components: [.init("activity", "com.example.voicenote.MainActivity", exported: true)])
        let voice = AndroidManifestBuilder.manifest(
            package: "com.example.voicenote", versionCode: 12, versionName: .string("2.4.1"), split: "voice")
        let zip = ZipBuilder()
        zip.addFile("BundleConfig.pb", [0x0A, 0x05, 0x0A, 0x03, 0x31, 0x2E, 0x30])
        zip.addFile("base/manifest/AndroidManifest.xml", ProtoXMLWriter.write(base))
        zip.addFile(
            "base/dex/classes.dex",
            g.dex(
                size: 50_000,
                strings: ["Lcom/example/voicenote/MainActivity;", "Lcom/iflytek/cloud/SpeechSynthesizer;"]))
        zip.addFile("base/lib/arm64-v8a/libmsc.so", g.elf(size: 60_000, strings: ["iFlytek MSC"]))
        zip.addFile("base/lib/arm64-v8a/libAisound.so", g.elf(size: 30_000))
        zip.addFile("base/resources.pb", g.text(2_000))
        zip.addFile("voice/manifest/AndroidManifest.xml", ProtoXMLWriter.write(voice))
        zip.addFile("voice/dex/classes.dex", g.dex(size: 20_000, strings: ["Lcom/baidu/tts/client/SpeechSynthesizer;"]))
        zip.addFile("voice/lib/arm64-v8a/libbd_etts.so", g.elf(size: 30_000))
        zip.finish()
        return zip.bytes
    }

    // MARK: - iOS

    /// An LLM chat app: calls hosted models, bundles ONNX Runtime and a Core ML model.
    public static func chatPalIPA() throws -> [UInt8] {
        var g = ContentGenerator(seed: 18)
        let app = "Payload/ChatPal.app/"
        let info: [String: Any] = [
            "CFBundleIdentifier": "com.example.chatpal", "CFBundleShortVersionString": "4.1",
            "CFBundleVersion": "410", "CFBundleDisplayName": "ChatPal", "CFBundleExecutable": "ChatPal",
            "MinimumOSVersion": "15.0",
            "NSMicrophoneUsageDescription": "Talk to ChatPal.",
            "NSSpeechRecognitionUsageDescription": "Turn your voice into chat messages.",
        ]
        let widget: [String: Any] = [
            "CFBundleIdentifier": "com.example.chatpal.widget", "CFBundleVersion": "410",
            "NSPhotoLibraryUsageDescription": "Share generated pictures.",
        ]
        let zip = ZipBuilder()
        zip.addFile(app + "Info.plist", try binaryPlist(info))
        zip.addFile(
            app + "ChatPal",
            g.machO(
                size: 120_000,
                strings: [
                    "https://dashscope.aliyuncs.com/api/v1/services/aigc/text-generation/generation",
                    "https://api.openai.com/v1/chat/completions",
                    // It keeps the supplier's GB 45438 label on pictures it saves, keys and all.
                    "ContentProducer", "ProduceID",
                ]))
        zip.addFile(
            app + "Frameworks/onnxruntime.framework/onnxruntime", g.machO(size: 90_000, strings: ["OrtGetApiBase"]))
        zip.addFile(
            app + "Frameworks/onnxruntime.framework/Info.plist",
            try binaryPlist(["CFBundleIdentifier": "com.microsoft.onnxruntime"]))
        zip.addFile(app + "ChatModel.mlmodelc/model.mil", g.text(8_000))
        zip.addFile(app + "ChatModel.mlmodelc/coremldata.bin", g.randomBytes(6_000), method: .stored)
        zip.addFile(app + "PlugIns/ChatPalWidget.appex/Info.plist", try binaryPlist(widget))
        zip.addFile(
            app + "embedded.mobileprovision", try provisioningProfile(team: "ABCDE12345", appID: "com.example.chatpal"))
        zip.finish()
        return zip.bytes
    }

    /// A clean app: the camera's torch, nothing generative.
    public static func flashlightIPA() throws -> [UInt8] {
        var g = ContentGenerator(seed: 19)
        let app = "Payload/Flashlight.app/"
        let info: [String: Any] = [
            "CFBundleIdentifier": "com.example.flashlight", "CFBundleShortVersionString": "1.0",
            "CFBundleVersion": "1", "CFBundleName": "Flashlight", "MinimumOSVersion": "14.0",
            "NSCameraUsageDescription": "The torch is part of the camera.",
        ]
        let zip = ZipBuilder()
        zip.addFile(app + "Info.plist", try binaryPlist(info))
        zip.addFile(app + "Flashlight", g.machO(size: 40_000, strings: ["AVCaptureDevice torchMode"]))
        zip.finish()
        return zip.bytes
    }

    // MARK: - HarmonyOS

    /// A portrait-effects HAP: MindSpore Lite, a face model, the camera.
    public static func portraitHAP() -> [UInt8] {
        var g = ContentGenerator(seed: 20)
        let module = """
            {"app": {"bundleName": "com.example.portrait", "versionCode": 2000000, "versionName": "2.0.0",
                     "minAPIVersion": 12, "targetAPIVersion": 12},
             "module": {"name": "entry", "type": "entry",
                        "abilities": [{"name": "EntryAbility"}],
                        "requestPermissions": [{"name": "ohos.permission.CAMERA", "reason": "$string:camera_reason"},
                                               {"name": "ohos.permission.INTERNET"}]}}
            """
        let pack = """
            {"summary": {"app": {"bundleName": "com.example.portrait", "version": {"code": 2000000, "name": "2.0.0"}},
                         "modules": [{"mainAbility": "EntryAbility", "distro": {"moduleName": "entry"}}]}}
            """
        let zip = ZipBuilder()
        zip.addFile("module.json", Array(module.utf8), method: .stored)
        zip.addFile("pack.info", Array(pack.utf8), method: .stored)
        zip.addFile(
            "ets/modules.abc",
            Array("PANDA\0\0\0".utf8) + g.code(20_000) + Array("@kit.CoreVisionKit".utf8) + [0]
                + Array("https://dashscope.aliyuncs.com/api/v1/services/aigc/image2image/image-synthesis".utf8) + [0]
                // The chat feature the declaration leaves out: DashScope's chat endpoint.
                + Array("https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions".utf8),
            method: .stored)
        zip.addFile("libs/arm64-v8a/libmindspore-lite.so", g.elf(size: 50_000), method: .stored)
        zip.addFile("resources/rawfile/face_swap.ms", g.randomBytes(30_000), method: .stored)
        zip.addFile("resources.index", g.randomBytes(1_000), method: .stored)
        zip.finish()
        return zip.bytes
    }

    /// A clean HarmonyOS Stage-model HAP, stored as DevEco writes them.
    public static func notesHAP() -> [UInt8] {
        var g = ContentGenerator(seed: 13)
        let module = """
            {"app": {"bundleName": "com.example.notes", "versionCode": 1000000, "versionName": "1.0.0"},
             "module": {"name": "entry", "type": "entry", "abilities": [{"name": "EntryAbility"}],
                        "requestPermissions": [{"name": "ohos.permission.INTERNET"}]}}
            """
        let pack = """
            {"summary": {"app": {"bundleName": "com.example.notes", "version": {"code": 1000000, "name": "1.0.0"}},
                         "modules": [{"mainAbility": "EntryAbility", "distro": {"moduleName": "entry"}}]}}
            """
        let zip = ZipBuilder()
        zip.addFile("module.json", Array(module.utf8), method: .stored)
        zip.addFile("pack.info", Array(pack.utf8), method: .stored)
        zip.addFile("ets/modules.abc", Array("PANDA\0\0\0".utf8) + g.code(30_000), method: .stored)
        zip.addFile("resources.index", g.randomBytes(2_000), method: .stored)
        zip.addFile("libs/arm64-v8a/libentry.so", g.elf(size: 20_000), method: .stored)
        zip.finish()
        return zip.bytes
    }

    /// A HarmonyOS `.app` pack: the portrait HAP and a feature HAP.
    public static func portraitPack() -> [UInt8] {
        var g = ContentGenerator(seed: 21)
        let feature = ZipBuilder()
        feature.addFile(
            "module.json",
            Array(
                """
                {"app": {"bundleName": "com.example.portrait", "versionCode": 2000000, "versionName": "2.0.0"},
                 "module": {"name": "gallery", "type": "feature",
                            "requestPermissions": [{"name": "ohos.permission.READ_IMAGEVIDEO"}]}}
                """.utf8), method: .stored)
        feature.addFile("ets/modules.abc", Array("PANDA\0\0\0".utf8) + g.code(8_000), method: .stored)
        feature.finish()
        let pack = """
            {"summary": {"app": {"bundleName": "com.example.portrait", "version": {"code": 2000000, "name": "2.0.0"}},
                         "modules": [{"distro": {"moduleName": "entry"}}, {"distro": {"moduleName": "gallery"}}]}}
            """
        let zip = ZipBuilder()
        zip.addFile("pack.info", Array(pack.utf8), method: .stored)
        zip.addFile("entry-default.hap", portraitHAP(), method: .stored)
        zip.addFile("gallery-default.hap", feature.bytes, method: .stored)
        zip.finish()
        return zip.bytes
    }

    // MARK: - Mini-programs and quick apps

    /// A WeChat mini-program that speaks and listens through the WechatSI plugin.
    public static func voiceChatWxapkg() -> [UInt8] {
        let config = """
            {"pages": ["pages/index/index", "pages/chat/chat"],
             "subPackages": [{"root": "pkgA", "pages": ["settings/settings"]}],
             "plugins": {"WechatSI": {"version": "0.3.5", "provider": "wx069ba97219f66d99"}},
             "permission": {"scope.userLocation": {"desc": "nearby rooms"}},
             "requiredPrivateInfos": ["getLocation"]}
            """
        let service = """
            var plugin = requirePlugin('WechatSI');
            var recorder = wx.getRecorderManager();
            wx.authorize({scope: 'scope.record'});
            plugin.textToSpeech({lang: 'zh_CN', content: 'hello'});
            """
        return PackageBuilder.wxapkg([
            ("/app-config.json", Array(config.utf8)),
            ("/app-service.js", Array(service.utf8)),
            ("/page-frame.html", Array("<html><body><camera device-position=\"front\"></camera></body></html>".utf8)),
            ("/pages/index/index.wxml", Array("<view>hello</view>".utf8)),
        ])
    }

    /// A clean WeChat mini-program that carries its declaration inside, at the package root.
    public static func todoWxapkg() -> [UInt8] {
        let config = """
            {"pages": ["pages/list/list", "pages/edit/edit"], "window": {"navigationBarTitleText": "To do"}}
            """
        return PackageBuilder.wxapkg([
            ("/app-config.json", Array(config.utf8)),
            ("/deep-synthesis.yaml", Array(todoDeclaration.utf8)),
            ("/app-service.js", Array("App({onLaunch() { wx.setStorageSync('todos', []) }});".utf8)),
            ("/page-frame.html", Array("<html><body></body></html>".utf8)),
        ])
    }

    /// A quick app that writes stories with a hosted LLM and reads them aloud.
    public static func storybookRPK() -> [UInt8] {
        let manifest = """
            {"package": "com.example.storybook", "name": "Storybook", "versionName": "1.1.0", "versionCode": 11,
             "minPlatformVersion": 1070,
             "features": [{"name": "system.fetch"}, {"name": "system.record"}, {"name": "service.tts"}]}
            """
        let app = """
            export default { onCreate() {} }
            const API = 'https://api.deepseek.com/chat/completions';
            """
        // The badge text ships inside the package as well as beside the declaration
        // (samples/labeling/storybook/badge.md): the review reads the package's copy and says
        // that the one beside was not read (labeling_material_beside_unread).
        let badge = """
            # Storybook: labels on generated stories (sample)

            Each story opens with the badge "本故事由人工智能生成"; shared files carry AIGC metadata.

            """
        return quickApp(manifest: manifest, app: app, extra: [("labeling/storybook/badge.md", Array(badge.utf8))])
    }

    /// A clean quick app.
    public static func weatherRPK() -> [UInt8] {
        let manifest = """
            {"package": "com.example.weather", "name": "Weather", "versionName": "2.0.0", "versionCode": 20,
             "minPlatformVersion": 1070, "features": [{"name": "system.fetch"}, {"name": "system.geolocation"}]}
            """
        return quickApp(manifest: manifest, app: "export default { onCreate() {} }")
    }

    private static func quickApp(manifest: String, app: String, extra: [(String, [UInt8])] = []) -> [UInt8] {
        var g = ContentGenerator(seed: 22)
        let zip = ZipBuilder()
        zip.addFile("manifest.json", Array(manifest.utf8))
        zip.addFile("app.js", Array(app.utf8))
        zip.addFile("pages/index/index.js", g.text(3_000))
        for (path, bytes) in extra { zip.addFile(path, bytes) }
        zip.addFile("META-INF/CERT", g.randomBytes(800), method: .stored)
        zip.finish()
        return zip.bytes
    }

    /// The declaration the to-do mini-program carries (LM Art. 7: no AI generation).
    static let todoDeclaration = """
        # The to-do mini-program's own declaration, shipped inside the package.
        schema: shelfguard/declaration/v1
        app:
          id: wx5e1d0c2b3a4f6e7d
          name: 待办清单
        developer:
          name: 东莞示例软件工作室有限公司
          uscc: 92440300MA5T0D010F
          icp_filing: 粤ICP备2025090123号-2X
        ai_generation: false
        features: []

        """

    // MARK: - Hostile

    /// An APK with hostile structure: a second classes.dex, a DEX hidden as a PNG, a name that
    /// climbs out of the bundle, and a packer's stub library.
    public static func suspiciousAPK() -> [UInt8] {
        var g = ContentGenerator(seed: 15)
        let manifest = AndroidManifestBuilder.manifest(
            package: "com.example.cleaner", versionCode: 1, versionName: .string("1.0"), label: .string("Cleaner"),
            permissions: ["android.permission.INTERNET", "android.permission.RECORD_AUDIO"])
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", BinaryXMLWriter.write(manifest))
        // A model vendor's bare API host: some MiniMax service is called, which one the bundle
        // does not say (a reviewer's question, not a finding).
        zip.addFile(
            "classes.dex", g.dex(size: 10_000, strings: ["Lcom/example/cleaner/Main;", "https://api.minimax.chat"]))
        zip.addFile("classes.dex", g.dex(size: 10_000, strings: ["Lcom/evil/Replaced;"]))
        zip.addFile("res/drawable/splash.png", g.dex(size: 8_000, strings: ["Lcom/hidden/Loader;"]))
        zip.addFile("lib/arm64-v8a/libjiagu.so", g.elf(size: 12_000))
        zip.addFile("../../../data/local/tmp/payload.so", g.elf(size: 5_000))
        zip.finish()
        return zip.bytes
    }

    /// A photo-filter APK damaged in transit: the start of classes.dex is scrambled (its
    /// checksum fails), AndroidManifest.xml is not binary XML at all, and an error page follows
    /// the zip's end record.
    public static func brokenAPK() -> [UInt8] {
        var g = ContentGenerator(seed: 16)
        let zip = ZipBuilder()
        zip.addFile("classes.dex", g.dex(size: 20_000, strings: ["Lcom/example/lens/Main;"]))
        zip.addFile("AndroidManifest.xml", Array("<manifest package=\"com.example.lens\">".utf8) + g.randomBytes(600))
        zip.addFile("resources.arsc", g.randomBytes(4_000), method: .stored)
        zip.finish()
        var bytes = zip.bytes
        // classes.dex is the first entry: its data follows the 30-byte local header and its name.
        let data = 30 + "classes.dex".utf8.count
        for i in data..<(data + 64) { bytes[i] ^= 0x5A }
        // …and a download tool appended its error page: bytes after the end record, which
        // Android's installer refuses.
        bytes += Array("\r\n<html><body>502 Bad Gateway</body></html>\r\n".utf8)
        return bytes
    }

    // MARK: - Pieces

    /// A binary property list (`bplist00`), keys sorted.
    public static func binaryPlist(_ object: [String: Any]) throws -> [UInt8] {
        PropertyListWriter.binary(object)
    }

    /// A provisioning profile: an XML plist inside bytes standing for the CMS signature.
    public static func provisioningProfile(team: String, appID: String) throws -> [UInt8] {
        let plist: [String: Any] = [
            "AppIDName": appID, "TeamIdentifier": [team], "TeamName": "Example Co., Ltd.",
            "Entitlements": [
                "application-identifier": "\(team).\(appID)", "com.apple.developer.team-identifier": team,
                "get-task-allow": false,
            ],
        ]
        let xml = PropertyListWriter.xml(plist)
        let envelope: [UInt8] = [
            0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02, 0xA0, 0x80,
        ]
        return envelope + [UInt8](xml) + [0x00, 0x00, 0xA0, 0x82, 0x01, 0x00] + Array(repeating: 0x5A, count: 64)
    }
}

/// The bundles in `samples/`, which the README's demo command reads. Regenerate them with
/// `swift run shelfguard-factory samples samples`; the output is the same every time.
public enum SampleBundles {
    /// File name → content, for every sample bundle.
    public static func all() throws -> [(String, [UInt8])] {
        [
            ("facefun.apk", faceFunAPK()),
            ("facefun.xapk", faceFunXAPK()),
            ("notes.hap", notesHAP()),
            ("voicechat.wxapkg", voiceChatWxapkg()),
            ("webgame.tar.gz", webGameTarball()),
            ("suspicious.apk", suspiciousAPK()),
        ]
    }

    /// A face-swap app: a face-effects SDK in DEX and native code, a TFLite model.
    public static func faceFunAPK() -> [UInt8] {
        var g = ContentGenerator(seed: 11)
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", g.binaryXMLLike(size: 3_000))
        zip.addFile(
            "classes.dex",
            g.dex(
                size: 60_000,
                strings: [
                    "Lcom/example/facefun/MainActivity;", "Lcom/faceunity/wrapper/faceunity;",
                    "Lorg/tensorflow/lite/Interpreter;",
                ]))
        zip.addFile("resources.arsc", [0x02, 0x00, 0x0C, 0x00] + g.text(6_000), method: .stored)
        zip.addFile("res/drawable/icon.png", g.png(size: 4_000), method: .stored)
        zip.addFile("lib/arm64-v8a/libCNamaSDK.so", g.elf(size: 80_000, strings: ["fuSetup", "nama"]))
        zip.addFile("lib/arm64-v8a/libtensorflowlite_jni.so", g.elf(size: 60_000))
        zip.addFile("assets/models/face_swap.tflite", g.tflite(size: 40_000), method: .stored)
        zip.finish()
        return zip.bytes
    }

    /// The same app as an XAPK: its APK stored inside, with a split for one ABI.
    public static func faceFunXAPK() -> [UInt8] {
        var g = ContentGenerator(seed: 12)
        let split = ZipBuilder()
        split.addFile("AndroidManifest.xml", g.binaryXMLLike(size: 1_200))
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
        zip.addFile("com.example.facefun.apk", faceFunAPK(), method: .stored)
        zip.addFile("config.arm64_v8a.apk", split.bytes, method: .stored)
        zip.addFile("icon.png", g.png(size: 2_000), method: .stored)
        zip.finish()
        return zip.bytes
    }

    /// A HarmonyOS Stage-model HAP, stored as DevEco writes them.
    public static func notesHAP() -> [UInt8] {
        var g = ContentGenerator(seed: 13)
        let module = """
            {"app": {"bundleName": "com.example.notes", "versionCode": 1000000, "versionName": "1.0.0"},
             "module": {"name": "entry", "type": "entry",
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

    /// A WeChat mini-program that uses the WechatSI speech plugin.
    public static func voiceChatWxapkg() -> [UInt8] {
        let config = """
            {"pages": ["pages/index/index", "pages/chat/chat"],
             "plugins": {"WechatSI": {"version": "0.3.5", "provider": "wx069ba97219f66d99"}},
             "permission": {"scope.userLocation": {"desc": "nearby rooms"}}}
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
            ("/page-frame.html", Array("<html><body><camera></camera></body></html>".utf8)),
            ("/pages/index/index.wxml", Array("<view>hello</view>".utf8)),
        ])
    }

    /// A web game shipped as a gzip-compressed tarball.
    public static func webGameTarball() -> [UInt8] {
        var g = ContentGenerator(seed: 14)
        return TarBuilder.archive(
            [
                ("game/index.html", g.text(3_000)),
                ("game/main.js", g.text(20_000)),
                ("game/assets/sprite.png", g.png(size: 5_000)),
            ], compression: .gzip)
    }

    /// An APK with hostile structure: a second classes.dex, a DEX hidden as a PNG, a name that
    /// climbs out of the bundle.
    public static func suspiciousAPK() -> [UInt8] {
        var g = ContentGenerator(seed: 15)
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", g.binaryXMLLike(size: 2_000))
        zip.addFile("classes.dex", g.dex(size: 10_000, strings: ["Lcom/example/cleaner/Main;"]))
        zip.addFile("classes.dex", g.dex(size: 10_000, strings: ["Lcom/evil/Replaced;"]))
        zip.addFile("res/drawable/splash.png", g.dex(size: 8_000, strings: ["Lcom/hidden/Loader;"]))
        zip.addFile("../../../data/local/tmp/payload.so", g.elf(size: 5_000))
        zip.finish()
        return zip.bytes
    }
}

/// The benchmark bundle: a large APK shaped like a real AI app (several DEX files, native
/// libraries for two ABIs, model files stored for mmap, thousands of resources, a nested zip of
/// plugins, signature files), written straight to disk.
public enum BenchmarkBundle {
    /// Changes whenever the recipe does, so that cached benchmark bundles are made anew.
    public static let version = "v3"

    /// What was written.
    public struct Stats: Sendable {
        public var entries: Int
        public var nestedEntries: Int
        public var uncompressedBytes: Int64
        public var fileBytes: Int64

        public init(entries: Int, nestedEntries: Int, uncompressedBytes: Int64, fileBytes: Int64) {
            self.entries = entries
            self.nestedEntries = nestedEntries
            self.uncompressedBytes = uncompressedBytes
            self.fileBytes = fileBytes
        }
    }

    /// An AndroidManifest.xml of a big app: dozens of permissions, `components` components with
    /// meta-data (the benchmark APK holds 300; the manifest-parsing benchmark makes one over 1 MB).
    public static func largeManifest(components: Int) -> XMLNode {
        let permissions = [
            "INTERNET", "CAMERA", "RECORD_AUDIO", "READ_MEDIA_IMAGES", "READ_MEDIA_VIDEO", "ACCESS_FINE_LOCATION",
            "ACCESS_COARSE_LOCATION", "READ_CONTACTS", "USE_BIOMETRIC", "FOREGROUND_SERVICE", "POST_NOTIFICATIONS",
            "WAKE_LOCK", "VIBRATE", "BLUETOOTH_CONNECT", "READ_PHONE_STATE",
        ].map { "android.permission.\($0)" }
        let types = ["activity", "service", "receiver", "provider"]
        return AndroidManifestBuilder.manifest(
            package: "com.example.bigapp", versionCode: 90_210, versionName: .string("9.2.10"),
            label: .string("BigApp"),
            permissions: permissions, features: ["android.hardware.camera", "android.hardware.microphone"],
            components: (0..<components).map {
                .init(types[$0 % 4], "com.example.bigapp.feature\($0 / 4).Component\($0)", exported: $0 % 3 == 0)
            },
            metaData: (0..<components / 2).map {
                ("com.example.bigapp.config.key\($0)", "value-\($0)-" + String(repeating: "x", count: $0 % 40))
            })
    }

    /// Writes the bundle to `path`. At `scale` 1 it holds over 200 MB uncompressed in about 3,600
    /// entries; the sizes of the large files grow with `scale`, the entry count does not.
    public static func write(to path: String, scale: Int = 1, seed: UInt64 = 2026) throws -> Stats {
        let sink = try FileSink(path: path)
        let zip = ZipBuilder(sink: sink)
        var generator = ContentGenerator(seed: seed)
        var entries = 0
        var uncompressed: Int64 = 0
        var manifest = "Manifest-Version: 1.0\nCreated-By: ShelfGuard benchmark\n\n"

        func add(_ name: String, _ data: [UInt8], _ method: ZipBuilder.Method) {
            zip.addFile(name, data, method: method)
            entries += 1
            uncompressed += Int64(data.count)
            manifest += "Name: \(name)\nSHA-256-Digest: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
        }
        let mb = 1 << 20
        let fast = ZipBuilder.Method.deflated(level: 6)

        add("AndroidManifest.xml", BinaryXMLWriter.write(largeManifest(components: 300)), fast)
        let sdkClasses = [
            "Lcom/faceunity/wrapper/faceunity;", "Lcom/iflytek/cloud/SpeechSynthesizer;",
            "Lorg/tensorflow/lite/Interpreter;", "Lcom/example/aiapp/MainActivity;",
        ]
        for i in 1...6 {
            add(
                i == 1 ? "classes.dex" : "classes\(i).dex", generator.dex(size: 12 * mb * scale, strings: sdkClasses),
                fast)
        }
        add("resources.arsc", [0x02, 0x00, 0x0C, 0x00] + generator.text(4 * mb - 4), .stored)
        for abi in ["arm64-v8a", "armeabi-v7a"] {
            for lib in [
                "libflutter", "libapp", "libCNamaSDK", "libmsc", "libtensorflowlite_jni", "libc++_shared",
                "libmmkv", "libcrashlytics",
            ] {
                let size = (abi == "arm64-v8a" ? 4 : 3) * mb * scale
                add("lib/\(abi)/\(lib).so", generator.elf(size: size, strings: ["\(lib) build"]), fast)
            }
        }
        add("assets/models/face_detect.tflite", generator.tflite(size: 24 * mb * scale), .stored)
        add("assets/models/chat-q4.gguf", generator.gguf(size: 30 * mb * scale), .stored)
        for i in 0..<500 {
            let ext = ["js", "json", "html", "css"][i % 4]
            add("assets/web/page\(i).\(ext)", generator.text(20_000), fast)
        }
        for i in 0..<2000 {
            add("res/drawable-xxhdpi/img_\(i).png", generator.png(size: 2_000 + generator.next(below: 8_000)), .stored)
        }
        for i in 0..<1000 {
            add("res/layout/layout_\(i).xml", generator.binaryXMLLike(size: 2_000), fast)
        }

        // A nested zip of plugins, stored as aapt stores already-compressed files.
        let plugins = ZipBuilder()
        var nested = 0
        for i in 0..<100 {
            plugins.addFile("plugin/scripts/s\(i).js", generator.text(20_000))
            nested += 1
        }
        for i in 0..<199 {
            plugins.addFile("plugin/img/i\(i).png", generator.png(size: 15_000), method: .stored)
            nested += 1
        }
        plugins.addFile("plugin/classes.dex", generator.dex(size: 2 * mb, strings: ["Lcom/plugin/Entry;"]))
        nested += 1
        plugins.finish()
        uncompressed += Int64(100 * 20_000 + 199 * 15_000 + 2 * mb)
        zip.addFile("assets/plugins/extension.zip", plugins.bytes, method: .stored)
        entries += 1

        zip.addFile("META-INF/MANIFEST.MF", Array(manifest.utf8), method: fast)
        zip.addFile("META-INF/CERT.SF", Array(manifest.utf8), method: fast)
        zip.addFile("META-INF/CERT.RSA", generator.randomBytes(1_500), method: .stored)
        entries += 3
        uncompressed += Int64(2 * manifest.utf8.count + 1_500)
        zip.finish()
        let fileBytes = sink.count
        try sink.close()
        return Stats(entries: entries, nestedEntries: nested, uncompressedBytes: uncompressed, fileBytes: fileBytes)
    }
}

import ShelfGuardKit

/// Builds a real, small bundle from a signature's example, so that the test suite can check every
/// example through the whole inspection (reader, manifest, detector), not only in-process.
public enum ExampleBundles {
    /// The bundle's bytes and a file name with the platform's extension.
    public static func build(_ example: SignatureExample) -> (name: String, bytes: [UInt8]) {
        var g = ContentGenerator(seed: 404)
        let content = example.content.map { Array($0.utf8) }
        let kind = example.kind ?? content.map(ContentKind.sniff) ?? .empty
        var entries: [(String, [UInt8])] = []
        if let image = SignatureExamples.nativeImage(for: example) {
            let kind = ContentKind.sniff(image)
            entries.append(
                (example.path ?? SignatureExamples.defaultPath(for: kind, platform: example.platform), image))
        } else if example.path != nil || example.content != nil || example.kind != nil {
            let path = example.path ?? SignatureExamples.defaultPath(for: kind, platform: example.platform)
            entries.append((path, body(kind: kind, content: content, &g)))
        }
        if let className = example.className {
            entries.append(("classes.dex", g.dex(size: 3_000, strings: [className])))
        }
        switch example.platform {
        case .android:
            var metaData: [(String, String)] = []
            if let key = example.metaData { metaData.append((key, "example")) }
            let manifest = AndroidManifestBuilder.manifest(
                package: "com.example.sample", versionCode: 1, versionName: .string("1.0"),
                permissions: example.permission.map { [$0] } ?? [], metaData: metaData)
            return ("example.apk", zip([("AndroidManifest.xml", BinaryXMLWriter.write(manifest))] + entries))
        case .ios:
            var info: [String: Any] = ["CFBundleIdentifier": "com.example.sample", "CFBundleVersion": "1"]
            if let permission = example.permission { info[permission] = "example" }
            if let key = example.metaData { info[key] = "example" }
            return ("example.ipa", zip([("Payload/App.app/Info.plist", PropertyListWriter.binary(info))] + entries))
        case .harmony:
            let permissions = example.permission.map { #"[{"name": "\#($0)"}]"# } ?? "[]"
            let module =
                #"{"app": {"bundleName": "com.example.sample", "versionCode": 1}, "module": {"name": "entry", "requestPermissions": \#(permissions)}}"#
            return ("example.hap", zip([("module.json", Array(module.utf8))] + entries))
        case .wechatMini, .douyinMini, .alipayMini:
            let plugins =
                example.pluginProvider.map { #"{"plugin": {"version": "1.0.0", "provider": "\#($0)"}}"# } ?? "{}"
            let config = #"{"pages": ["pages/index/index"], "plugins": \#(plugins)}"#
            let files =
                [("/app-config.json", Array(config.utf8))]
                + entries.map { ($0.0.hasPrefix("/") ? $0.0 : "/" + $0.0, $0.1) }
            return example.platform == .wechatMini
                ? ("example.wxapkg", PackageBuilder.wxapkg(files)) : ("example.ttpkg", PackageBuilder.tpkg(files))
        case .quickapp:
            let features = example.feature.map { #"[{"name": "\#($0)"}]"# } ?? "[]"
            let manifest =
                #"{"package": "com.example.sample", "name": "Sample", "versionCode": 1, "features": \#(features)}"#
            return (
                "example.rpk",
                zip([("manifest.json", Array(manifest.utf8)), ("app.js", Array("export default {}".utf8))] + entries)
            )
        }
    }

    /// An entry's bytes: `content` wrapped in a file of the given kind (a DEX string, ELF strings…),
    /// or a typical file of that kind when there is no content.
    static func body(kind: ContentKind, content: [UInt8]?, _ g: inout ContentGenerator) -> [UInt8] {
        let text = content.map { String(decoding: $0, as: UTF8.self) }
        switch kind {
        case .dex: return g.dex(size: 2_000, strings: text.map { [$0] } ?? [])
        case .elf: return g.elf(size: 2_000, strings: text.map { [$0] } ?? [])
        case .machO: return g.machO(size: 2_000, strings: text.map { [$0] } ?? [])
        case .arkBytecode: return g.arkBytecode(size: 2_000, strings: text.map { [$0] } ?? [])
        case .tflite: return g.tflite(size: 1_000)
        case .gguf: return g.gguf(size: 1_000)
        case .ort: return g.ort(size: 1_000)
        case .safetensors: return g.safetensors(size: 1_000)
        case .ncnnParam: return g.ncnnParam()
        default: return content ?? []
        }
    }

    private static func zip(_ files: [(String, [UInt8])]) -> [UInt8] {
        let zip = ZipBuilder()
        for (name, data) in files { zip.addFile(name, data) }
        zip.finish()
        return zip.bytes
    }
}

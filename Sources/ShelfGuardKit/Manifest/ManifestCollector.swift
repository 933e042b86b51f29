/// Keeps, while the reader streams a bundle, the few entries manifests are read from (bounded by
/// `ManifestLimits.maxFileBytes`), and scans mini-program code for the APIs that imply camera or
/// microphone use.
public struct ManifestCollector: EntryVisitor {
    /// One kept entry.
    public struct File: Sendable {
        public var bytes: [UInt8]
        /// False when the reader could not read it to its end.
        public var complete: Bool
        /// True when it was larger than the limit (its bytes were dropped).
        public var oversize: Bool
    }

    let limits: ManifestLimits
    /// Kept entries by path chain (`base.apk!AndroidManifest.xml`).
    public private(set) var files: [String: File] = [:]
    /// APIs found in code, each once per entry.
    public private(set) var codeUses: [(api: String, capability: Capability, chain: [String])] = []

    private var buffer: [UInt8] = []
    private var oversize = false
    private var scanning: PatternScanner?
    private var hitsInEntry = Set<Int>()

    public init(limits: ManifestLimits = .standard) {
        self.limits = limits
    }

    /// Entry names manifests are read from, wherever they sit in the nesting chain.
    static let exactNames: Set<String> = [
        "AndroidManifest.xml", "resources.arsc", "module.json", "config.json", "pack.info", "manifest.json",
        "app-config.json", "/app-config.json", "app.json", "/app.json", "project.config.json",
        "/project.config.json",
    ]

    /// The last components of the nested manifest paths below: anything else is rejected without
    /// splitting its name.
    static let manifestBasenames: Set<Substring> = ["AndroidManifest.xml", "Info.plist", "embedded.mobileprovision"]

    /// Whether an entry's bytes are kept for a manifest reader.
    static func isManifestFile(_ name: String) -> Bool {
        if exactNames.contains(name) { return true }
        guard manifestBasenames.contains(EntryName.lastComponent(name)) else { return false }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        // AAB modules: <module>/manifest/AndroidManifest.xml
        if parts.count == 3 && parts[1] == "manifest" && parts[2] == "AndroidManifest.xml" { return true }
        // IPA: Payload/X.app/Info.plist, Payload/X.app/embedded.mobileprovision, Payload/X.app/PlugIns/Y.appex/Info.plist
        guard parts.first == "Payload", parts.count >= 3, parts[1].hasSuffix(".app") else { return false }
        if parts.count == 3 { return parts[2] == "Info.plist" || parts[2] == "embedded.mobileprovision" }
        return parts.count == 5 && parts[2] == "PlugIns" && parts[3].hasSuffix(".appex") && parts[4] == "Info.plist"
    }

    /// The well-known places a bundle carries its own declaration (product contract): at the root
    /// of the bundle (`deep-synthesis.yaml`, `/deep-synthesis.yaml` in mini-program packages, the
    /// `.app` folder of an IPA) or `META-INF/deep-synthesis.yaml`. Only the outer bundle's.
    static func isDeclarationFile(_ entry: BundleEntry) -> Bool {
        guard entry.chain.count == 1 else { return false }
        let name = entry.name
        guard EntryName.lastComponent(name) == "deep-synthesis.yaml" else { return false }
        if name == "META-INF/deep-synthesis.yaml" || name == "deep-synthesis.yaml" || name == "/deep-synthesis.yaml" {
            return true
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "Payload" && parts[1].hasSuffix(".app")
            && parts[2] == "deep-synthesis.yaml"
    }

    /// Mini-program code: scanned for API names, not kept.
    static func isMiniProgramCode(_ entry: BundleEntry) -> Bool {
        let name = entry.name
        guard name.hasPrefix("/") || entry.chain.count == 1 else { return false }
        return name.hasSuffix(".js") || name.hasSuffix(".html") || name.hasSuffix(".wxml") || name.hasSuffix(".ttml")
    }

    /// The APIs that show capabilities in mini-program code.
    static let codeAPIs: [(String, Capability)] = [
        ("scope.record", .microphone), ("getRecorderManager", .microphone), ("startRecord", .microphone),
        ("scope.camera", .camera), ("<camera", .camera), ("createCameraContext", .camera),
        ("<live-pusher", .camera), ("createVKSession", .camera), ("scope.writePhotosAlbum", .photos),
        ("saveImageToPhotosAlbum", .photos), ("getLocation", .location), ("chooseLocation", .location),
    ]
    static let codePatterns = PatternSet(strings: codeAPIs.map(\.0))

    public mutating func wantsContent(of entry: BundleEntry) -> Bool {
        buffer.removeAll(keepingCapacity: false)
        oversize = false
        scanning = nil
        hitsInEntry.removeAll()
        if ManifestCollector.isManifestFile(entry.name) || ManifestCollector.isDeclarationFile(entry) { return true }
        if ManifestCollector.isMiniProgramCode(entry) {
            scanning = ManifestCollector.codePatterns.scanner()
            return true
        }
        return false
    }

    public mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        if scanning != nil {
            var hits = hitsInEntry
            scanning!.scan(chunk) { pattern, _ in hits.insert(pattern) }
            hitsInEntry = hits
            return
        }
        guard !oversize else { return }
        if Int64(buffer.count + chunk.count) > limits.maxFileBytes {
            oversize = true
            buffer = []
            return
        }
        buffer.append(contentsOf: chunk)
    }

    public mutating func finish(_ entry: BundleEntry, complete: Bool) {
        if scanning != nil {
            for index in hitsInEntry.sorted() {
                let (api, capability) = ManifestCollector.codeAPIs[index]
                codeUses.append((api, capability, entry.chain))
            }
            scanning = nil
            hitsInEntry.removeAll()
            return
        }
        guard entry.kind != .directory,
            ManifestCollector.isManifestFile(entry.name) || ManifestCollector.isDeclarationFile(entry)
        else { return }
        files[entry.path] = File(bytes: buffer, complete: complete, oversize: oversize)
        buffer = []
        oversize = false
    }
}

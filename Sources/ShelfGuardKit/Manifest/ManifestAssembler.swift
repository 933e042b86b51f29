/// Turns the entries the collector kept into the one normalised `AppManifest`, choosing the
/// platform reader by the bundle's format. A manifest that cannot be read becomes a
/// `manifest_unreadable` hazard with the reason; the inspection goes on without it.
struct ManifestAssembler {
    let files: [String: ManifestCollector.File]
    let codeUses: [(api: String, capability: Capability, chain: [String])]
    let report: BundleReport
    let limits: ManifestLimits
    /// The appid given to decrypt a PC-client wxapkg, if any.
    let wechatAppID: String?

    private(set) var hazards: [Hazard] = []

    init(
        collector: ManifestCollector, report: BundleReport, limits: ManifestLimits, wechatAppID: String?
    ) {
        self.files = collector.files
        self.codeUses = collector.codeUses
        self.report = report
        self.limits = limits
        self.wechatAppID = wechatAppID
    }

    /// The bundle's file name as locations start with it.
    var bundleName: String { BundleReader.displayName(of: report.bundle.path) }

    func location(_ path: String) -> String { path.isEmpty ? bundleName : bundleName + "!" + path }

    mutating func assemble() -> AppManifest? {
        let manifest: AppManifest?
        switch report.bundle.format {
        case .apk: manifest = apk(prefix: "")
        case .xapk: manifest = xapk()
        case .aab: manifest = aab()
        case .ipa: manifest = ipa()
        case .hap: manifest = hap(prefix: "")
        case .app: manifest = harmonyPack()
        case .wxapkg: manifest = miniProgram(platform: .wechatMini)
        case .ttpkg: manifest = miniProgram(platform: .douyinMini)
        case .rpk: manifest = quickApp()
        case .zip, .tar:
            manifest = nil
            // A bundle that could not be read has its reason already; it needs no second one.
            if report.bundle.complete {
                hazard(
                    .manifestMissing, at: "",
                    "no app manifest found: not an APK, AAB, IPA, HAP, mini-program or quick app")
            }
        case .unknown:
            manifest = nil  // already reported unreadable by the reader
        }
        return manifest
    }

    mutating func hazard(_ kind: HazardKind, at path: String, _ detail: String) {
        hazards.append(Hazard(kind: kind, location: location(path), detail: detail))
    }

    /// The bytes of a kept entry, or nil with a hazard saying why they cannot be used.
    mutating func bytes(_ path: String, required: Bool) -> [UInt8]? {
        guard let file = files[path] else {
            if required { hazard(.manifestMissing, at: path, "the manifest entry is missing") }
            return nil
        }
        if file.oversize {
            hazard(
                .manifestUnreadable, at: path,
                "larger than \(ByteCount.format(limits.maxFileBytes)) (limit: --max-manifest-size)")
            return nil
        }
        return file.bytes
    }

    /// Runs a parser on a kept entry; a failure becomes `manifest_unreadable`.
    mutating func parse<T>(
        _ path: String, required: Bool = true, _ parser: ([UInt8]) throws(ManifestError) -> T
    )
        -> T?
    {
        guard let data = bytes(path, required: required) else { return nil }
        do {
            return try parser(data)
        } catch {
            let cut = files[path]?.complete == false ? " (the entry itself could not be read completely)" : ""
            hazard(.manifestUnreadable, at: path, error.description + cut)
            return nil
        }
    }

    /// The code uses found inside the archive at `prefix` (its own entries, not nested ones).
    func codeUses(under prefix: [String]) -> [AppManifest.CodeUse] {
        codeUses.filter { $0.chain.count == prefix.count + 1 && Array($0.chain.prefix(prefix.count)) == prefix }
            .map {
                AppManifest.CodeUse(
                    api: $0.api, capability: $0.capability, location: location($0.chain.joined(separator: "!")))
            }
    }

    /// Names of the bundle's own entries (top level).
    var topLevelNames: [String] { report.entries.filter { $0.depth == 0 }.map(\.name) }

    static func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "!" + name }
}

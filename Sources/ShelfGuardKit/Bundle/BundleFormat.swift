/// What kind of bundle a file is, as the contract names it. The container is identified by content;
/// the zip-based kinds are told apart by the entries they hold, never by the file name.
public enum BundleFormat: String, Sendable, Codable, CaseIterable {
    case apk, aab, ipa, hap, app, xapk, wxapkg, rpk, ttpkg, zip, tar
    /// Not a bundle the reader can open.
    case unknown

    /// Tells the zip-based kinds apart by their top-level entry names.
    /// Whether a name can tell the zip-based formats apart (a top-level name, or the start of one
    /// of the folders the rules below look for): only these are decoded, however many entries
    /// the zip has.
    static func isTelling(_ name: [UInt8]) -> Bool {
        let slash = UInt8(ascii: "/")
        if !name.dropLast().contains(slash) { return true }
        return name.starts(with: "Payload/".utf8) || name.starts(with: "base/manifest/".utf8)
            || name.starts(with: "META-INF/CERT".utf8)
    }

    static func zipBased(names: [String]) -> BundleFormat {
        let set = Set(names)
        func has(_ name: String) -> Bool { set.contains(name) }
        let topLevelFiles = names.filter { !$0.dropLast().contains("/") }
        if has("BundleConfig.pb") && names.contains(where: { $0.hasPrefix("base/manifest/") }) { return .aab }
        if has("AndroidManifest.xml") { return .apk }
        if names.contains(where: { $0.hasPrefix("Payload/") && $0.contains(".app/") }) { return .ipa }
        if has("pack.info") && topLevelFiles.contains(where: { $0.lowercased().hasSuffix(".hap") }) { return .app }
        if has("module.json") || (has("config.json") && has("pack.info")) { return .hap }
        let hasAPKs = topLevelFiles.contains { $0.lowercased().hasSuffix(".apk") }
        if (has("manifest.json") || has("toc.pb")) && hasAPKs { return .xapk }
        if has("manifest.json") && names.contains(where: { $0.hasPrefix("META-INF/CERT") }) { return .rpk }
        if has("manifest.json") && has("app.js") { return .rpk }
        return .zip
    }
}

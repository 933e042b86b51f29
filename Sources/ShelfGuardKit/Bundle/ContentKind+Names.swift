extension ContentKind {
    /// The extension of an entry name's last component, lowercased, or nil when it has none.
    /// Versioned shared libraries (`libfoo.so.1`) count as `.so`.
    static func fileExtension(of name: String) -> String? {
        let last = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
        let lower = last.lowercased()
        if lower.contains(".so.") { return "so" }
        guard let dot = lower.lastIndex(of: "."), dot != lower.startIndex else { return nil }
        let ext = String(lower[lower.index(after: dot)...])
        return ext.isEmpty ? nil : ext
    }

    /// Names under which data files travel; an executable or archive wearing one of them is hiding.
    static let innocuousExtensions: Set<String> = [
        "png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "svg", "heic",
        "mp3", "mp4", "wav", "ogg", "aac", "m4a", "amr", "flac", "mov", "webm",
        "txt", "json", "xml", "html", "htm", "css", "js", "md", "csv", "properties",
        "cfg", "conf", "ini", "yaml", "yml", "ttf", "otf", "woff", "woff2", "wxml", "wxss",
    ]

    /// Extensions a zip-based file may honestly carry.
    static let zipExtensions: Set<String> = [
        "zip", "apk", "apks", "xapk", "apkm", "aab", "jar", "aar", "hap", "hsp", "app", "ipa", "rpk",
        "epub", "docx", "xlsx", "pptx", "odt", "ods", "odp", "whl", "nupkg", "pt", "ptl", "pth", "npz",
        "keras", "kmz", "crx", "vsix", "obb", "appx", "msix", "srcjar", "ap_", "zipx", "mlpackage",
    ]

    /// Whether an entry called `name` with this content is disguised: a DEX called `.png`, a zip
    /// called `.dat`, an ELF library called `.json`. Content kinds that are plain data never are.
    public func contradicts(name: String) -> Bool {
        guard let ext = ContentKind.fileExtension(of: name) else { return false }
        switch self {
        case .dex: return !["dex", "odex"].contains(ext)
        case .zip: return !ContentKind.zipExtensions.contains(ext)
        case .javaClass: return ext != "class" && ContentKind.innocuousExtensions.contains(ext)
        case .arkBytecode: return ext != "abc" && ContentKind.innocuousExtensions.contains(ext)
        case .wxapkg, .wxapkgEncrypted: return ext != "wxapkg" && ContentKind.innocuousExtensions.contains(ext)
        case .tpkg: return !["pkg", "ttpkg", "js"].contains(ext) && ContentKind.innocuousExtensions.contains(ext)
        case .elf, .machO, .gzip, .xz, .zstd, .tar, .sevenZip, .rar, .bzip2, .wasm:
            return ContentKind.innocuousExtensions.contains(ext)
        default: return false
        }
    }
}

extension ContentKind {
    /// The extension of an entry name's last component, lowercased, or nil when it has none.
    /// Versioned shared libraries (`libfoo.so.1`) count as `.so`.
    static func fileExtension(of name: String) -> String? {
        var name = name
        return name.withUTF8 { bytes -> String? in
            let start = bytes.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
            return fileExtension(folded: UnsafeBufferPointer(rebasing: bytes[start...]))?.lowercased()
        }
    }

    /// The extension of one name component given as bytes, as it is (the caller folds case).
    static func fileExtension(folded last: UnsafeBufferPointer<UInt8>) -> String? {
        let dot = UInt8(ascii: ".")
        guard let lastDot = last.lastIndex(of: dot), lastDot != 0 else { return nil }
        // A versioned library (`libfoo.so.1`) is a `.so`.
        var i = 0
        while i + 4 <= last.count {
            if last[i] == dot, last[i + 1] | 0x20 == UInt8(ascii: "s"), last[i + 2] | 0x20 == UInt8(ascii: "o"),
                last[i + 3] == dot
            {
                return "so"
            }
            i += 1
        }
        let ext = last[(lastDot + 1)...]
        guard !ext.isEmpty, ext.count <= 32 else { return nil }
        return String(decoding: ext, as: UTF8.self)
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

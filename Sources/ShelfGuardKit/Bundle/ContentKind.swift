/// What an entry's bytes are, judged by their content (magic numbers), never by their name.
///
/// The raw values are the machine ids that appear in JSON output and in the stored inventory.
public enum ContentKind: String, Sendable, Codable, CaseIterable, Comparable {
    case directory
    case symlink
    case empty

    // Containers the reader can open.
    case zip
    case tar
    case gzip
    case xz
    case zstd
    case wxapkg
    case wxapkgEncrypted = "wxapkg_encrypted"
    case tpkg

    // Containers the reader recognises but does not open.
    case bzip2
    case sevenZip = "7z"
    case rar

    // Code.
    case dex
    case elf
    case machO = "mach_o"
    case javaClass = "java_class"
    case arkBytecode = "ark_bytecode"
    case wasm

    // Structured app metadata.
    case binaryXML = "binary_xml"
    case resourceTable = "resource_table"
    case binaryPlist = "binary_plist"

    // Model files.
    case tflite
    case ort
    case gguf
    case safetensors
    case ncnnParam = "ncnn_param"

    // Media and documents.
    case png
    case jpeg
    case gif
    case webp
    case pdf

    // Text.
    case xml
    case json
    case text

    /// Anything else.
    case binary

    /// Kinds the reader walks into when they sit inside a bundle.
    public var isContainer: Bool {
        switch self {
        case .zip, .tar, .gzip, .xz, .zstd, .wxapkg, .tpkg: true
        default: false
        }
    }

    public static func < (lhs: ContentKind, rhs: ContentKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// How many leading bytes `sniff` looks at; the tar magic sits at offset 257.
    public static let sniffLength = 512

    /// Identifies content from its first bytes (up to `sniffLength`).
    public static func sniff(_ head: UnsafeRawBufferPointer) -> ContentKind {
        let b = head
        let n = b.count
        if n == 0 { return .empty }

        func at(_ offset: Int, _ bytes: [UInt8]) -> Bool {
            guard offset + bytes.count <= n else { return false }
            for (i, byte) in bytes.enumerated() where b[offset + i] != byte { return false }
            return true
        }
        func u32be(_ offset: Int) -> UInt32? {
            guard offset + 4 <= n else { return nil }
            return UInt32(b[offset]) << 24 | UInt32(b[offset + 1]) << 16 | UInt32(b[offset + 2]) << 8
                | UInt32(b[offset + 3])
        }

        if at(0, [0x50, 0x4B, 0x03, 0x04]) || at(0, [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if at(0, [0x1F, 0x8B]) { return .gzip }
        if at(0, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if at(0, [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if at(0, Array("BZh".utf8)) && n > 3 && (0x31...0x39).contains(b[3]) { return .bzip2 }
        if at(0, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return .sevenZip }
        if at(0, Array("Rar!\u{1A}\u{07}".utf8)) { return .rar }
        if at(0, Array("V1MMWX".utf8)) { return .wxapkgEncrypted }
        if n >= 14 && b[0] == 0xBE && b[13] == 0xED { return .wxapkg }
        if at(0, Array("TPKG".utf8)) { return .tpkg }
        if at(0, Array("dex\n".utf8)) && n >= 8 && b[7] == 0 { return .dex }
        if at(0, [0x7F, 0x45, 0x4C, 0x46]) { return .elf }
        if at(0, [0xFE, 0xED, 0xFA, 0xCE]) || at(0, [0xFE, 0xED, 0xFA, 0xCF]) || at(0, [0xCE, 0xFA, 0xED, 0xFE])
            || at(0, [0xCF, 0xFA, 0xED, 0xFE]) || at(0, [0xCA, 0xFE, 0xBA, 0xBF])
        {
            return .machO
        }
        if at(0, [0xCA, 0xFE, 0xBA, 0xBE]) {
            // Fat Mach-O and Java class files share this magic. A fat header's next word is the
            // architecture count (small); a class file's is its version (45 and up).
            if let next = u32be(4), next < 45 { return .machO }
            return .javaClass
        }
        if at(0, Array("PANDA\0\0\0".utf8)) { return .arkBytecode }
        if at(0, [0x00, 0x61, 0x73, 0x6D]) { return .wasm }
        if isBinaryXML(b) { return .binaryXML }
        if at(0, [0x02, 0x00, 0x0C, 0x00]) { return .resourceTable }
        if at(0, Array("bplist0".utf8)) { return .binaryPlist }
        if at(4, Array("TFL3".utf8)) { return .tflite }
        if at(4, Array("ORTM".utf8)) { return .ort }
        if at(0, Array("GGUF".utf8)) { return .gguf }
        if isSafetensors(b) { return .safetensors }
        if at(0, Array("7767517".utf8)) && n > 7 && (b[7] == 0x0A || b[7] == 0x0D) { return .ncnnParam }
        if at(257, Array("ustar".utf8)) { return .tar }
        if at(0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if at(0, [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if at(0, Array("GIF8".utf8)) { return .gif }
        if at(0, Array("RIFF".utf8)) && at(8, Array("WEBP".utf8)) { return .webp }
        if at(0, Array("%PDF-".utf8)) { return .pdf }
        return sniffText(b)
    }

    /// Android binary XML: an XML chunk header (type 0x0003, or 0x0000 as some malware writes it,
    /// which Android accepts) of 8 bytes, followed by a string pool chunk.
    private static func isBinaryXML(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= 12 else { return false }
        let outerType = UInt16(b[0]) | UInt16(b[1]) << 8
        let headerSize = UInt16(b[2]) | UInt16(b[3]) << 8
        let poolType = UInt16(b[8]) | UInt16(b[9]) << 8
        let poolHeader = UInt16(b[10]) | UInt16(b[11]) << 8
        return (outerType == 0x0003 || outerType == 0x0000) && headerSize == 8 && poolType == 0x0001
            && poolHeader == 0x1C
    }

    /// safetensors: a little-endian u64 header length, then a JSON object.
    private static func isSafetensors(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= 10 else { return false }
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(b[i]) }
        return length > 2 && length < 100_000_000 && b[8] == UInt8(ascii: "{") && b[9] == UInt8(ascii: "\"")
    }

    /// Text, JSON and XML are told apart only roughly: enough for reports, not for parsing.
    private static func sniffText(_ b: UnsafeRawBufferPointer) -> ContentKind {
        var printable = 0
        for byte in b {
            switch byte {
            case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x80...0xFF: printable += 1
            default: break
            }
        }
        guard printable * 100 >= b.count * 95 else { return .binary }
        var start = 0
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { start = 3 }
        while start < b.count, [0x20, 0x09, 0x0A, 0x0D].contains(b[start]) { start += 1 }
        guard start < b.count else { return .text }
        switch b[start] {
        case UInt8(ascii: "<"): return .xml
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        default: return .text
        }
    }
}

extension ContentKind {
    /// Identifies content held in an array (convenience for small buffers and tests).
    public static func sniff(_ bytes: [UInt8]) -> ContentKind {
        bytes.withUnsafeBytes { sniff(UnsafeRawBufferPointer(rebasing: $0.prefix(sniffLength))) }
    }
}

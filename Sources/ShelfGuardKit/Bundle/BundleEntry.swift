/// One entry of a bundle, at any nesting level, as the reader saw it.
public struct BundleEntry: Sendable, Hashable {
    /// Entry names from the bundle's root down to this entry: `["base.apk", "classes.dex"]` for
    /// the DEX inside an APK inside an XAPK. The bundle's own file name is not part of it.
    public var chain: [String]
    /// Bytes read (decompressed) for files read to the end; otherwise the size the archive declares.
    public var size: Int64
    /// Compressed size from the zip central directory, when known.
    public var compressedSize: Int64?
    /// What the content is, judged by its first bytes.
    public var kind: ContentKind

    public init(chain: [String], size: Int64, compressedSize: Int64? = nil, kind: ContentKind) {
        self.chain = chain
        self.size = size
        self.compressedSize = compressedSize
        self.kind = kind
    }

    /// The path chain, `!`-separated: `base.apk!lib/arm64-v8a/libfoo.so`.
    public var path: String { chain.joined(separator: "!") }
    /// 0 for the bundle's own entries, 1 inside a nested archive, and so on.
    public var depth: Int { max(0, chain.count - 1) }
    /// The innermost name.
    public var name: String { chain.last ?? "" }
    /// The location in reports: the bundle's file name, then the path chain.
    public func location(in bundleName: String) -> String { ([bundleName] + chain).joined(separator: "!") }
}

extension BundleEntry: Codable {
    private enum CodingKeys: String, CodingKey {
        case path, chain, depth, size, compressedSize, kind
    }

    // `path` is what people read; `chain` is written as well only when a name holds a `!`, so
    // that decoding never splits a name in two.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        if chain.contains(where: { $0.contains("!") }) { try c.encode(chain, forKey: .chain) }
        try c.encode(depth, forKey: .depth)
        try c.encode(size, forKey: .size)
        try c.encodeIfPresent(compressedSize, forKey: .compressedSize)
        try c.encode(kind, forKey: .kind)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let chain = try c.decodeIfPresent([String].self, forKey: .chain) {
            self.chain = chain
        } else {
            self.chain = try c.decode(String.self, forKey: .path).split(
                separator: "!", omittingEmptySubsequences: false
            )
            .map(String.init)
        }
        size = try c.decode(Int64.self, forKey: .size)
        compressedSize = try c.decodeIfPresent(Int64.self, forKey: .compressedSize)
        kind = try c.decode(ContentKind.self, forKey: .kind)
    }
}

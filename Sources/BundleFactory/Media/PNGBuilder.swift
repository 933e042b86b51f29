/// PNG files for fixtures: the signature, `IHDR`, chunks asked for before and after the image
/// data, one `IDAT` of a real 1×1 image, `IEND`. Every chunk has its CRC.
public struct PNGBuilder {
    private var before: [[UInt8]] = []
    private var after: [[UInt8]] = []

    /// An image with no extra chunks yet.
    public init() {}

    /// A chunk: big-endian length, type, data, CRC-32 over type and data.
    public static func chunk(_ type: String, _ data: [UInt8], crc: UInt32? = nil) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        var check = CRC32()
        (typeBytes + data).withUnsafeBytes { check.update($0) }
        return JPEGBuilder.be32(data.count) + typeBytes + data + JPEGBuilder.be32(Int(crc ?? check.value))
    }

    /// Adds a chunk before (or after) the image data.
    public mutating func add(_ type: String, _ data: [UInt8], afterImage: Bool = false) {
        let c = Self.chunk(type, data)
        if afterImage { after.append(c) } else { before.append(c) }
    }

    /// Adds raw bytes before the image data (hostile layouts).
    public mutating func raw(_ bytes: [UInt8], afterImage: Bool = false) {
        if afterImage { after.append(bytes) } else { before.append(bytes) }
    }

    /// An `iTXt` chunk, compressed (zlib) or not.
    public mutating func iTXt(keyword: String, _ text: String, compressed: Bool = false, afterImage: Bool = false) {
        let body = compressed ? Self.zlib(Array(text.utf8)) : Array(text.utf8)
        add("iTXt", Array(keyword.utf8) + [0, compressed ? 1 : 0, 0, 0, 0] + body, afterImage: afterImage)
    }

    /// A `tEXt` chunk.
    public mutating func tEXt(keyword: String, _ text: String, afterImage: Bool = false) {
        add("tEXt", Array(keyword.utf8) + [0] + Array(text.utf8), afterImage: afterImage)
    }

    /// A `zTXt` chunk.
    public mutating func zTXt(keyword: String, _ text: String, afterImage: Bool = false) {
        add("zTXt", Array(keyword.utf8) + [0, 0] + Self.zlib(Array(text.utf8)), afterImage: afterImage)
    }

    /// The file.
    public var bytes: [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += Self.chunk("IHDR", JPEGBuilder.be32(1) + JPEGBuilder.be32(1) + [8, 0, 0, 0, 0])
        for c in before { out += c }
        out += Self.chunk("IDAT", Self.zlib([0, 0]))
        for c in after { out += c }
        out += Self.chunk("IEND", [])
        return out
    }

    /// A zlib stream (RFC 1950): header, raw DEFLATE, Adler-32.
    public static func zlib(_ bytes: [UInt8]) -> [UInt8] {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return [0x78, 0x9C] + Deflate.compress(bytes).data + JPEGBuilder.be32(Int(b << 16 | a))
    }
}

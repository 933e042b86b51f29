/// Big-endian reads that answer nil instead of reading out of bounds.
struct BigEndianBytes {
    let bytes: [UInt8]
    var count: Int { bytes.count }

    func u8(_ offset: Int) -> UInt8? { offset >= 0 && offset < bytes.count ? bytes[offset] : nil }

    func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    func u64(_ offset: Int) -> UInt64? {
        guard let high = u32(offset), let low = u32(offset + 4) else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    /// Four bytes as a type code (`moov`, `IDAT`), non-printable bytes as `?`.
    func fourCC(_ offset: Int) -> String? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return FourCC.text(bytes[offset..<(offset + 4)])
    }
}

/// Four-character codes as text, for messages and comparisons.
enum FourCC {
    static func text<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        String(bytes.map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "?" })
    }

    static func hex(_ offset: Int64) -> String { "0x" + String(offset, radix: 16, uppercase: true) }
}

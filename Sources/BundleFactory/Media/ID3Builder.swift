/// MP3 files for fixtures: an ID3v2.3 or v2.4 tag with `TXXX`, `GEOB` and other frames, then a
/// few MPEG audio frames.
public struct ID3Builder {
    /// 3 or 4.
    public var version: UInt8 = 4
    private var frames: [[UInt8]] = []
    /// Zero bytes of padding after the frames.
    public var padding = 16

    /// A tag of ID3v2.`version`.
    public init(version: UInt8 = 4) { self.version = version }

    /// A 28-bit syncsafe integer.
    public static func syncsafe(_ n: Int) -> [UInt8] {
        [UInt8(n >> 21 & 0x7F), UInt8(n >> 14 & 0x7F), UInt8(n >> 7 & 0x7F), UInt8(n & 0x7F)]
    }

    /// Adds a frame (size written as the version wants, flags as given).
    public mutating func frame(_ id: String, _ body: [UInt8], flags: [UInt8] = [0, 0]) {
        let size = version == 4 ? Self.syncsafe(body.count) : JPEGBuilder.be32(body.count)
        frames.append(Array(id.utf8) + size + flags + body)
    }

    /// Adds raw bytes in the frame area (hostile layouts).
    public mutating func raw(_ bytes: [UInt8]) { frames.append(bytes) }

    /// A `TXXX` frame: encoding (0 Latin-1, 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8), description,
    /// value.
    public mutating func txxx(_ description: String, _ value: String, encoding: UInt8 = 3) {
        frame(
            "TXXX",
            [encoding] + Self.encode(description, encoding) + Self.terminator(encoding) + Self.encode(value, encoding))
    }

    /// A `GEOB` frame with a C2PA store.
    public mutating func c2pa(_ store: [UInt8]) {
        frame(
            "GEOB",
            [3] + Array("application/c2pa".utf8) + [0] + Array("c2pa".utf8) + [0] + Array("C2PA".utf8) + [0] + store)
    }

    static func terminator(_ encoding: UInt8) -> [UInt8] { encoding == 1 || encoding == 2 ? [0, 0] : [0] }

    static func encode(_ text: String, _ encoding: UInt8) -> [UInt8] {
        switch encoding {
        case 0: return text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        case 1: return [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        case 2: return text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        default: return Array(text.utf8)
        }
    }

    /// The tag alone.
    public var tag: [UInt8] {
        let body = frames.flatMap { $0 } + [UInt8](repeating: 0, count: padding)
        return Array("ID3".utf8) + [version, 0, 0] + Self.syncsafe(body.count) + body
    }

    /// The file: the tag, then MPEG-1 layer III frames of silence.
    public var bytes: [UInt8] {
        let frame: [UInt8] = [0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0, count: 413)
        return tag + frame + frame
    }
}

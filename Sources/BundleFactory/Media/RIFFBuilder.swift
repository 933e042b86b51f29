/// WAV files for fixtures: `RIFF`/`WAVE`, `fmt `, the chunks asked for, and `data`; optionally
/// with the placeholder sizes streaming writers leave.
public struct RIFFBuilder {
    private var chunks: [[UInt8]] = []
    /// Bytes of silence in `data`.
    public var samples = 64
    /// Write `0x7FFFFFBF` as the RIFF and `data` sizes, as a streaming writer does.
    public var placeholderSizes = false

    /// A WAV file with no extra chunks yet.
    public init() {}

    /// A chunk: id, little-endian size, data, a pad byte when odd.
    public static func chunk(_ id: String, _ data: [UInt8], size: UInt32? = nil) -> [UInt8] {
        Array(id.utf8) + le32(size ?? UInt32(data.count)) + data + (data.count % 2 == 1 ? [0] : [])
    }

    /// Adds a chunk before `data`.
    public mutating func add(_ id: String, _ data: [UInt8]) { chunks.append(Self.chunk(id, data)) }

    /// Adds raw bytes before `data` (hostile layouts).
    public mutating func raw(_ bytes: [UInt8]) { chunks.append(bytes) }

    /// The file.
    public var bytes: [UInt8] {
        let format: [UInt8] = [1, 0, 1, 0] + Self.le32(8000) + Self.le32(16000) + [2, 0, 16, 0]
        var body = Array("WAVE".utf8) + Self.chunk("fmt ", format)
        for c in chunks { body += c }
        let silence = [UInt8](repeating: 0, count: samples)
        body += Self.chunk("data", silence, size: placeholderSizes ? 0x7FFF_FFBF : nil)
        return Array("RIFF".utf8) + Self.le32(placeholderSizes ? 0x7FFF_FFBF : UInt32(body.count)) + body
    }

    /// A little-endian 32-bit integer.
    public static func le32(_ n: UInt32) -> [UInt8] {
        [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
    }
}

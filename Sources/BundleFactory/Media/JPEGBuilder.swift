import Crypto

/// JPEG files for fixtures: SOI, the metadata segments asked for, a quantisation table, a frame
/// header, a scan with a few bytes of coded data, EOI. Viewers show a blank 8×8 image; label
/// readers see real segments.
public struct JPEGBuilder {
    private var segments: [[UInt8]] = []

    /// An image with no metadata yet.
    public init() {}

    /// A segment: `FF marker`, the big-endian length (counting itself), the payload.
    public static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + payload
    }

    /// Adds any segment.
    public mutating func add(_ marker: UInt8, _ payload: [UInt8]) {
        segments.append(Self.segment(marker, payload))
    }

    /// Adds raw bytes (hostile layouts).
    public mutating func raw(_ bytes: [UInt8]) { segments.append(bytes) }

    /// APP1 with the XMP packet.
    public mutating func xmp(_ packet: [UInt8]) {
        add(0xE1, Array("http://ns.adobe.com/xap/1.0/".utf8) + [0] + packet)
    }

    /// The ExtendedXMP of `packet` in APP1 chunks of at most `chunk` bytes; returns its GUID (the
    /// MD5 of the packet, uppercase hex) for the main packet to name.
    @discardableResult
    public mutating func extendedXMP(_ packet: [UInt8], chunk: Int = 65_000, guid: String? = nil) -> String {
        let id =
            guid
            ?? Insecure.MD5.hash(data: packet).map { b in
                (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }.joined()
        var offset = 0
        while offset < packet.count {
            let piece = Array(packet[offset..<min(packet.count, offset + chunk)])
            add(
                0xE1,
                Array("http://ns.adobe.com/xmp/extension/".utf8) + [0] + Array(id.utf8) + Self.be32(packet.count)
                    + Self.be32(offset) + piece)
            offset += chunk
        }
        return id
    }

    /// APP1 Exif with IFD0 holding `ImageDescription`.
    public mutating func exif(description: String) {
        add(0xE1, Array("Exif".utf8) + [0, 0] + Self.tiff(description: description))
    }

    /// A big-endian TIFF structure with one IFD0 entry: `ImageDescription`.
    public static func tiff(description: String) -> [UInt8] {
        let text = Array(description.utf8) + [0]
        var out: [UInt8] = Array("MM".utf8) + [0, 42] + be32(8)
        out += [0, 1]  // one entry
        out += [0x01, 0x0E, 0, 2] + be32(text.count)
        out += text.count <= 4 ? text + [UInt8](repeating: 0, count: 4 - text.count) : be32(8 + 2 + 12 + 4)
        out += be32(0)  // no next IFD
        if text.count > 4 { out += text }
        return out
    }

    /// APP11 segments carrying a JUMBF box (a C2PA store), split into `chunk`-byte pieces; every
    /// continuation repeats the box's 8-byte header, as the JPEG XT rules ask.
    public mutating func jumbf(_ box: [UInt8], instance: UInt16 = 1, chunk: Int = 60_000) {
        let header = Array(box.prefix(8))
        var offset = 0
        var sequence: UInt32 = 1
        while offset < box.count {
            let piece = Array(box[offset..<min(box.count, offset + chunk)])
            let prefix: [UInt8] =
                Array("JP".utf8) + [UInt8(instance >> 8), UInt8(instance & 0xFF)] + Self.be32(Int(sequence))
            add(0xEB, prefix + (sequence == 1 ? [] : header) + piece)
            offset += chunk
            sequence += 1
        }
    }

    /// The file: SOI, the segments, DQT, SOF0, DHT-free scan data and EOI.
    public var bytes: [UInt8] {
        var out: [UInt8] = [0xFF, 0xD8]
        for segment in segments { out += segment }
        out += Self.segment(0xDB, [0] + [UInt8](repeating: 1, count: 64))
        out += Self.segment(0xC0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0])
        out += Self.segment(0xDA, [1, 1, 0, 0, 63, 0])
        out += [0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]
        return out
    }

    /// A big-endian 32-bit integer.
    public static func be32(_ n: Int) -> [UInt8] {
        [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
    }
}

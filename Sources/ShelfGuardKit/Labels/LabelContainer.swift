/// What kind of file a label was read from, identified by content, never by name. Raw values are
/// the ids in JSON output.
public enum LabelContainer: String, Sendable, Codable, CaseIterable {
    /// The containers labels are read from (`mov`: QuickTime, by its brand or its first box).
    case jpeg, png, mp4, mov, wav, mp3, docx, xlsx, pptx
    /// A zip with `[Content_Types].xml` that is none of docx, xlsx, pptx.
    case ooxml
    /// A zip that is no Office document: no labels are read from it.
    case zip
    /// Not a container ShelfGuard reads labels from.
    case unknown

    /// Identifies a file by its first bytes (at least 12 when the file has them).
    static func identify(_ head: [UInt8]) -> LabelContainer {
        func starts(_ prefix: [UInt8]) -> Bool { head.starts(with: prefix) }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("RIFF".utf8)), head.count >= 12, Array(head[8..<12]) == Array("WAVE".utf8) { return .wav }
        if starts(Array("ID3".utf8)) { return .mp3 }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if head.count >= 8 {
            let type = String(decoding: head[4..<8], as: UTF8.self)
            if type == "ftyp" {
                let brand = head.count >= 12 ? String(decoding: head[8..<12], as: UTF8.self) : ""
                // HEIF and AVIF images share the box structure but keep XMP in items, not read here.
                if ["heic", "heix", "heim", "heis", "mif1", "msf1", "avif", "avis"].contains(brand) { return .unknown }
                return brand == "qt  " ? .mov : .mp4
            }
            if ["moov", "mdat", "wide", "free", "skip", "pnot", "uuid"].contains(type) { return .mov }
        }
        // MPEG audio frame sync (11 bits set), layer bits not zero: an MP3 without an ID3 tag.
        if head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0, head[1] & 0x06 != 0 { return .mp3 }
        return .unknown
    }
}

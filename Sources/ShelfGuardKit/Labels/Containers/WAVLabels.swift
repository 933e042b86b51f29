/// Labels in a WAV file: `RIFF` + a little-endian size + `WAVE`, then chunks of a four-character
/// id, a little-endian size and the data, padded to an even length. The audio (`data`) is
/// skipped by its size.
///
/// - `AIGC`: the label's JSON. `C2PA`: the C2PA store, read in place. `id3 ` / `ID3 `: an ID3
///   tag, read as in an MP3.
/// - Streaming writers leave placeholder sizes (`0x7FFFFFBF`, `0xFFFFFFFF`) in the RIFF and
///   `data` headers: every size is clamped to the file's length, and labels from such a file
///   carry the `placeholder_sizes` variant.
enum WAVLabels {
    static let placeholders: Set<UInt32> = [0x7FFF_FFBF, 0xFFFF_FFFF, 0xFFFF_FFFE, 0]

    static func read(_ scan: LabelScan) throws(LabelStop) {
        let header = try scan.read(at: 0, count: 12)
        guard header.count == 12 else { return }
        let riffSize = le32(header, 4)
        var riffEnd = 8 + Int64(riffSize)
        var placeholder = false
        if placeholders.contains(riffSize) || riffEnd > scan.length {
            placeholder = placeholders.contains(riffSize)
            if !placeholder {
                scan.hazard(
                    .truncated, at: scan.location("RIFF"),
                    "the RIFF header declares \(riffSize) bytes; \(scan.length - 8) remain (read to the file's end)")
            }
            riffEnd = scan.length
        } else if scan.length > riffEnd + 1 {
            scan.hazard(
                .hiddenData, at: scan.location("RIFF"),
                "\(scan.length - riffEnd) bytes follow the RIFF chunk's declared end: not read, as players ignore them")
        }
        var position: Int64 = 12
        let firstLabel = scan.candidates.count
        while position + 8 <= riffEnd {
            try scan.step()
            let chunk = try scan.read(at: position, count: 8)
            guard chunk.count == 8 else { break }
            let id = FourCC.text(chunk[0..<4])
            let size = le32(chunk, 4)
            let location = scan.location("\(id)@\(FourCC.hex(position))")
            var end = position + 8 + Int64(size)
            if end > riffEnd {
                if placeholders.contains(size) {
                    placeholder = true
                } else {
                    scan.hazard(
                        .truncated, at: location,
                        "the chunk declares \(size) bytes; \(riffEnd - position - 8) remain (clamped)")
                }
                end = riffEnd
            }
            let data = position + 8
            switch id {
            case "AIGC", "aigc", "Aigc":
                if scan.allows(packet: end - data, at: location, what: "the AIGC chunk") {
                    let bytes = try scan.read(at: data, count: Int(end - data))
                    scan.found(
                        .wavChunk, LabelText.utf8OrLatin1(bytes), variants: id == "AIGC" ? [] : [.lowercaseKey],
                        at: location)
                }
            case "C2PA", "c2pa":
                try C2PAStore.read(scan, source: scan, start: data, end: end, carrier: "wav_chunk", location: location)
            case "id3 ", "ID3 ":
                try ID3Labels.read(scan, start: data, end: end, variants: [.id3InRIFF], location: location)
            default:
                break
            }
            position = end + (end < riffEnd ? Int64(size & 1) : 0)
        }
        if placeholder {
            for i in firstLabel..<scan.candidates.count { scan.candidates[i].variants.insert(.placeholderSizes) }
        }
    }

    static func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}

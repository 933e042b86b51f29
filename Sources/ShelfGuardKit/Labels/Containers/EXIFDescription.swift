/// EXIF's `ImageDescription` (tag 0x010E in IFD0 of a TIFF structure), where one vendor writes
/// its own JSON (`{"AIGC": {"ServiceProvider", "ServiceUser", "Time", "ContentId"}}`). Read only
/// when it mentions `AIGC` and holds a JSON object; ordinary descriptions are left alone.
enum EXIFDescription {
    static let imageDescription: UInt16 = 0x010E

    /// Reads the TIFF structure at `start` (`length` bytes: a JPEG's APP1 after `Exif\0\0`, a
    /// PNG's `eXIf` chunk).
    static func read(_ scan: LabelScan, start: Int64, length: Int64, location: String) throws(LabelStop) {
        guard length >= 8, scan.allows(packet: length, at: location, what: "the EXIF block") else { return }
        let bytes = try scan.read(at: start, count: Int(length))
        guard bytes.count >= 8 else { return }
        let little: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default:
            scan.hazard(.corrupt, at: location, "the EXIF block has no TIFF byte-order mark (II or MM)")
            return
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= bytes.count else { return nil }
            return little ? Int(bytes[o]) | Int(bytes[o + 1]) << 8 : Int(bytes[o]) << 8 | Int(bytes[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else {
            scan.hazard(.corrupt, at: location, "the EXIF block's TIFF header or first directory is out of bounds")
            return
        }
        guard ifd + 2 + count * 12 <= bytes.count else {
            scan.hazard(
                .truncated, at: location, "the EXIF directory declares \(count) entries that run past its block")
            return
        }
        try scan.step(count)
        for i in 0..<count {
            let entry = ifd + 2 + i * 12
            guard u16(entry) == Int(imageDescription), let type = u16(entry + 2), let n = u32(entry + 4) else {
                continue
            }
            guard type == 2 || type == 1 || type == 7 else { continue }
            let valueStart = n <= 4 ? entry + 8 : (u32(entry + 8) ?? Int.max)
            guard valueStart <= bytes.count, n <= bytes.count - valueStart else {
                scan.hazard(.truncated, at: location, "EXIF ImageDescription points past its block")
                return
            }
            let raw = bytes[valueStart..<(valueStart + n)].prefix { $0 != 0 }
            let text = LabelText.utf8OrLatin1(raw)
            if text.uppercased().contains("AIGC"), LabelText.trimmed(text).hasPrefix("{") {
                scan.found(.exifDescription, text, variants: [.exifDescription], at: location + " ImageDescription")
            }
            return
        }
    }
}

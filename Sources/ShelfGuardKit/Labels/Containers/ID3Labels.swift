/// Labels in an ID3v2 tag (an MP3's start, or a WAV's `id3 ` chunk): `ID3` + version (3 or 4) +
/// revision + flags + a 4-byte syncsafe size; frames of a 4-character id, a size (big-endian in
/// v2.3, syncsafe in v2.4) and two flag bytes. Only `TXXX` and `GEOB` bodies are read; pictures
/// and the audio after the tag are skipped.
///
/// - `TXXX` described `AIGC` (any case): the label's JSON, in the frame's text encoding (0
///   Latin-1, 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8).
/// - `GEOB` with MIME `application/c2pa`: the C2PA store.
enum ID3Labels {
    /// Reads the tag at `start` (`end`: where the enclosing container ends).
    static func read(
        _ scan: LabelScan, start: Int64, end: Int64, variants: Set<LabelVariant>, location: String
    ) throws(LabelStop) {
        let header = try scan.read(at: start, count: 10)
        guard header.count == 10, header.starts(with: Array("ID3".utf8)) else {
            if start > 0 { scan.hazard(.corrupt, at: location, "the ID3 chunk does not start with an ID3 header") }
            return
        }
        let major = header[3]
        let flags = header[5]
        let tagLocation = start == 0 ? scan.location("ID3v2.\(major)") : location + "!ID3v2.\(major)"
        guard major == 3 || major == 4 else {
            scan.hazard(
                .unsupported, at: tagLocation,
                "ID3v2.\(major) is not read (only v2.3 and v2.4 carry the label's TXXX frame)")
            return
        }
        guard let size = syncsafe(Array(header[6..<10])) else {
            scan.hazard(.corrupt, at: tagLocation, "the tag size is not syncsafe (a byte has its high bit set)")
            return
        }
        var tagLength = Int64(size)
        if start + 10 + tagLength > end {
            scan.hazard(
                .truncated, at: tagLocation,
                "the tag declares \(size) bytes; \(max(0, end - start - 10)) remain (clamped)")
            tagLength = max(0, end - start - 10)
        }
        // The frames, as a source of their own: in place, or de-unsynchronised in memory when a
        // v2.3 tag is unsynchronised as a whole.
        var frames: any RandomAccessSource = SliceSource(parent: scan, base: start + 10, length: tagLength)
        if major == 3, flags & 0x80 != 0 {
            guard scan.allows(packet: tagLength, at: tagLocation, what: "the unsynchronised tag") else { return }
            frames = MemorySource(resynchronise(try scan.read(at: start + 10, count: Int(tagLength))))
        }
        var position: Int64 = 0
        if flags & 0x40 != 0 {
            let extended = try scan.read(from: frames, at: 0, count: 4)
            guard extended.count == 4 else { return }
            if major == 3 {
                position = 4 + Int64(BigEndianBytes(bytes: extended).u32(0)!)
            } else {
                guard let size = syncsafe(extended) else {
                    scan.hazard(.corrupt, at: tagLocation, "the extended header's size is not syncsafe")
                    return
                }
                position = Int64(size)
            }
        }
        let length = frames.length
        while position + 10 <= length {
            try scan.step()
            let frame = try scan.read(from: frames, at: position, count: 10)
            guard frame.count == 10, frame[0] != 0 else { break }  // padding
            let id = FourCC.text(frame[0..<4])
            let frameLocation = tagLocation + "/\(id)@\(FourCC.hex(position))"
            guard frame[0..<4].allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
                scan.hazard(.corrupt, at: frameLocation, "not a frame id; the frames end here")
                break
            }
            let sizeBytes = Array(frame[4..<8])
            let declared =
                major == 4
                ? (syncsafe(sizeBytes) ?? BigEndianBytes(bytes: sizeBytes).u32(0)!)
                : BigEndianBytes(bytes: sizeBytes).u32(0)!
            let bodyStart = position + 10
            guard bodyStart + Int64(declared) <= length else {
                scan.hazard(
                    .truncated, at: frameLocation,
                    "the frame declares \(declared) bytes; \(length - bodyStart) remain in the tag")
                break
            }
            let bodyEnd = bodyStart + Int64(declared)
            if id == "TXXX" || id == "GEOB" {
                try frameBody(
                    scan, id: id, major: major, format: frame[9], source: frames, start: bodyStart, end: bodyEnd,
                    variants: variants, location: frameLocation)
            }
            position = bodyEnd
        }
    }

    /// A `TXXX` or `GEOB` frame: its flags undone (grouping, data length, unsynchronisation,
    /// compression), then its fields.
    static func frameBody(
        _ scan: LabelScan, id: String, major: UInt8, format: UInt8, source: any RandomAccessSource, start: Int64,
        end: Int64, variants: Set<LabelVariant>, location: String
    ) throws(LabelStop) {
        let encrypted = major == 3 ? format & 0x40 != 0 : format & 0x04 != 0
        if encrypted {
            scan.hazard(.encrypted, at: location, "the frame is encrypted; it was not read")
            return
        }
        let compressed = major == 3 ? format & 0x80 != 0 : format & 0x08 != 0
        let unsynchronised = major == 4 && format & 0x02 != 0
        var skip: Int64 = 0
        if major == 3 {
            if compressed { skip += 4 }
            if format & 0x20 != 0 { skip += 1 }
        } else {
            if format & 0x40 != 0 { skip += 1 }
            if format & 0x01 != 0 { skip += 4 }
        }
        let dataStart = start + skip
        guard dataStart <= end else {
            scan.hazard(.corrupt, at: location, "the frame is shorter than its flags say")
            return
        }
        // A C2PA object without transformations is read in place, whatever its size.
        if id == "GEOB", !compressed, !unsynchronised {
            try geob(scan, source: source, start: dataStart, end: end, location: location)
            return
        }
        guard scan.allows(packet: end - dataStart, at: location, what: "the \(id) frame") else { return }
        var body = try scan.read(from: source, at: dataStart, count: Int(end - dataStart))
        if unsynchronised { body = resynchronise(body) }
        if compressed {
            switch BoundedInflate.run(body, raw: false, maxOutput: scan.limits.maxPacketBytes) {
            case .done(let inflated): body = inflated
            case .tooLarge:
                scan.inflatedTooLarge(at: location, what: "the compressed frame")
                return
            case .corrupt(let reason):
                scan.hazard(.corrupt, at: location, "the compressed frame cannot be inflated: \(reason)")
                return
            }
        }
        if id == "GEOB" {
            let memory = MemorySource(body)
            try geob(scan, source: memory, start: 0, end: memory.length, location: location)
            return
        }
        guard let encoding = body.first else { return }
        var rest = body.dropFirst()
        guard let description = terminated(&rest, encoding: encoding) else { return }
        let key = LabelText.trimmed(description)
        guard key.uppercased() == "AIGC" else { return }
        var value = Array(rest)
        let wide = encoding == 1 || encoding == 2
        while value.count >= (wide ? 2 : 1), value.suffix(wide ? 2 : 1).allSatisfy({ $0 == 0 }) {
            value.removeLast(wide ? 2 : 1)
        }
        var found = variants
        if key != "AIGC" { found.insert(.lowercaseKey) }
        scan.found(.id3TXXX, decode(value, encoding: encoding), variants: found, at: location)
    }

    /// A `GEOB` frame: encoding, MIME type, file name, description, then the object; the object
    /// is a C2PA store when the MIME type says so.
    static func geob(
        _ scan: LabelScan, source: any RandomAccessSource, start: Int64, end: Int64, location: String
    ) throws(LabelStop) {
        let head = try scan.read(from: source, at: start, count: Int(min(end - start, 4096)))
        guard let encoding = head.first else { return }
        var rest = head.dropFirst()
        guard let mimeEnd = rest.firstIndex(of: 0) else { return }
        let mime = String(decoding: rest[..<mimeEnd], as: UTF8.self)
        rest = rest[(mimeEnd + 1)...]
        guard mime.lowercased() == "application/c2pa" else { return }
        guard terminated(&rest, encoding: encoding) != nil, terminated(&rest, encoding: encoding) != nil else {
            scan.hazard(.corrupt, at: location, "the C2PA GEOB frame's file name or description is not ended")
            return
        }
        let objectStart = start + Int64(rest.startIndex)
        try C2PAStore.read(scan, source: source, start: objectStart, end: end, carrier: "id3_geob", location: location)
    }

    /// Takes a terminated string off the front of `bytes` (one NUL, or two at an even offset for
    /// UTF-16); nil when it is not terminated.
    static func terminated(_ bytes: inout ArraySlice<UInt8>, encoding: UInt8) -> String? {
        let start = bytes.startIndex
        if encoding == 1 || encoding == 2 {
            var i = start
            while i + 1 < bytes.endIndex {
                if bytes[i] == 0 && bytes[i + 1] == 0 {
                    let text = decode(Array(bytes[start..<i]), encoding: encoding)
                    bytes = bytes[(i + 2)...]
                    return text
                }
                i += 2
            }
            return nil
        }
        guard let nul = bytes.firstIndex(of: 0) else { return nil }
        let text = decode(Array(bytes[start..<nul]), encoding: encoding)
        bytes = bytes[(nul + 1)...]
        return text
    }

    static func decode(_ bytes: [UInt8], encoding: UInt8) -> String {
        switch encoding {
        case 0: LabelText.latin1(bytes)
        case 1: LabelText.utf16(bytes, bigEndianDefault: false)
        case 2: LabelText.utf16(bytes)
        default: String(decoding: bytes, as: UTF8.self)
        }
    }

    /// A 28-bit syncsafe integer; nil when a byte has its high bit set.
    static func syncsafe(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count == 4, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        return bytes.reduce(0) { $0 << 7 | UInt32($1) }
    }

    /// Undoes unsynchronisation: every `FF 00` becomes `FF`.
    static func resynchronise(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            out.append(bytes[i])
            if bytes[i] == 0xFF, i + 1 < bytes.count, bytes[i + 1] == 0 { i += 1 }
            i += 1
        }
        return out
    }
}

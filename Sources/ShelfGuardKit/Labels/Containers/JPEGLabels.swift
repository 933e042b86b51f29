import Crypto

/// Labels in a JPEG: segments `FF mm` with a big-endian length (which counts itself), walked up
/// to the first scan (`FF DA`), whose entropy-coded data is never read.
///
/// - APP1 `http://ns.adobe.com/xap/1.0/\0`: the XMP packet.
/// - APP1 `http://ns.adobe.com/xmp/extension/\0`: ExtendedXMP chunks (GUID, full length, offset),
///   joined and read when the main packet names their GUID, checked against it (MD5).
/// - APP1 `Exif\0\0`: `ImageDescription`, for a vendor's JSON.
/// - APP11 `JP`: JUMBF (the C2PA store), its segments read in place as one box.
enum JPEGLabels {
    static let xmpSignature = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]
    static let extensionSignature = Array("http://ns.adobe.com/xmp/extension/".utf8) + [0]
    static let exifSignature = Array("Exif".utf8) + [0, 0]

    /// One ExtendedXMP chunk, not yet read.
    struct ExtendedChunk {
        var fullLength: UInt32
        var offset: UInt32
        var dataStart: Int64
        var dataLength: Int64
    }

    /// One APP11 JUMBF segment.
    struct JUMBFSegment {
        var instance: UInt16
        var sequence: UInt32
        var start: Int64
        var length: Int64
        var boxHeader: [UInt8]
    }

    static func read(_ scan: LabelScan) throws(LabelStop) {
        var position: Int64 = 2
        var extendedGUIDs: [String] = []
        var extended: [String: [ExtendedChunk]] = [:]
        var jumbf: [JUMBFSegment] = []
        walk: while position < scan.length {
            try scan.step()
            let header = try scan.read(at: position, count: 4)
            guard header.count >= 2, header[0] == 0xFF else {
                scan.hazard(
                    .corrupt, at: scan.location("@\(FourCC.hex(position))"),
                    "a JPEG marker (FF xx) was expected; the segments end here")
                break
            }
            let marker = header[1]
            switch marker {
            case 0xFF:
                position += 1  // a fill byte
                continue walk
            case 0x01, 0xD0...0xD8:
                position += 2  // no length
                continue walk
            case 0xD9, 0xDA:
                break walk  // end of image, or the scan's coded data: nothing to read past here
            default: break
            }
            let name = segmentName(marker)
            let location = scan.location("\(name)@\(FourCC.hex(position))")
            guard header.count == 4 else {
                scan.hazard(.truncated, at: location, "the file ends inside the segment's header")
                break
            }
            let length = Int64(header[2]) << 8 | Int64(header[3])
            guard length >= 2 else {
                scan.hazard(.corrupt, at: location, "the segment declares a length of \(length), below its own 2 bytes")
                break
            }
            let end = position + 2 + length
            guard end <= scan.length else {
                scan.hazard(
                    .truncated, at: location,
                    "the segment declares \(length) bytes; \(scan.length - position - 2) remain")
                break
            }
            let payload = position + 4
            let payloadLength = length - 2
            if marker == 0xE1 {
                let head = try scan.read(at: payload, count: Int(min(payloadLength, 80)))
                if head.starts(with: xmpSignature) {
                    let count = payloadLength - Int64(xmpSignature.count)
                    if scan.allows(packet: count, at: location, what: "the XMP packet") {
                        let packet = try scan.read(at: payload + Int64(xmpSignature.count), count: Int(count))
                        let facts = try XMPPacket.read(
                            packet, scan: scan, carrier: .jpegXMP, variants: [], location: location)
                        if let guid = facts.extendedGUID { extendedGUIDs.append(guid) }
                    }
                } else if head.starts(with: extensionSignature) {
                    let fixed = extensionSignature.count + 40
                    guard head.count >= fixed else {
                        scan.hazard(.corrupt, at: location, "an ExtendedXMP segment too short for its header")
                        position = end
                        continue walk
                    }
                    let guid = String(decoding: head[35..<67], as: UTF8.self)
                    let numbers = BigEndianBytes(bytes: Array(head[67..<75]))
                    extended[guid, default: []].append(
                        ExtendedChunk(
                            fullLength: numbers.u32(0)!, offset: numbers.u32(4)!, dataStart: payload + Int64(fixed),
                            dataLength: payloadLength - Int64(fixed)))
                } else if head.starts(with: exifSignature) {
                    try EXIFDescription.read(
                        scan, start: payload + 6, length: payloadLength - 6, location: location)
                }
            } else if marker == 0xEB, payloadLength >= 16 {
                let head = try scan.read(at: payload, count: 24)
                if head.starts(with: Array("JP".utf8)) {
                    let numbers = BigEndianBytes(bytes: head)
                    jumbf.append(
                        JUMBFSegment(
                            instance: numbers.u16(2)!, sequence: numbers.u32(4)!, start: payload + 8,
                            length: payloadLength - 8, boxHeader: Array(head[8..<min(head.count, 24)])))
                }
            }
            position = end
        }
        try readExtended(scan, guids: extendedGUIDs, chunks: extended)
        try readJUMBF(scan, jumbf)
    }

    static func segmentName(_ marker: UInt8) -> String {
        switch marker {
        case 0xE0...0xEF: "APP\(marker - 0xE0)"
        case 0xFE: "COM"
        case 0xDB: "DQT"
        case 0xC4: "DHT"
        case 0xC0...0xCF: "SOF\(marker - 0xC0)"
        default: "FF" + String(marker, radix: 16, uppercase: true)
        }
    }

    /// Joins and reads the ExtendedXMP the main packet names; flags chunks no packet names.
    static func readExtended(
        _ scan: LabelScan, guids: [String], chunks: [String: [ExtendedChunk]]
    ) throws(LabelStop) {
        for (guid, list) in chunks.sorted(by: { $0.key < $1.key }) where !guids.contains(guid) {
            let bytes = list.reduce(Int64(0)) { $0 + $1.dataLength }
            scan.hazard(
                .hiddenData, at: scan.location("APP1 ExtendedXMP \(EntryName.escapeControls(guid))"),
                "\(list.count) ExtendedXMP chunk(s), \(bytes) bytes, with a GUID the XMP packet does not name: not read, as XMP readers ignore them"
            )
        }
        for guid in guids {
            let location = scan.location("APP1 ExtendedXMP \(EntryName.escapeControls(guid))")
            guard let list = chunks[guid], let full = list.first?.fullLength else {
                scan.hazard(.truncated, at: location, "the XMP packet names ExtendedXMP that no segment carries")
                continue
            }
            guard list.allSatisfy({ $0.fullLength == full }) else {
                scan.hazard(.corrupt, at: location, "the ExtendedXMP chunks disagree on the full length")
                continue
            }
            guard scan.allows(packet: Int64(full), at: location, what: "the ExtendedXMP") else { continue }
            var buffer = [UInt8](repeating: 0, count: Int(full))
            var covered = 0
            var broken = false
            for chunk in list.sorted(by: { $0.offset < $1.offset }) {
                guard Int64(chunk.offset) + chunk.dataLength <= Int64(full) else {
                    scan.hazard(
                        .corrupt, at: location,
                        "an ExtendedXMP chunk at offset \(chunk.offset) runs past the full length \(full)")
                    broken = true
                    break
                }
                let data = try scan.read(at: chunk.dataStart, count: Int(chunk.dataLength))
                buffer.replaceSubrange(Int(chunk.offset)..<(Int(chunk.offset) + data.count), with: data)
                covered += data.count
            }
            if broken { continue }
            if covered < Int(full) {
                scan.hazard(.truncated, at: location, "the ExtendedXMP chunks hold \(covered) of its \(full) bytes")
                continue
            }
            let digest = Insecure.MD5.hash(data: buffer).map { byte in
                let hex = String(byte, radix: 16, uppercase: true)
                return byte < 16 ? "0" + hex : hex
            }.joined()
            if digest != guid.uppercased() {
                scan.hazard(
                    .corrupt, at: location, "the ExtendedXMP's MD5 is \(digest), not the GUID its packet names")
            }
            try XMPPacket.read(buffer, scan: scan, carrier: .jpegExtendedXMP, variants: [], location: location)
        }
    }

    /// Reads the C2PA store in APP11 segments: the first of each instance holds the box header,
    /// the others repeat it (dropped), in sequence from 1.
    static func readJUMBF(_ scan: LabelScan, _ segments: [JUMBFSegment]) throws(LabelStop) {
        let instances = Dictionary(grouping: segments, by: \.instance)
        for instance in instances.keys.sorted() {
            let list = instances[instance]!.sorted { $0.sequence < $1.sequence }
            let location = scan.location("APP11 JUMBF instance \(instance)")
            guard list.map(\.sequence) == Array(1...UInt32(list.count)) else {
                scan.hazard(
                    .corrupt, at: location,
                    "the APP11 segments' sequence numbers are not 1…\(list.count): "
                        + list.prefix(8).map { String($0.sequence) }.joined(separator: ", "))
                continue
            }
            let header = BigEndianBytes(bytes: list[0].boxHeader)
            let repeated: Int64 = header.u32(0) == 1 ? 16 : 8
            var pieces: [(offset: Int64, length: Int64)] = [(list[0].start, list[0].length)]
            for segment in list.dropFirst() {
                pieces.append((segment.start + repeated, max(0, segment.length - repeated)))
            }
            let source = SegmentedSource(parent: scan, pieces: pieces)
            try C2PAStore.read(
                scan, source: source, start: 0, end: source.length, carrier: "jpeg_app11", location: location)
        }
    }
}

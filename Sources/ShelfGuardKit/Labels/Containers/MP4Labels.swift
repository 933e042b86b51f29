/// Labels in MP4 and QuickTime files: boxes of a big-endian size (1: a 64-bit size follows; 0:
/// to the end) and a type, walked by seeking from header to header. `mdat` and every box not on
/// the way to a label is skipped by its size, so a 1 GB file with `moov` at its end costs a few
/// reads.
///
/// - `moov/udta/meta` (a FullBox): `hdlr` `mdta`, `keys`, and `ilst` items typed by the
///   1-based key index, each with a `data` box: the item keyed `AIGC`.
/// - `moov/meta` without the FullBox header (QuickTime style), read the same way.
/// - iTunes-style freeform items (`----` with `name` `AIGC`).
/// - XMP: a `uuid` box `BE7ACFCB-97A9-42E8-9C71-999491E3AFAC` (top level, in `moov` or `udta`), or
///   QuickTime's `udta/XMP_`.
/// - C2PA: a top-level `uuid` box `D8FEC3D6-1B0E-483C-9297-5828877EC481`.
enum MP4Labels {
    static let xmpUUID: [UInt8] = [
        0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
    ]
    static let c2paUUID: [UInt8] = [
        0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81,
    ]

    /// One box's header.
    struct Box {
        var type: [UInt8]
        var name: String
        var start: Int64
        var payload: Int64
        var end: Int64
        var payloadLength: Int64 { end - payload }
    }

    static func read(_ scan: LabelScan) throws(LabelStop) {
        for box in try boxes(scan, 0, scan.length, path: "") {
            switch box.name {
            case "moov":
                try moov(scan, box)
            case "uuid":
                try uuid(scan, box, path: "uuid@\(FourCC.hex(box.start))", topLevel: true)
            default:
                break
            }
        }
    }

    /// The boxes in `start..<end`, headers only. A box whose size lies ends the list with a hazard.
    static func boxes(_ scan: LabelScan, _ start: Int64, _ end: Int64, path: String) throws(LabelStop) -> [Box] {
        var result: [Box] = []
        var position = start
        while position + 8 <= end {
            try scan.step()
            let header = BigEndianBytes(bytes: try scan.read(at: position, count: 16))
            guard let size32 = header.u32(0) else { break }
            let type = Array(header.bytes[4..<8])
            let name = FourCC.text(type)
            let location = scan.location((path.isEmpty ? "" : path + "/") + "\(name)@\(FourCC.hex(position))")
            var size = Int64(size32)
            var headerLength: Int64 = 8
            if size32 == 1 {
                guard let large = header.u64(8) else {
                    scan.hazard(.truncated, at: location, "the file ends inside the box's 64-bit size")
                    break
                }
                guard large <= UInt64(Int64.max) else {
                    scan.hazard(.corrupt, at: location, "the box declares \(large) bytes")
                    break
                }
                size = Int64(large)
                headerLength = 16
            } else if size32 == 0 {
                size = end - position
            }
            guard size >= headerLength else {
                scan.hazard(
                    .corrupt, at: location, "the box declares \(size) bytes, less than its \(headerLength)-byte header")
                break
            }
            guard size <= end - position else {
                scan.hazard(
                    .truncated, at: location,
                    "the box declares \(size) bytes; \(end - position) remain in "
                        + (path.isEmpty ? "the file" : path))
                break
            }
            result.append(
                Box(type: type, name: name, start: position, payload: position + headerLength, end: position + size))
            position += size
        }
        if position < end && position + 8 > end && result.count > 0 && end - position > 0 {
            scan.hazard(
                .corrupt, at: scan.location(path.isEmpty ? "@\(FourCC.hex(position))" : path),
                "\(end - position) stray bytes too short for a box header")
        }
        return result
    }

    static func moov(_ scan: LabelScan, _ moov: Box) throws(LabelStop) {
        guard scan.allows(depth: 1, at: scan.location("moov")) else { return }
        for box in try boxes(scan, moov.payload, moov.end, path: "moov") {
            switch box.name {
            case "udta":
                guard scan.allows(depth: 2, at: scan.location("moov/udta")) else { continue }
                for inner in try boxes(scan, box.payload, box.end, path: "moov/udta") {
                    switch inner.name {
                    case "meta": try meta(scan, inner, path: "moov/udta/meta", depth: 3, underMoov: false)
                    case "XMP_": try xmp(scan, from: inner.payload, to: inner.end, path: "moov/udta/XMP_")
                    case "uuid": try uuid(scan, inner, path: "moov/udta/uuid", topLevel: false)
                    default: break
                    }
                }
            case "meta":
                try meta(scan, box, path: "moov/meta", depth: 2, underMoov: true)
            case "uuid":
                try uuid(scan, box, path: "moov/uuid", topLevel: false)
            default:
                break
            }
        }
    }

    /// A `uuid` box: XMP anywhere, the C2PA store at the top level.
    static func uuid(_ scan: LabelScan, _ box: Box, path: String, topLevel: Bool) throws(LabelStop) {
        guard box.payloadLength >= 16 else { return }
        let id = try scan.read(at: box.payload, count: 16)
        if id == xmpUUID {
            try xmp(scan, from: box.payload + 16, to: box.end, path: path)
        } else if id == c2paUUID, topLevel {
            // FullBox version and flags, the purpose ("manifest": a 64-bit merkle offset follows),
            // then the JUMBF store.
            let head = try scan.read(at: box.payload + 16, count: Int(min(box.payloadLength - 16, 64)))
            guard head.count > 4, let nul = head[4...].firstIndex(of: 0) else {
                scan.hazard(.corrupt, at: scan.location(path), "the C2PA uuid box's purpose is not ended")
                return
            }
            let purpose = String(decoding: head[4..<nul], as: UTF8.self)
            var start = box.payload + 16 + Int64(nul) + 1
            if purpose == "manifest" { start += 8 }
            guard purpose == "manifest" || purpose == "original" || purpose == "update" else { return }
            try C2PAStore.read(
                scan, source: scan, start: start, end: box.end, carrier: "mp4_uuid", location: scan.location(path))
        }
    }

    static func xmp(_ scan: LabelScan, from start: Int64, to end: Int64, path: String) throws(LabelStop) {
        let location = scan.location(path)
        guard scan.allows(packet: end - start, at: location, what: "the XMP packet") else { return }
        let packet = try scan.read(at: start, count: Int(end - start))
        try XMPPacket.read(packet, scan: scan, carrier: .mp4XMP, variants: [.xmpInVideo], location: location)
    }

    /// A `meta` box: a FullBox in the ISO form, none in QuickTime's (its first child then
    /// starts at once).
    static func meta(_ scan: LabelScan, _ box: Box, path: String, depth: Int, underMoov: Bool) throws(LabelStop) {
        guard scan.allows(depth: depth, at: scan.location(path)) else { return }
        let head = BigEndianBytes(bytes: try scan.read(at: box.payload, count: 12))
        let children: Set<String> = ["hdlr", "keys", "ilst", "free", "xml ", "uuid"]
        let fullBox = !(head.fourCC(4).map(children.contains) ?? false)
        var variants: Set<LabelVariant> = []
        if underMoov || !fullBox { variants.insert(.quicktimeMeta) }
        let inner = try boxes(scan, box.payload + (fullBox ? 4 : 0), box.end, path: path)
        var keys: [String] = []
        for keysBox in inner where keysBox.name == "keys" {
            keys = try readKeys(scan, keysBox, path: path + "/keys")
        }
        for list in inner where list.name == "ilst" {
            guard scan.allows(depth: depth + 1, at: scan.location(path + "/ilst")) else { continue }
            for item in try boxes(scan, list.payload, list.end, path: path + "/ilst") {
                let index = Int(BigEndianBytes(bytes: item.type).u32(0)!)
                let itemPath = path + "/ilst/" + (item.name == "----" ? "----" : "[\(index)]")
                guard scan.allows(depth: depth + 2, at: scan.location(itemPath)) else { continue }
                var name: String?
                var itemVariants = variants
                let parts = try boxes(scan, item.payload, item.end, path: itemPath)
                if item.name == "----" {
                    if let nameBox = parts.first(where: { $0.name == "name" }), nameBox.payloadLength > 4,
                        nameBox.payloadLength <= 256
                    {
                        name = String(
                            decoding: try scan.read(at: nameBox.payload + 4, count: Int(nameBox.payloadLength - 4)),
                            as: UTF8.self)
                        itemVariants.insert(.itunesFreeform)
                    }
                } else if index >= 1, index <= keys.count {
                    name = keys[index - 1]
                }
                guard let name, name.uppercased() == "AIGC" else { continue }
                if name != "AIGC" { itemVariants.insert(.lowercaseKey) }
                guard let data = parts.first(where: { $0.name == "data" }), data.payloadLength >= 8 else {
                    scan.found(
                        .mp4Meta, nil, variants: itemVariants,
                        problems: ["the AIGC item has no data box with a value"], at: scan.location(itemPath))
                    continue
                }
                let location = scan.location(itemPath + "/data")
                guard scan.allows(packet: data.payloadLength - 8, at: location, what: "the AIGC value") else {
                    continue
                }
                let typeIndicator = BigEndianBytes(bytes: try scan.read(at: data.payload, count: 4)).u32(0) ?? 0
                let value = try scan.read(at: data.payload + 8, count: Int(data.payloadLength - 8))
                let text =
                    typeIndicator & 0xFF_FFFF == 2 ? LabelText.utf16(value) : LabelText.utf8OrLatin1(value)
                scan.found(.mp4Meta, text, variants: itemVariants, at: location)
            }
        }
    }

    /// The `keys` box: a FullBox, a count, and entries of a size, a namespace and the key.
    static func readKeys(_ scan: LabelScan, _ box: Box, path: String) throws(LabelStop) -> [String] {
        let location = scan.location(path)
        guard scan.allows(packet: box.payloadLength, at: location, what: "the keys box") else { return [] }
        let bytes = BigEndianBytes(bytes: try scan.read(at: box.payload, count: Int(box.payloadLength)))
        guard let count = bytes.u32(4) else { return [] }
        guard Int64(count) <= (box.payloadLength - 8) / 8 else {
            scan.hazard(
                .corrupt, at: location, "the keys box declares \(count) keys; its \(box.payloadLength) bytes hold fewer"
            )
            return []
        }
        try scan.step(Int(count))
        var keys: [String] = []
        var offset = 8
        for _ in 0..<count {
            guard let size = bytes.u32(offset), size >= 8, offset + Int(size) <= bytes.count else {
                scan.hazard(.corrupt, at: location, "key \(keys.count + 1) declares a size past the keys box")
                break
            }
            keys.append(String(decoding: bytes.bytes[(offset + 8)..<(offset + Int(size))], as: UTF8.self))
            offset += Int(size)
        }
        return keys
    }
}

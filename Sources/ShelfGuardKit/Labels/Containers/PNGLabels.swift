import CZlib

/// Labels in a PNG: chunks of a big-endian length, a type, the data and a CRC, walked to `IEND`.
/// `IDAT` (and every other chunk that is not read) is skipped by its length, never read.
///
/// - `iTXt` `XML:com.adobe.xmp`: the XMP packet, compressed or not, before or after the image.
/// - `tEXt`, `zTXt`, `iTXt` keyed `AIGC`: raw JSON; `tEXt`/`zTXt` keyed for XMP too.
/// - `eXIf`: `ImageDescription`, for a vendor's JSON. `caBX`: the C2PA store, read in place.
enum PNGLabels {
    static let xmpKeyword = "XML:com.adobe.xmp"

    static func read(_ scan: LabelScan) throws(LabelStop) {
        var position: Int64 = 8
        var afterImage = false
        var ended = false
        var broken = false
        while position + 8 <= scan.length {
            try scan.step()
            let header = BigEndianBytes(bytes: try scan.read(at: position, count: 8))
            guard let declared = header.u32(0), let type = header.fourCC(4) else { break }
            let location = scan.location("\(type)@\(FourCC.hex(position))")
            guard declared <= 0x7FFF_FFFF else {
                scan.hazard(.corrupt, at: location, "the chunk declares \(declared) bytes, past PNG's 2³¹−1 limit")
                broken = true
                break
            }
            let length = Int64(declared)
            let end = position + 12 + length
            guard end <= scan.length else {
                scan.hazard(
                    .truncated, at: location,
                    "the chunk declares \(length) bytes; \(max(0, scan.length - position - 12)) remain")
                broken = true
                break
            }
            let data = position + 8
            switch type {
            case "IDAT":
                afterImage = true
            case "IEND":
                ended = true
            case "iTXt", "tEXt", "zTXt":
                if scan.allows(packet: length, at: location, what: "the text chunk") {
                    let bytes = try scan.read(at: data, count: Int(length) + 4)
                    let body = Array(bytes.prefix(Int(length)))
                    checkCRC(scan, type: type, body: body, stored: Array(bytes.suffix(4)), location: location)
                    try text(scan, type: type, body, afterImage: afterImage, location: location)
                }
            case "eXIf":
                try EXIFDescription.read(scan, start: data, length: length, location: location)
            case "caBX":
                try C2PAStore.read(
                    scan, source: scan, start: data, end: data + length, carrier: "png_cabx", location: location)
            default:
                break
            }
            position = end
            if ended { break }
        }
        if broken {
            return
        } else if !ended {
            scan.hazard(.truncated, at: scan.location(""), "the PNG ends without an IEND chunk")
        } else if scan.length > position {
            scan.hazard(
                .hiddenData, at: scan.location("IEND"),
                "\(scan.length - position) bytes follow IEND: not read, as image readers ignore them")
        }
    }

    static func checkCRC(_ scan: LabelScan, type: String, body: [UInt8], stored: [UInt8], location: String) {
        guard stored.count == 4 else { return }
        let typeBytes = Array(type.utf8)
        var crc = typeBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        crc = body.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        let expected = BigEndianBytes(bytes: stored).u32(0)!
        if UInt32(truncatingIfNeeded: crc) != expected {
            scan.hazard(.crcMismatch, at: location, "the chunk's CRC does not match its bytes (it was read anyway)")
        }
    }

    /// A text chunk: its keyword says whether it is XMP, a label, or neither.
    static func text(
        _ scan: LabelScan, type: String, _ body: [UInt8], afterImage: Bool, location: String
    ) throws(LabelStop) {
        guard let nul = body.firstIndex(of: 0) else { return }
        let keyword = String(decoding: body[..<nul], as: UTF8.self)
        let isXMP = keyword == xmpKeyword
        let isLabel = keyword.uppercased() == "AIGC"
        guard isXMP || isLabel else { return }
        var variants: Set<LabelVariant> = afterImage ? [.afterImageData] : []
        if isLabel {
            variants.insert(.textChunk)
            if keyword != "AIGC" { variants.insert(.lowercaseKey) }
        } else if type != "iTXt" {
            variants.insert(.xmpInTextChunk)
        }
        var content: [UInt8]
        var compressed = false
        switch type {
        case "tEXt":
            content = Array(body[(nul + 1)...])
        case "zTXt":
            guard nul + 2 <= body.count else { return }
            compressed = true
            content = Array(body[(nul + 2)...])
        default:  // iTXt: flag, method, language NUL, translated keyword NUL, text
            guard nul + 3 <= body.count else {
                scan.hazard(.corrupt, at: location, "the iTXt chunk ends inside its header")
                return
            }
            compressed = body[nul + 1] == 1
            var rest = body[(nul + 3)...]
            for _ in 0..<2 {
                guard let end = rest.firstIndex(of: 0) else {
                    scan.hazard(.corrupt, at: location, "the iTXt chunk's language or translated keyword is not ended")
                    return
                }
                rest = rest[(end + 1)...]
            }
            content = Array(rest)
        }
        if compressed {
            variants.insert(.compressed)
            switch BoundedInflate.run(content, raw: false, maxOutput: scan.limits.maxPacketBytes) {
            case .done(let inflated): content = inflated
            case .tooLarge:
                scan.inflatedTooLarge(at: location, what: "the compressed text")
                return
            case .corrupt(let reason):
                scan.hazard(.corrupt, at: location, "the compressed text cannot be inflated: \(reason)")
                return
            }
        }
        if isXMP {
            try XMPPacket.read(content, scan: scan, carrier: .pngXMP, variants: variants, location: location)
        } else {
            let text = type == "iTXt" ? String(decoding: content, as: UTF8.self) : LabelText.utf8OrLatin1(content)
            scan.found(.pngText, text, variants: variants, at: location)
        }
    }
}

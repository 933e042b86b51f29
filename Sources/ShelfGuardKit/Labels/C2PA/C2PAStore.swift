/// Reads a C2PA manifest store (a JUMBF superbox) for what a reviewer can see without verifying
/// it: how many manifests, the active one's label, its claim generator, and the digital source
/// type its actions claim. Only box headers, description boxes and the two CBOR payloads needed
/// are read; thumbnails, hashes and signatures are skipped. Signatures are not validated.
enum C2PAStore {
    /// The JUMBF type UUIDs' common tail: `-0011-0010-8000-00AA00389B71`.
    static let uuidTail: [UInt8] = [0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
    static let storeType = Array("c2pa".utf8)
    static let manifestTypes = [Array("c2ma".utf8), Array("c2um".utf8)]
    static let claimType = Array("c2cl".utf8)
    static let assertionStoreType = Array("c2as".utf8)

    /// One box: its type, where it starts, where its payload starts, where it ends.
    struct Box {
        var type: String
        var start: Int64
        var payload: Int64
        var end: Int64
    }

    /// A JUMBF description box: the content type (its first four bytes) and the label.
    struct Description {
        var type: [UInt8]
        var label: String?
    }

    /// Reads the store at `start..<end` of `source` (a source built on `scan`). Returns false
    /// when the bytes are JUMBF but no C2PA store (a JPEG may carry other JUMBF boxes).
    @discardableResult
    static func read(
        _ scan: LabelScan, source: any RandomAccessSource, start: Int64, end: Int64, carrier: String,
        location: String
    ) throws(LabelStop) -> Bool {
        let top = try boxes(scan, source, start, end, location: location)
        guard let store = top.first else {
            // A lying size was reported by the walk; a store too short for a header is said here.
            if end - start < 8 { scan.hazard(.corrupt, at: location, "the C2PA data is too short for a JUMBF box") }
            return false
        }
        guard store.type == "jumb" else {
            scan.hazard(.corrupt, at: location, "the C2PA data does not start with a JUMBF superbox (jumb)")
            return false
        }
        guard let (children, description) = try superbox(scan, source, store, location: location),
            description.type == storeType
        else { return false }
        if scan.c2pa.present {
            scan.hazard(
                .hiddenData, at: location,
                "a second C2PA manifest store (the first is in \(scan.c2pa.carrier ?? "?")); a file carries one, and readers disagree on which counts"
            )
            return true
        }
        var summary = scan.c2pa
        summary.present = true
        summary.carrier = carrier
        summary.signaturesValidated = false
        summary.note = C2PASummary.notValidatedNote
        scan.c2pa = summary
        var manifests: [(Box, Description)] = []
        for child in children where child.type == "jumb" {
            guard let (_, d) = try superbox(scan, source, child, location: location) else { continue }
            if manifestTypes.contains(d.type) { manifests.append((child, d)) }
        }
        scan.c2pa.manifests = manifests.count
        guard let (active, activeDescription) = manifests.last else {
            problem(scan, "the store holds no manifest")
            return true
        }
        scan.c2pa.activeManifest = activeDescription.label
        let manifestLocation = location + "/" + (activeDescription.label ?? "manifest")
        guard scan.allows(depth: 2, at: manifestLocation),
            let (parts, _) = try superbox(scan, source, active, location: manifestLocation)
        else { return true }
        guard !parts.isEmpty, scan.allows(depth: 3, at: manifestLocation) else { return true }
        for part in parts where part.type == "jumb" {
            guard let (contents, d) = try superbox(scan, source, part, location: manifestLocation) else { continue }
            if d.type == claimType || d.label?.hasPrefix("c2pa.claim") == true {
                if let claim = try cbor(scan, source, contents, what: "the claim", location: manifestLocation) {
                    scan.c2pa.claimGenerator = claimGenerator(claim)
                }
            } else if d.type == assertionStoreType || d.label == "c2pa.assertions" {
                guard scan.allows(depth: 4, at: manifestLocation) else { continue }
                for assertion in contents where assertion.type == "jumb" {
                    guard let (inner, a) = try superbox(scan, source, assertion, location: manifestLocation),
                        let label = a.label, baseLabel(label) == "c2pa.actions" || baseLabel(label) == "c2pa.actions.v2"
                    else { continue }
                    if scan.c2pa.digitalSourceType == nil,
                        let actions = try cbor(scan, source, inner, what: label, location: manifestLocation),
                        let type = digitalSourceType(actions)
                    {
                        scan.c2pa.digitalSourceType = type
                        scan.c2pa.aiGenerated = C2PASummary.marksAI(type)
                    }
                }
            }
        }
        if scan.c2pa.claimGenerator == nil { problem(scan, "the active manifest's claim could not be read") }
        return true
    }

    /// An assertion label without its instance suffix (`c2pa.actions__1` → `c2pa.actions`).
    static func baseLabel(_ label: String) -> String {
        guard let range = label.range(of: "__") else { return label }
        return String(label[..<range.lowerBound])
    }

    static func problem(_ scan: LabelScan, _ text: String) {
        scan.c2pa.problems = (scan.c2pa.problems ?? []) + [text]
    }

    /// The claim generator: `claim_generator` (claims v1), else `claim_generator_info`'s name
    /// and version (a map in v2, an array of maps in v1).
    static func claimGenerator(_ claim: CBOR) -> String? {
        if let text = claim["claim_generator"]?.text { return text }
        guard let info = claim["claim_generator_info"] else { return nil }
        let first = info.items?.first ?? info
        guard let name = first["name"]?.text else { return nil }
        return first["version"]?.text.map { "\(name) \($0)" } ?? name
    }

    /// The first digital source type an actions assertion claims.
    static func digitalSourceType(_ actions: CBOR) -> String? {
        for action in actions["actions"]?.items ?? [] {
            if let type = action["digitalSourceType"]?.text { return type }
        }
        return nil
    }

    /// The payload of the first `cbor` box among `boxes`, decoded.
    static func cbor(
        _ scan: LabelScan, _ source: any RandomAccessSource, _ boxes: [Box], what: String, location: String
    ) throws(LabelStop) -> CBOR? {
        guard let box = boxes.first(where: { $0.type == "cbor" }) else {
            problem(scan, "\(what) has no CBOR content box")
            return nil
        }
        let count = box.end - box.payload
        guard scan.allows(packet: count, at: location, what: what) else { return nil }
        let bytes = try scan.read(from: source, at: box.payload, count: Int(count))
        do {
            return try CBOR.decode(bytes, maxNodes: scan.limits.maxStructures, maxDepth: scan.limits.maxDepth)
        } catch {
            problem(scan, "\(what) is not readable CBOR: \(error)")
            return nil
        }
    }

    /// A superbox's children after its description box, and the description; nil (with a
    /// hazard) when it has none.
    static func superbox(
        _ scan: LabelScan, _ source: any RandomAccessSource, _ box: Box, location: String
    ) throws(LabelStop) -> ([Box], Description)? {
        let children = try boxes(scan, source, box.payload, box.end, location: location)
        guard let first = children.first, first.type == "jumd" else {
            scan.hazard(.corrupt, at: location, "a JUMBF superbox at \(FourCC.hex(box.start)) has no description box")
            return nil
        }
        let bytes = try scan.read(from: source, at: first.payload, count: Int(min(first.end - first.payload, 1024)))
        guard bytes.count >= 17 else {
            scan.hazard(.corrupt, at: location, "a JUMBF description box at \(FourCC.hex(first.start)) is too short")
            return nil
        }
        var label: String?
        if bytes[16] & 0x02 != 0 {
            let text = bytes[17...].prefix { $0 != 0 }
            label = String(decoding: text, as: UTF8.self)
        }
        return (Array(children.dropFirst()), Description(type: Array(bytes[0..<4]), label: label))
    }

    /// The boxes in `start..<end`: headers only. A box that runs past `end` ends the list with a
    /// hazard.
    static func boxes(
        _ scan: LabelScan, _ source: any RandomAccessSource, _ start: Int64, _ end: Int64, location: String
    ) throws(LabelStop) -> [Box] {
        var result: [Box] = []
        var position = start
        while position + 8 <= end {
            try scan.step()
            let header = BigEndianBytes(bytes: try scan.read(from: source, at: position, count: 16))
            guard let size32 = header.u32(0), let type = header.fourCC(4) else { break }
            var size = Int64(size32)
            var headerLength: Int64 = 8
            if size32 == 1 {
                guard let large = header.u64(8), large <= UInt64(Int64.max) else {
                    scan.hazard(.truncated, at: location, "a JUMBF box at \(FourCC.hex(position)) ends in its header")
                    break
                }
                size = Int64(large)
                headerLength = 16
            } else if size32 == 0 {
                size = end - position
            }
            guard size >= headerLength else {
                scan.hazard(
                    .corrupt, at: location, "the JUMBF box '\(type)' at \(FourCC.hex(position)) declares \(size) bytes")
                break
            }
            guard size <= end - position else {
                scan.hazard(
                    .truncated, at: location,
                    "the JUMBF box '\(type)' at \(FourCC.hex(position)) declares \(size) bytes; \(end - position) remain"
                )
                break
            }
            result.append(Box(type: type, start: position, payload: position + headerLength, end: position + size))
            position += size
        }
        return result
    }
}

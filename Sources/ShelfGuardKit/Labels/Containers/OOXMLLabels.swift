/// Labels in Office Open XML documents (docx, xlsx, pptx): a zip whose `docProps/custom.xml`
/// holds a custom property named `AIGC`. The zip is read through the bundle reader's central
/// directory scan (Android's rules, bounded by `--max-boxes`); only `docProps/custom.xml` is
/// read, in place when stored or through a bounded inflate when deflated. No other entry is
/// touched.
enum OOXMLLabels {
    static let partName = "docprops/custom.xml"

    /// Identifies the document and reads its label; returns what the zip turned out to be.
    static func read(_ scan: LabelScan) throws(LabelStop) -> LabelContainer {
        let directory: ZipDirectory
        do {
            directory = try ZipDirectory.scan(scan, maxEntries: scan.limits.maxStructures)
        } catch {
            if scan.exceededBudget { throw scan.stop(for: SourceError(description: "read limit")) }
            switch error {
            case .notZip:
                scan.hazard(.corrupt, at: scan.location(""), "a zip local header but no end record: not a readable zip")
            case .tooManyEntries(let declared):
                scan.hazard(
                    .tooManyStructures, at: scan.location(""),
                    "the zip declares \(declared) entries, more than \(scan.limits.maxStructures) (limit: --max-boxes)")
            case .truncated(let reason), .corrupt(let reason):
                scan.hazard(.truncated, at: scan.location(""), "the zip's central directory cannot be read: \(reason)")
            }
            return .zip
        }
        try scan.step(directory.records.count)
        let names = directory.records.map { String(decoding: $0.nameUpToNUL, as: UTF8.self) }
        let container: LabelContainer
        if names.contains("word/document.xml") {
            container = .docx
        } else if names.contains("xl/workbook.xml") {
            container = .xlsx
        } else if names.contains("ppt/presentation.xml") {
            container = .pptx
        } else if names.contains("[Content_Types].xml") {
            container = .ooxml
        } else {
            scan.hazard(
                .unsupported, at: scan.location(""),
                "a zip that is no Office document (no [Content_Types].xml): labels are read from docx, xlsx and pptx")
            return .zip
        }
        let parts = zip(directory.records, names).filter { $0.1.lowercased() == partName }
        if parts.count > 1 {
            scan.hazard(
                .hiddenData, at: scan.location(parts[1].1),
                "\(parts.count) entries are named docProps/custom.xml; readers disagree on which counts (each is read)")
        }
        for (record, name) in parts {
            let location = scan.location(name)
            if record.isEncrypted {
                scan.hazard(.encrypted, at: location, "the entry is encrypted; it was not read")
                continue
            }
            guard record.method == 0 || record.method == 8 else {
                scan.hazard(
                    .unsupported, at: location, "the entry is compressed with method \(record.method); not read")
                continue
            }
            guard let start = directory.dataOffset(of: record, in: scan) else {
                if scan.exceededBudget { throw scan.stop(for: SourceError(description: "read limit")) }
                scan.hazard(.truncated, at: location, "the entry's local header or data is missing")
                continue
            }
            var xml: [UInt8]
            if record.method == 0 {
                guard scan.allows(packet: record.compressedSize, at: location, what: "docProps/custom.xml") else {
                    continue
                }
                xml = try scan.read(at: start, count: Int(record.compressedSize))
            } else {
                var offset = start
                let end = start + record.compressedSize
                let outcome = try BoundedInflate.run(raw: true, maxOutput: scan.limits.maxPacketBytes) {
                    () throws(LabelStop) -> [UInt8] in
                    guard offset < end else { return [] }
                    let piece = try scan.read(at: offset, count: Int(min(end - offset, 64 * 1024)))
                    offset += Int64(piece.count)
                    return piece
                }
                switch outcome {
                case .done(let bytes): xml = bytes
                case .tooLarge:
                    scan.inflatedTooLarge(at: location, what: "docProps/custom.xml")
                    continue
                case .corrupt(let reason):
                    scan.hazard(.corrupt, at: location, "the entry cannot be inflated: \(reason)")
                    continue
                }
            }
            try properties(xml, scan: scan, location: location)
        }
        return container
    }

    /// The custom properties: `<property name="AIGC"><vt:lpwstr>…</vt:lpwstr></property>`.
    static func properties(_ xml: [UInt8], scan: LabelScan, location: String) throws(LabelStop) {
        var walk = PropertiesWalk(scan: scan, location: location)
        let failure = try LabelXML.parse(xml) { event throws(LabelStop) in try walk.handle(event) }
        if walk.depthExceeded { return }
        if let failure {
            scan.hazard(.corrupt, at: location, "the part is not well-formed XML: \(failure)")
            return
        }
        for found in walk.found {
            var variants: Set<LabelVariant> = []
            if found.name != "AIGC" { variants.insert(.lowercaseKey) }
            var problems: [String] = []
            if !["lpwstr", "lpstr", "bstr"].contains(found.valueType) {
                problems.append(
                    "the AIGC property's value is a vt:\(found.valueType ?? "nothing"), not a string (vt:lpwstr)")
            }
            scan.found(
                .ooxmlCustomProperty, found.valueType == nil ? nil : found.text, variants: variants,
                problems: problems, at: location)
        }
    }

    /// The walk collecting the `AIGC` properties.
    struct PropertiesWalk {
        let scan: LabelScan
        let location: String
        var depth = 0
        var depthExceeded = false
        var found: [(name: String, valueType: String?, text: String)] = []
        /// The property being read: its name, the depth of its element, its value's type.
        var current: (name: String, depth: Int, valueType: String?, text: String)?

        static func local(_ name: String) -> String {
            name.split(separator: ":").last.map(String.init) ?? name
        }

        mutating func handle(_ event: LabelXML.Event) throws(LabelStop) -> Bool {
            switch event {
            case .start(let name, let attributes):
                try scan.step(1 + attributes.count)
                depth += 1
                guard scan.allows(depth: depth, at: location) else {
                    depthExceeded = true
                    return false
                }
                let local = Self.local(name)
                let propertyName = attributes.first { $0.name == "name" }?.value
                if local == "property", let propertyName, propertyName.uppercased() == "AIGC" {
                    current = (propertyName, depth, nil, "")
                } else if var property = current, depth == property.depth + 1, property.valueType == nil {
                    property.valueType = local
                    current = property
                }
            case .end:
                if let property = current, property.depth == depth {
                    found.append((property.name, property.valueType, property.text))
                    current = nil
                }
                depth -= 1
            case .text(let text):
                try scan.step()
                if current != nil, depth > current!.depth { current!.text += text }
            }
            return true
        }
    }
}

import Foundation

/// Reads an XMP packet for what labels care about: the `TC260:AIGC` element or attribute (in the
/// namespace `http://www.tc260.org.cn/ns/AIGC/1.0/`), `XmpKvBase64`, the IPTC digital source
/// type, and the GUID of the ExtendedXMP the packet names.
///
/// The packet is parsed with `LabelXML` under the scan's node and depth limits; a packet with a
/// DTD (XMP forbids them) or one that is not well-formed is searched textually instead, so that
/// a label a sloppy writer produced is still found, and said to be so (`malformed_xmp`).
enum XMPPacket {
    static let tc260Namespace = "http://www.tc260.org.cn/ns/AIGC/1.0/"
    static let iptcExtNamespace = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    static let xmpNoteNamespace = "http://ns.adobe.com/xmp/note/"

    /// What a packet says besides its labels.
    struct Facts: Equatable {
        /// `xmpNote:HasExtendedXMP`: the GUID of the ExtendedXMP that completes this packet.
        var extendedGUID: String?
        /// `Iptc4xmpExt:DigitalSourceType`.
        var digitalSourceType: String?
    }

    /// Reads `bytes` as an XMP packet, adding every label it holds to `scan` as found in
    /// `carrier` (with `variants` from the carrier itself).
    @discardableResult
    static func read(
        _ bytes: [UInt8], scan: LabelScan, carrier: LabelCarrier, variants: Set<LabelVariant>, location: String
    ) throws(LabelStop) -> Facts {
        let facts = try parse(bytes, scan: scan, carrier: carrier, variants: variants, location: location)
        if let type = facts.digitalSourceType, !type.isEmpty, scan.c2pa.xmpDigitalSourceType == nil {
            scan.c2pa.xmpDigitalSourceType = type
        }
        return facts
    }

    private static func parse(
        _ bytes: [UInt8], scan: LabelScan, carrier: LabelCarrier, variants: Set<LabelVariant>, location: String
    ) throws(LabelStop) -> Facts {
        var packet = bytes
        while let last = packet.last, last == 0 || last == 0x20 || last == 0x0A || last == 0x0D { packet.removeLast() }
        guard !packet.isEmpty else { return Facts() }
        if packet.starts(with: [0xFE, 0xFF]) || packet.starts(with: [0xFF, 0xFE]) {
            packet = Array(LabelText.utf16(packet).utf8)
        }
        var walk = Walk(scan: scan, baseVariants: variants, location: location)
        let failure = try LabelXML.parse(packet) { event throws(LabelStop) in try walk.handle(event) }
        if walk.depthExceeded { return walk.facts }
        if let failure {
            // Keep nothing from a half-read packet: search it as text instead.
            scan.hazard(
                .corrupt, at: location,
                "the XMP packet is not well-formed XML: \(failure); it was searched as text")
            return try textual(decode(packet), scan: scan, carrier: carrier, variants: variants, location: location)
        }
        for label in walk.labels {
            scan.found(carrier, label.text, variants: label.variants, problems: label.problems, at: location)
        }
        return walk.facts
    }

    /// The packet as text: UTF-8, bytes that are not replaced.
    static func decode(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A label value found in the packet, before decoding.
    struct Found {
        var text: String?
        var variants: Set<LabelVariant>
        var problems: [String] = []
    }

    /// The variants and text of an `XmpKvBase64` value: base64 of the JSON or of `AIGC=` + JSON.
    static func kvBase64(_ value: String, variants: Set<LabelVariant>) -> Found {
        var variants = variants
        variants.insert(.xmpKvBase64)
        guard let decoded = LabelText.base64(value), let text = String(validating: decoded, as: UTF8.self) else {
            return Found(
                text: nil, variants: variants,
                problems: ["XmpKvBase64 is not base64 of UTF-8 text: \(LabelPayload.preview(value))"])
        }
        return Found(text: text, variants: variants)
    }

    /// The walk over a packet's events: a stack of namespace scopes and the values being
    /// captured.
    struct Walk {
        let scan: LabelScan
        let baseVariants: Set<LabelVariant>
        let location: String
        var scopes: [[String: String]] = []
        var labels: [Found] = []
        var facts = Facts()
        var depthExceeded = false

        enum Capture { case label(Set<LabelVariant>), kvBase64, sourceType, extendedGUID }
        /// Values being captured: what, at which depth, the text so far.
        var captures: [(capture: Capture, depth: Int, text: String)] = []

        func namespace(of prefix: String) -> String? {
            for scope in scopes.reversed() { if let uri = scope[prefix] { return uri } }
            return nil
        }

        func split(_ qualified: String) -> (prefix: String, local: String) {
            guard let colon = qualified.firstIndex(of: ":") else { return ("", qualified) }
            return (String(qualified[..<colon]), String(qualified[qualified.index(after: colon)...]))
        }

        /// Whether a name is the label's, and with which variants.
        func labelVariants(prefix: String, local: String, isAttribute: Bool) -> Set<LabelVariant>? {
            guard local == "AIGC" else { return nil }
            let uri = prefix.isEmpty && isAttribute ? nil : namespace(of: prefix)
            var variants = baseVariants
            if isAttribute { variants.insert(.xmpAttribute) }
            if uri == XMPPacket.tc260Namespace { return variants }
            guard prefix.uppercased() == "TC260" else { return nil }
            variants.insert(.nonstandardNamespace)
            return variants
        }

        mutating func handle(_ event: LabelXML.Event) throws(LabelStop) -> Bool {
            switch event {
            case .start(let name, let attributes):
                try scan.step(1 + attributes.count)
                var scope: [String: String] = [:]
                for (key, value) in attributes {
                    if key == "xmlns" {
                        scope[""] = value
                    } else if key.hasPrefix("xmlns:") {
                        scope[String(key.dropFirst(6))] = value
                    }
                }
                scopes.append(scope)
                let depth = scopes.count
                guard scan.allows(depth: depth, at: location) else {
                    depthExceeded = true
                    return false
                }
                for (key, value) in attributes where key != "xmlns" && !key.hasPrefix("xmlns:") {
                    let (prefix, local) = split(key)
                    if let variants = labelVariants(prefix: prefix, local: local, isAttribute: true) {
                        labels.append(Found(text: value, variants: variants))
                    } else if local == "XmpKvBase64" {
                        labels.append(XMPPacket.kvBase64(value, variants: baseVariants))
                    } else if local == "DigitalSourceType", namespace(of: prefix) == XMPPacket.iptcExtNamespace {
                        facts.digitalSourceType = facts.digitalSourceType ?? LabelText.trimmed(value)
                    } else if local == "HasExtendedXMP", namespace(of: prefix) == XMPPacket.xmpNoteNamespace {
                        facts.extendedGUID = LabelText.trimmed(value)
                    }
                }
                let (prefix, local) = split(name)
                if let variants = labelVariants(prefix: prefix, local: local, isAttribute: false) {
                    captures.append((.label(variants), depth, ""))
                } else if local == "XmpKvBase64" {
                    captures.append((.kvBase64, depth, ""))
                } else if local == "DigitalSourceType", namespace(of: prefix) == XMPPacket.iptcExtNamespace {
                    let resource = attributes.first { split($0.name).local == "resource" }?.value
                    if let resource, facts.digitalSourceType == nil {
                        facts.digitalSourceType = LabelText.trimmed(resource)
                    } else {
                        captures.append((.sourceType, depth, ""))
                    }
                } else if local == "HasExtendedXMP", namespace(of: prefix) == XMPPacket.xmpNoteNamespace {
                    captures.append((.extendedGUID, depth, ""))
                }
            case .end:
                let depth = scopes.count
                while let last = captures.last, last.depth == depth {
                    captures.removeLast()
                    switch last.capture {
                    case .label(let variants): labels.append(Found(text: last.text, variants: variants))
                    case .kvBase64: labels.append(XMPPacket.kvBase64(last.text, variants: baseVariants))
                    case .sourceType:
                        let value = LabelText.trimmed(last.text)
                        if facts.digitalSourceType == nil, !value.isEmpty { facts.digitalSourceType = value }
                    case .extendedGUID: facts.extendedGUID = LabelText.trimmed(last.text)
                    }
                }
                scopes.removeLast()
            case .text(let text):
                try scan.step()
                for i in captures.indices { captures[i].text += text }
            }
            return true
        }
    }

    // MARK: - The textual fallback

    /// Finds `X:AIGC` elements and attributes and `XmpKvBase64` values in text that is not
    /// well-formed XML. Linear in the text; every value is XML-unescaped once.
    static func textual(
        _ text: String, scan: LabelScan, carrier: LabelCarrier, variants: Set<LabelVariant>, location: String
    ) throws(LabelStop) -> Facts {
        var base = variants
        base.insert(.malformedXMP)
        let scalars = Array(text.unicodeScalars)
        var found: [Found] = []
        // Needles known to be absent from a position on: a hostile packet with thousands of
        // unclosed elements is still searched in linear time.
        var absentFrom: [String: Int] = [:]
        func search(_ needle: String, from start: Int) -> Int? {
            if let absent = absentFrom[needle], start >= absent { return nil }
            let hit = index(of: Array(needle.unicodeScalars), in: scalars, from: start)
            if hit == nil { absentFrom[needle] = start }
            return hit
        }
        for name in ["AIGC", "XmpKvBase64"] {
            var i = 0
            while let hit = search(name, from: i) {
                i = hit + name.unicodeScalars.count
                try scan.step()
                // Element: `<prefix:NAME ...>value</prefix:NAME>`; attribute: `prefix:NAME="value"`.
                var start = hit
                while start > 0, isNameScalar(scalars[start - 1]) || scalars[start - 1] == ":" { start -= 1 }
                let qualified = String(String.UnicodeScalarView(scalars[start..<i]))
                let isElement = start > 0 && scalars[start - 1] == "<"
                var j = i
                while j < scalars.count, scalars[j] == " " { j += 1 }
                var value: String?
                var attribute = false
                if isElement, let close = search(">", from: i) {
                    let end = search("</" + qualified + ">", from: close)
                    if let end, scalars[close - 1] != "/" {
                        value = String(String.UnicodeScalarView(scalars[(close + 1)..<end]))
                        i = end
                    }
                } else if !isElement, j < scalars.count, scalars[j] == "=" {
                    j += 1
                    while j < scalars.count, scalars[j] == " " { j += 1 }
                    if j < scalars.count, scalars[j] == "\"" || scalars[j] == "'" {
                        let quote = scalars[j]
                        if let end = search(String(quote), from: j + 1) {
                            value = String(String.UnicodeScalarView(scalars[(j + 1)..<end]))
                            attribute = true
                            i = end
                        }
                    }
                }
                guard let value else { continue }
                let unescaped = LabelText.unescapeEntities(value)
                if name == "XmpKvBase64" {
                    found.append(kvBase64(unescaped, variants: base))
                } else if qualified.hasSuffix(":AIGC") {
                    var v = base
                    if attribute { v.insert(.xmpAttribute) }
                    found.append(Found(text: unescaped, variants: v))
                }
            }
        }
        for label in found {
            scan.found(carrier, label.text, variants: label.variants, problems: label.problems, at: location)
        }
        return Facts()
    }

    static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "-" || s == "."
    }

    static func index(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, haystack.count >= needle.count else { return nil }
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] {
                var k = 1
                while k < needle.count && haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

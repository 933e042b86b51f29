/// GB 45438 implicit labels as generators write them, for fixtures: the seven keys in order, and
/// the JSON shapes real files carry.
public struct LabelFields: Sendable {
    /// The keys and values, in the order written.
    public var pairs: [(String, String)]

    /// A well-formed label of the sample developer (USCC `91440300708461136T`).
    public static let valid = LabelFields(pairs: [
        ("Label", "1"), ("ContentProducer", "001191440300708461136T1XGW3"), ("ProduceID", "20261202-0001"),
        ("ReservedCode1", ""), ("ContentPropagator", ""), ("PropagateID", ""), ("ReservedCode2", ""),
    ])

    /// The same label by another producer (USCC `91110108MA01KP2T5U`).
    public static let otherProducer = LabelFields(pairs: [
        ("Label", "1"), ("ContentProducer", "001191110108MA01KP2T5U1ABCD"), ("ProduceID", "20261202-0002"),
        ("ReservedCode1", ""), ("ContentPropagator", ""), ("PropagateID", ""), ("ReservedCode2", ""),
    ])

    /// Fields as given.
    public init(pairs: [(String, String)]) { self.pairs = pairs }

    /// A copy with one value replaced (or added at the end).
    public func with(_ key: String, _ value: String) -> LabelFields {
        var copy = self
        if let i = copy.pairs.firstIndex(where: { $0.0 == key }) {
            copy.pairs[i].1 = value
        } else {
            copy.pairs.append((key, value))
        }
        return copy
    }

    /// A copy without a key.
    public func without(_ key: String) -> LabelFields {
        LabelFields(pairs: pairs.filter { $0.0 != key })
    }

    /// The flat object: `{"Label":"1",…}`.
    public var json: String {
        "{" + pairs.map { "\(Self.quoted($0.0)):\(Self.quoted($0.1))" }.joined(separator: ",") + "}"
    }

    /// The wrapped object: `{"AIGC":{…}}` (or another key, such as `aigc`).
    public func wrapped(key: String = "AIGC") -> String { "{\(Self.quoted(key)):\(json)}" }

    /// A JSON string literal.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// XML escaping for fixtures.
public enum XMLEscape {
    /// Escapes `&`, `<`, `>`, `"` (what attribute values and element text need).
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// XMP packets for fixtures: the label as element or attribute, the IPTC digital source type,
/// ExtendedXMP's GUID, `XmpKvBase64`, padding.
public struct XMPBuilder: Sendable {
    /// The label's value (already the JSON text); nil for none.
    public var label: String?
    /// `AIGC` as an attribute of `rdf:Description` instead of an element.
    public var asAttribute = false
    /// Escape the JSON once more than XML needs (`&amp;quot;`): the HTML-escaped variant.
    public var doubleEscaped = false
    /// The namespace the `TC260` prefix is bound to.
    public var namespace = "http://www.tc260.org.cn/ns/AIGC/1.0/"
    /// An `XmpKvBase64` attribute with this (already encoded) value.
    public var kvBase64: String?
    /// `Iptc4xmpExt:DigitalSourceType`.
    public var digitalSourceType: String?
    /// `xmpNote:HasExtendedXMP`.
    public var extendedGUID: String?
    /// Extra elements nested this deep inside the description (hostile nesting).
    public var nesting = 0
    /// Bytes of whitespace padding before the trailer.
    public var padding = 0
    /// Drop the closing tags: a packet that is not well-formed.
    public var malformed = false

    /// A builder for a packet holding `label`.
    public init(label: String? = nil) { self.label = label }

    /// The packet as UTF-8 bytes.
    public var bytes: [UInt8] { Array(text.utf8) }

    /// The packet as text.
    public var text: String {
        var attributes = "rdf:about=\"\""
        var body = ""
        if let label {
            var value = XMLEscape.escape(label)
            if doubleEscaped { value = XMLEscape.escape(value) }
            if asAttribute {
                attributes += " TC260:AIGC=\"\(value)\""
            } else {
                body += "<TC260:AIGC>\(value)</TC260:AIGC>"
            }
        }
        if let kvBase64 { attributes += " XmpKvBase64=\"\(kvBase64)\"" }
        if let digitalSourceType {
            body += "<Iptc4xmpExt:DigitalSourceType>\(digitalSourceType)</Iptc4xmpExt:DigitalSourceType>"
        }
        if let extendedGUID { attributes += " xmpNote:HasExtendedXMP=\"\(extendedGUID)\"" }
        if nesting > 0 {
            body += String(repeating: "<rdf:Bag>", count: nesting) + String(repeating: "</rdf:Bag>", count: nesting)
        }
        var out = "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
        out += "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">"
        out += "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
        out +=
            "<rdf:Description xmlns:TC260=\"\(namespace)\" xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\" xmlns:xmpNote=\"http://ns.adobe.com/xmp/note/\" \(attributes)>"
        out += body
        if !malformed { out += "</rdf:Description></rdf:RDF></x:xmpmeta>" }
        out += String(repeating: " ", count: padding)
        out += "\n<?xpacket end=\"w\"?>"
        return out
    }
}

/// The protobuf XML that aapt2 writes into Android App Bundles (`aapt.pb.XmlNode`, AOSP
/// `tools/aapt2/Resources.proto`), decoded by a small wire-format reader into the same element
/// model as binary XML. Field numbers: XmlNode {element 1, text 2}; XmlElement {namespace_uri 2,
/// name 3, attribute 4, child 5}; XmlAttribute {namespace_uri 1, name 2, value 3, resource_id 5,
/// compiled_item 6}; Item {ref 1, str 2, prim 7}; Primitive {int_decimal 6, int_hex 7, boolean 8}.
enum ProtoXML {
    static func parse(_ bytes: [UInt8], limits: ManifestLimits) throws(ManifestError) -> XMLElement {
        var budget = NodeBudget(limits)
        var reader = ProtobufReader(bytes[...])
        var element: XMLElement?
        while let field = try reader.next() {
            if field.number == 1, case .bytes(let body) = field.value {
                element = try parseElement(body, depth: 1, budget: &budget)
            }
        }
        guard let element else { throw .malformed("protobuf XML without a root element") }
        return element
    }

    private static func parseElement(
        _ bytes: ArraySlice<UInt8>, depth: Int, budget: inout NodeBudget
    )
        throws(ManifestError) -> XMLElement
    {
        try budget.check(depth: depth)
        try budget.spend()
        var element = XMLElement(name: "")
        var reader = ProtobufReader(bytes)
        while let field = try reader.next() {
            guard case .bytes(let body) = field.value else { continue }
            switch field.number {
            case 3:
                element.name = String(decoding: body, as: UTF8.self)
            case 4:
                try budget.spend()
                element.attributes.append(try parseAttribute(body))
            case 5:
                var node = ProtobufReader(body)
                while let child = try node.next() {
                    if child.number == 1, case .bytes(let inner) = child.value {
                        element.children.append(try parseElement(inner, depth: depth + 1, budget: &budget))
                    }
                }
            default:
                break
            }
        }
        return element
    }

    private static func parseAttribute(_ bytes: ArraySlice<UInt8>) throws(ManifestError) -> XMLAttribute {
        var attribute = XMLAttribute(namespace: "", name: "", resourceID: nil, value: .string(""))
        var text: String?
        var compiled: XMLValue?
        var reader = ProtobufReader(bytes)
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .bytes(let b)): attribute.namespace = String(decoding: b, as: UTF8.self)
            case (2, .bytes(let b)): attribute.name = String(decoding: b, as: UTF8.self)
            case (3, .bytes(let b)): text = String(decoding: b, as: UTF8.self)
            case (5, .varint(let v)): attribute.resourceID = v == 0 ? nil : UInt32(truncatingIfNeeded: v)
            case (6, .bytes(let b)): compiled = try compiledItem(b)
            default: break
            }
        }
        // The string form is what the developer wrote; the compiled item is the fallback.
        if let text, !text.isEmpty {
            attribute.value = .string(text)
        } else if let compiled {
            attribute.value = compiled
        }
        return attribute
    }

    private static func compiledItem(_ bytes: ArraySlice<UInt8>) throws(ManifestError) -> XMLValue? {
        var reader = ProtobufReader(bytes)
        while let field = try reader.next() {
            guard case .bytes(let body) = field.value else { continue }
            var inner = ProtobufReader(body)
            switch field.number {
            case 1:  // Reference { id = 1 }
                while let f = try inner.next() {
                    if f.number == 1, case .varint(let id) = f.value {
                        return .reference(UInt32(truncatingIfNeeded: id))
                    }
                }
            case 2:  // String { value = 1 }
                while let f = try inner.next() {
                    if f.number == 1, case .bytes(let b) = f.value {
                        return .string(String(decoding: b, as: UTF8.self))
                    }
                }
            case 7:  // Primitive
                while let f = try inner.next() {
                    switch (f.number, f.value) {
                    case (6, .varint(let v)): return .integer(Int64(Int32(truncatingIfNeeded: v)))
                    case (7, .varint(let v)): return .integer(Int64(UInt32(truncatingIfNeeded: v)))
                    case (8, .varint(let v)): return .boolean(v != 0)
                    default: break
                    }
                }
            default:
                break
            }
        }
        return nil
    }
}

/// Protocol Buffers wire format: varint (0), 64-bit (1), length-delimited (2), 32-bit (5).
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    /// The next field, or nil at the end.
    mutating func next() throws(ManifestError) -> (number: Int, value: Value)? {
        guard position < bytes.endIndex else { return nil }
        let key = try varint()
        let number = Int(truncatingIfNeeded: key >> 3)
        switch key & 7 {
        case 0:
            return (number, .varint(try varint()))
        case 1:
            return (number, .fixed64(try fixed(8)))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw .malformed("protobuf field \(number) runs past its message")
            }
            let start = position
            position += Int(length)
            return (number, .bytes(bytes[start..<position]))
        case 5:
            return (number, .fixed32(UInt32(truncatingIfNeeded: try fixed(4))))
        default:
            throw .malformed("protobuf wire type \(key & 7) is not supported")
        }
    }

    private mutating func varint() throws(ManifestError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.endIndex {
            let byte = bytes[position]
            position += 1
            if shift < 64 { result |= UInt64(byte & 0x7F) << shift }
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 70 { throw .malformed("protobuf varint longer than ten bytes") }
        }
        throw .malformed("protobuf message ends inside a varint")
    }

    private mutating func fixed(_ count: Int) throws(ManifestError) -> UInt64 {
        guard bytes.endIndex - position >= count else { throw .malformed("protobuf message ends inside a field") }
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += count
        return value
    }
}

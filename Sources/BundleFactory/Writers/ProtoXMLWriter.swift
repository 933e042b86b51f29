/// Writes aapt2's protobuf XML (`aapt.pb.XmlNode`), as Android App Bundles hold manifests.
public enum ProtoXMLWriter {
    public static func write(_ root: XMLNode) -> [UInt8] {
        var node = ProtobufWriter()
        node.message(1, element(root, isRoot: true))
        return node.output
    }

    private static func element(_ node: XMLNode, isRoot: Bool) -> [UInt8] {
        var e = ProtobufWriter()
        if isRoot {
            var declaration = ProtobufWriter()
            declaration.string(1, "android")
            declaration.string(2, AndroidManifestBuilder.androidNamespace)
            e.message(1, declaration.output)
        }
        e.string(3, node.name)
        for attribute in node.attributes {
            var a = ProtobufWriter()
            if let ns = attribute.namespace { a.string(1, ns) }
            a.string(2, attribute.name)
            var primitive = ProtobufWriter()
            switch attribute.value {
            case .string(let s): a.string(3, s)
            case .int(let i):
                a.string(3, String(i))
                primitive.varint(6, UInt64(UInt32(bitPattern: i)))
            case .bool(let b):
                a.string(3, b ? "true" : "false")
                primitive.varint(8, b ? 1 : 0)
            case .reference(let id):
                a.string(3, "@" + String(id, radix: 16))
                var reference = ProtobufWriter()
                reference.varint(1, UInt64(id))
                var item = ProtobufWriter()
                item.message(1, reference.output)
                a.message(6, item.output)
            }
            if let id = attribute.resourceID { a.varint(5, UInt64(id)) }
            if !primitive.output.isEmpty {
                var item = ProtobufWriter()
                item.message(7, primitive.output)
                a.message(6, item.output)
            }
            e.message(4, a.output)
        }
        for child in node.children {
            var childNode = ProtobufWriter()
            childNode.message(1, element(child, isRoot: false))
            e.message(5, childNode.output)
        }
        return e.output
    }
}

/// Protocol Buffers wire format, the few field kinds needed.
struct ProtobufWriter {
    var output: [UInt8] = []

    mutating func raw(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            output.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        output.append(UInt8(v))
    }

    mutating func varint(_ field: Int, _ value: UInt64) {
        raw(UInt64(field << 3))
        raw(value)
    }

    mutating func message(_ field: Int, _ bytes: [UInt8]) {
        raw(UInt64(field << 3 | 2))
        raw(UInt64(bytes.count))
        output += bytes
    }

    mutating func string(_ field: Int, _ text: String) { message(field, Array(text.utf8)) }
}

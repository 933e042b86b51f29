/// An XML element to compile: for Android manifests written as binary XML (APK) or protobuf (AAB).
public struct XMLNode: Sendable {
    public var name: String
    public var attributes: [Attribute]
    public var children: [XMLNode]

    public init(_ name: String, _ attributes: [Attribute] = [], children: [XMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// One attribute. `android(...)` gives it the android namespace and its resource id.
    public struct Attribute: Sendable {
        public var namespace: String?
        public var name: String
        public var resourceID: UInt32?
        public var value: Value

        public init(namespace: String? = nil, name: String, resourceID: UInt32? = nil, value: Value) {
            self.namespace = namespace
            self.name = name
            self.resourceID = resourceID
            self.value = value
        }

        public static func android(_ name: String, _ value: Value) -> Attribute {
            Attribute(
                namespace: AndroidManifestBuilder.androidNamespace, name: name,
                resourceID: AndroidManifestBuilder.resourceIDs[name], value: value)
        }

        public static func plain(_ name: String, _ value: String) -> Attribute {
            Attribute(name: name, value: .string(value))
        }
    }

    public enum Value: Sendable {
        case string(String)
        case int(Int32)
        case bool(Bool)
        case reference(UInt32)
    }
}

/// Writes Android binary XML the way aapt does: a string pool (attribute names with resource ids
/// first, matched by the resource map), the android namespace, then the elements. The options make
/// the adversarial variants malware uses.
public enum BinaryXMLWriter {
    public struct Options: Sendable {
        /// UTF-8 string pool (flag 0x100) instead of UTF-16.
        public var utf8 = false
        /// The outer chunk type; malware writes 0x0000 and Android accepts it.
        public var outerType: UInt16 = 0x0003
        /// Whether strings end with a terminator.
        public var terminateStrings = true

        public init(utf8: Bool = false, outerType: UInt16 = 0x0003, terminateStrings: Bool = true) {
            self.utf8 = utf8
            self.outerType = outerType
            self.terminateStrings = terminateStrings
        }
    }

    public static func write(_ root: XMLNode, options: Options = Options()) -> [UInt8] {
        // Strings: resource-id attribute names first (the resource map covers them), then the rest.
        var withIDs: [(String, UInt32)] = []
        var idNames = Set<String>()
        var others: [String] = []
        var seen = Set<String>()
        func other(_ s: String) { if seen.insert(s).inserted { others.append(s) } }
        func collect(_ node: XMLNode) {
            for attribute in node.attributes {
                if let id = attribute.resourceID {
                    if idNames.insert(attribute.name).inserted { withIDs.append((attribute.name, id)) }
                } else {
                    other(attribute.name)
                }
                if let ns = attribute.namespace { other(ns) }
                if case .string(let s) = attribute.value { other(s) }
            }
            other(node.name)
            node.children.forEach(collect)
        }
        collect(root)
        other("android")
        other(AndroidManifestBuilder.androidNamespace)
        let strings = withIDs.map(\.0) + others.filter { !idNames.contains($0) }
        var indexes: [String: UInt32] = [:]
        for (i, s) in strings.enumerated() where indexes[s] == nil { indexes[s] = UInt32(i) }
        func index(_ s: String?) -> UInt32 {
            guard let s else { return 0xFFFF_FFFF }
            return indexes[s]!
        }

        var body = LittleEndianWriter()
        body.bytes(stringPool(strings, options: options))
        var map = LittleEndianWriter()
        map.u16(0x0180)
        map.u16(8)
        map.u32(UInt32(8 + 4 * withIDs.count))
        for (_, id) in withIDs { map.u32(id) }
        body.bytes(map.output)
        body.bytes(
            namespaceChunk(0x0100, prefix: index("android"), uri: index(AndroidManifestBuilder.androidNamespace)))
        func element(_ node: XMLNode) {
            var start = LittleEndianWriter()
            start.u16(0x0102)
            start.u16(16)
            start.u32(UInt32(36 + 20 * node.attributes.count))
            start.u32(1)
            start.u32(0xFFFF_FFFF)
            start.u32(0xFFFF_FFFF)
            start.u32(index(node.name))
            start.u16(20)
            start.u16(20)
            start.u16(UInt16(node.attributes.count))
            start.u16(0)
            start.u16(0)
            start.u16(0)
            for attribute in node.attributes {
                start.u32(index(attribute.namespace))
                start.u32(index(attribute.name))
                let (type, data, raw): (UInt8, UInt32, UInt32)
                switch attribute.value {
                case .string(let s): (type, data, raw) = (0x03, index(s), index(s))
                case .int(let i): (type, data, raw) = (0x10, UInt32(bitPattern: i), 0xFFFF_FFFF)
                case .bool(let b): (type, data, raw) = (0x12, b ? 0xFFFF_FFFF : 0, 0xFFFF_FFFF)
                case .reference(let id): (type, data, raw) = (0x01, id, 0xFFFF_FFFF)
                }
                start.u32(raw)
                start.u16(8)
                start.bytes([0, type])
                start.u32(data)
            }
            body.bytes(start.output)
            node.children.forEach(element)
            var end = LittleEndianWriter()
            end.u16(0x0103)
            end.u16(16)
            end.u32(24)
            end.u32(1)
            end.u32(0xFFFF_FFFF)
            end.u32(0xFFFF_FFFF)
            end.u32(index(node.name))
            body.bytes(end.output)
        }
        element(root)
        body.bytes(
            namespaceChunk(0x0101, prefix: index("android"), uri: index(AndroidManifestBuilder.androidNamespace)))

        var document = LittleEndianWriter()
        document.u16(options.outerType)
        document.u16(8)
        document.u32(UInt32(8 + body.output.count))
        document.bytes(body.output)
        return document.output
    }

    /// A `ResStringPool` chunk.
    static func stringPool(_ strings: [String], options: Options = Options()) -> [UInt8] {
        var data: [UInt8] = []
        var offsets: [UInt32] = []
        for s in strings {
            offsets.append(UInt32(data.count))
            if options.utf8 {
                let bytes = Array(s.utf8)
                data += length8(s.utf16.count) + length8(bytes.count) + bytes
                if options.terminateStrings { data.append(0) }
            } else {
                let units = Array(s.utf16)
                data +=
                    units.count > 0x7FFF
                    ? le16(UInt16(0x8000 | (units.count >> 16))) + le16(UInt16(units.count & 0xFFFF))
                    : le16(UInt16(units.count))
                for u in units { data += le16(u) }
                if options.terminateStrings { data += [0, 0] }
            }
        }
        while data.count % 4 != 0 { data.append(0) }
        var pool = LittleEndianWriter()
        pool.u16(0x0001)
        pool.u16(28)
        pool.u32(UInt32(28 + 4 * strings.count + data.count))
        pool.u32(UInt32(strings.count))
        pool.u32(0)
        pool.u32(options.utf8 ? 0x100 : 0)
        pool.u32(UInt32(28 + 4 * strings.count))
        pool.u32(0)
        for o in offsets { pool.u32(o) }
        pool.bytes(data)
        return pool.output
    }

    private static func namespaceChunk(_ type: UInt16, prefix: UInt32, uri: UInt32) -> [UInt8] {
        var chunk = LittleEndianWriter()
        chunk.u16(type)
        chunk.u16(16)
        chunk.u32(24)
        chunk.u32(1)
        chunk.u32(0xFFFF_FFFF)
        chunk.u32(prefix)
        chunk.u32(uri)
        return chunk.output
    }

    private static func length8(_ n: Int) -> [UInt8] {
        n > 0x7F ? [UInt8(0x80 | (n >> 8)), UInt8(n & 0xFF)] : [UInt8(n)]
    }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
}

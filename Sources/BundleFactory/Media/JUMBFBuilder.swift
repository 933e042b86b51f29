/// C2PA manifest stores for fixtures: JUMBF superboxes with description boxes, a claim and an
/// actions assertion in CBOR. Not signed: the signature box holds zeros (ShelfGuard does not
/// validate signatures, and says so).
public enum JUMBFBuilder {
    /// One manifest's facts.
    public struct Manifest: Sendable {
        /// The manifest's label (a `urn:uuid:`).
        public var label: String
        /// `claim_generator`, or `name/version` for `claim_generator_info`.
        public var claimGenerator: String
        /// The `c2pa.created` action's `digitalSourceType`.
        public var digitalSourceType: String?
        /// Write `claim_generator_info` (claims v2) instead of `claim_generator`.
        public var generatorInfo = false

        /// A manifest; the defaults make the active manifest of the test stores.
        public init(
            label: String = "urn:uuid:5a3c7e2a-5e5d-4d2e-9a53-2f0d8c1b7e11", claimGenerator: String = "ExampleAI/1.0",
            digitalSourceType: String? = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        ) {
            self.label = label
            self.claimGenerator = claimGenerator
            self.digitalSourceType = digitalSourceType
        }
    }

    static func typeUUID(_ fourCC: String) -> [UInt8] {
        Array(fourCC.utf8) + [0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
    }

    /// A box: big-endian size, type, payload.
    public static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        let size = UInt32(8 + payload.count)
        return [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            + Array(type.utf8) + payload
    }

    /// A superbox: `jumb` with a description (`jumd`: type UUID, toggles, label) and contents.
    public static func superbox(type: String, label: String, _ contents: [[UInt8]]) -> [UInt8] {
        let description = box("jumd", typeUUID(type) + [0x03] + Array(label.utf8) + [0])
        return box("jumb", description + contents.flatMap { $0 })
    }

    /// A whole store.
    public static func store(_ manifests: [Manifest]) -> [UInt8] {
        superbox(type: "c2pa", label: "c2pa", manifests.map(manifest))
    }

    /// A store nested `depth` superboxes deep inside its first manifest (hostile nesting).
    public static func nested(depth: Int) -> [UInt8] {
        var inner = superbox(type: "json", label: "leaf", [])
        for _ in 0..<depth { inner = superbox(type: "c2as", label: "c2pa.assertions", [inner]) }
        return superbox(type: "c2pa", label: "c2pa", [superbox(type: "c2ma", label: "urn:uuid:deep", [inner])])
    }

    static func manifest(_ m: Manifest) -> [UInt8] {
        var claim: [(CBORWriter.Value, CBORWriter.Value)] = [
            (.text("dc:format"), .text("image/jpeg")),
            (.text("instanceID"), .text("xmp:iid:1")),
            (.text("signature"), .text("self#jumbf=c2pa.signature")),
            (.text("assertions"), .array([.map([(.text("url"), .text("self#jumbf=c2pa.assertions/c2pa.actions"))])])),
        ]
        if m.generatorInfo {
            let parts = m.claimGenerator.split(separator: "/", maxSplits: 1).map(String.init)
            var info: [(CBORWriter.Value, CBORWriter.Value)] = [(.text("name"), .text(parts[0]))]
            if parts.count > 1 { info.append((.text("version"), .text(parts[1]))) }
            claim.insert((.text("claim_generator_info"), .array([.map(info)])), at: 0)
        } else {
            claim.insert((.text("claim_generator"), .text(m.claimGenerator)), at: 0)
        }
        var action: [(CBORWriter.Value, CBORWriter.Value)] = [(.text("action"), .text("c2pa.created"))]
        if let type = m.digitalSourceType { action.append((.text("digitalSourceType"), .text(type))) }
        let actions = CBORWriter.encode(.map([(.text("actions"), .array([.map(action)]))]))
        let assertions = superbox(
            type: "c2as", label: "c2pa.assertions",
            [
                superbox(
                    type: "cbor", label: "c2pa.thumbnail.claim.jpeg", [box("bfdb", [0x00]), box("bidb", [0xFF, 0xD8])]),
                superbox(type: "cbor", label: "c2pa.actions", [box("cbor", actions)]),
            ])
        return superbox(
            type: "c2ma", label: m.label,
            [
                assertions,
                superbox(type: "c2cl", label: "c2pa.claim", [box("cbor", CBORWriter.encode(.map(claim)))]),
                superbox(type: "c2cs", label: "c2pa.signature", [box("cbor", [0xD2, 0x84, 0x40, 0xA0, 0xF6, 0x40])]),
            ])
    }
}

/// A CBOR encoder (RFC 8949) for the few shapes a C2PA claim needs.
public enum CBORWriter {
    /// A value to encode.
    public indirect enum Value: Sendable {
        case unsigned(UInt64)
        case text(String)
        case bytes([UInt8])
        case array([Value])
        case map([(Value, Value)])
    }

    /// The encoding of `value`.
    public static func encode(_ value: Value) -> [UInt8] {
        switch value {
        case .unsigned(let n): head(0, n)
        case .bytes(let b): head(2, UInt64(b.count)) + b
        case .text(let s): head(3, UInt64(s.utf8.count)) + Array(s.utf8)
        case .array(let items): head(4, UInt64(items.count)) + items.flatMap(encode)
        case .map(let pairs): head(5, UInt64(pairs.count)) + pairs.flatMap { encode($0.0) + encode($0.1) }
        }
    }

    /// A major type and its argument.
    public static func head(_ major: UInt8, _ n: UInt64) -> [UInt8] {
        let m = major << 5
        switch n {
        case 0..<24: return [m | UInt8(n)]
        case 24..<256: return [m | 24, UInt8(n)]
        case 256..<65536: return [m | 25, UInt8(n >> 8), UInt8(n & 0xFF)]
        case 65536..<(1 << 32): return [m | 26] + (0..<4).reversed().map { UInt8(n >> ($0 * 8) & 0xFF) }
        default: return [m | 27] + (0..<8).reversed().map { UInt8(n >> ($0 * 8) & 0xFF) }
        }
    }
}

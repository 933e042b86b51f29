/// The bounds every manifest parser keeps (binary XML, resource tables, protobuf XML, property
/// lists, JSON). Crossing one makes that manifest `manifest_unreadable`, with the limit named;
/// the rest of the inspection goes on. Each has a default, a flag and a test.
public struct ManifestLimits: Sendable, Codable, Equatable {
    /// Bytes of one manifest file kept for parsing, `resources.arsc` included
    /// (`--max-manifest-size`).
    public var maxFileBytes: Int64 = 32 << 20
    /// Nodes in one manifest: XML elements and attributes, plist and JSON values, resource-table
    /// chunks (`--max-manifest-nodes`).
    public var maxNodes: Int = 500_000
    /// Nesting depth of elements, arrays and dictionaries (`--max-manifest-depth`).
    public var maxDepth: Int = 64

    public init() {}

    public static let standard = ManifestLimits()
}

/// Why a manifest could not be read.
public enum ManifestError: Error, Equatable, CustomStringConvertible {
    /// The bytes break the format.
    case malformed(String)
    /// A limit was crossed.
    case limit(String)

    public var description: String {
        switch self {
        case .malformed(let reason): reason
        case .limit(let reason): reason
        }
    }
}

/// Counts nodes and depth against the limits while a parser runs.
struct NodeBudget {
    let limits: ManifestLimits
    private(set) var nodes = 0

    init(_ limits: ManifestLimits) { self.limits = limits }

    mutating func spend(_ count: Int = 1) throws(ManifestError) {
        nodes += count
        if nodes > limits.maxNodes {
            throw .limit("more than \(limits.maxNodes) nodes (limit: --max-manifest-nodes)")
        }
    }

    func check(depth: Int) throws(ManifestError) {
        if depth > limits.maxDepth {
            throw .limit("nested more than \(limits.maxDepth) levels deep (limit: --max-manifest-depth)")
        }
    }
}

/// Little-endian reads that answer nil instead of reading out of bounds.
struct LittleEndianBytes {
    let bytes: [UInt8]

    var count: Int { bytes.count }

    func u8(_ offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}

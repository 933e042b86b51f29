/// The bounds `LabelReader` keeps on every file. Crossing one records a hazard and stops the part
/// being read; never a crash, a hang or unbounded memory. Each has a default, a flag and a test.
public struct LabelLimits: Sendable, Codable, Equatable {
    /// Bytes the readers read from one file (`--max-read`). Structure headers and label values
    /// only: media payloads are skipped by seeking, and the SHA-256 is not counted.
    public var maxReadBytes: Int64 = 64 << 20
    /// Bytes of one payload held in memory (`--max-packet-size`): an XMP packet (ExtendedXMP
    /// joined, a compressed chunk inflated), `docProps/custom.xml`, a label value, a C2PA claim.
    public var maxPacketBytes: Int = 16 << 20
    /// Structures walked in one file (`--max-boxes`): JPEG segments, PNG and RIFF chunks, MP4
    /// and JUMBF boxes, ID3 frames, zip entries, XML, JSON and CBOR nodes.
    public var maxStructures: Int = 100_000
    /// Nesting depth of boxes, XML elements, JSON and CBOR values (`--max-depth`).
    public var maxDepth: Int = 32
    /// Seconds allowed for one file (`--timeout`); the SHA-256 is not counted.
    public var timeLimitSeconds: Double = 10

    /// The defaults.
    public init() {}

    /// The defaults, as a value.
    public static let standard = LabelLimits()
}

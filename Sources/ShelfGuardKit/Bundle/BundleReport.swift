/// What the reader learnt about one bundle: the contract's `bundle` object, its hazards, and
/// every entry at every nesting level (the start of the stored inventory).
public struct BundleReport: Sendable, Codable {
    public var bundle: BundleSummary
    public var hazards: [Hazard]
    public var entries: [BundleEntry]

    public init(bundle: BundleSummary, hazards: [Hazard], entries: [BundleEntry]) {
        self.bundle = bundle
        self.hazards = hazards
        self.entries = entries
    }
}

/// The contract's `bundle` object, with a few more facts about the read itself.
public struct BundleSummary: Sendable, Codable, Equatable {
    /// The path as given.
    public var path: String
    /// SHA-256 of the bundle file, lowercase hex; empty when not computed.
    public var sha256: String
    public var format: BundleFormat
    /// File size in bytes.
    public var size: Int64
    /// Entries at the top level, as `bsdtar -tf` lists them (directories included).
    public var entryCount: Int
    /// Entries at every nesting level.
    public var entriesRead: Int
    /// Archives opened inside the bundle.
    public var nestedArchives: Int
    /// Bytes read after decompression, every level included.
    public var bytesRead: Int64
    /// The most memory that compressed nested archives held at once (bounded by
    /// `ReadLimits.maxBufferedBytes`).
    public var peakBufferedBytes: Int64
    /// False when anything was left unread: damage, encryption, or a limit.
    public var complete: Bool
}

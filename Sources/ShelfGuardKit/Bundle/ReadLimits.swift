/// The bounds the bundle reader keeps on every bundle, however hostile.
///
/// Crossing one is never a crash, a hang or unbounded memory: the reader records a hazard and
/// stops the part it was reading (the entry, or the whole bundle for global limits).
/// Every field has a default, a `shelfguard` flag, and a test.
public struct ReadLimits: Sendable, Codable, Equatable {
    /// Entries at every nesting level together (`--max-entries`). Crossing it: `too_many_entries`.
    public var maxEntries: Int = 100_000
    /// Bytes actually read from one entry, after decompression (`--max-entry-size`). Crossing it:
    /// `entry_too_large`, and the rest of that entry is skipped.
    public var maxEntryBytes: Int64 = 2 << 30
    /// Bytes actually read from the whole bundle, nested archives included (`--max-total-size`).
    /// Crossing it: `total_size_limit`, and reading stops.
    public var maxTotalBytes: Int64 = 8 << 30
    /// Decompressed size over compressed size, per entry and for the whole bundle against its file
    /// size (`--max-ratio`). Crossing it: `zip_bomb`.
    public var maxCompressionRatio: Double = 100
    /// Ratios are only judged once this many bytes have come out (`--ratio-floor`): tiny files
    /// of zeros compress a thousandfold and harm nobody.
    public var ratioFloorBytes: Int64 = 1 << 20
    /// Archives inside archives (`--max-depth`): the bundle's own entries are at depth 0, those of
    /// an APK inside an XAPK at depth 1. An archive that would open deeper: `depth_limit`.
    public var maxDepth: Int = 6
    /// Bytes in one entry name (`--max-name-length`). Longer: `name_too_long`.
    public var maxNameLength: Int = 1024
    /// Seconds for one bundle (`--timeout`). Crossing it: `timeout`, and reading stops.
    public var timeLimitSeconds: Double = 300
    /// Memory for compressed nested archives that need random access (zip, wxapkg, TPKG), all
    /// nesting levels together (`--max-nested-buffer`). Stored nested archives are read in place
    /// and need none; one past the budget is spooled to a temporary file instead.
    public var maxBufferedBytes: Int64 = 64 << 20
    /// Temporary-file space for compressed nested archives too large for the buffer, all nesting
    /// levels together (`--max-spool`). They are read from there through their central directory,
    /// as the outer bundle is; the file is unlinked as soon as it is made, so nothing is left
    /// behind. One that does not fit: `nested_too_large`, and it is not read.
    public var maxSpooledBytes: Int64 = 4 << 30
    /// Deflated zip entries whose compressed and inflated sizes are both at most this many bytes
    /// are inflated in one call by libdeflate into memory kept per nesting level, all levels
    /// together at most twice this and a megabyte (`--max-whole-inflate`; 0 turns it off); larger
    /// ones stream through libarchive's zlib in 256 KiB blocks. Either way every byte is read:
    /// this bounds memory, not what is seen.
    public var maxWholeInflateBytes: Int64 = 32 << 20
    /// Hazards of one kind listed per bundle (`--max-hazards-per-kind`); the rest are counted in
    /// one `hazards_truncated` hazard, so that a hostile bundle cannot flood the report.
    public var maxHazardsPerKind: Int = 50

    public init() {}

    /// The defaults, as documented on each field.
    public static let standard = ReadLimits()
}

/// The state of reading one bundle: counters, the limits' budget, hazards and entries found.
///
/// A session lives inside one synchronous call of `BundleReader.read` on one thread; the
/// libarchive handles and sources it opens never leave it. The walking itself is in the
/// `ReadSession+…` extensions, one per container family.
final class ReadSession<Visitor: EntryVisitor> {
    let options: ReadOptions
    var limits: ReadLimits { options.limits }
    /// The bundle's file name: the first element of every location.
    let bundleName: String
    let fileSize: Int64
    var visitor: Visitor

    private let deadline: UInt64
    private var hazardLog: HazardLog
    private(set) var entries: [BundleEntry] = []
    /// Entries at every level, counted as soon as their header is read.
    private(set) var entryCount = 0
    /// Entries of the bundle's own archive (depth 0).
    private(set) var topLevelCount = 0
    var nestedArchives = 0
    private(set) var totalBytes: Int64 = 0
    /// Memory held by buffered nested archives right now.
    var bufferedBytes: Int64 = 0
    /// The most memory buffered nested archives ever held at once.
    var peakBufferedBytes: Int64 = 0
    /// Temporary-file space held by spooled nested archives right now, and at most.
    var spooledBytes: Int64 = 0
    var peakSpooledBytes: Int64 = 0
    /// Why reading stopped everywhere (a global limit), or nil while it goes on.
    private(set) var stopReason: HazardKind?
    /// False once anything was left unread.
    private(set) var complete = true
    /// Deflated zip entries inflated whole (libdeflate); made at the first one.
    private(set) lazy var wholeInflater = WholeInflater()

    init(options: ReadOptions, bundleName: String, fileSize: Int64, visitor: Visitor) {
        self.options = options
        self.bundleName = bundleName
        self.fileSize = fileSize
        self.visitor = visitor
        self.hazardLog = HazardLog(maxPerKind: options.limits.maxHazardsPerKind)
        let budget = max(0, options.limits.timeLimitSeconds)
        self.deadline = Monotonic.now() &+ UInt64(min(budget, 1e9) * 1e9)
    }

    var hazards: [Hazard] { hazardLog.listed }
    var isStopped: Bool { stopReason != nil }

    /// Where an entry is, for reports: `bundle.apk!inner.apk!classes.dex`.
    func location(_ chain: [String]) -> String {
        chain.isEmpty ? bundleName : bundleName + "!" + chain.joined(separator: "!")
    }

    /// Records a hazard. Hazards that mean some content went unread also mark the read incomplete.
    func report(_ kind: HazardKind, at chain: [String], _ detail: String) {
        hazardLog.add(Hazard(kind: kind, location: location(chain), detail: detail))
        if kind.meansContentUnread { complete = false }
    }

    /// Stops reading everywhere, with the hazard that says why.
    func stopAll(_ kind: HazardKind, at chain: [String], _ detail: String) {
        guard stopReason == nil else { return }
        stopReason = kind
        report(kind, at: chain, detail)
    }

    /// Counts one more entry header; false (and a stop) past the entry limit.
    func countEntry(at depth: Int) -> Bool {
        entryCount += 1
        if depth == 0 { topLevelCount += 1 }
        if entryCount > limits.maxEntries {
            stopAll(
                .tooManyEntries, at: [],
                "more than \(limits.maxEntries) entries; reading stopped (limit: --max-entries)")
            return false
        }
        return true
    }

    /// Stops everything once the time limit has passed; true when it has.
    func checkDeadline(at chain: [String]) -> Bool {
        if stopReason == .timeout { return true }
        guard Monotonic.now() > deadline else { return false }
        stopAll(
            .timeout, at: chain,
            "reading took longer than \(limits.timeLimitSeconds) s; stopped here (limit: --timeout)")
        return true
    }

    func record(_ entry: BundleEntry, complete entryComplete: Bool) {
        entries.append(entry)
        visitor.finish(entry, complete: entryComplete)
    }

    /// The byte limits, in the order the meter judges them.
    enum Crossing {
        /// The bundle's total (`--max-total-size`).
        case total
        /// The bundle's expansion over its file size (`--max-ratio`).
        case bundleRatio
        /// One entry's size (`--max-entry-size`).
        case entrySize
        /// One entry's expansion over its compressed size (`--max-ratio`).
        case entryRatio
    }

    /// The first byte limit crossed with `total` bytes read from the bundle and `entry` from the
    /// current entry of `compressedSize` bytes in its archive, or nil. Every condition only grows
    /// with the bytes read, so what passes at an entry's end passed at every chunk of it.
    func crossing(total: Int64, entry: Int64, compressedSize: Int64?) -> Crossing? {
        let ratio = limits.maxCompressionRatio
        if total > limits.maxTotalBytes { return .total }
        if total > limits.ratioFloorBytes && Double(total) > ratio * Double(max(fileSize, 1)) { return .bundleRatio }
        if entry > limits.maxEntryBytes { return .entrySize }
        if let compressedSize, entry > limits.ratioFloorBytes, Double(entry) > ratio * Double(max(compressedSize, 1)) {
            return .entryRatio
        }
        return nil
    }

    /// Whether an entry of `size` inflated bytes out of `compressedSize` would pass every byte
    /// limit the meter applies, all the way to its end: only then is it inflated whole, so that a
    /// limit is always met on the streaming path, with the hazard it has always given.
    func withinLimits(size: Int64, compressedSize: Int64) -> Bool {
        crossing(total: totalBytes + size, entry: size, compressedSize: compressedSize) == nil
    }

    /// What the meter decides after a chunk.
    enum Verdict {
        case proceed
        /// Skip the rest of this entry.
        case stopEntry
        /// A global limit: stop reading the bundle.
        case stopAll
    }

    /// Counts `count` more bytes of the entry at `chain` against every byte limit and the clock.
    /// `entryBytes` is the entry's running total; `compressedSize` its size in the archive.
    func meter(_ count: Int, entryBytes: inout Int64, compressedSize: Int64?, at chain: [String]) -> Verdict {
        totalBytes += Int64(count)
        entryBytes += Int64(count)
        if isStopped || checkDeadline(at: chain) { return .stopAll }
        let ratio = limits.maxCompressionRatio
        switch crossing(total: totalBytes, entry: entryBytes, compressedSize: compressedSize) {
        case nil:
            return .proceed
        case .total:
            stopAll(
                .totalSizeLimit, at: chain,
                "the bundle expands past \(ByteCount.format(limits.maxTotalBytes)); reading stopped (limit: --max-total-size)"
            )
            return .stopAll
        case .bundleRatio:
            stopAll(
                .zipBomb, at: chain,
                "the \(ByteCount.format(fileSize)) bundle expands past \(Int(ratio))× its size; reading stopped (limit: --max-ratio)"
            )
            return .stopAll
        case .entrySize:
            report(
                .entryTooLarge, at: chain,
                "entry is larger than \(ByteCount.format(limits.maxEntryBytes)); the rest was skipped (limit: --max-entry-size)"
            )
            return .stopEntry
        case .entryRatio:
            report(
                .zipBomb, at: chain,
                "\(ByteCount.format(compressedSize ?? 0)) compressed expands past \(Int(ratio))× (\(ByteCount.format(entryBytes)) read); the rest was skipped (limit: --max-ratio)"
            )
            return .stopEntry
        }
    }

    /// Maps a libarchive or package error message to the hazard it describes.
    static func classify(_ message: String) -> HazardKind {
        let m = message.lowercased()
        if m.contains("truncat") || m.contains("premature") || m.contains("unexpected end")
            || m.contains("unexpected eof")
        {
            return .truncated
        }
        if m.contains("crc") || m.contains("checksum") { return .crcMismatch }
        if m.contains("encrypt") || m.contains("passphrase") { return .encryptedEntry }
        if m.contains("unsupported") && (m.contains("compression") || m.contains("method")) {
            return .unsupportedCompression
        }
        if m.contains("unrecognized archive format") { return .unreadable }
        return .corrupt
    }

    func finishedReport(summary: BundleSummary) -> BundleReport {
        BundleReport(bundle: summary, hazards: hazardLog.listed, entries: entries)
    }
}

extension HazardKind {
    /// Whether this hazard means some content was never read (or cannot be trusted), so that the
    /// bundle cannot be vouched for: `inspect` then exits 2.
    public var meansContentUnread: Bool {
        switch self {
        case .encryptedEntry, .emptyFile, .truncated, .corrupt, .crcMismatch, .unsupportedCompression,
            .offsetOutOfRange, .unreadable, .zipBomb, .depthLimit, .tooManyEntries, .entryTooLarge,
            .totalSizeLimit, .nestedTooLarge, .timeout, .hiddenEntry, .manifestUnreadable, .packed:
            true
        default:
            false
        }
    }
}

/// Hazards in the order found, at most `maxPerKind` of each kind, the rest counted.
struct HazardLog {
    let maxPerKind: Int
    private var items: [Hazard] = []
    private var counts: [HazardKind: Int] = [:]
    private var firstOmitted: [HazardKind: String] = [:]

    init(maxPerKind: Int) { self.maxPerKind = max(1, maxPerKind) }

    mutating func add(_ hazard: Hazard) {
        let n = counts[hazard.kind, default: 0] + 1
        counts[hazard.kind] = n
        if n <= maxPerKind {
            items.append(hazard)
        } else if firstOmitted[hazard.kind] == nil {
            firstOmitted[hazard.kind] = hazard.location
        }
    }

    var listed: [Hazard] {
        var all = items
        for (kind, count) in counts.sorted(by: { $0.key < $1.key }) where count > maxPerKind {
            all.append(
                Hazard(
                    kind: .hazardsTruncated, location: firstOmitted[kind] ?? "",
                    detail:
                        "\(count - maxPerKind) more \(kind.rawValue) hazards not listed (limit: --max-hazards-per-kind)"
                ))
        }
        return all
    }
}

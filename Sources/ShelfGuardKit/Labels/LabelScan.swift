/// Why a scan stopped before the end of the file: a limit that ends the whole file's reading.
struct LabelStop: Error {
    var kind: LabelHazardKind
    var detail: String
}

/// The text one carrier holds under `AIGC`, before it is decoded and validated.
struct LabelCandidate {
    var carrier: LabelCarrier
    var variants: Set<LabelVariant>
    /// The value as text; nil when it could not even be decoded (see `problems`).
    var text: String?
    /// Problems met before the JSON (a value that is not base64, not a string property).
    var problems: [String] = []
    /// Where, for hazards (`photo.jpg!APP1@0x2`).
    var location: String
}

/// One file's scan: the source with its read budget, the limits, the clock, and what the readers
/// found. Every read of every reader goes through it, so the budget holds whatever the file says.
///
/// It is itself a `RandomAccessSource`, so that the zip directory scanner and the sources built
/// on it (slices, the segments of a JPEG's C2PA store) are bounded the same way.
final class LabelScan: RandomAccessSource {
    let source: any RandomAccessSource
    let limits: LabelLimits
    /// The file's name as locations start with it.
    let name: String
    private let deadline: UInt64
    private(set) var bytesRead: Int64 = 0
    private(set) var structures = 0
    private var overBudget = false
    private(set) var hazards: [LabelHazard] = []
    private var hazardCounts: [LabelHazardKind: Int] = [:]
    static let maxHazardsPerKind = 50

    var candidates: [LabelCandidate] = []
    var c2pa = C2PASummary()
    var length: Int64 { source.length }

    init(source: any RandomAccessSource, name: String, limits: LabelLimits) {
        self.source = source
        self.name = name
        self.limits = limits
        let nanoseconds = max(0, min(limits.timeLimitSeconds, 1e9)) * 1e9
        deadline = Monotonic.now() &+ UInt64(nanoseconds)
    }

    // MARK: - RandomAccessSource, with the budget

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard offset >= 0, offset < length, buffer.count > 0 else { return 0 }
        let wanted = Int(min(Int64(buffer.count), length - offset))
        guard bytesRead + Int64(wanted) <= limits.maxReadBytes else {
            overBudget = true
            throw SourceError(description: "read limit")
        }
        let n = try source.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
        bytesRead += Int64(n)
        return n
    }

    /// Up to `count` bytes at `offset` of the file (fewer only at its end).
    func read(at offset: Int64, count: Int) throws(LabelStop) -> [UInt8] {
        try read(from: self, at: offset, count: count)
    }

    /// Up to `count` bytes at `offset` of a source built on this scan.
    func read(from source: any RandomAccessSource, at offset: Int64, count: Int) throws(LabelStop) -> [UInt8] {
        try checkClock()
        do { return try source.bytes(at: offset, count: count) } catch { throw stop(for: error) }
    }

    /// The stop a failed read means: the read limit, or an I/O error.
    func stop(for error: SourceError) -> LabelStop {
        if overBudget {
            return LabelStop(
                kind: .readLimit,
                detail: "more than \(ByteCount.format(limits.maxReadBytes)) would have been read (limit: --max-read)")
        }
        return LabelStop(kind: .truncated, detail: "the file could not be read: \(error)")
    }

    /// Whether the read limit was what stopped a reader that only saw a `SourceError`.
    var exceededBudget: Bool { overBudget }

    // MARK: - Limits

    /// Counts `count` structures (segments, chunks, boxes, frames, nodes) against the limit, and
    /// checks the clock.
    func step(_ count: Int = 1) throws(LabelStop) {
        structures += count
        if structures > limits.maxStructures {
            throw LabelStop(
                kind: .tooManyStructures,
                detail: "more than \(limits.maxStructures) structures (limit: --max-boxes); the rest was not read")
        }
        try checkClock()
    }

    func checkClock() throws(LabelStop) {
        if Monotonic.now() > deadline {
            throw LabelStop(
                kind: .timeout,
                detail: "reading took more than \(limits.timeLimitSeconds) s (limit: --timeout); the rest was not read")
        }
    }

    /// Whether nesting `depth` is allowed; records a hazard when it is not.
    func allows(depth: Int, at location: String) -> Bool {
        guard depth > limits.maxDepth else { return true }
        hazard(
            .depthLimit, at: location,
            "nested more than \(limits.maxDepth) levels deep (limit: --max-depth); the deeper part was not read")
        return false
    }

    /// Whether a payload of `count` bytes may be held in memory; records a hazard when not.
    func allows(packet count: Int64, at location: String, what: String) -> Bool {
        guard count > Int64(limits.maxPacketBytes) else { return true }
        hazard(
            .packetTooLarge, at: location,
            "\(what) of \(ByteCount.format(count)) is larger than \(ByteCount.format(Int64(limits.maxPacketBytes))) (limit: --max-packet-size); not read"
        )
        return false
    }

    /// Records that a payload grew past the packet limit while being inflated.
    func inflatedTooLarge(at location: String, what: String) {
        hazard(
            .packetTooLarge, at: location,
            "\(what) inflates to more than \(ByteCount.format(Int64(limits.maxPacketBytes))) (limit: --max-packet-size); not read"
        )
    }

    // MARK: - Findings

    /// `name!path`.
    func location(_ path: String) -> String { path.isEmpty ? name : name + "!" + path }

    /// Records a hazard (past 50 of one kind, only counted).
    func hazard(_ kind: LabelHazardKind, at location: String, _ detail: String) {
        let seen = hazardCounts[kind, default: 0]
        hazardCounts[kind] = seen + 1
        if seen < LabelScan.maxHazardsPerKind {
            hazards.append(LabelHazard(kind: kind, location: location, detail: detail))
        }
    }

    /// Records the hazard a stop stands for.
    func record(_ stop: LabelStop, at location: String) {
        hazard(stop.kind, at: location, stop.detail)
    }

    /// Hazards with the overflow counted in one `hazards_truncated` per kind.
    var finishedHazards: [LabelHazard] {
        var result = hazards
        for (kind, count) in hazardCounts.sorted(by: { $0.key.rawValue < $1.key.rawValue })
        where count > LabelScan.maxHazardsPerKind {
            result.append(
                LabelHazard(
                    kind: .hazardsTruncated, at: name,
                    "\(count - LabelScan.maxHazardsPerKind) more \(kind.rawValue) hazards not listed"))
        }
        return result
    }

    /// Adds a label candidate found in the file.
    func found(
        _ carrier: LabelCarrier, _ text: String?, variants: Set<LabelVariant> = [], problems: [String] = [],
        at location: String
    ) {
        candidates.append(
            LabelCandidate(carrier: carrier, variants: variants, text: text, problems: problems, location: location))
    }
}

extension LabelHazard {
    init(kind: LabelHazardKind, at location: String, _ detail: String) {
        self.init(kind: kind, location: location, detail: detail)
    }
}

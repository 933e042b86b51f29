/// Runs the feature database over a bundle as the reader streams it: names and kinds when each
/// entry starts, magic numbers on its first bytes, and every content pattern in one automaton pass
/// over the bytes of code and text entries. A DEX is searched through its string table (where its
/// class descriptors, hosts and URLs are), string by string, not through its bytecode; where its
/// layout defeats the walk, the bytes concerned are searched byte by byte for every string, host
/// and class, and a `dex_unwalkable` hazard says so.
public struct DetectorVisitor: BackgroundableVisitor {
    var run: DetectionRun
    let engine: SignatureEngine
    /// The bundle's display name: the first element of every location.
    private let bundleName: String
    /// Most strings a DEX's string table may list before the DEX is searched byte by byte.
    let dexStringLimit: Int
    /// Whether any string or host matcher searches DEX strings.
    private let scansDEXStrings: Bool

    private var scanner: PatternScanner
    private var scanning = false
    private var walker: DexStringWalker?
    private var seenPatterns = Set<Int>()
    /// Matchers already recorded for the current DEX: one place per DEX, however many classes.
    private var seenRefs = Set<SignatureEngine.Ref>()
    private var atStart = false
    private var currentKind = ContentKind.binary
    /// The DEX string being read: its first bytes (for classes and evidence) and patterns found.
    private var string: [UInt8] = []
    private var stringMatches: [Int] = []
    /// Bytes of a DEX string kept for class matching and evidence.
    static let keptPrefix = 512
    /// The default for `dexStringLimit`: real DEX files list a few hundred thousand strings at
    /// most; the ids of 4 million take 16 MB.
    public static let defaultDexStringLimit = 4_000_000
    /// The byte scan of a DEX that cannot be walked: what it found while it may not count yet,
    /// and why it counts once it does.
    private var fallbackScanner: PatternScanner
    private var fallbackSeen = Set<Int>()
    private var fallbackPending: [Int] = []
    private var unwalkable: DexStringWalker.Unwalkable?
    /// The last bytes before the current chunk, for matches that must follow a NUL.
    private var tail: [UInt8] = []
    private var keepsTail = false

    /// - Parameters:
    ///   - dexStringLimit: most strings a DEX may list before it is searched byte by byte (with a
    ///     `dex_unwalkable` hazard) instead of through its string table, which is held in memory.
    ///   - maxHazardsPerKind: hazards of one kind listed before the rest are only counted.
    public init(
        engine: SignatureEngine, bundleName: String, dexStringLimit: Int = DetectorVisitor.defaultDexStringLimit,
        maxHazardsPerKind: Int = ReadLimits.standard.maxHazardsPerKind
    ) {
        self.engine = engine
        self.bundleName = bundleName
        self.dexStringLimit = dexStringLimit
        self.scansDEXStrings = engine.contentTables.scannedKinds.contains(.dex)
        self.run = DetectionRun(engine: engine, maxHazardsPerKind: maxHazardsPerKind)
        self.scanner = engine.content.scanner()
        self.fallbackScanner = engine.dexFallback.scanner()
    }

    private func location(_ entry: BundleEntry) -> String { entry.location(in: bundleName) }

    public func interest(in entry: BundleEntry) -> EntryInterest {
        if entry.kind == .dex || engine.contentTables.scannedKinds.contains(entry.kind) { return .all }
        return engine.magics.isEmpty ? .none : .head
    }

    public mutating func wantsContent(of entry: BundleEntry) -> Bool {
        currentKind = entry.kind
        seenPatterns.removeAll(keepingCapacity: true)
        seenRefs.removeAll(keepingCapacity: true)
        walker = entry.kind == .dex ? DexStringWalker(stringLimit: dexStringLimit) : nil
        scanning = walker == nil && engine.contentTables.scannedKinds.contains(entry.kind)
        scanner.reset()
        keepsTail = scanning && engine.contentTables.nulBoundedKinds.contains(entry.kind)
        tail.removeAll(keepingCapacity: true)
        if walker != nil {
            fallbackScanner.reset()
            fallbackSeen.removeAll(keepingCapacity: true)
            fallbackPending.removeAll(keepingCapacity: true)
            unwalkable = nil
        }
        atStart = !engine.magics.isEmpty
        return scanning || walker != nil || atStart
    }

    public mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        if atStart {
            atStart = false
            for magic in engine.magics where magic.offset + magic.bytes.count <= chunk.count {
                if chunk[magic.offset..<(magic.offset + magic.bytes.count)].elementsEqual(magic.bytes) {
                    run.record(
                        magic.ref, location: location(entry), evidence: "magic \(EntryName.display(magic.bytes))")
                }
            }
        }
        if walker != nil { readStrings(chunk, of: entry) }
        if scanning {
            let chunkStart = scanner.offset
            var found: [(pattern: Int, end: Int64)] = []
            scanner.scan(chunk) { pattern, end in found.append((pattern, end)) }
            for (pattern, end) in found {
                var afterNUL = false
                if engine.contentTables.checksNUL[pattern] {
                    let before = end - Int64(engine.content.patterns[pattern].count) - 1
                    afterNUL = byte(at: before, chunk, chunkStart: chunkStart) == 0
                }
                recordContent(pattern, afterNUL: afterNUL, entry: entry)
            }
            if keepsTail { keepTail(chunk) }
        }
    }

    /// The entry's byte at a stream offset, from this chunk or the tail kept from earlier ones.
    private func byte(at offset: Int64, _ chunk: UnsafeRawBufferPointer, chunkStart: Int64) -> UInt8? {
        guard offset >= 0 else { return nil }
        if offset >= chunkStart { return chunk[Int(offset - chunkStart)] }
        let back = Int(chunkStart - offset)
        return back <= tail.count ? tail[tail.count - back] : nil
    }

    /// Keeps the entry's last bytes: enough to see the byte before the longest NUL-bounded pattern.
    private mutating func keepTail(_ chunk: UnsafeRawBufferPointer) {
        let keep = engine.contentTables.longestNULBounded + 1
        if chunk.count >= keep {
            tail.removeAll(keepingCapacity: true)
            tail.append(contentsOf: chunk[(chunk.count - keep)...])
        } else {
            tail.append(contentsOf: chunk)
            if tail.count > keep { tail.removeFirst(tail.count - keep) }
        }
    }

    /// Feeds a DEX chunk to the string-table walker and matches each complete string.
    private mutating func readStrings(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        // The walker is taken out of self while it calls back into self.
        guard var walker = self.walker else { return }
        defer { self.walker = walker }
        walker.feed(chunk) { event in handle(event, of: entry) }
    }

    private mutating func handle(_ event: DexStringWalker.Event, of entry: BundleEntry) {
        switch event {
        case .begin:
            string.removeAll(keepingCapacity: true)
            stringMatches.removeAll(keepingCapacity: true)
            scanner.reset()
        case .bytes(let bytes):
            if string.count < DetectorVisitor.keptPrefix {
                // Appended as a buffer, not a slice: a slice took the element-by-element path, a
                // tenth of the instructions of a DEX's strings.
                let kept = min(bytes.count, DetectorVisitor.keptPrefix - string.count)
                string.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[..<kept]))
            }
            if scansDEXStrings {
                // Moved out and back rather than copied, so that appending never copies the list.
                var matches: [Int] = []
                swap(&matches, &stringMatches)
                scanner.scan(bytes) { pattern, _ in matches.append(pattern) }
                swap(&matches, &stringMatches)
            }
        case .end:
            var refs: [SignatureEngine.Ref] = []
            if string.first == UInt8(ascii: "L") {
                string.withUnsafeBytes { bytes in engine.classes.prefixes(of: bytes) { refs.append($0) } }
            }
            for pattern in stringMatches {
                for use in engine.contentTables.contentRefs[pattern] where use.scope.contains(.dex) && !use.afterNUL {
                    refs.append(use.ref)
                }
            }
            if !refs.isEmpty {
                let shown = EntryName.display(string)
                for ref in refs where seenRefs.insert(ref).inserted {
                    run.record(ref, location: location(entry), evidence: shown)
                }
            }
        case .raw(let bytes):
            var found: [Int] = []
            fallbackScanner.scan(bytes) { pattern, _ in found.append(pattern) }
            for pattern in found where fallbackSeen.insert(pattern).inserted {
                if unwalkable != nil {
                    recordFallback(pattern, entry: entry)
                } else {
                    fallbackPending.append(pattern)
                }
            }
        case .unwalkable(let reason):
            unwalkable = reason
            for pattern in fallbackPending { recordFallback(pattern, entry: entry) }
            fallbackPending.removeAll()
        case .walked:
            fallbackPending.removeAll()
            fallbackSeen.removeAll()
            fallbackScanner.reset()
        }
    }

    private mutating func recordFallback(_ pattern: Int, entry: BundleEntry) {
        for (ref, evidence) in engine.contentTables.dexFallbackRefs[pattern] where seenRefs.insert(ref).inserted {
            run.record(ref, location: location(entry), evidence: evidence)
        }
    }

    /// Records the matchers a content pattern found, once per entry; those that need a NUL before
    /// the match only when there is one.
    private mutating func recordContent(_ pattern: Int, afterNUL: Bool, entry: BundleEntry) {
        let plain = !seenPatterns.contains(pattern)
        let bounded = afterNUL && !seenPatterns.contains(~pattern)
        guard plain || bounded else { return }
        if plain { seenPatterns.insert(pattern) }
        if bounded { seenPatterns.insert(~pattern) }
        for use in engine.contentTables.contentRefs[pattern]
        where use.scope.contains(currentKind) && (use.afterNUL ? bounded : plain) {
            run.record(
                use.ref, location: location(entry),
                evidence: use.evidence ?? EntryName.display(engine.content.patterns[pattern]))
        }
    }

    public mutating func finish(_ entry: BundleEntry, complete: Bool) {
        if var walker {
            walker.finish { event in handle(event, of: entry) }
            // An entry cut short already has its hazard (a limit, damage); that is not the DEX's doing.
            if let unwalkable, complete || !unwalkable.isEarlyEnd {
                run.hazard(
                    .dexUnwalkable, location: location(entry),
                    detail:
                        "the DEX's string table cannot be walked: \(unwalkable.detail); it was searched byte by byte for every string, host and class of the feature database"
                )
            }
        }
        scanning = false
        walker = nil
        unwalkable = nil
        observe(location: location(entry), name: entry.name, kind: entry.kind)
    }

    /// Name, folder, extension and kind matchers for one entry. Names are matched ignoring case:
    /// the engine's keys are lowercased, and so is the name, once.
    /// Matches an entry's name: its folders, its file name and extension, the globs whose literal
    /// start it has, and its content kind. The work is on the name's UTF-8 bytes; a component
    /// becomes a string only when it is short enough to be some signature's name, so a hostile
    /// name of thousands of bytes costs a few passes over its bytes and no more.
    mutating func observe(location path: String, name: String, kind: ContentKind) {
        let slash = UInt8(ascii: "/")
        var ascii = true
        var folded = [UInt8]()
        folded.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            if byte >= 0x80 { ascii = false }
            folded.append(byte &- 0x41 < 26 ? byte | 0x20 : byte)
        }
        if !ascii { folded = Array(name.lowercased().utf8) }  // lowercasing never makes or takes a "/"
        // Component ranges, empty components included (the globs' prefixes need them).
        var ranges: [Range<Int>] = []
        var start = 0
        for (i, byte) in folded.enumerated() where byte == slash {
            ranges.append(start..<i)
            start = i + 1
        }
        ranges.append(start..<folded.count)
        // The original spelling of component `i`, for evidence (only when something matched).
        // Lowercasing keeps every "/" and makes none, so the components line up.
        func original(_ i: Int) -> String {
            let components = name.utf8.split(separator: slash, omittingEmptySubsequences: false)
            return i < components.count ? String(decoding: components[i], as: UTF8.self) : name
        }
        func key(_ range: Range<Int>) -> String? {
            guard !range.isEmpty, range.count <= engine.longestName else { return nil }
            return String(decoding: folded[range], as: UTF8.self)
        }
        let last = ranges.count - 1
        for (i, range) in ranges.enumerated() where !range.isEmpty {
            let isName = i == last && kind != .directory
            if isName {
                if let key = key(range) {
                    for ref in engine.byFile[key] ?? [] { run.record(ref, location: path, evidence: original(i)) }
                }
                let ext = folded[range].withUnsafeBufferPointer { ContentKind.fileExtension(folded: $0) }
                if let ext {
                    for ref in engine.byExtension[ext] ?? [] { run.record(ref, location: path, evidence: original(i)) }
                }
            } else if let key = key(range) {
                for ref in engine.byDirectory[key] ?? [] { run.record(ref, location: path, evidence: original(i)) }
            }
        }
        if !engine.globs.isEmpty {
            // Only globs whose literal start this path has: the prefixes of its folder path.
            var parts: [ArraySlice<UInt8>]?
            for depth in 0..<ranges.count {
                let prefixEnd = depth == 0 ? 0 : ranges[depth - 1].upperBound
                guard prefixEnd <= engine.longestGlobPrefix else { break }
                let prefix = String(decoding: folded[0..<prefixEnd], as: UTF8.self)
                guard let candidates = engine.globs[prefix] else { continue }
                let components = parts ?? ranges.map { folded[$0] }
                parts = components
                for (glob, ref) in candidates where glob.matches(components: components) {
                    run.record(ref, location: path, evidence: name)
                }
            }
        }
        for ref in engine.byKind[kind] ?? [] {
            run.record(ref, location: path, evidence: "content is \(kind.rawValue)")
        }
    }
}

/// Two visitors in one pass: the manifest collector and the detector see every entry once.
struct PairedVisitor<First: EntryVisitor, Second: EntryVisitor>: EntryVisitor {
    var first: First
    var second: Second
    private var wants = (false, false)

    init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    mutating func wantsContent(of entry: BundleEntry) -> Bool {
        wants = (first.wantsContent(of: entry), second.wantsContent(of: entry))
        return wants.0 || wants.1
    }

    mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        if wants.0 { first.consume(chunk, of: entry) }
        if wants.1 { second.consume(chunk, of: entry) }
    }

    mutating func finish(_ entry: BundleEntry, complete: Bool) {
        first.finish(entry, complete: complete)
        second.finish(entry, complete: complete)
        wants = (false, false)
    }
}

/// Runs the feature database over a bundle as the reader streams it: names and kinds when each
/// entry starts, magic numbers on its first bytes, and every content pattern in one automaton pass
/// over the bytes of code and text entries. A DEX is searched through its string table (where its
/// class descriptors, hosts and URLs are), string by string, not through its bytecode.
public struct DetectorVisitor: BackgroundableVisitor {
    var run: DetectionRun
    let engine: SignatureEngine
    /// The bundle's display name: the first element of every location.
    private let bundleName: String

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

    public init(engine: SignatureEngine, bundleName: String) {
        self.engine = engine
        self.bundleName = bundleName
        self.run = DetectionRun(engine: engine)
        self.scanner = engine.content.scanner()
    }

    private func location(_ entry: BundleEntry) -> String { entry.location(in: bundleName) }

    public func interest(in entry: BundleEntry) -> EntryInterest {
        if entry.kind == .dex || engine.scannedKinds.contains(entry.kind) { return .all }
        return engine.magics.isEmpty ? .none : .head
    }

    public mutating func wantsContent(of entry: BundleEntry) -> Bool {
        currentKind = entry.kind
        seenPatterns.removeAll(keepingCapacity: true)
        seenRefs.removeAll(keepingCapacity: true)
        walker = entry.kind == .dex ? DexStringWalker() : nil
        scanning = walker == nil && engine.scannedKinds.contains(entry.kind)
        scanner.reset()
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
        if walker != nil {
            readStrings(chunk, of: entry)
            // A DEX whose header the walker cannot follow is searched byte by byte instead.
            if walker?.gaveUp == true {
                walker = nil
                scanning = engine.scannedKinds.contains(.dex)
            }
        }
        if scanning {
            var found: [Int] = []
            scanner.scan(chunk) { pattern, _ in found.append(pattern) }
            for pattern in found where seenPatterns.insert(pattern).inserted {
                recordContent(pattern, entry: entry, evidence: EntryName.display(engine.content.patterns[pattern]))
            }
        }
    }

    /// Feeds a DEX chunk to the string-table walker and matches each complete string.
    private mutating func readStrings(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        var events: [(SignatureEngine.Ref, String)] = []
        let scanStrings = engine.scannedKinds.contains(.dex)
        // The walker is taken out of self while it calls back into self.
        guard var walker = self.walker else { return }
        defer { self.walker = walker }
        walker.feed(chunk) { event in
            switch event {
            case .begin:
                string.removeAll(keepingCapacity: true)
                stringMatches.removeAll(keepingCapacity: true)
                scanner.reset()
            case .bytes(let bytes):
                if string.count < DetectorVisitor.keptPrefix {
                    string.append(contentsOf: bytes.prefix(DetectorVisitor.keptPrefix - string.count))
                }
                if scanStrings {
                    var matches = stringMatches
                    scanner.scan(bytes) { pattern, _ in matches.append(pattern) }
                    stringMatches = matches
                }
            case .end:
                var refs: [SignatureEngine.Ref] = []
                if string.first == UInt8(ascii: "L") {
                    string.withUnsafeBytes { bytes in engine.classes.prefixes(of: bytes) { refs.append($0) } }
                }
                for pattern in stringMatches {
                    for (ref, scope) in engine.contentRefs[pattern] where scope.contains(.dex) { refs.append(ref) }
                }
                if !refs.isEmpty {
                    let shown = EntryName.display(string)
                    events += refs.map { ($0, shown) }
                }
            }
        }
        for (ref, evidence) in events where seenRefs.insert(ref).inserted {
            run.record(ref, location: location(entry), evidence: evidence)
        }
    }

    private mutating func recordContent(_ pattern: Int, entry: BundleEntry, evidence: String) {
        for (ref, scope) in engine.contentRefs[pattern] where scope.contains(currentKind) {
            run.record(ref, location: location(entry), evidence: evidence)
        }
    }

    public mutating func finish(_ entry: BundleEntry, complete: Bool) {
        scanning = false
        walker = nil
        observe(location: location(entry), name: entry.name, kind: entry.kind)
    }

    /// Name, folder, extension and kind matchers for one entry.
    mutating func observe(location path: String, name: String, kind: ContentKind) {
        var components = name.split(separator: "/").map(String.init)
        if kind == .directory {
            for folder in components {
                for ref in engine.byDirectory[folder] ?? [] { run.record(ref, location: path, evidence: folder) }
            }
            components = []
        }
        if let last = components.last {
            for ref in engine.byFile[last] ?? [] { run.record(ref, location: path, evidence: last) }
            if let ext = ContentKind.fileExtension(of: last) {
                for ref in engine.byExtension[ext] ?? [] { run.record(ref, location: path, evidence: last) }
            }
        }
        for folder in components.dropLast() {
            for ref in engine.byDirectory[folder] ?? [] { run.record(ref, location: path, evidence: folder) }
        }
        if !engine.globs.isEmpty {
            // Only globs whose literal start this path has: the prefixes of its folder path.
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            let bytes = parts.map { Array($0.utf8) }
            var prefix = ""
            for depth in 0..<parts.count {
                if depth > 0 { prefix += (depth > 1 ? "/" : "") + parts[depth - 1] }
                for (glob, ref) in engine.globs[prefix] ?? [] where glob.matches(components: bytes) {
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

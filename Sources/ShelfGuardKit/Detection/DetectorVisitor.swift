/// Runs the feature database over a bundle as the reader streams it: names and kinds when each
/// entry starts, magic numbers on its first bytes, every content pattern in one automaton pass
/// over its bytes, and, for DEX files, the string table's class descriptors.
public struct DetectorVisitor: EntryVisitor {
    var run: DetectionRun
    let engine: SignatureEngine
    /// The bundle's display name: the first element of every location.
    private let bundleName: String

    private var scanner: PatternScanner?
    private var walker: DexStringWalker?
    private var seenPatterns = Set<Int>()
    private var atStart = false
    private var currentKind = ContentKind.binary

    public init(engine: SignatureEngine, bundleName: String) {
        self.engine = engine
        self.bundleName = bundleName
        self.run = DetectionRun(engine: engine)
    }

    private func location(_ entry: BundleEntry) -> String { entry.location(in: bundleName) }

    public mutating func wantsContent(of entry: BundleEntry) -> Bool {
        currentKind = entry.kind
        seenPatterns.removeAll(keepingCapacity: true)
        scanner = engine.scannedKinds.contains(entry.kind) ? engine.content.scanner() : nil
        walker = entry.kind == .dex && engine.hasClassMatchers ? DexStringWalker() : nil
        atStart = !engine.magics.isEmpty
        return scanner != nil || walker != nil || atStart
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
        if scanner != nil {
            var found: [Int] = []
            scanner!.scan(chunk) { pattern, _ in found.append(pattern) }
            for pattern in found where seenPatterns.insert(pattern).inserted {
                let text = EntryName.display(engine.content.patterns[pattern])
                for (ref, scope) in engine.contentRefs[pattern] where scope.contains(currentKind) {
                    run.record(ref, location: location(entry), evidence: text)
                }
            }
        }
        if walker != nil {
            var matched: [(SignatureEngine.Ref, String)] = []
            walker!.feed(chunk) { descriptor in
                engine.classes.prefixes(of: descriptor) { ref in
                    matched.append((ref, EntryName.display(descriptor)))
                }
            }
            for (ref, descriptor) in matched { run.record(ref, location: location(entry), evidence: descriptor) }
        }
    }

    public mutating func finish(_ entry: BundleEntry, complete: Bool) {
        scanner = nil
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
        for (glob, ref) in engine.globs where glob.matches(name) {
            run.record(ref, location: path, evidence: name)
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

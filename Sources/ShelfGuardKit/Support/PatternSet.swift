/// Many byte patterns searched at once, in one pass, across chunk boundaries: an Aho–Corasick
/// automaton compiled to a dense table over byte classes (bytes no pattern uses share one class,
/// so the table stays small and the scan loop is one load per byte).
public struct PatternSet: Sendable {
    /// The patterns, by index.
    public let patterns: [[UInt8]]
    /// Whether ASCII letters match regardless of case.
    public let caseInsensitive: Bool
    let classOf: [UInt8]
    let classCount: Int
    /// Next state for (state, class), stored premultiplied: entry `state * classCount + class`
    /// holds `nextState * classCount`, negated when the next state has an output, so that the
    /// scan loop is one load and one sign test per byte. Compiled here, or the bytes of a
    /// snapshot used where they lie (`SnapshotReader.transitions`).
    let table: TransitionTable
    /// The first pattern ending in each state, or -1.
    let firstOutput: [Int32]
    /// The next state (by suffix link) that also has an output, or -1.
    let outputLink: [Int32]
    /// Patterns ending in a state beyond its first: `(state, pattern)` pairs in state order.
    let extraOutputs: [Int32: [Int32]]
    /// For each byte, whether it leaves the start state: the bytes that can begin a pattern. The
    /// scan skips the others without touching the transition table.
    let startsPattern: [Bool]
    /// For each pair of bytes (bit `first << 8 | second`), whether a pattern can begin with them:
    /// the start state's filter where two bytes are at hand, far more selective on text than
    /// one (most letters begin some pattern; few pairs do). A pattern of one byte marks every
    /// pair it begins.
    let startsPair: [UInt8]

    /// Compiles `patterns` (empty patterns are ignored).
    public init(_ patterns: [[UInt8]], caseInsensitive: Bool = false) {
        self.patterns = patterns
        self.caseInsensitive = caseInsensitive
        func fold(_ b: UInt8) -> UInt8 { caseInsensitive && (0x41...0x5A).contains(b) ? b | 0x20 : b }

        // Byte classes: one per distinct (folded) byte used, class 0 for the rest.
        var classOf = [UInt8](repeating: 0, count: 256)
        var isUsed = [Bool](repeating: false, count: 256)
        for pattern in patterns { for b in pattern { isUsed[Int(fold(b))] = true } }
        let used = (0..<256).filter { isUsed[$0] }
        precondition(used.count < 255, "too many distinct bytes for one pattern set")
        for (i, b) in used.enumerated() { classOf[b] = UInt8(i + 1) }
        if caseInsensitive {
            for upper in UInt8(0x41)...UInt8(0x5A) { classOf[Int(upper)] = classOf[Int(upper | 0x20)] }
        }
        let classes = used.count + 1

        // The trie, flat: the child of `state` by class `c` at `state * classes + c`, -1 for none.
        var trie = [Int32](repeating: -1, count: classes)
        var outputs: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var state = 0
            for b in pattern {
                let slot = state * classes + Int(classOf[Int(b)])
                if trie[slot] < 0 {
                    trie[slot] = Int32(outputs.count)
                    trie.append(contentsOf: repeatElement(-1, count: classes))
                    outputs.append([])
                }
                state = Int(trie[slot])
            }
            outputs[state].append(Int32(index))
        }
        let stateCount = outputs.count

        // Breadth-first: failure links, then the dense transition table.
        var fail = [Int32](repeating: 0, count: stateCount)
        var link = [Int32](repeating: -1, count: stateCount)
        var table = [Int32](repeating: 0, count: stateCount * classes)
        var queue: [Int] = []
        queue.reserveCapacity(stateCount)
        for c in 0..<classes {
            let child = trie[c]
            if child >= 0 {
                table[c] = child
                queue.append(Int(child))
            }
        }
        var head = 0
        trie.withUnsafeBufferPointer { trie in
            table.withUnsafeMutableBufferPointer { table in
                while head < queue.count {
                    let state = queue[head]
                    head += 1
                    let f = Int(fail[state])
                    link[state] = outputs[f].isEmpty ? link[f] : Int32(f)
                    let row = state * classes
                    let failRow = f * classes
                    for c in 0..<classes {
                        let child = trie[row + c]
                        if child >= 0 {
                            fail[Int(child)] = table[failRow + c]
                            table[row + c] = child
                            queue.append(Int(child))
                        } else {
                            table[row + c] = table[failRow + c]
                        }
                    }
                }
            }
        }
        var extra: [Int32: [Int32]] = [:]
        for (state, list) in outputs.enumerated() where list.count > 1 { extra[Int32(state)] = Array(list.dropFirst()) }
        // Premultiply, and mark transitions into states that report something.
        let reports = (0..<stateCount).map { !outputs[$0].isEmpty || link[$0] >= 0 }
        for k in table.indices {
            let target = Int(table[k])
            precondition(target * classes < Int(Int32.max), "pattern set too large")
            table[k] = Int32(target * classes) * (reports[target] ? -1 : 1)
        }
        // State 0 never reports (patterns are not empty), so -0 never occurs.

        self.classOf = classOf
        self.classCount = classes
        self.startsPattern = (0..<256).map { table[Int(classOf[$0])] != 0 }
        self.startsPair = Self.pairs(patterns, caseInsensitive: caseInsensitive)
        self.table = TransitionTable(copying: table)
        self.firstOutput = outputs.map { $0.first ?? -1 }
        self.outputLink = link
        self.extraOutputs = extra
    }

    /// Compiles string patterns as UTF-8.
    public init(strings: [String], caseInsensitive: Bool = false) {
        self.init(strings.map { Array($0.utf8) }, caseInsensitive: caseInsensitive)
    }

    /// The pairs of bytes patterns begin with, as bits (see `startsPair`), each letter in both
    /// cases when case is folded.
    static func pairs(_ patterns: [[UInt8]], caseInsensitive: Bool) -> [UInt8] {
        var bits = [UInt8](repeating: 0, count: 65_536 / 8)
        func cases(_ b: UInt8) -> [UInt8] {
            guard caseInsensitive else { return [b] }
            if (0x41...0x5A).contains(b) { return [b, b | 0x20] }
            if (0x61...0x7A).contains(b) { return [b, b & ~0x20] }
            return [b]
        }
        for pattern in patterns where !pattern.isEmpty {
            let seconds = pattern.count > 1 ? cases(pattern[1]) : (0...255).map { UInt8($0) }
            for first in cases(pattern[0]) {
                for second in seconds {
                    let pair = Int(first) << 8 | Int(second)
                    bits[pair >> 3] |= 1 << UInt8(pair & 7)
                }
            }
        }
        return bits
    }

    /// The transition table's entries (see `table`), as an array.
    var next: [Int32] { Array(table.entries) }
    /// States of the automaton (its size grows with the patterns).
    public var stateCount: Int { table.count / max(classCount, 1) }
    /// Bytes of the transition table.
    public var tableBytes: Int { table.count * MemoryLayout<Int32>.size }

    /// A fresh scan over a stream of chunks.
    public func scanner() -> PatternScanner { PatternScanner(set: self) }

    /// The indexes of every pattern found in `bytes` (each once), for small inputs and tests.
    public func matches(in bytes: [UInt8]) -> Set<Int> {
        var found = Set<Int>()
        var scanner = scanner()
        bytes.withUnsafeBytes { scanner.scan($0) { pattern, _ in found.insert(pattern) } }
        return found
    }
}

/// The running state of one scan; feed it chunks in order.
public struct PatternScanner: Sendable {
    let set: PatternSet
    /// The current state, premultiplied by the class count.
    private var state: Int32 = 0
    /// Bytes scanned so far.
    public private(set) var offset: Int64 = 0

    init(set: PatternSet) { self.set = set }

    /// Scans the next chunk; `onMatch(pattern, end)` gets each match with the stream offset just
    /// past its last byte.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer, onMatch: (Int, Int64) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var row = Int(self.state)  // the current state, premultiplied
        let start = offset
        let classes = set.classCount
        let count = chunk.count
        // Valid throughout: this scanner's `set` holds the table, and the table its bytes.
        let next = set.table.entries
        set.classOf.withUnsafeBufferPointer { classOf in
            set.startsPattern.withUnsafeBufferPointer { starts in
                set.startsPair.withUnsafeBufferPointer { pairs in
                    let bytes = base.assumingMemoryBound(to: UInt8.self)
                    var i = 0
                    while i < count {
                        let stop = PatternScanner.run(
                            next: next.baseAddress!, classOf: classOf.baseAddress!, starts: starts.baseAddress!,
                            pairs: pairs.baseAddress!, bytes: bytes, from: i, to: count, row: &row)
                        i = stop
                        if row < 0 {
                            row = -row
                            report(Int32(row / classes), end: start + Int64(i), onMatch)
                        }
                    }
                }
            }
        }
        self.state = Int32(row)
        offset += Int64(count)
    }

    /// The hot loop, with no calls in it: advances through `bytes[from..<to]` and stops just after
    /// a byte that enters a reporting state (leaving `row` negated), or at `to`. While in the start
    /// state, positions where no pattern can begin are skipped with one bit test each, on the
    /// byte and the one after it (on the byte alone for the chunk's last, whose next byte is not
    /// at hand yet): no pattern begins where its first two bytes are not.
    @inline(__always)
    private static func run(
        next: UnsafePointer<Int32>, classOf: UnsafePointer<UInt8>, starts: UnsafePointer<Bool>,
        pairs: UnsafePointer<UInt8>, bytes: UnsafePointer<UInt8>, from: Int, to: Int, row: inout Int
    ) -> Int {
        var i = from
        var r = row
        while i < to {
            if r == 0 {
                while i &+ 1 < to {
                    let pair = Int(bytes[i]) &<< 8 | Int(bytes[i &+ 1])
                    if pairs[pair &>> 3] & (1 &<< UInt8(pair & 7)) != 0 { break }
                    i &+= 1
                }
                if i &+ 1 >= to {
                    while i < to && !starts[Int(bytes[i])] { i &+= 1 }
                    if i == to { break }
                }
            }
            let t = Int(next[r &+ Int(classOf[Int(bytes[i])])])
            i &+= 1
            if t < 0 {
                row = t
                return i
            }
            r = t
        }
        row = r
        return i
    }

    /// Starts over, as at the beginning of a new stream (for scanning many short strings).
    public mutating func reset() {
        state = 0
        offset = 0
    }

    private func report(_ state: Int32, end: Int64, _ onMatch: (Int, Int64) -> Void) {
        var s = state
        while s >= 0 {
            let first = set.firstOutput[Int(s)]
            if first >= 0 {
                onMatch(Int(first), end)
                for more in set.extraOutputs[s] ?? [] { onMatch(Int(more), end) }
            }
            s = set.outputLink[Int(s)]
        }
    }
}

extension PatternSet {
    /// The compiled tables as they are, for a snapshot (`SignatureSnapshot`): read back by
    /// `read(from:)` in a copy of memory instead of compiling the patterns again.
    func write(to w: inout SnapshotWriter) {
        w.bool(caseInsensitive)
        w.count(patterns.count)
        for pattern in patterns { w.raw(pattern) }
        w.raw(classOf)
        w.count(classCount)
        // As it is in memory (premultiplied), aligned, for `read` to use where it lies.
        w.alignedInt32s(table.entries)
        w.int32s(firstOutput)
        w.int32s(outputLink)
        let extra = extraOutputs.sorted { $0.key < $1.key }
        w.count(extra.count)
        for (state, patterns) in extra {
            w.count(Int(state))
            w.int32s(patterns)
        }
    }

    /// Tables written by `write(to:)`, checked so that no scan can leave them: every transition
    /// leads to a row of the table, every output names a pattern, and the output links end.
    /// Anything else is `Invalid`, and the patterns are compiled again.
    static func read(from r: inout SnapshotReader) throws(SnapshotReader.Invalid) -> PatternSet {
        let caseInsensitive = try r.bool()
        var patterns: [[UInt8]] = []
        for _ in 0..<(try r.count()) { patterns.append(try r.raw()) }
        let classOf = try r.raw()
        let classCount = try r.count()
        guard classOf.count == 256, (1...256).contains(classCount), classOf.allSatisfy({ Int($0) < classCount })
        else { throw .init() }
        let next = try r.transitions(classCount: classCount)
        let states = next.count / classCount
        let firstOutput = try r.int32s()
        let outputLink = try r.int32s()
        guard firstOutput.count == states, outputLink.count == states,
            firstOutput.allSatisfy({ $0 >= -1 && Int($0) < patterns.count }),
            outputLink.allSatisfy({ $0 >= -1 && Int($0) < states })
        else { throw .init() }
        // Output links must end: a loop would keep a match's report going forever.
        var done = [UInt8](repeating: 0, count: states)  // 0 unseen, 1 on the current walk, 2 ends
        var walk: [Int] = []
        for start in 0..<states where done[start] == 0 {
            var state = start
            walk.removeAll(keepingCapacity: true)
            while state >= 0 && done[state] == 0 {
                done[state] = 1
                walk.append(state)
                state = Int(outputLink[state])
            }
            guard state < 0 || done[state] == 2 else { throw .init() }
            for visited in walk { done[visited] = 2 }
        }
        var extra: [Int32: [Int32]] = [:]
        for _ in 0..<(try r.count()) {
            let state = try r.count()
            let more = try r.int32s()
            guard state < states, extra[Int32(state)] == nil, more.allSatisfy({ $0 >= 0 && Int($0) < patterns.count })
            else { throw .init() }
            extra[Int32(state)] = more
        }
        return PatternSet(
            patterns: patterns, caseInsensitive: caseInsensitive, classOf: classOf, classCount: classCount,
            next: next, firstOutput: firstOutput, outputLink: outputLink, extraOutputs: extra)
    }

    /// A pattern set from tables already compiled (and checked).
    private init(
        patterns: [[UInt8]], caseInsensitive: Bool, classOf: [UInt8], classCount: Int, next: TransitionTable,
        firstOutput: [Int32], outputLink: [Int32], extraOutputs: [Int32: [Int32]]
    ) {
        self.patterns = patterns
        self.caseInsensitive = caseInsensitive
        self.classOf = classOf
        self.classCount = classCount
        self.table = next
        self.firstOutput = firstOutput
        self.outputLink = outputLink
        self.extraOutputs = extraOutputs
        self.startsPattern = (0..<256).map { next.entries[Int(classOf[$0])] != 0 }
        self.startsPair = Self.pairs(patterns, caseInsensitive: caseInsensitive)
    }

    /// Whether these are the tables `PatternSet(patterns, caseInsensitive:)` compiles: the same
    /// patterns in the same order, and the same folding.
    func compiles(_ patterns: [[UInt8]], caseInsensitive: Bool = false) -> Bool {
        self.caseInsensitive == caseInsensitive && self.patterns == patterns
    }
}

/// A pattern set's transition table: an array it compiled, or a stretch of a snapshot's bytes
/// used where they lie, kept alive by `owner` (the snapshot's bytes, `SnapshotBytes`). The
/// built-in database's tables are 1.2 MB; copying them out of the snapshot into arrays took 0.8 ms
/// of every CI hook's start, on the thread the bundle's detection waits for (most of it faulting
/// in the pages of the new arrays).
final class TransitionTable: @unchecked Sendable {
    /// The entries; valid while this table lives.
    let entries: UnsafeBufferPointer<Int32>
    /// What keeps `entries` valid when they are not this table's own.
    private let owner: AnyObject?

    var count: Int { entries.count }
    /// Whether the entries are another's bytes (a snapshot's) rather than this table's own.
    var isBorrowed: Bool { owner != nil }

    init(copying values: [Int32]) {
        let storage = UnsafeMutableBufferPointer<Int32>.allocate(capacity: values.count)
        _ = storage.initialize(from: values)
        entries = UnsafeBufferPointer(storage)
        owner = nil
    }

    /// Entries that stay valid while `owner` lives (nil: they are allocated here, and freed).
    init(entries: UnsafeBufferPointer<Int32>, owner: AnyObject?) {
        self.entries = entries
        self.owner = owner
    }

    deinit {
        if owner == nil { UnsafeMutableBufferPointer(mutating: entries).deallocate() }
    }
}

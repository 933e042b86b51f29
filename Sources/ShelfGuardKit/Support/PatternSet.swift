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
    /// Next state for (state, class): `next[state * classCount + class]`.
    let next: [Int32]
    /// The first pattern ending in each state, or -1.
    let firstOutput: [Int32]
    /// The next state (by suffix link) that also has an output, or -1.
    let outputLink: [Int32]
    /// Patterns ending in a state beyond its first: `(state, pattern)` pairs in state order.
    let extraOutputs: [Int32: [Int32]]

    /// Compiles `patterns` (empty patterns are ignored).
    public init(_ patterns: [[UInt8]], caseInsensitive: Bool = false) {
        self.patterns = patterns
        self.caseInsensitive = caseInsensitive
        func fold(_ b: UInt8) -> UInt8 { caseInsensitive && (0x41...0x5A).contains(b) ? b | 0x20 : b }

        // Byte classes: one per distinct (folded) byte used, class 0 for the rest.
        var classOf = [UInt8](repeating: 0, count: 256)
        var used: [UInt8] = []
        for pattern in patterns { for b in pattern where !used.contains(fold(b)) { used.append(fold(b)) } }
        precondition(used.count < 255, "too many distinct bytes for one pattern set")
        for (i, b) in used.sorted().enumerated() { classOf[Int(b)] = UInt8(i + 1) }
        if caseInsensitive {
            for upper in UInt8(0x41)...UInt8(0x5A) { classOf[Int(upper)] = classOf[Int(upper | 0x20)] }
        }
        let classes = used.count + 1

        // The trie.
        var trie: [[Int32]] = [[Int32](repeating: -1, count: classes)]
        var outputs: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var state = 0
            for b in pattern {
                let c = Int(classOf[Int(b)])
                if trie[state][c] < 0 {
                    trie[state][c] = Int32(trie.count)
                    trie.append([Int32](repeating: -1, count: classes))
                    outputs.append([])
                }
                state = Int(trie[state][c])
            }
            outputs[state].append(Int32(index))
        }

        // Breadth-first: failure links, then the dense transition table.
        var fail = [Int32](repeating: 0, count: trie.count)
        var link = [Int32](repeating: -1, count: trie.count)
        var table = [Int32](repeating: 0, count: trie.count * classes)
        var queue: [Int] = []
        for c in 0..<classes {
            let child = trie[0][c]
            if child >= 0 {
                table[c] = child
                queue.append(Int(child))
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            let f = Int(fail[state])
            link[state] = outputs[f].isEmpty ? link[f] : Int32(f)
            for c in 0..<classes {
                let child = trie[state][c]
                if child >= 0 {
                    fail[Int(child)] = table[f * classes + c]
                    table[state * classes + c] = child
                    queue.append(Int(child))
                } else {
                    table[state * classes + c] = table[f * classes + c]
                }
            }
        }
        var extra: [Int32: [Int32]] = [:]
        for (state, list) in outputs.enumerated() where list.count > 1 { extra[Int32(state)] = Array(list.dropFirst()) }

        self.classOf = classOf
        self.classCount = classes
        self.next = table
        self.firstOutput = outputs.map { $0.first ?? -1 }
        self.outputLink = link
        self.extraOutputs = extra
    }

    /// Compiles string patterns as UTF-8.
    public init(strings: [String], caseInsensitive: Bool = false) {
        self.init(strings.map { Array($0.utf8) }, caseInsensitive: caseInsensitive)
    }

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
public struct PatternScanner {
    let set: PatternSet
    private var state: Int32 = 0
    /// Bytes scanned so far.
    public private(set) var offset: Int64 = 0

    init(set: PatternSet) { self.set = set }

    /// Scans the next chunk; `onMatch(pattern, end)` gets each match with the stream offset just
    /// past its last byte.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer, onMatch: (Int, Int64) -> Void) {
        let classes = set.classCount
        var state = self.state
        let base = offset
        set.next.withUnsafeBufferPointer { next in
            set.classOf.withUnsafeBufferPointer { classOf in
                set.firstOutput.withUnsafeBufferPointer { firstOutput in
                    for i in 0..<chunk.count {
                        state = next[Int(state) &* classes &+ Int(classOf[Int(chunk[i])])]
                        if firstOutput[Int(state)] >= 0 || set.outputLink[Int(state)] >= 0 {
                            report(state, end: base + Int64(i) + 1, onMatch)
                        }
                    }
                }
            }
        }
        self.state = state
        offset += Int64(chunk.count)
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

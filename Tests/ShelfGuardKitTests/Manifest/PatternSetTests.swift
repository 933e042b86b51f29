import Testing

@testable import ShelfGuardKit

@Suite("The multi-pattern matcher")
struct PatternSetTests {
    @Test("finds every pattern, overlapping ones and ones that are suffixes of others")
    func overlapping() {
        let set = PatternSet(strings: ["he", "she", "his", "hers"])
        #expect(set.matches(in: Array("ushers".utf8)) == [0, 1, 3])
        #expect(set.matches(in: Array("ahishers".utf8)) == [0, 1, 2, 3])
        #expect(set.matches(in: Array("nothing here".utf8)) == [0])
    }

    @Test("matches across chunk boundaries, with stream offsets")
    func chunks() {
        let set = PatternSet(strings: ["getRecorderManager", "scope.record"])
        let text = Array("var r = wx.getRecorderManager(); wx.authorize({scope: 'scope.record'})".utf8)
        for split in 1..<text.count {
            var scanner = set.scanner()
            var found: [(Int, Int64)] = []
            text.withUnsafeBytes { raw in
                scanner.scan(UnsafeRawBufferPointer(rebasing: raw[..<split])) { found.append(($0, $1)) }
                scanner.scan(UnsafeRawBufferPointer(rebasing: raw[split...])) { found.append(($0, $1)) }
            }
            #expect(found.map(\.0) == [0, 1], "split at \(split)")
            #expect(found.first?.1 == 29, "split at \(split)")
        }
    }

    @Test("case-insensitive sets fold ASCII letters")
    func caseInsensitive() {
        let set = PatternSet(strings: ["api.openai.com"], caseInsensitive: true)
        #expect(set.matches(in: Array("HTTPS://API.OpenAI.com/v1".utf8)) == [0])
        #expect(PatternSet(strings: ["api.openai.com"]).matches(in: Array("API.OPENAI.COM".utf8)).isEmpty)
    }

    @Test("duplicate patterns each report")
    func duplicates() {
        let set = PatternSet(strings: ["abc", "abc", "bc"])
        #expect(set.matches(in: Array("xabcx".utf8)) == [0, 1, 2])
    }

    @Test("finds exactly what a naive search finds, on random patterns and texts")
    func naiveDifferential() {
        var generator = SplitMix(seed: 16)
        for round in 0..<200 {
            let alphabet = Array("abcAB\u{0}/.".utf8)
            func word(_ length: Int) -> [UInt8] {
                (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            }
            let patterns = (0..<(1 + Int(generator.next() % 12))).map { _ in word(1 + Int(generator.next() % 5)) }
            let text = word(Int(generator.next() % 200))
            let folding = round % 2 == 1
            func fold(_ bytes: [UInt8]) -> [UInt8] {
                folding ? bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 } : bytes
            }
            var expected = Set<Int>()
            for (index, pattern) in patterns.enumerated() where pattern.count <= text.count {
                for start in 0...(text.count - pattern.count)
                where fold(Array(text[start..<(start + pattern.count)])) == fold(pattern) {
                    expected.insert(index)
                }
            }
            let set = PatternSet(patterns, caseInsensitive: folding)
            #expect(set.matches(in: text) == expected, "round \(round): \(patterns) in \(text)")
            // The same text in chunks of 1 to 7 bytes: the start state's two-byte filter falls
            // back to one byte at each chunk's end, where the next byte is not at hand.
            var scanner = set.scanner()
            var chunked = Set<Int>()
            var offset = 0
            while offset < text.count {
                let size = min(text.count - offset, 1 + Int(generator.next() % 7))
                text[offset..<(offset + size)].withUnsafeBytes {
                    scanner.scan($0) { pattern, _ in chunked.insert(pattern) }
                }
                offset += size
            }
            #expect(chunked == expected, "round \(round), in chunks: \(patterns) in \(text)")
        }
    }

    /// A small deterministic generator for the differential test.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

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
}

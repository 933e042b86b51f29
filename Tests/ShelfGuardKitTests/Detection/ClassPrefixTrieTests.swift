import BundleFactory
import Testing

@testable import ShelfGuardKit

/// The class-prefix trie finds, for a DEX string, exactly the matchers whose prefix starts it:
/// checked against a naive search over random prefixes and strings that share their beginnings.
@Suite("Class-prefix trie")
struct ClassPrefixTrieTests {
    @Test("every prefix that starts a string, and no other, against a naive search")
    func naiveDifferential() {
        var g = ContentGenerator(seed: 31)
        let alphabet = Array("Lcom/aAbB;$_".utf8)
        func word(_ length: Int) -> [UInt8] { (0..<length).map { _ in alphabet[g.next(below: alphabet.count)] } }
        var prefixes: [[UInt8]] = [Array("Lcom/".utf8), Array("Lcom/a".utf8), Array("Lcom/a".utf8)]
        for _ in 0..<300 { prefixes.append(Array("L".utf8) + word(1 + g.next(below: 6))) }
        var trie = ClassPrefixTrie()
        #expect(trie.isEmpty)
        for (i, prefix) in prefixes.enumerated() {
            trie.insert(prefix, SignatureEngine.Ref(signature: Int32(i), matcher: 0))
        }
        #expect(!trie.isEmpty)
        var strings: [[UInt8]] = [[], Array("L".utf8), Array("Lcom/abc;".utf8)]
        for _ in 0..<2_000 { strings.append(Array("L".utf8) + word(g.next(below: 10))) }
        for string in strings {
            var found: [Int32] = []
            string.withUnsafeBytes { trie.prefixes(of: $0) { found.append($0.signature) } }
            let expected = prefixes.indices.filter { string.starts(with: prefixes[$0]) }.map(Int32.init)
            #expect(found.sorted() == expected, "\(String(decoding: string, as: UTF8.self))")
        }
    }
}

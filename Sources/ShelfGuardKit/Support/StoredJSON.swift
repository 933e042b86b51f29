import Foundation

/// Decodes JSON that ShelfGuard stored itself (a version's inventory facts and declaration
/// snapshot, read back by daily management for every version on the shelf) with exactly the
/// result of Foundation's `JSONDecoder`, several times faster: `QuickJSON` first, and
/// `JSONDecoder` whenever QuickJSON fails or is not sure, so that errors read as they always did.
public enum StoredJSON {
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        if let value = QuickJSON.decode(type, from: text) { return value }
        return try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// A JSON decoder for the common case, or nothing. It reads the text into a flat list of tokens
/// (strings, numbers and keys are left as byte ranges until asked for), then decodes through
/// the ordinary `Decodable` conformances, without Foundation's per-value costs (coding paths
/// built for every error, a dictionary per object, boxed values).
///
/// It returns nil, for `JSONDecoder` to answer, on any error and whenever JSONDecoder might
/// answer otherwise: malformed JSON, an object with a key twice, a string with an unpaired
/// surrogate, an integer asked of a number written with a fraction or an exponent, or out of
/// range, or `-0`, a number out of `Double`'s range, and the types JSONDecoder decodes its own
/// way (`Date`, `Data`, `URL`, `Decimal`) or that it converts (`Float`). A type that tries
/// several decodings and catches the errors (`LabelValue`) sees the same successes and failures
/// as with JSONDecoder, or the whole decode is handed to it.
enum QuickJSON {
    static func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        guard let document = Document(Array(text.utf8)) else { return nil }
        do {
            let value = try document.value(T.self, at: 0)
            return document.bailed ? nil : value
        } catch {
            return nil
        }
    }

    /// Thrown when QuickJSON leaves the decode to JSONDecoder.
    struct Bail: Error {}

    enum Kind: UInt8 {
        case object, array, string, number, `true`, `false`, null
    }

    /// One value: strings from `start` to the closing quote `end` (`special`: with escapes),
    /// numbers from `start` to `end` (`special`: an integer, no fraction or exponent); objects and
    /// arrays are followed by their members (key, value, key, value …) or elements, `count` of
    /// them, and `next` is the index after the value and all it holds.
    struct Token {
        var kind: Kind
        var special = false
        var start: Int32 = 0
        var end: Int32 = 0
        var next: Int32 = 0
        var count: Int32 = 0
    }

    /// The text and its tokens, shared by the decoders and containers of one decode.
    final class Document {
        let bytes: [UInt8]
        let tokens: [Token]
        /// Set when QuickJSON left the decode to JSONDecoder, even if the error was caught.
        var bailed = false

        init?(_ bytes: [UInt8]) {
            guard bytes.count < Int(Int32.max) else { return nil }
            var tokenizer = Tokenizer(count: bytes.count)
            let ok = bytes.withUnsafeBufferPointer { tokenizer.document($0) }
            guard ok else { return nil }
            self.bytes = bytes
            self.tokens = tokenizer.tokens
        }

        func bail() -> Bail {
            bailed = true
            return Bail()
        }

        func kind(_ index: Int) -> Kind { tokens[index].kind }

        func mismatch(_ type: Any.Type, _ index: Int) -> DecodingError {
            let context = DecodingError.Context(codingPath: [], debugDescription: "not a value of this type")
            return tokens[index].kind == .null
                ? DecodingError.valueNotFound(type, context) : DecodingError.typeMismatch(type, context)
        }

        // MARK: Values

        func string(at index: Int) throws -> String {
            let token = tokens[index]
            guard token.kind == .string else { throw mismatch(String.self, index) }
            return try text(token)
        }

        /// A string token's text, its escapes undone.
        func text(_ token: Token) throws -> String {
            let start = Int(token.start)
            let end = Int(token.end)
            guard token.special else {
                return bytes.withUnsafeBufferPointer {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self)
                }
            }
            guard let unescaped = unescape(start, end) else { throw bail() }
            return String(decoding: unescaped, as: UTF8.self)
        }

        /// The bytes of an escaped string; nil for an unpaired surrogate.
        func unescape(_ start: Int, _ end: Int) -> [UInt8]? {
            var out: [UInt8] = []
            out.reserveCapacity(end - start)
            let ok = bytes.withUnsafeBufferPointer { all -> Bool in
                var i = start
                while i < end {
                    // The run up to the next backslash, at once.
                    var run = i
                    while run < end && all[run] != 0x5C { run += 1 }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: all[i..<run]))
                    i = run
                    guard i < end else { break }
                    let e = all[i + 1]
                    i += 2
                    switch e {
                    case 0x62: out.append(0x08)
                    case 0x66: out.append(0x0C)
                    case 0x6E: out.append(0x0A)
                    case 0x72: out.append(0x0D)
                    case 0x74: out.append(0x09)
                    case 0x75:
                        var scalar = hex4(i)
                        i += 4
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard i + 6 <= end, all[i] == 0x5C, all[i + 1] == 0x75 else { return false }
                            let low = hex4(i + 2)
                            guard (0xDC00...0xDFFF).contains(low) else { return false }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            return false
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return false }
                        out.append(contentsOf: UTF8.encode(unicode)!)
                    default: out.append(e)  // " \ /
                    }
                }
                return true
            }
            return ok ? out : nil
        }

        /// Four hex digits, already checked by the tokenizer.
        private func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for b in bytes[at..<at + 4] {
                let digit: UInt8 =
                    switch b {
                    case 0x30...0x39: b - 0x30
                    case 0x41...0x46: b - 0x41 + 10
                    default: b - 0x61 + 10
                    }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        func bool(at index: Int) throws -> Bool {
            switch tokens[index].kind {
            case .true: return true
            case .false: return false
            default: throw mismatch(Bool.self, index)
            }
        }

        /// An integer written as one (`-`, digits): anything else is left to JSONDecoder.
        func integer<T: FixedWidthInteger>(_ type: T.Type, at index: Int) throws -> T {
            let token = tokens[index]
            guard token.kind == .number else { throw mismatch(T.self, index) }
            guard token.special else { throw bail() }
            var i = Int(token.start)
            let end = Int(token.end)
            let negative = bytes[i] == 0x2D
            if negative { i += 1 }
            var magnitude: UInt64 = 0
            while i < end {
                let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(UInt64(bytes[i] - 0x30))
                guard !o1 && !o2 else { throw bail() }
                magnitude = plus
                i += 1
            }
            if negative {
                guard magnitude != 0, magnitude <= UInt64(Int64.max) + 1 else { throw bail() }
                let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
                guard let exact = T(exactly: value) else { throw bail() }
                return exact
            }
            guard let exact = T(exactly: magnitude) else { throw bail() }
            return exact
        }

        func double(at index: Int) throws -> Double {
            let token = tokens[index]
            guard token.kind == .number else { throw mismatch(Double.self, index) }
            let text = bytes.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[Int(token.start)..<Int(token.end)]), as: UTF8.self)
            }
            guard let value = Double(text), value.isFinite else { throw bail() }
            // A number too small for Double (1e-400): JSONDecoder may not say 0.
            if value == 0,
                text.utf8.prefix(while: { $0 != 0x65 && $0 != 0x45 }).contains(where: { (0x31...0x39).contains($0) })
            {
                throw bail()
            }
            return value
        }

        /// Any `Decodable` value: the common ones directly, the ones JSONDecoder decodes its own
        /// way left to it, the rest through their conformance.
        func value<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
            if T.self == String.self { return unsafeBitCast(try string(at: index), to: T.self) }
            if T.self == Int.self { return unsafeBitCast(try integer(Int.self, at: index), to: T.self) }
            if T.self == Bool.self { return unsafeBitCast(try bool(at: index), to: T.self) }
            if T.self == Int64.self { return unsafeBitCast(try integer(Int64.self, at: index), to: T.self) }
            if T.self == Double.self { return unsafeBitCast(try double(at: index), to: T.self) }
            if T.self == [String].self, tokens[index].kind == .array {
                var strings: [String] = []
                strings.reserveCapacity(Int(tokens[index].count))
                var i = index + 1
                for _ in 0..<tokens[index].count {
                    strings.append(try string(at: i))
                    i = Int(tokens[i].next)
                }
                return unsafeBitCast(strings, to: T.self)
            }
            if T.self == [UInt8].self, tokens[index].kind == .array {
                // Bytes kept from a bundle (embedded declarations): as Array<UInt8>.init(from:)
                // decodes them, element by element, without a decoder per element.
                var bytes: [UInt8] = []
                bytes.reserveCapacity(Int(tokens[index].count))
                var i = index + 1
                for _ in 0..<tokens[index].count {
                    bytes.append(try integer(UInt8.self, at: i))
                    i = Int(tokens[i].next)
                }
                return unsafeBitCast(bytes, to: T.self)
            }
            if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self
                || T.self == Float.self
            {
                throw bail()
            }
            return try T(from: QuickDecoder(document: self, index: index))
        }

        // MARK: Objects

        struct Member {
            var keyStart: Int32
            var keyEnd: Int32
            var value: Int32
            /// The key's bytes, when it was written with escapes.
            var unescaped: [UInt8]?
        }

        /// An object's members; nil (bail) for a key written twice.
        func members(of index: Int) throws -> [Member] {
            let token = tokens[index]
            guard token.kind == .object else { throw mismatch([String: Any].self, index) }
            var members: [Member] = []
            members.reserveCapacity(Int(token.count))
            var i = index + 1
            for _ in 0..<token.count {
                let key = tokens[i]
                var member = Member(keyStart: key.start, keyEnd: key.end, value: Int32(i + 1))
                if key.special {
                    guard let unescaped = unescape(Int(key.start), Int(key.end)) else { throw bail() }
                    member.unescaped = unescaped
                }
                members.append(member)
                i = Int(tokens[i + 1].next)
            }
            if members.count > 1 {
                try bytes.withUnsafeBufferPointer { all in
                    for a in 1..<members.count {
                        for b in 0..<a where same(members[a], members[b], all) { throw bail() }
                    }
                }
            }
            return members
        }

        private func same(_ a: Member, _ b: Member, _ all: UnsafeBufferPointer<UInt8>) -> Bool {
            if a.unescaped != nil || b.unescaped != nil {
                return keyBytes(a, all).elementsEqual(keyBytes(b, all))
            }
            let length = Int(a.keyEnd - a.keyStart)
            guard length == Int(b.keyEnd - b.keyStart) else { return false }
            return memcmp(all.baseAddress! + Int(a.keyStart), all.baseAddress! + Int(b.keyStart), length) == 0
        }

        private func keyBytes(_ m: Member, _ all: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            m.unescaped ?? Array(all[Int(m.keyStart)..<Int(m.keyEnd)])
        }

        /// The value token of the member named `name`.
        func find(_ name: String, in members: [Member]) -> Int? {
            var name = name
            return name.withUTF8 { key in
                bytes.withUnsafeBufferPointer { all in
                    for m in members {
                        if let unescaped = m.unescaped {
                            if unescaped.elementsEqual(key) { return Int(m.value) }
                            continue
                        }
                        let length = Int(m.keyEnd - m.keyStart)
                        guard length == key.count else { continue }
                        if length == 0 || memcmp(all.baseAddress! + Int(m.keyStart), key.baseAddress!, length) == 0 {
                            return Int(m.value)
                        }
                    }
                    return nil
                }
            }
        }

        func keyText(_ m: Member) -> String {
            if let unescaped = m.unescaped { return String(decoding: unescaped, as: UTF8.self) }
            return bytes.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[Int(m.keyStart)..<Int(m.keyEnd)]), as: UTF8.self)
            }
        }
    }

    /// Reads JSON text (RFC 8259, nothing more) into tokens; false for anything else.
    struct Tokenizer {
        var tokens: [Token] = []
        var i = 0
        static let maxDepth = 512

        init(count: Int) { tokens.reserveCapacity(count / 8) }

        mutating func document(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
            guard value(p, depth: 0) else { return false }
            skipSpace(p)
            return i == p.count
        }

        mutating func skipSpace(_ p: UnsafeBufferPointer<UInt8>) {
            while i < p.count {
                switch p[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        mutating func value(_ p: UnsafeBufferPointer<UInt8>, depth: Int) -> Bool {
            skipSpace(p)
            guard i < p.count, depth < Tokenizer.maxDepth else { return false }
            switch p[i] {
            case 0x7B: return container(p, depth: depth, object: true)
            case 0x5B: return container(p, depth: depth, object: false)
            case 0x22: return string(p)
            case 0x74: return literal(p, "true", .true)
            case 0x66: return literal(p, "false", .false)
            case 0x6E: return literal(p, "null", .null)
            case 0x2D, 0x30...0x39: return number(p)
            default: return false
            }
        }

        mutating func container(_ p: UnsafeBufferPointer<UInt8>, depth: Int, object: Bool) -> Bool {
            let me = tokens.count
            tokens.append(Token(kind: object ? .object : .array))
            i += 1
            skipSpace(p)
            let close: UInt8 = object ? 0x7D : 0x5D
            var count: Int32 = 0
            if i < p.count && p[i] == close {
                i += 1
            } else {
                while true {
                    if object {
                        skipSpace(p)
                        guard i < p.count, p[i] == 0x22, string(p) else { return false }
                        skipSpace(p)
                        guard i < p.count, p[i] == 0x3A else { return false }
                        i += 1
                    }
                    guard value(p, depth: depth + 1) else { return false }
                    count += 1
                    skipSpace(p)
                    guard i < p.count else { return false }
                    if p[i] == 0x2C {
                        i += 1
                        continue
                    }
                    guard p[i] == close else { return false }
                    i += 1
                    break
                }
            }
            tokens[me].count = count
            tokens[me].next = Int32(tokens.count)
            return true
        }

        mutating func string(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
            i += 1
            let start = i
            var escaped = false
            let base = UnsafeRawPointer(p.baseAddress!)
            while i < p.count {
                // Eight bytes at a time while none is a quote, a backslash or a control character.
                if i + 8 <= p.count && !Tokenizer.special(base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                    i += 8
                    continue
                }
                let b = p[i]
                if b == 0x22 {
                    tokens.append(
                        Token(
                            kind: .string, special: escaped, start: Int32(start), end: Int32(i),
                            next: Int32(tokens.count + 1)))
                    i += 1
                    return true
                }
                if b < 0x20 { return false }
                if b == 0x5C {
                    escaped = true
                    guard i + 1 < p.count else { return false }
                    switch p[i + 1] {
                    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
                    case 0x75:
                        guard i + 6 <= p.count else { return false }
                        for h in p[(i + 2)..<(i + 6)] {
                            switch h {
                            case 0x30...0x39, 0x41...0x46, 0x61...0x66: continue
                            default: return false
                            }
                        }
                        i += 6
                    default: return false
                    }
                    continue
                }
                i += 1
            }
            return false
        }

        /// Whether any of eight bytes is a quote, a backslash or below 0x20 (the classic
        /// "has zero byte" and "has byte less than" word tricks, exact for "any").
        static func special(_ word: UInt64) -> Bool {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            func zero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
            let quote = zero(word ^ (0x22 &* ones))
            let backslash = zero(word ^ (0x5C &* ones))
            let control = (word &- 0x20 &* ones) & ~word & highs
            return quote | backslash | control != 0
        }

        mutating func literal(_ p: UnsafeBufferPointer<UInt8>, _ word: StaticString, _ kind: Kind) -> Bool {
            let length = word.utf8CodeUnitCount
            guard i + length <= p.count, memcmp(p.baseAddress! + i, word.utf8Start, length) == 0 else { return false }
            i += length
            tokens.append(Token(kind: kind, next: Int32(tokens.count + 1)))
            return true
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
            let start = i
            func digits(_ i: inout Int) -> Int {
                let from = i
                while i < p.count, (0x30...0x39).contains(p[i]) { i += 1 }
                return i - from
            }
            if p[i] == 0x2D { i += 1 }
            guard i < p.count else { return false }
            if p[i] == 0x30 {
                i += 1
            } else {
                guard digits(&i) > 0 else { return false }
            }
            var integer = true
            if i < p.count && p[i] == 0x2E {
                i += 1
                integer = false
                guard digits(&i) > 0 else { return false }
            }
            if i < p.count && (p[i] == 0x65 || p[i] == 0x45) {
                i += 1
                integer = false
                if i < p.count && (p[i] == 0x2B || p[i] == 0x2D) { i += 1 }
                guard digits(&i) > 0 else { return false }
            }
            tokens.append(
                Token(
                    kind: .number, special: integer, start: Int32(start), end: Int32(i), next: Int32(tokens.count + 1)))
            return true
        }
    }

    // MARK: The Decoder

    struct QuickDecoder: Decoder {
        let document: Document
        let index: Int

        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(
                KeyedContainer<Key>(document: document, members: try document.members(of: index)))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try UnkeyedContainer(document: document, index: index)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            SingleValueContainer(document: document, index: index)
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let document: Document
        let members: [Document.Member]

        var codingPath: [any CodingKey] { [] }

        var allKeys: [Key] { members.compactMap { Key(stringValue: document.keyText($0)) } }

        func contains(_ key: Key) -> Bool { document.find(key.stringValue, in: members) != nil }

        /// The value token for `key`; keyNotFound when there is none.
        func at(_ key: Key) throws -> Int {
            guard let index = document.find(key.stringValue, in: members) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no such key"))
            }
            return index
        }

        /// The value token for `key`, nil when it is missing or null.
        func present(_ key: Key) -> Int? {
            guard let index = document.find(key.stringValue, in: members), document.kind(index) != .null else {
                return nil
            }
            return index
        }

        func decodeNil(forKey key: Key) throws -> Bool { document.kind(try at(key)) == .null }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.bool(at: try at(key)) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.string(at: try at(key)) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try document.double(at: try at(key)) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw document.bail() }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try document.integer(type, at: try at(key)) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try document.integer(type, at: try at(key)) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
            try document.integer(type, at: try at(key))
        }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
            try document.integer(type, at: try at(key))
        }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
            try document.integer(type, at: try at(key))
        }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try document.integer(type, at: try at(key)) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
            try document.integer(type, at: try at(key))
        }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try document.integer(type, at: try at(key))
        }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try document.integer(type, at: try at(key))
        }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
            try document.integer(type, at: try at(key))
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try document.value(type, at: try at(key))
        }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
            try present(key).map { try document.bool(at: $0) }
        }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
            try present(key).map { try document.string(at: $0) }
        }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
            try present(key).map { try document.integer(type, at: $0) }
        }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
            try present(key).map { try document.integer(type, at: $0) }
        }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
            try present(key).map { try document.double(at: $0) }
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            try present(key).map { try document.value(type, at: $0) }
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try QuickDecoder(document: document, index: try at(key)).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try UnkeyedContainer(document: document, index: try at(key))
        }

        func superDecoder() throws -> any Decoder { throw document.bail() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw document.bail() }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let document: Document
        let total: Int
        /// The token of the next element.
        var cursor: Int
        private(set) var currentIndex = 0

        init(document: Document, index: Int) throws {
            guard document.kind(index) == .array else { throw document.mismatch([Any].self, index) }
            self.document = document
            self.total = Int(document.tokens[index].count)
            self.cursor = index + 1
        }

        var codingPath: [any CodingKey] { [] }
        var count: Int? { total }
        var isAtEnd: Bool { currentIndex >= total }

        /// The next element's token, stepping past it.
        mutating func next() throws -> Int {
            guard !isAtEnd else { throw document.bail() }
            let index = cursor
            cursor = Int(document.tokens[index].next)
            currentIndex += 1
            return index
        }

        /// The next element's token, stepping past it only when `decode` succeeds (as
        /// JSONDecoder does: a failed decode leaves the element to be decoded again).
        mutating func decodeNext<T>(_ decode: (Int) throws -> T) throws -> T {
            guard !isAtEnd else { throw document.bail() }
            let value = try decode(cursor)
            cursor = Int(document.tokens[cursor].next)
            currentIndex += 1
            return value
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { throw document.bail() }
            guard document.kind(cursor) == .null else { return false }
            _ = try next()
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool {
            try decodeNext { [document] in try document.bool(at: $0) }
        }
        mutating func decode(_ type: String.Type) throws -> String {
            try decodeNext { [document] in try document.string(at: $0) }
        }
        mutating func decode(_ type: Double.Type) throws -> Double {
            try decodeNext { [document] in try document.double(at: $0) }
        }
        mutating func decode(_ type: Float.Type) throws -> Float { throw document.bail() }
        mutating func decode(_ type: Int.Type) throws -> Int {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: Int8.Type) throws -> Int8 {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: Int16.Type) throws -> Int16 {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: Int32.Type) throws -> Int32 {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: Int64.Type) throws -> Int64 {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: UInt.Type) throws -> UInt {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
            try decodeNext { [document] in try document.integer(type, at: $0) }
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try decodeNext { [document] in try document.value(type, at: $0) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try decodeNext { [document] in try QuickDecoder(document: document, index: $0).container(keyedBy: type) }
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try decodeNext { [document] in try UnkeyedContainer(document: document, index: $0) }
        }

        mutating func superDecoder() throws -> any Decoder { throw document.bail() }
    }

    struct SingleValueContainer: SingleValueDecodingContainer {
        let document: Document
        let index: Int

        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { document.kind(index) == .null }
        func decode(_ type: Bool.Type) throws -> Bool { try document.bool(at: index) }
        func decode(_ type: String.Type) throws -> String { try document.string(at: index) }
        func decode(_ type: Double.Type) throws -> Double { try document.double(at: index) }
        func decode(_ type: Float.Type) throws -> Float { throw document.bail() }
        func decode(_ type: Int.Type) throws -> Int { try document.integer(type, at: index) }
        func decode(_ type: Int8.Type) throws -> Int8 { try document.integer(type, at: index) }
        func decode(_ type: Int16.Type) throws -> Int16 { try document.integer(type, at: index) }
        func decode(_ type: Int32.Type) throws -> Int32 { try document.integer(type, at: index) }
        func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(type, at: index) }
        func decode(_ type: UInt.Type) throws -> UInt { try document.integer(type, at: index) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try document.integer(type, at: index) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try document.integer(type, at: index) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try document.integer(type, at: index) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try document.integer(type, at: index) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.value(type, at: index) }
    }
}

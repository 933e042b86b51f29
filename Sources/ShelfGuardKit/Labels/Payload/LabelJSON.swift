/// A strict JSON parser (RFC 8259) for label values: bounded depth and node count, object members
/// kept in order, keys written twice reported (readers disagree on which one counts: most take
/// the last).
struct LabelJSON {
    /// Why a value is not JSON, with the character position.
    struct Failure: Error, Equatable, CustomStringConvertible {
        var reason: String
        var offset: Int
        var description: String { "\(reason) at character \(offset + 1)" }
    }

    /// A key that appears more than once in one object.
    struct Duplicate: Equatable {
        var key: String
        var values: [LabelValue]
    }

    private let bytes: [UInt8]
    private var position = 0
    private var nodes = 0
    private let maxNodes: Int
    private let maxDepth: Int
    private(set) var duplicates: [Duplicate] = []

    private init(_ bytes: [UInt8], maxNodes: Int, maxDepth: Int) {
        self.bytes = bytes
        self.maxNodes = maxNodes
        self.maxDepth = maxDepth
    }

    /// Parses one JSON value filling the whole text (whitespace around it allowed).
    static func parse(
        _ text: String, maxNodes: Int, maxDepth: Int
    ) throws(Failure) -> (value: LabelValue, duplicates: [Duplicate]) {
        var parser = LabelJSON(Array(text.utf8), maxNodes: maxNodes, maxDepth: maxDepth)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw parser.fail("text after the JSON value") }
        return (value, parser.duplicates)
    }

    private func fail(_ reason: String) -> Failure { Failure(reason: reason, offset: position) }

    private mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func value(depth: Int) throws(Failure) -> LabelValue {
        nodes += 1
        guard nodes <= maxNodes else { throw fail("more than \(maxNodes) JSON values") }
        guard depth <= maxDepth else { throw fail("nested more than \(maxDepth) levels deep") }
        guard position < bytes.count else { throw fail("the text ends where a value should be") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character '\(Self.shown(bytes[position]))'")
        }
    }

    private static func shown(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func literal(_ word: String, _ value: LabelValue) throws(Failure) -> LabelValue {
        let w = Array(word.utf8)
        guard bytes.count - position >= w.count, Array(bytes[position..<(position + w.count)]) == w else {
            throw fail("unexpected character '\(Self.shown(bytes[position]))'")
        }
        position += w.count
        return value
    }

    private mutating func object(depth: Int) throws(Failure) -> LabelValue {
        position += 1
        var members: [LabelValue.Member] = []
        var seen: [String: Int] = [:]
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw fail("an object key must be a string in double quotes")
            }
            let key = try string()
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("':' expected") }
            position += 1
            skipSpace()
            let item = try value(depth: depth + 1)
            if let first = seen[key] {
                if let d = duplicates.firstIndex(where: { $0.key == key }) {
                    duplicates[d].values.append(item)
                } else {
                    duplicates.append(Duplicate(key: key, values: [members[first].value, item]))
                }
            } else {
                seen[key] = members.count
            }
            members.append(LabelValue.Member(key: key, value: item))
            skipSpace()
            guard position < bytes.count else { throw fail("the object is not closed") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw fail("',' or '}' expected") }
            position += 1
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> LabelValue {
        position += 1
        var items: [LabelValue] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard position < bytes.count else { throw fail("the array is not closed") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw fail("',' or ']' expected") }
            position += 1
            return .array(items)
        }
    }

    private mutating func number() throws(Failure) -> LabelValue {
        let start = position
        func digits() -> Int {
            let s = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            return position - s
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let leadingZero = position < bytes.count && bytes[position] == UInt8(ascii: "0")
        let whole = digits()
        guard whole > 0 else { throw fail("a digit expected") }
        guard !leadingZero || whole == 1 else { throw fail("a number cannot start with 0") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw fail("a digit expected after '.'") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { throw fail("a digit expected in the exponent") }
        }
        return .number(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    private mutating func string() throws(Failure) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flush(_ end: Int) throws(Failure) {
            guard runStart < end else { return }
            guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                throw fail("bytes that are not UTF-8")
            }
            scalars.append(contentsOf: run.unicodeScalars)
        }
        while true {
            guard position < bytes.count else { throw fail("the string is not closed") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                try flush(position)
                position += 1
                return String(scalars)
            }
            if byte < 0x20 { throw fail("a control character inside a string") }
            if byte != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            try flush(position)
            position += 1
            guard position < bytes.count else { throw fail("the string is not closed") }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                let high = try hex4()
                if (0xD800..<0xDC00).contains(high) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    else { throw fail("a lone UTF-16 surrogate") }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone UTF-16 surrogate") }
                    scalars.append(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!)
                } else if let scalar = Unicode.Scalar(high) {
                    scalars.append(scalar)
                } else {
                    throw fail("a lone UTF-16 surrogate")
                }
            default: throw fail("an unknown escape '\\\(Self.shown(escape))'")
            }
            runStart = position
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("\\u needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("\\u needs four hex digits")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}

/// A CBOR data item (RFC 8949), as far as C2PA claims and assertions need: byte strings are kept
/// by length only (hashes and signatures are never looked at).
indirect enum CBOR: Equatable {
    case unsigned(UInt64)
    case negative(UInt64)
    case bytes(count: Int)
    case text(String)
    case array([CBOR])
    case map([(key: CBOR, value: CBOR)])
    case tagged(UInt64, CBOR)
    case simple(UInt8)
    case float(Double)

    static func == (lhs: CBOR, rhs: CBOR) -> Bool {
        switch (lhs, rhs) {
        case (.unsigned(let a), .unsigned(let b)), (.negative(let a), .negative(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.text(let a), .text(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.tagged(let t, let a), .tagged(let u, let b)): t == u && a == b
        case (.simple(let a), .simple(let b)): a == b
        case (.float(let a), .float(let b)): a == b || (a.isNaN && b.isNaN)
        default: false
        }
    }

    /// The text, when this is (a tagged) text string.
    var text: String? {
        switch self {
        case .text(let s): s
        case .tagged(_, let inner): inner.text
        default: nil
        }
    }

    /// The value under a text key, when this is a map.
    subscript(key: String) -> CBOR? {
        switch self {
        case .map(let pairs): pairs.first { $0.key.text == key }?.value
        case .tagged(_, let inner): inner[key]
        default: nil
        }
    }

    /// The items, when this is an array.
    var items: [CBOR]? {
        switch self {
        case .array(let items): items
        case .tagged(_, let inner): inner.items
        default: nil
        }
    }

    /// Why bytes are not CBOR.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Decodes the first data item of `bytes`, under node and depth limits; every length is
    /// bounded by the bytes that remain.
    static func decode(_ bytes: [UInt8], maxNodes: Int, maxDepth: Int) throws(Failure) -> CBOR {
        var reader = Reader(bytes: bytes, maxNodes: maxNodes, maxDepth: maxDepth)
        return try reader.item(depth: 0)
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0
        var nodes = 0
        let maxNodes: Int
        let maxDepth: Int

        init(bytes: [UInt8], maxNodes: Int, maxDepth: Int) {
            self.bytes = bytes
            self.maxNodes = maxNodes
            self.maxDepth = maxDepth
        }

        var remaining: Int { bytes.count - position }

        mutating func byte() throws(Failure) -> UInt8 {
            guard position < bytes.count else { throw Failure(description: "CBOR ends inside an item") }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func argument(_ info: UInt8) throws(Failure) -> UInt64? {
            switch info {
            case 0..<24: return UInt64(info)
            case 24...27:
                let count = 1 << Int(info - 24)
                guard remaining >= count else { throw Failure(description: "CBOR ends inside an item") }
                var value: UInt64 = 0
                for _ in 0..<count { value = value << 8 | UInt64(try byte()) }
                return value
            case 31: return nil  // indefinite length
            default: throw Failure(description: "a reserved CBOR length code (\(info))")
            }
        }

        /// A length that the remaining bytes can hold (`unit` bytes at least per element).
        mutating func length(_ info: UInt8, unit: Int) throws(Failure) -> Int? {
            guard let value = try argument(info) else { return nil }
            guard value <= UInt64(remaining / max(1, unit)) else {
                throw Failure(description: "a CBOR length of \(value) where \(remaining) bytes remain")
            }
            return Int(value)
        }

        mutating func item(depth: Int) throws(Failure) -> CBOR {
            nodes += 1
            guard nodes <= maxNodes else { throw Failure(description: "more than \(maxNodes) CBOR items") }
            guard depth <= maxDepth else { throw Failure(description: "CBOR nested more than \(maxDepth) levels") }
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1F
            switch major {
            case 0:
                guard let v = try argument(info) else { throw Failure(description: "an indefinite integer") }
                return .unsigned(v)
            case 1:
                guard let v = try argument(info) else { throw Failure(description: "an indefinite integer") }
                return .negative(v)
            case 2, 3:
                var collected: [UInt8] = []
                var total = 0
                if let count = try length(info, unit: 1) {
                    if major == 3 { collected = Array(bytes[position..<(position + count)]) }
                    position += count
                    total = count
                } else {
                    while true {
                        let next = try byte()
                        if next == 0xFF { break }
                        guard next >> 5 == major, let count = try length(next & 0x1F, unit: 1) else {
                            throw Failure(description: "a bad chunk in an indefinite CBOR string")
                        }
                        nodes += 1
                        guard nodes <= maxNodes else { throw Failure(description: "more than \(maxNodes) CBOR items") }
                        if major == 3 { collected += bytes[position..<(position + count)] }
                        position += count
                        total += count
                    }
                }
                if major == 2 { return .bytes(count: total) }
                guard let text = String(validating: collected, as: UTF8.self) else {
                    throw Failure(description: "a CBOR text string that is not UTF-8")
                }
                return .text(text)
            case 4:
                var items: [CBOR] = []
                if let count = try length(info, unit: 1) {
                    for _ in 0..<count { items.append(try item(depth: depth + 1)) }
                } else {
                    while try peekBreak() == false { items.append(try item(depth: depth + 1)) }
                }
                return .array(items)
            case 5:
                var pairs: [(key: CBOR, value: CBOR)] = []
                if let count = try length(info, unit: 2) {
                    for _ in 0..<count {
                        let key = try item(depth: depth + 1)
                        pairs.append((key, try item(depth: depth + 1)))
                    }
                } else {
                    while try peekBreak() == false {
                        let key = try item(depth: depth + 1)
                        pairs.append((key, try item(depth: depth + 1)))
                    }
                }
                return .map(pairs)
            case 6:
                guard let tag = try argument(info) else { throw Failure(description: "an indefinite CBOR tag") }
                return .tagged(tag, try item(depth: depth + 1))
            default:
                switch info {
                case 0..<24: return .simple(info)
                case 24: return .simple(try byte())
                case 25, 26, 27:
                    let count = 1 << Int(info - 24)
                    guard remaining >= count else { throw Failure(description: "CBOR ends inside a float") }
                    var bits: UInt64 = 0
                    for _ in 0..<count { bits = bits << 8 | UInt64(try byte()) }
                    switch info {
                    case 25: return .float(Double(Float16Bits.value(UInt16(bits))))
                    case 26: return .float(Double(Float(bitPattern: UInt32(bits))))
                    default: return .float(Double(bitPattern: bits))
                    }
                case 31: throw Failure(description: "a CBOR break outside an indefinite item")
                default: throw Failure(description: "a reserved CBOR simple value (\(info))")
                }
            }
        }

        /// Consumes a break byte if one is next.
        mutating func peekBreak() throws(Failure) -> Bool {
            guard position < bytes.count else { throw Failure(description: "an indefinite CBOR item is not closed") }
            if bytes[position] == 0xFF {
                position += 1
                return true
            }
            return false
        }
    }
}

/// IEEE half-precision floats, decoded by hand (no `Float16` on every platform).
enum Float16Bits {
    static func value(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * Float(pow2: -24)
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(pow2: exponent - 15)
        }
    }
}

extension Float {
    fileprivate init(pow2 exponent: Int) {
        self = Float(sign: .plus, exponent: exponent, significand: 1)
    }
}

/// The JSON the audit log hashes, written by hand so that it is exactly specified and cheap:
/// objects with keys in code-point order, no spaces, strings with `"` and `\` escaped, the
/// control characters U+0000–U+001F as `\b \f \n \r \t` or `\u00xx`, everything else (slashes,
/// CJK) as literal UTF-8; integers in decimal, booleans as `true`/`false`.
public enum CanonicalJSON {
    /// A value in an audit entry's details.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case strings([String])
    }

    public static func string(_ text: String) -> String {
        var out: [UInt8] = []
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends a string literal to UTF-8 bytes. Works on bytes: every byte of a multi-byte
    /// character is 0x80 or more, so only ASCII needs looking at, and runs without anything to
    /// escape (most of an id, a digest, a Chinese name) are copied whole.
    static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            out.reserveCapacity(out.count + bytes.count + 2)
            out.append(0x22)
            var start = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                escape(byte, to: &out)
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            out.append(0x22)
        }
    }

    static func escape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        switch byte {
        case 0x22, 0x5C: out.append(byte)
        case 0x08: out.append(0x62)
        case 0x0C: out.append(0x66)
        case 0x0A: out.append(0x6E)
        case 0x0D: out.append(0x72)
        case 0x09: out.append(0x74)
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(contentsOf: [0x75, 0x30, 0x30])
            out.append(hex.utf8Start[Int(byte >> 4)])
            out.append(hex.utf8Start[Int(byte & 0xF)])
        }
    }

    public static func array(_ strings: [String]) -> String {
        String(decoding: arrayBytes(strings), as: UTF8.self)
    }

    /// `array` as UTF-8 bytes, for hashing without a round trip through `String`.
    static func arrayBytes(_ strings: [String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
        out.append(0x5B)
        for (i, s) in strings.enumerated() {
            if i > 0 { out.append(0x2C) }
            append(s, to: &out)
        }
        out.append(0x5D)
        return out
    }

    public static func object(_ fields: [String: Value]) -> String {
        var out: [UInt8] = [0x7B]
        // UTF-8 byte order is code-point order.
        let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for (i, (key, value)) in sorted.enumerated() {
            if i > 0 { out.append(0x2C) }
            append(key, to: &out)
            out.append(0x3A)
            switch value {
            case .string(let s): append(s, to: &out)
            case .int(let n): out += Array(String(n).utf8)
            case .bool(let b): out += Array((b ? "true" : "false").utf8)
            case .strings(let list):
                out.append(0x5B)
                for (j, s) in list.enumerated() {
                    if j > 0 { out.append(0x2C) }
                    append(s, to: &out)
                }
                out.append(0x5D)
            }
        }
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }
}

extension CanonicalJSON.Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension CanonicalJSON.Value {
    public init(_ text: String) { self = .string(text) }
    public init(_ number: Int) { self = .int(Int64(number)) }
    public init(_ number: Int64) { self = .int(number) }
    public init(_ flag: Bool) { self = .bool(flag) }
    public init(_ list: [String]) { self = .strings(list) }
}

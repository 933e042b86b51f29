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
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    public static func array(_ strings: [String]) -> String {
        "[" + strings.map(string).joined(separator: ",") + "]"
    }

    public static func object(_ fields: [String: Value]) -> String {
        let body = fields.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }.map { key in
            let value: String
            switch fields[key]! {
            case .string(let s): value = string(s)
            case .int(let n): value = String(n)
            case .bool(let b): value = b ? "true" : "false"
            case .strings(let list): value = array(list)
            }
            return string(key) + ":" + value
        }
        return "{" + body.joined(separator: ",") + "}"
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

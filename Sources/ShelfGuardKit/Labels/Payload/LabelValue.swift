/// A JSON value exactly as a label holds it: strings stay strings, a number keeps its literal
/// text, objects keep their members in the order written.
public indirect enum LabelValue: Sendable, Equatable, Hashable {
    /// A string.
    case string(String)
    /// A number, as written (`1`, `-0.5e3`).
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array.
    case array([LabelValue])
    /// An object, its members in the order written.
    case object([Member])

    /// One member of an object.
    public struct Member: Sendable, Equatable, Hashable {
        /// The key as written.
        public var key: String
        /// The value.
        public var value: LabelValue

        /// A member.
        public init(key: String, value: LabelValue) {
            self.key = key
            self.value = value
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value of the last member named `key`, when this is an object.
    public subscript(key: String) -> LabelValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// What kind of JSON value this is, in words: `a string`, `the number 1`.
    public var described: String {
        switch self {
        case .string(let s): "the string \"\(s)\""
        case .number(let n): "the number \(n)"
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as compact JSON text.
    public var jsonText: String {
        switch self {
        case .string(let s): LabelValue.quoted(s)
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .array(let items): "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.map { LabelValue.quoted($0.key) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
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
}

extension LabelValue: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes as the JSON value itself; a number as a JSON number (through `Double` when it is
    /// no integer), an object with its last value for a key written twice.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .number(let n):
            var c = encoder.singleValueContainer()
            if let i = Int64(n) {
                try c.encode(i)
            } else if let d = Double(n), d.isFinite {
                try c.encode(d)
            } else {
                try c.encode(n)
            }
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let members):
            var c = encoder.container(keyedBy: Key.self)
            var last: [String: LabelValue] = [:]
            for member in members { last[member.key] = member.value }
            for member in members where last[member.key] != nil {
                try c.encode(last[member.key]!, forKey: Key(stringValue: member.key))
                last[member.key] = nil
            }
        }
    }

    /// Decodes any JSON value; object members come in the decoder's order.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.container(keyedBy: Key.self) {
            self = .object(
                try c.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
                    Member(key: $0.stringValue, value: try c.decode(LabelValue.self, forKey: $0))
                })
            return
        }
        if var c = try? decoder.unkeyedContainer() {
            var items: [LabelValue] = []
            while !c.isAtEnd { items.append(try c.decode(LabelValue.self)) }
            self = .array(items)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .number(String(i))
        } else if let d = try? c.decode(Double.self) {
            self = .number(String(d))
        } else {
            self = .string(try c.decode(String.self))
        }
    }
}

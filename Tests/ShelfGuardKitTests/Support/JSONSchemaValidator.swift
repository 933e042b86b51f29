import Foundation

/// One place where a JSON instance breaks its schema.
internal struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// JSON pointer to the offending value in the instance, such as `/runs/0/results/3/level`; empty for the root.
    let instancePath: String
    /// Where the failing keyword sits in the schema, such as `#/definitions/result/properties/level/enum`.
    let schemaPath: String
    /// What is wrong, in plain words.
    let message: String

    var description: String {
        "\(instancePath.isEmpty ? "(root)" : instancePath): \(message) [\(schemaPath)]"
    }
}

/// A small JSON Schema validator for tests: enough of drafts 04 to 07 to check SARIF 2.1.0 output against the
/// official schema.
///
/// Supported keywords: `$ref` (local references, `#` and `#/json/pointer`, optionally prefixed by the root's `id` or
/// `$id`), `definitions` and `$defs` (as targets of references), `type`, `enum`, `const`, `minimum`, `maximum`,
/// `exclusiveMinimum` and `exclusiveMaximum` (draft 04 booleans and draft 06 numbers), `minLength`, `maxLength`,
/// `pattern`, `format` (`uri`, `uri-reference`, `date-time`), `items` (one schema or a list),
/// `additionalItems`, `minItems`, `maxItems`, `uniqueItems`, `properties`, `patternProperties`,
/// `additionalProperties`, `required`, `allOf`, `anyOf`, `oneOf` and `not`, and the boolean schemas `true` and
/// `false`. Every other keyword, and every other format, is ignored. As in drafts 04 to 07, the keywords next to
/// a `$ref` are ignored.
///
/// The schema is checked when the validator is made: every reference must resolve, every pattern must compile and
/// every supported keyword must have the shape the specification gives it.
internal struct JSONSchemaValidator: Sendable {
    /// Why a schema or an instance could not be used at all, as opposed to an instance that breaks the schema.
    enum SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The bytes are not JSON.
        case notJSON(String)
        /// A value handed in as a Foundation object is not something JSON can hold.
        case notJSONValue(path: String, type: String)
        /// A keyword of the schema has the wrong shape.
        case invalidSchema(path: String, reason: String)
        /// A `$ref` does not lead anywhere in this schema.
        case unresolvableReference(path: String, reference: String)
        /// A `pattern` or `patternProperties` key is not a regular expression NSRegularExpression accepts.
        case invalidPattern(path: String, pattern: String)
        /// References lead back to themselves without moving deeper into the instance.
        case circularReference(path: String, reference: String)

        var description: String {
            switch self {
            case .notJSON(let reason): "not JSON: \(reason)"
            case .notJSONValue(let path, let type): "value at '\(path)' of type \(type) is not a JSON value"
            case .invalidSchema(let path, let reason): "invalid schema at \(path): \(reason)"
            case .unresolvableReference(let path, let reference): "$ref '\(reference)' at \(path) does not resolve"
            case .invalidPattern(let path, let pattern): "pattern '\(pattern)' at \(path) does not compile"
            case .circularReference(let path, let reference): "$ref '\(reference)' at \(path) loops back on itself"
            }
        }
    }

    /// A JSON value. Numbers are doubles, so `1` and `1.0` are the same value, as JSON Schema wants.
    enum JSONValue: Sendable, Hashable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])
    }

    /// A compiled regular expression. NSRegularExpression is immutable and safe to share between threads.
    private struct CompiledPattern: @unchecked Sendable {
        let regex: NSRegularExpression
    }

    /// Where the validator stands: in the instance, in the schema, and which references it has followed without
    /// moving deeper into the instance.
    private struct Position {
        var instancePath: String
        var schemaPath: String
        var references: Set<String>

        /// The same instance location, one schema keyword further.
        func keyword(_ name: String) -> Position {
            Position(
                instancePath: instancePath, schemaPath: schemaPath + "/" + JSONSchemaValidator.escape(name),
                references: references)
        }

        /// A child of the instance (property name or array index) checked against a schema at `schemaPath`.
        func child(_ token: String, schemaPath: String) -> Position {
            Position(
                instancePath: instancePath + "/" + JSONSchemaValidator.escape(token), schemaPath: schemaPath,
                references: [])
        }
    }

    /// The schema, as parsed.
    private let root: JSONValue
    /// The root's `id` or `$id` without its fragment, which `$ref` values may carry in front of their `#`.
    private let rootID: String?
    /// Every `pattern` and `patternProperties` key of the schema, compiled.
    private let patterns: [String: CompiledPattern]

    /// The source of every regular expression in the schema, sorted.
    var patternSources: [String] { patterns.keys.sorted() }

    /// Makes a validator from the bytes of a JSON schema.
    init(schema: Data) throws {
        try self.init(schemaJSONObject: try Self.parse(schema))
    }

    /// Makes a validator from a schema already parsed by JSONSerialization (or built from Swift dictionaries).
    init(schemaJSONObject: Any) throws {
        let root = try Self.value(from: schemaJSONObject, path: "#")
        var rootID: String?
        if case .object(let keywords) = root {
            for key in ["$id", "id"] {
                if case .string(let id) = keywords[key] {
                    rootID = String(id.prefix { $0 != "#" })
                    break
                }
            }
        }
        self.root = root
        self.rootID = rootID
        var checker = SchemaChecker(root: root, rootID: rootID)
        try checker.check(root, path: "#")
        while let target = checker.pendingTargets.popFirst() {
            try checker.check(target.value, path: target.key)
        }
        self.patterns = checker.patterns
    }

    /// Checks JSON bytes against the schema and returns every violation found, in a stable order; an empty list
    /// means the instance is valid. Throws `SchemaError` when the bytes are not JSON.
    func validate(_ instance: Data) throws -> [SchemaViolation] {
        try validate(jsonObject: try Self.parse(instance))
    }

    /// Checks a value parsed by JSONSerialization (or built from Swift arrays, dictionaries, strings, numbers,
    /// booleans and NSNull) against the schema.
    func validate(jsonObject: Any) throws -> [SchemaViolation] {
        let instance = try Self.value(from: jsonObject, path: "")
        var violations: [SchemaViolation] = []
        try check(
            instance, against: root, at: Position(instancePath: "", schemaPath: "#", references: []), into: &violations)
        return violations
    }

    // MARK: - Validation

    /// Checks `value` against one schema and appends what fails to `violations`.
    private func check(
        _ value: JSONValue, against schema: JSONValue, at position: Position, into violations: inout [SchemaViolation]
    ) throws {
        let keywords: [String: JSONValue]
        switch schema {
        case .bool(true): return
        case .bool(false):
            violations.append(violation(position, "no value is allowed here (the schema is false)"))
            return
        case .object(let object): keywords = object
        default: return  // Ruled out when the validator was made.
        }

        if case .string(let reference) = keywords["$ref"] {
            let here = position.keyword("$ref")
            guard let (targetPath, target) = resolve(reference) else {
                throw SchemaError.unresolvableReference(path: here.schemaPath, reference: reference)
            }
            guard !position.references.contains(targetPath) else {
                throw SchemaError.circularReference(path: here.schemaPath, reference: reference)
            }
            var next = position
            next.schemaPath = targetPath
            next.references.insert(targetPath)
            try check(value, against: target, at: next, into: &violations)
            return
        }

        checkType(value, keywords, position, &violations)
        checkValueKeywords(value, keywords, position, &violations)
        switch value {
        case .number(let number): checkNumber(number, keywords, position, &violations)
        case .string(let string): try checkString(string, keywords, position, &violations)
        case .array(let items): try checkArray(items, keywords, position, &violations)
        case .object(let members): try checkObject(members, keywords, position, &violations)
        case .null, .bool: break
        }
        try checkCombinators(value, keywords, position, &violations)
    }

    /// `type`: one type name or a list of them.
    private func checkType(
        _ value: JSONValue, _ keywords: [String: JSONValue], _ position: Position,
        _ violations: inout [SchemaViolation]
    ) {
        let allowed: [String]
        switch keywords["type"] {
        case .string(let name): allowed = [name]
        case .array(let names): allowed = names.compactMap { if case .string(let name) = $0 { name } else { nil } }
        default: return
        }
        guard !allowed.contains(where: { Self.matches(value, type: $0) }) else { return }
        let expected = allowed.count == 1 ? allowed[0] : allowed.joined(separator: " or ")
        violations.append(violation(position.keyword("type"), "expected \(expected), found \(Self.typeName(value))"))
    }

    /// `enum` and `const`, compared with JSON equality.
    private func checkValueKeywords(
        _ value: JSONValue, _ keywords: [String: JSONValue], _ position: Position,
        _ violations: inout [SchemaViolation]
    ) {
        if case .array(let options) = keywords["enum"], !options.contains(value) {
            let list = options.map { if case .string(let text) = $0 { text } else { Self.render($0) } }
            violations.append(
                violation(
                    position.keyword("enum"),
                    "value \(Self.quote(value)) is not one of \(list.joined(separator: ", "))"))
        }
        if let constant = keywords["const"], constant != value {
            violations.append(
                violation(
                    position.keyword("const"),
                    "value \(Self.quote(value)) is not the required \(Self.quote(constant))"))
        }
    }

    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`.
    private func checkNumber(
        _ number: Double, _ keywords: [String: JSONValue], _ position: Position,
        _ violations: inout [SchemaViolation]
    ) {
        let shown = Self.render(.number(number))
        if case .number(let minimum) = keywords["minimum"] {
            if keywords["exclusiveMinimum"] == .bool(true) {
                if number <= minimum {
                    violations.append(
                        violation(
                            position.keyword("minimum"),
                            "value \(shown) is not greater than the exclusive minimum \(Self.render(.number(minimum)))"
                        ))
                }
            } else if number < minimum {
                violations.append(
                    violation(
                        position.keyword("minimum"),
                        "value \(shown) is less than the minimum \(Self.render(.number(minimum)))"))
            }
        }
        if case .number(let maximum) = keywords["maximum"] {
            if keywords["exclusiveMaximum"] == .bool(true) {
                if number >= maximum {
                    violations.append(
                        violation(
                            position.keyword("maximum"),
                            "value \(shown) is not less than the exclusive maximum \(Self.render(.number(maximum)))"))
                }
            } else if number > maximum {
                violations.append(
                    violation(
                        position.keyword("maximum"),
                        "value \(shown) is greater than the maximum \(Self.render(.number(maximum)))"))
            }
        }
        if case .number(let limit) = keywords["exclusiveMinimum"], number <= limit {
            violations.append(
                violation(
                    position.keyword("exclusiveMinimum"),
                    "value \(shown) is not greater than the exclusive minimum \(Self.render(.number(limit)))"))
        }
        if case .number(let limit) = keywords["exclusiveMaximum"], number >= limit {
            violations.append(
                violation(
                    position.keyword("exclusiveMaximum"),
                    "value \(shown) is not less than the exclusive maximum \(Self.render(.number(limit)))"))
        }
    }

    /// `minLength` and `maxLength` (in Unicode code points), `pattern` and `format`.
    private func checkString(
        _ string: String, _ keywords: [String: JSONValue], _ position: Position,
        _ violations: inout [SchemaViolation]
    ) throws {
        let length = string.unicodeScalars.count
        if case .number(let minimum) = keywords["minLength"], Double(length) < minimum {
            violations.append(
                violation(
                    position.keyword("minLength"),
                    "string is \(length) characters long, shorter than the minimum \(Self.render(.number(minimum)))"))
        }
        if case .number(let maximum) = keywords["maxLength"], Double(length) > maximum {
            violations.append(
                violation(
                    position.keyword("maxLength"),
                    "string is \(length) characters long, longer than the maximum \(Self.render(.number(maximum)))"))
        }
        if case .string(let pattern) = keywords["pattern"] {
            guard let compiled = patterns[pattern] else {
                throw SchemaError.invalidPattern(path: position.keyword("pattern").schemaPath, pattern: pattern)
            }
            if !Self.search(compiled.regex, in: string) {
                violations.append(
                    violation(
                        position.keyword("pattern"),
                        "string \(Self.quote(.string(string))) does not match the pattern '\(pattern)'"))
            }
        }
        if case .string(let format) = keywords["format"], let problem = Self.formatProblem(string, format: format) {
            violations.append(
                violation(position.keyword("format"), "string \(Self.quote(.string(string))) is not \(problem)"))
        }
    }

    /// `items`, `additionalItems`, `minItems`, `maxItems`, `uniqueItems`.
    private func checkArray(
        _ items: [JSONValue], _ keywords: [String: JSONValue], _ position: Position,
        _ violations: inout [SchemaViolation]
    ) throws {
        let itemsPath = position.keyword("items").schemaPath
        switch keywords["items"] {
        case .array(let schemas):
            for (index, item) in items.enumerated() {
                if index < schemas.count {
                    let next = position.child(String(index), schemaPath: itemsPath + "/\(index)")
                    try check(item, against: schemas[index], at: next, into: &violations)
                } else if let additional = keywords["additionalItems"] {
                    let next = position.child(String(index), schemaPath: position.keyword("additionalItems").schemaPath)
                    if additional == .bool(false) {
                        violations.append(
                            violation(next, "item \(index) is not allowed (only \(schemas.count) items are described)"))
                    } else {
                        try check(item, against: additional, at: next, into: &violations)
                    }
                }
            }
        case .some(let schema):
            for (index, item) in items.enumerated() {
                try check(
                    item, against: schema, at: position.child(String(index), schemaPath: itemsPath), into: &violations)
            }
        case .none: break
        }
        if case .number(let minimum) = keywords["minItems"], Double(items.count) < minimum {
            violations.append(
                violation(
                    position.keyword("minItems"),
                    "array has \(items.count) items, fewer than the minimum \(Self.render(.number(minimum)))"))
        }
        if case .number(let maximum) = keywords["maxItems"], Double(items.count) > maximum {
            violations.append(
                violation(
                    position.keyword("maxItems"),
                    "array has \(items.count) items, more than the maximum \(Self.render(.number(maximum)))"))
        }
        if keywords["uniqueItems"] == .bool(true) {
            var firstIndex: [JSONValue: Int] = [:]
            for (index, item) in items.enumerated() {
                if let earlier = firstIndex[item] {
                    violations.append(
                        violation(
                            position.keyword("uniqueItems"),
                            "items \(earlier) and \(index) are equal, but the items must be unique"))
                    break
                }
                firstIndex[item] = index
            }
        }
    }

    /// `required`, `properties`, `patternProperties`, `additionalProperties`.
    private func checkObject(
        _ members: [String: JSONValue], _ keywords: [String: JSONValue], _ position: Position,
        _ violations: inout [SchemaViolation]
    ) throws {
        if case .array(let required) = keywords["required"] {
            for case .string(let name) in required where members[name] == nil {
                violations.append(violation(position.keyword("required"), "missing required property '\(name)'"))
            }
        }
        var properties: [String: JSONValue] = [:]
        if case .object(let object) = keywords["properties"] { properties = object }
        var patternSchemas: [String: JSONValue] = [:]
        if case .object(let object) = keywords["patternProperties"] { patternSchemas = object }
        let additional = keywords["additionalProperties"]
        for name in members.keys.sorted() {
            guard let member = members[name] else { continue }
            var described = false
            if let schema = properties[name] {
                described = true
                let path = position.keyword("properties").schemaPath + "/" + Self.escape(name)
                try check(member, against: schema, at: position.child(name, schemaPath: path), into: &violations)
            }
            for pattern in patternSchemas.keys.sorted() {
                let path = position.keyword("patternProperties").schemaPath + "/" + Self.escape(pattern)
                guard let compiled = patterns[pattern] else {
                    throw SchemaError.invalidPattern(path: path, pattern: pattern)
                }
                guard Self.search(compiled.regex, in: name), let schema = patternSchemas[pattern] else { continue }
                described = true
                try check(member, against: schema, at: position.child(name, schemaPath: path), into: &violations)
            }
            guard !described, let additional else { continue }
            let next = position.child(name, schemaPath: position.keyword("additionalProperties").schemaPath)
            if additional == .bool(false) {
                violations.append(violation(next, "property '\(name)' is not allowed here"))
            } else {
                try check(member, against: additional, at: next, into: &violations)
            }
        }
    }

    /// `allOf`, `anyOf`, `oneOf`, `not`.
    private func checkCombinators(
        _ value: JSONValue, _ keywords: [String: JSONValue], _ position: Position,
        _ violations: inout [SchemaViolation]
    ) throws {
        if case .array(let schemas) = keywords["allOf"] {
            let here = position.keyword("allOf")
            for (index, schema) in schemas.enumerated() {
                try check(value, against: schema, at: here.keyword(String(index)), into: &violations)
            }
        }
        if case .array(let schemas) = keywords["anyOf"] {
            let here = position.keyword("anyOf")
            let outcomes = try alternatives(value, schemas, here)
            if !outcomes.contains(where: \.isEmpty) {
                violations.append(
                    violation(here, "value matches none of the anyOf alternatives: \(Self.summary(outcomes))"))
            }
        }
        if case .array(let schemas) = keywords["oneOf"] {
            let here = position.keyword("oneOf")
            let outcomes = try alternatives(value, schemas, here)
            let matching = outcomes.indices.filter { outcomes[$0].isEmpty }
            if matching.isEmpty {
                violations.append(
                    violation(here, "value matches none of the oneOf alternatives: \(Self.summary(outcomes))"))
            } else if matching.count > 1 {
                let list = matching.map(String.init).joined(separator: ", ")
                violations.append(
                    violation(here, "value matches \(matching.count) oneOf alternatives (\(list)), not exactly one"))
            }
        }
        if let schema = keywords["not"] {
            let here = position.keyword("not")
            var inner: [SchemaViolation] = []
            try check(value, against: schema, at: here, into: &inner)
            if inner.isEmpty {
                violations.append(violation(here, "value must not match the schema under 'not'"))
            }
        }
    }

    /// The violations of `value` against each alternative of `anyOf` or `oneOf`, one list per alternative.
    private func alternatives(
        _ value: JSONValue, _ schemas: [JSONValue], _ position: Position
    ) throws -> [[SchemaViolation]] {
        try schemas.indices.map { index in
            var inner: [SchemaViolation] = []
            try check(value, against: schemas[index], at: position.keyword(String(index)), into: &inner)
            return inner
        }
    }

    /// Resolves a local `$ref` to the schema path it names and the schema found there.
    private func resolve(_ reference: String) -> (path: String, schema: JSONValue)? {
        Self.resolve(reference, in: root, rootID: rootID)
    }

    private func violation(_ position: Position, _ message: String) -> SchemaViolation {
        SchemaViolation(instancePath: position.instancePath, schemaPath: position.schemaPath, message: message)
    }

    // MARK: - Types and values

    /// Whether `value` is of the JSON Schema type `type`; an integer is a number with no fraction.
    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .number):
            true
        case ("integer", .number(let number)): isInteger(number)
        default: false
        }
    }

    private static func isInteger(_ number: Double) -> Bool {
        number.isFinite && number.rounded(.towardZero) == number
    }

    /// The JSON Schema type name of `value`, `integer` for numbers with no fraction.
    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number(let number): isInteger(number) ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Parses JSON bytes, allowing a bare scalar at the top.
    private static func parse(_ data: Data) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw SchemaError.notJSON(String(describing: error))
        }
    }

    /// The class Foundation uses for boolean NSNumbers (`__NSCFBoolean` on Linux and on Apple platforms).
    private static let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))

    /// Converts a JSONSerialization result, or the like built in Swift, to a JSON value. Booleans are told apart
    /// from numbers by their class, because a boolean NSNumber also casts to Int and a numeric one to Bool.
    private static func value(from object: Any, path: String) throws -> JSONValue {
        if object is NSNull { return .null }
        if let string = object as? String { return .string(string) }
        if type(of: object) == Bool.self, let bool = object as? Bool { return .bool(bool) }
        if let number = object as? NSNumber {
            if ObjectIdentifier(type(of: number)) == booleanClass { return .bool(number.boolValue) }
            let double = number.doubleValue
            guard double.isFinite else { throw SchemaError.notJSONValue(path: path, type: "non-finite number") }
            return .number(double)
        }
        if let array = object as? [Any] {
            return .array(try array.enumerated().map { try value(from: $1, path: path + "/\($0)") })
        }
        if let dictionary = object as? [String: Any] {
            var members: [String: JSONValue] = [:]
            for (key, member) in dictionary {
                members[key] = try value(from: member, path: path + "/" + escape(key))
            }
            return .object(members)
        }
        throw SchemaError.notJSONValue(path: path, type: String(describing: type(of: object)))
    }

    /// Compact JSON text of `value`, with object keys sorted.
    private static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let bool): return bool ? "true" : "false"
        case .number(let number):
            if isInteger(number), abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        case .string(let string):
            let data = try? JSONSerialization.data(withJSONObject: string, options: [.fragmentsAllowed])
            return data.flatMap { String(data: $0, encoding: .utf8) } ?? "\"\(string)\""
        case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
        case .object(let members):
            let pairs = members.keys.sorted().map { key in
                render(.string(key)) + ":" + (members[key].map(render) ?? "null")
            }
            return "{" + pairs.joined(separator: ",") + "}"
        }
    }

    /// `value` for a message: strings in single quotes, everything else as JSON; long values are shortened.
    private static func quote(_ value: JSONValue) -> String {
        let text: String
        if case .string(let string) = value { text = "'\(string)'" } else { text = render(value) }
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    /// The first message of each failed alternative, for an `anyOf` or `oneOf` violation.
    private static func summary(_ outcomes: [[SchemaViolation]]) -> String {
        outcomes.enumerated().map { index, inner in
            guard let first = inner.first else { return "[\(index)] matches" }
            let location = first.instancePath.isEmpty ? "" : " at \(first.instancePath)"
            let more = inner.count > 1 ? " (and \(inner.count - 1) more)" : ""
            return "[\(index)] \(first.message)\(location)\(more)"
        }.joined(separator: "; ")
    }

    /// Escapes one JSON pointer token (`~` as `~0`, `/` as `~1`).
    private static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// Whether `regex` matches anywhere in `string`; JSON Schema patterns are not anchored.
    private static func search(_ regex: NSRegularExpression, in string: String) -> Bool {
        regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
    }

    /// Resolves a local `$ref` (`#`, `#/json/pointer`, or either after the root's id) in `root`.
    private static func resolve(
        _ reference: String, in root: JSONValue, rootID: String?
    ) -> (path: String, schema: JSONValue)? {
        guard let hash = reference.firstIndex(of: "#") else {
            // A reference with no fragment can only name the whole schema, by its id.
            return reference == rootID && rootID?.isEmpty == false ? ("#", root) : nil
        }
        let base = String(reference[..<hash])
        guard base.isEmpty || base == rootID else { return nil }
        let fragment = String(reference[reference.index(after: hash)...])
        guard let pointer = fragment.removingPercentEncoding else { return nil }
        if pointer.isEmpty { return ("#", root) }
        guard pointer.hasPrefix("/") else { return nil }
        var node = root
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let members):
                guard let next = members[token] else { return nil }
                node = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                node = items[index]
            default: return nil
            }
        }
        return ("#" + pointer, node)
    }

    // MARK: - Formats

    /// Why `string` is not of `format`, or nil when it is, or when the format is not one this validator knows.
    private static func formatProblem(_ string: String, format: String) -> String? {
        switch format {
        case "uri": isURI(string, absolute: true) ? nil : "a valid uri (an absolute URI with a scheme)"
        case "uri-reference": isURI(string, absolute: false) ? nil : "a valid uri-reference"
        case "date-time": isDateTime(string) ? nil : "a valid RFC 3339 date-time"
        default: nil
        }
    }

    /// Bytes allowed anywhere in a URI besides `%`: RFC 3986 unreserved, general and sub delimiters.
    private static let uriBytes = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=".utf8)

    /// Whether `string` is an RFC 3986 URI reference that URLComponents also accepts; with `absolute`, it must
    /// start with a scheme.
    private static func isURI(_ string: String, absolute: Bool) -> Bool {
        let bytes = Array(string.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
                    return false
                }
                index += 3
            } else {
                guard uriBytes.contains(bytes[index]) else { return false }
                index += 1
            }
        }
        // A scheme is whatever comes before the first ':' that precedes any '/', '?' or '#'.
        var rest = Substring(string)
        let firstDelimiter = string.firstIndex { ":/?#".contains($0) }
        if let colon = firstDelimiter, string[colon] == ":" {
            let scheme = string[..<colon]
            guard let first = scheme.first, first.isASCII, first.isLetter,
                scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
            else { return false }
            rest = string[string.index(after: colon)...]
        } else if absolute {
            return false
        }
        // Square brackets may only enclose an IP literal host in the authority; '#' may appear once.
        var beforeFragment = rest
        if let hash = rest.firstIndex(of: "#") {
            let fragment = rest[rest.index(after: hash)...]
            guard !fragment.contains(where: { "#[]".contains($0) }) else { return false }
            beforeFragment = rest[..<hash]
        }
        var hierarchy = beforeFragment
        if let question = beforeFragment.firstIndex(of: "?") {
            guard !beforeFragment[question...].contains(where: { "[]".contains($0) }) else { return false }
            hierarchy = beforeFragment[..<question]
        }
        var path = hierarchy
        if hierarchy.hasPrefix("//") {
            let authority = hierarchy.dropFirst(2).prefix { $0 != "/" }
            path = hierarchy[authority.endIndex...]
            let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
            if host.contains(where: { "[]".contains($0) }) {
                guard host.first == "[", let close = host.firstIndex(of: "]"),
                    host[host.index(after: host.startIndex)..<close].allSatisfy({ !"[]".contains($0) }),
                    host[host.index(after: close)...].allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ":") })
                else { return false }
            }
        }
        guard !path.contains(where: { "[]".contains($0) }) else { return false }
        return URLComponents(string: string) != nil
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    /// Whether `string` is an RFC 3339 `date-time`, such as `2024-02-29T23:59:60.5+00:00` or
    /// `2024-05-01T08:30:00Z`, with real calendar days and a leap second only at 23:59 UTC.
    private static func isDateTime(_ string: String) -> Bool {
        let bytes = Array(string.utf8)
        /// The number written by `count` ASCII digits from `start`, or nil.
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var result = 0
            for byte in bytes[start..<start + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                result = result * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return result
        }
        func byte(_ index: Int, in allowed: String) -> Bool {
            index < bytes.count && allowed.utf8.contains(bytes[index])
        }
        guard let year = number(0, 4), byte(4, in: "-"), let month = number(5, 2), byte(7, in: "-"),
            let day = number(8, 2), byte(10, in: "Tt"), let hour = number(11, 2), byte(13, in: ":"),
            let minute = number(14, 2), byte(16, in: ":"), let second = number(17, 2)
        else { return false }
        var index = 19
        if byte(index, in: ".") {
            index += 1
            let digitsStart = index
            while number(index, 1) != nil { index += 1 }
            guard index > digitsStart else { return false }
        }
        var offsetMinutes = 0
        if byte(index, in: "Zz") {
            index += 1
        } else if byte(index, in: "+-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard let offsetHour = number(index + 1, 2), byte(index + 3, in: ":"),
                let offsetMinute = number(index + 4, 2), offsetHour <= 23, offsetMinute <= 59
            else { return false }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
            index += 6
        } else {
            return false
        }
        guard index == bytes.count else { return false }
        let leapYear = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leapYear ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour <= 23, minute <= 59,
            second <= 60
        else { return false }
        if second == 60 {
            let utcMinute = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utcMinute == 23 * 60 + 59
        }
        return true
    }
}

// MARK: - Checking the schema itself

extension JSONSchemaValidator {
    /// Walks a schema once, before any validation: checks the shape of every supported keyword, resolves every
    /// `$ref` and compiles every regular expression.
    private struct SchemaChecker {
        /// The type names `type` may use.
        static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]

        let root: JSONValue
        let rootID: String?
        /// Compiled regular expressions, by source.
        var patterns: [String: CompiledPattern] = [:]
        /// Schemas reached through `$ref`, by schema path, that still have to be walked.
        var pendingTargets: [String: JSONValue] = [:]
        /// Schema paths already walked.
        var visited: Set<String> = []

        /// Walks the schema at `path` and every schema under it.
        mutating func check(_ schema: JSONValue, path: String) throws {
            guard visited.insert(path).inserted else { return }
            let keywords: [String: JSONValue]
            switch schema {
            case .bool: return
            case .object(let object): keywords = object
            default: throw SchemaError.invalidSchema(path: path, reason: "a schema must be an object or a boolean")
            }
            for key in ["definitions", "$defs"] {
                try checkSchemaMap(keywords, key, path)
            }
            if let reference = keywords["$ref"] {
                guard case .string(let text) = reference else {
                    throw SchemaError.invalidSchema(path: path + "/$ref", reason: "$ref must be a string")
                }
                guard let (targetPath, target) = JSONSchemaValidator.resolve(text, in: root, rootID: rootID) else {
                    throw SchemaError.unresolvableReference(path: path + "/$ref", reference: text)
                }
                if !visited.contains(targetPath) { pendingTargets[targetPath] = target }
                return  // Keywords next to $ref are ignored in drafts 04 to 07.
            }
            try checkType(keywords, path)
            for key in ["minimum", "maximum"] where keywords[key] != nil {
                guard case .number = keywords[key] else { throw invalid(path, key, "must be a number") }
            }
            for key in ["exclusiveMinimum", "exclusiveMaximum"] {
                switch keywords[key] {
                case .none, .bool, .number: break
                default: throw invalid(path, key, "must be a boolean or a number")
                }
            }
            for key in ["minLength", "maxLength", "minItems", "maxItems"] where keywords[key] != nil {
                guard case .number(let number) = keywords[key], number >= 0, number.rounded() == number else {
                    throw invalid(path, key, "must be a non-negative integer")
                }
            }
            for key in ["format", "pattern"] where keywords[key] != nil {
                guard case .string = keywords[key] else { throw invalid(path, key, "must be a string") }
            }
            if case .string(let pattern) = keywords["pattern"] { try compile(pattern, path + "/pattern") }
            if let unique = keywords["uniqueItems"] {
                guard case .bool = unique else { throw invalid(path, "uniqueItems", "must be a boolean") }
            }
            if let options = keywords["enum"] {
                guard case .array = options else { throw invalid(path, "enum", "must be an array") }
            }
            if let required = keywords["required"] {
                guard case .array(let names) = required,
                    names.allSatisfy({ if case .string = $0 { true } else { false } })
                else { throw invalid(path, "required", "must be an array of strings") }
            }
            switch keywords["items"] {
            case .array(let schemas):
                for (index, item) in schemas.enumerated() { try check(item, path: path + "/items/\(index)") }
            case .some(let schema): try check(schema, path: path + "/items")
            case .none: break
            }
            for key in ["additionalItems", "additionalProperties", "not"] {
                if let schema = keywords[key] { try check(schema, path: path + "/" + key) }
            }
            try checkSchemaMap(keywords, "properties", path)
            try checkSchemaMap(keywords, "patternProperties", path)
            if case .object(let members) = keywords["patternProperties"] {
                for pattern in members.keys {
                    try compile(pattern, path + "/patternProperties/" + JSONSchemaValidator.escape(pattern))
                }
            }
            for key in ["allOf", "anyOf", "oneOf"] where keywords[key] != nil {
                guard case .array(let schemas) = keywords[key], !schemas.isEmpty else {
                    throw invalid(path, key, "must be a non-empty array of schemas")
                }
                for (index, schema) in schemas.enumerated() { try check(schema, path: path + "/\(key)/\(index)") }
            }
        }

        /// `type`: a known type name or an array of them.
        private func checkType(_ keywords: [String: JSONValue], _ path: String) throws {
            /// Whether `value` is one of the type names.
            func isTypeName(_ value: JSONValue) -> Bool {
                if case .string(let name) = value { Self.typeNames.contains(name) } else { false }
            }
            switch keywords["type"] {
            case .none: return
            case .some(let name) where isTypeName(name): return
            case .array(let names) where !names.isEmpty && names.allSatisfy(isTypeName): return
            default: throw invalid(path, "type", "must be a type name or an array of type names")
            }
        }

        /// A keyword whose value maps names to schemas, such as `properties` or `definitions`.
        private mutating func checkSchemaMap(_ keywords: [String: JSONValue], _ key: String, _ path: String) throws {
            guard let value = keywords[key] else { return }
            guard case .object(let members) = value else { throw invalid(path, key, "must be an object of schemas") }
            for name in members.keys.sorted() {
                guard let schema = members[name] else { continue }
                try check(schema, path: path + "/" + key + "/" + JSONSchemaValidator.escape(name))
            }
        }

        /// Compiles `pattern` once; NSRegularExpression stands in for the ECMA 262 dialect JSON Schema names.
        private mutating func compile(_ pattern: String, _ path: String) throws {
            guard patterns[pattern] == nil else { return }
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                throw SchemaError.invalidPattern(path: path, pattern: pattern)
            }
            patterns[pattern] = CompiledPattern(regex: regex)
        }

        private func invalid(_ path: String, _ key: String, _ reason: String) -> SchemaError {
            SchemaError.invalidSchema(path: path + "/" + JSONSchemaValidator.escape(key), reason: "\(key) \(reason)")
        }
    }
}

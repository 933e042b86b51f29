import Foundation
import Testing

/// The test-only JSON Schema validator: each keyword with a passing and a failing instance, then the real SARIF
/// 2.1.0 schema with a minimal valid log and broken variants of it.
@Suite("JSON Schema validator")
struct JSONSchemaValidatorTests {
    // MARK: - Helpers

    /// The violations of `instance` (JSON text) against `schema` (JSON text).
    private func violations(_ schema: String, _ instance: String) throws -> [SchemaViolation] {
        try JSONSchemaValidator(schema: Data(schema.utf8)).validate(Data(instance.utf8))
    }

    /// Whether `instance` is valid against `schema`.
    private func isValid(_ schema: String, _ instance: String) throws -> Bool {
        try violations(schema, instance).isEmpty
    }

    // MARK: - type

    @Test("type: one name or a list of names")
    func type() throws {
        #expect(try isValid(#"{"type": "string"}"#, #""text""#))
        let found = try violations(#"{"type": "string"}"#, "12")
        #expect(
            found == [
                SchemaViolation(instancePath: "", schemaPath: "#/type", message: "expected string, found integer")
            ])
        #expect(try isValid(#"{"type": ["array", "null"]}"#, "null"))
        #expect(try isValid(#"{"type": ["array", "null"]}"#, "[]"))
        #expect(
            try violations(#"{"type": ["array", "null"]}"#, "{}").map(\.message) == [
                "expected array or null, found object"
            ])
    }

    @Test("type: an integer is a number with no fraction")
    func integer() throws {
        let schema = #"{"type": "integer"}"#
        #expect(try isValid(schema, "3"))
        #expect(try isValid(schema, "3.0"))
        #expect(try isValid(schema, "-7"))
        #expect(try !isValid(schema, "3.5"))
        #expect(try !isValid(schema, #""3""#))
        #expect(try isValid(#"{"type": "number"}"#, "3.5"))
        #expect(try isValid(#"{"type": "number"}"#, "3"))
    }

    @Test("type: booleans and numbers are told apart, though Foundation gives NSNumber for both")
    func booleansAreNotNumbers() throws {
        for number in ["0", "1", "1.0"] {
            #expect(try !isValid(#"{"type": "boolean"}"#, number))
        }
        for bool in ["true", "false"] {
            #expect(try isValid(#"{"type": "boolean"}"#, bool))
            #expect(try !isValid(#"{"type": "integer"}"#, bool))
            #expect(try !isValid(#"{"type": "number"}"#, bool))
        }
        #expect(try isValid(#"{"enum": [1]}"#, "1"))
        #expect(try !isValid(#"{"enum": [1]}"#, "true"))
        #expect(try !isValid(#"{"enum": [false]}"#, "0"))
    }

    @Test("type: Swift values handed to validate(jsonObject:)")
    func swiftValues() throws {
        let validator = try JSONSchemaValidator(
            schema: Data(
                #"""
                {"properties": {"flag": {"type": "boolean"}, "count": {"type": "integer"}, "name": {"type": "string"}}}
                """#.utf8))
        #expect(try validator.validate(jsonObject: ["flag": true, "count": 2, "name": "x"]).isEmpty)
        let found = try validator.validate(jsonObject: ["flag": 1, "count": false, "name": NSNull()])
        #expect(found.map(\.instancePath) == ["/count", "/flag", "/name"])
        #expect(throws: JSONSchemaValidator.SchemaError.self) {
            try validator.validate(jsonObject: ["when": Date()])
        }
    }

    // MARK: - enum and const

    @Test("enum: JSON equality with any listed value")
    func enumeration() throws {
        let schema = #"{"enum": ["error", "warning", "note", "none"]}"#
        #expect(try isValid(schema, #""note""#))
        let found = try violations(schema, #""bogus""#)
        #expect(found.map(\.message) == ["value 'bogus' is not one of error, warning, note, none"])
        #expect(found.map(\.schemaPath) == ["#/enum"])
        #expect(try isValid(#"{"enum": [{"a": [1, 2]}, null]}"#, #"{"a": [1, 2.0]}"#))
        #expect(try !isValid(#"{"enum": [{"a": [1, 2]}, null]}"#, #"{"a": [2, 1]}"#))
    }

    @Test("const: JSON equality with one value")
    func constant() throws {
        #expect(try isValid(#"{"const": {"x": 1, "y": "z"}}"#, #"{"y": "z", "x": 1.0}"#))
        #expect(
            try violations(#"{"const": "2.1.0"}"#, #""2.0.0""#).map(\.message) == [
                "value '2.0.0' is not the required '2.1.0'"
            ])
    }

    // MARK: - Numbers

    @Test("minimum and maximum are inclusive")
    func minimumMaximum() throws {
        let schema = #"{"minimum": 1, "maximum": 100}"#
        #expect(try isValid(schema, "1"))
        #expect(try isValid(schema, "100"))
        #expect(try violations(schema, "0").map(\.message) == ["value 0 is less than the minimum 1"])
        #expect(try violations(schema, "100.5").map(\.schemaPath) == ["#/maximum"])
        #expect(try isValid(schema, #""not a number""#))
    }

    @Test("exclusiveMinimum and exclusiveMaximum, as draft 04 booleans and as draft 06 numbers")
    func exclusiveBounds() throws {
        let draft4 = #"{"minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true}"#
        #expect(try isValid(draft4, "5"))
        #expect(try !isValid(draft4, "0"))
        #expect(try !isValid(draft4, "10"))
        let draft6 = #"{"exclusiveMinimum": 0, "exclusiveMaximum": 10}"#
        #expect(try isValid(draft6, "0.5"))
        #expect(try violations(draft6, "0").map(\.schemaPath) == ["#/exclusiveMinimum"])
        #expect(try violations(draft6, "10").map(\.schemaPath) == ["#/exclusiveMaximum"])
    }

    // MARK: - Strings

    @Test("minLength and maxLength count code points")
    func lengths() throws {
        let schema = #"{"minLength": 2, "maxLength": 3}"#
        #expect(try isValid(schema, #""ab""#))
        #expect(try isValid(schema, #""äöü""#))
        #expect(try violations(schema, #""a""#).map(\.schemaPath) == ["#/minLength"])
        #expect(try violations(schema, #""abcd""#).map(\.schemaPath) == ["#/maxLength"])
    }

    @Test("pattern searches anywhere unless anchored")
    func pattern() throws {
        #expect(try isValid(#"{"pattern": "[0-9]+(\\.[0-9]+){3}"}"#, #""v1.2.3.4-beta""#))
        #expect(try !isValid(#"{"pattern": "[0-9]+(\\.[0-9]+){3}"}"#, #""1.2.3""#))
        let anchored = #"{"pattern": "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"}"#
        #expect(try isValid(anchored, #""en-US""#))
        let found = try violations(anchored, #""en-USA""#)
        #expect(found.map(\.message) == ["string 'en-USA' does not match the pattern '^[a-zA-Z]{2}(-[a-zA-Z]{2})?$'"])
    }

    @Test("format uri: an absolute URI with a scheme")
    func formatURI() throws {
        let schema = #"{"format": "uri"}"#
        for good in [
            "https://example.com/a/b?c=d#e", "http://json.schemastore.org/sarif-2.1.0.json", "urn:isbn:0451450523",
            "file:///tmp/report.sarif", "mailto:team@example.com", "http://[::1]:8080/", "https://x.org/%E4%B8%AD",
        ] {
            #expect(try isValid(schema, "\"\(good)\""), "\(good)")
        }
        for bad in [
            "samples/facefun.apk", "//example.com/x", "not a uri", "http://example.com/a b", "1http://x",
            "https://x.org/%zz", "C:\\\\Windows", "https://example.com/ü", "",
        ] {
            #expect(try !isValid(schema, "\"\(bad)\""), "\(bad)")
        }
    }

    @Test("format uri-reference: absolute or relative, percent-encoded")
    func formatURIReference() throws {
        let schema = #"{"format": "uri-reference"}"#
        for good in [
            "samples/facefun.apk", "file:///tmp/a.apk", "a%20b/c%2Fd.so", "../lib/x.so", "#frag", "?q=1", "",
            "//cdn.example.com/x", "src/main.swift#L10", "https://example.com/",
        ] {
            #expect(try isValid(schema, "\"\(good)\""), "\(good)")
        }
        for bad in ["a b.apk", "%zz", "50%", "1a:b", "C:\\\\x", "x#y#z", "a[1].txt", "https://example.com/ü"] {
            #expect(try !isValid(schema, "\"\(bad)\""), "\(bad)")
        }
    }

    @Test("format date-time: RFC 3339")
    func formatDateTime() throws {
        let schema = #"{"format": "date-time"}"#
        for good in [
            "2024-05-01T08:30:00Z", "2024-05-01t08:30:00z", "2024-02-29T23:59:59.123456+08:00",
            "1998-12-31T23:59:60Z", "1998-12-31T15:59:60-08:00", "2024-05-01T08:30:00+00:00",
        ] {
            #expect(try isValid(schema, "\"\(good)\""), "\(good)")
        }
        for bad in [
            "2024-05-01", "2024-05-01 08:30:00Z", "2024-05-01T08:30:00", "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T08:60:00Z",
            "2024-05-01T08:30:60Z", "1998-12-31T23:59:61Z", "2024-05-01T08:30:00.Z", "2024-05-01T08:30:00+0800",
            "2024-05-01T08:30:00+24:00",
            "24-05-01T08:30:00Z", "2024-05-01T08:30:00Zjunk",
        ] {
            #expect(try !isValid(schema, "\"\(bad)\""), "\(bad)")
        }
    }

    @Test("format: unknown formats and non-strings are not checked")
    func unknownFormat() throws {
        #expect(try isValid(#"{"format": "email"}"#, #""not an email""#))
        #expect(try isValid(#"{"format": "uri"}"#, "42"))
    }

    // MARK: - Arrays

    @Test("items: one schema for every item, with the item's pointer")
    func items() throws {
        let schema = #"{"items": {"type": "string"}}"#
        #expect(try isValid(schema, #"["a", "b"]"#))
        let found = try violations(schema, #"["a", 2, "c", null]"#)
        #expect(found.map(\.instancePath) == ["/1", "/3"])
        #expect(found.map(\.schemaPath) == ["#/items/type", "#/items/type"])
    }

    @Test("items as a list, and additionalItems")
    func tupleItems() throws {
        let schema = #"{"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}"#
        #expect(try isValid(schema, #"["a", 1]"#))
        #expect(try isValid(schema, #"["a"]"#))
        #expect(try violations(schema, #"[1, 1]"#).map(\.instancePath) == ["/0"])
        #expect(try violations(schema, #"["a", 1, true]"#).map(\.schemaPath) == ["#/additionalItems"])
        let typed = #"{"items": [{"type": "string"}], "additionalItems": {"type": "boolean"}}"#
        #expect(try isValid(typed, #"["a", true, false]"#))
        #expect(try violations(typed, #"["a", true, 3]"#).map(\.instancePath) == ["/2"])
    }

    @Test("minItems and maxItems")
    func itemCounts() throws {
        let schema = #"{"minItems": 1, "maxItems": 2}"#
        #expect(try isValid(schema, "[1]"))
        #expect(try violations(schema, "[]").map(\.message) == ["array has 0 items, fewer than the minimum 1"])
        #expect(try violations(schema, "[1, 2, 3]").map(\.schemaPath) == ["#/maxItems"])
    }

    @Test("uniqueItems compares with JSON equality")
    func uniqueItems() throws {
        let schema = #"{"uniqueItems": true}"#
        #expect(try isValid(schema, #"[1, "1", true, null, [1], {"a": 1}, {"a": 2}]"#))
        #expect(try isValid(#"{"uniqueItems": false}"#, "[1, 1]"))
        #expect(
            try violations(schema, #"["x", "y", "x"]"#).map(\.message) == [
                "items 0 and 2 are equal, but the items must be unique"
            ])
        #expect(try !isValid(schema, "[1, 1.0]"))
        #expect(try !isValid(schema, #"[{"a": 1, "b": [true]}, {"b": [true], "a": 1}]"#))
        #expect(try isValid(schema, "[0, false]"))
    }

    // MARK: - Objects

    @Test("properties and required")
    func propertiesAndRequired() throws {
        let schema = #"{"required": ["name"], "properties": {"name": {"type": "string"}, "a/b": {"type": "integer"}}}"#
        #expect(try isValid(schema, #"{"name": "x", "other": 1}"#))
        let missing = try violations(schema, #"{"nam": "x"}"#)
        #expect(
            missing == [
                SchemaViolation(instancePath: "", schemaPath: "#/required", message: "missing required property 'name'")
            ])
        let wrong = try violations(schema, #"{"name": 1, "a/b": "no"}"#)
        #expect(wrong.map(\.instancePath) == ["/a~1b", "/name"])
        #expect(wrong.map(\.schemaPath) == ["#/properties/a~1b/type", "#/properties/name/type"])
    }

    @Test("additionalProperties: false, or a schema for the rest")
    func additionalProperties() throws {
        let closed = #"{"properties": {"a": {}}, "additionalProperties": false}"#
        #expect(try isValid(closed, #"{"a": 1}"#))
        let found = try violations(closed, #"{"a": 1, "b": 2}"#)
        #expect(
            found == [
                SchemaViolation(
                    instancePath: "/b", schemaPath: "#/additionalProperties",
                    message: "property 'b' is not allowed here")
            ])
        let typed = #"{"properties": {"a": {}}, "additionalProperties": {"type": "string"}}"#
        #expect(try isValid(typed, #"{"a": 1, "b": "x"}"#))
        #expect(try violations(typed, #"{"a": 1, "b": 2}"#).map(\.schemaPath) == ["#/additionalProperties/type"])
        #expect(try isValid(#"{"additionalProperties": true}"#, #"{"z": 1}"#))
    }

    @Test("patternProperties, which also count as described for additionalProperties")
    func patternProperties() throws {
        let schema = #"{"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false}"#
        #expect(try isValid(schema, #"{"x-team": "blue"}"#))
        #expect(try violations(schema, #"{"x-team": 1}"#).map(\.schemaPath) == ["#/patternProperties/^x-/type"])
        #expect(try violations(schema, #"{"team": "blue"}"#).map(\.schemaPath) == ["#/additionalProperties"])
    }

    // MARK: - Combinators

    @Test("allOf: every schema")
    func allOf() throws {
        let schema = #"{"allOf": [{"type": "integer"}, {"minimum": 3}]}"#
        #expect(try isValid(schema, "4"))
        #expect(try violations(schema, "2").map(\.schemaPath) == ["#/allOf/1/minimum"])
    }

    @Test("anyOf: at least one schema")
    func anyOf() throws {
        let schema = #"{"anyOf": [{"required": ["text"]}, {"required": ["id"]}]}"#
        #expect(try isValid(schema, #"{"text": "t"}"#))
        #expect(try isValid(schema, #"{"text": "t", "id": "i"}"#))
        let found = try violations(schema, #"{"markdown": "m"}"#)
        #expect(found.count == 1)
        #expect(found.first?.schemaPath == "#/anyOf")
        #expect(found.first?.message.contains("missing required property 'id'") == true)
    }

    @Test("oneOf: exactly one schema")
    func oneOf() throws {
        let schema = #"{"oneOf": [{"required": ["runGraphIndex"]}, {"required": ["resultGraphIndex"]}]}"#
        #expect(try isValid(schema, #"{"runGraphIndex": 0}"#))
        #expect(try violations(schema, "{}").map(\.schemaPath) == ["#/oneOf"])
        let both = try violations(schema, #"{"runGraphIndex": 0, "resultGraphIndex": 1}"#)
        #expect(both.map(\.message) == ["value matches 2 oneOf alternatives (0, 1), not exactly one"])
    }

    @Test("not: the schema must fail")
    func not() throws {
        let schema = #"{"not": {"type": "null"}}"#
        #expect(try isValid(schema, "0"))
        #expect(try violations(schema, "null").map(\.schemaPath) == ["#/not"])
    }

    // MARK: - References and boolean schemas

    @Test("$ref: local pointers, reported at the place they lead to")
    func reference() throws {
        let schema = #"""
            {
                "properties": {"level": {"$ref": "#/definitions/level", "type": "integer"}, "self": {"$ref": "#"}},
                "definitions": {"level": {"enum": ["error", "note"]}}
            }
            """#
        #expect(try isValid(schema, #"{"level": "note", "self": {"self": {"level": "error"}}}"#))
        let found = try violations(schema, #"{"self": {"level": "fatal"}}"#)
        #expect(found.map(\.instancePath) == ["/self/level"])
        #expect(found.map(\.schemaPath) == ["#/definitions/level/enum"])
    }

    @Test("$ref: escaped tokens, the root's id, and unresolvable references")
    func referenceResolution() throws {
        let schema = #"""
            {
                "id": "https://example.com/schema.json#",
                "properties": {
                    "a": {"$ref": "#/definitions/a~1b"},
                    "b": {"$ref": "https://example.com/schema.json#/definitions/percent%25"}
                },
                "definitions": {"a/b": {"type": "string"}, "percent%": {"type": "integer"}}
            }
            """#
        #expect(try isValid(schema, #"{"a": "x", "b": 1}"#))
        #expect(try violations(schema, #"{"a": 1, "b": "x"}"#).count == 2)
        #expect(throws: JSONSchemaValidator.SchemaError.self) {
            try JSONSchemaValidator(schema: Data(##"{"items": {"$ref": "#/definitions/missing"}}"##.utf8))
        }
        #expect(throws: JSONSchemaValidator.SchemaError.self) {
            try JSONSchemaValidator(schema: Data(#"{"items": {"$ref": "other.json#/a"}}"#.utf8))
        }
    }

    @Test("$ref: a loop that never moves into the instance is an error, not a hang")
    func circularReference() throws {
        let validator = try JSONSchemaValidator(
            schema: Data(
                ##"{"definitions": {"a": {"anyOf": [{"$ref": "#/definitions/a"}]}}, "$ref": "#/definitions/a"}"##.utf8))
        #expect(throws: JSONSchemaValidator.SchemaError.self) {
            try validator.validate(Data("1".utf8))
        }
    }

    @Test("true and false as schemas")
    func booleanSchemas() throws {
        #expect(try isValid("true", #"{"anything": [1]}"#))
        #expect(try !isValid("false", "null"))
        let schema = #"{"properties": {"open": true, "closed": false}}"#
        #expect(try isValid(schema, #"{"open": 1}"#))
        #expect(try violations(schema, #"{"closed": 1}"#).map(\.instancePath) == ["/closed"])
    }

    @Test("unknown keywords and annotations are ignored")
    func unknownKeywords() throws {
        let schema =
            #"{"description": "d", "default": 3, "title": "t", "x-anything": {"type": "string"}, "type": "integer"}"#
        #expect(try isValid(schema, "3"))
        #expect(try !isValid(schema, "3.5"))
    }

    @Test("malformed schemas and instances are errors, not violations")
    func malformedInput() throws {
        for schema in [
            #"{"type": "text"}"#, #"{"required": "name"}"#, #"{"pattern": "(unclosed"}"#, #"{"anyOf": []}"#,
            #"{"minItems": -1}"#, #"{"properties": {"a": 1}}"#, "[]", "not json",
        ] {
            #expect(throws: JSONSchemaValidator.SchemaError.self, "\(schema)") {
                try JSONSchemaValidator(schema: Data(schema.utf8))
            }
        }
        #expect(throws: JSONSchemaValidator.SchemaError.self) {
            try JSONSchemaValidator(schema: Data("{}".utf8)).validate(Data("{".utf8))
        }
    }

    // MARK: - SARIF 2.1.0

    /// A validator for the official SARIF 2.1.0 schema kept in `Reporting/Schemas/`.
    private func sarifValidator() throws -> JSONSchemaValidator {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Reporting/Schemas/sarif-schema-2.1.0.json")
        return try JSONSchemaValidator(schema: try Data(contentsOf: url))
    }

    /// A small SARIF log that is valid: one rule, one result with a physical and a logical location.
    private static let validLog = #"""
        {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "ShelfGuard",
                            "version": "1.0.0",
                            "informationUri": "https://example.com/shelfguard",
                            "rules": [
                                {
                                    "id": "SG001",
                                    "name": "UndeclaredDeepSynthesis",
                                    "shortDescription": {"text": "Deep synthesis SDK without a declaration."},
                                    "defaultConfiguration": {"level": "error"},
                                    "properties": {"tags": ["deep-synthesis", "face-swap"]}
                                }
                            ]
                        }
                    },
                    "results": [
                        {
                            "ruleId": "SG001",
                            "ruleIndex": 0,
                            "level": "error",
                            "message": {"text": "Faceunity Nama SDK found in classes.dex."},
                            "locations": [
                                {
                                    "physicalLocation": {
                                        "artifactLocation": {"uri": "samples/facefun.apk"},
                                        "region": {"startLine": 1}
                                    },
                                    "logicalLocations": [
                                        {"fullyQualifiedName": "facefun.apk!classes.dex", "kind": "module"}
                                    ]
                                }
                            ],
                            "partialFingerprints": {"primaryLocationLineHash": "ab12cd34"}
                        }
                    ],
                    "invocations": [{"executionSuccessful": true, "endTimeUtc": "2024-05-01T08:30:00Z"}]
                }
            ]
        }
        """#

    /// `validLog` with `original`, which must occur exactly once, replaced by `replacement`.
    private func brokenLog(replacing original: String, with replacement: String) throws -> Data {
        let log = Self.validLog
        try #require(log.components(separatedBy: original).count == 2, "'\(original)' must occur exactly once")
        return Data(log.replacingOccurrences(of: original, with: replacement).utf8)
    }

    @Test("SARIF: the schema loads, every $ref resolves and every pattern compiles")
    func sarifSchemaLoads() throws {
        let validator = try sarifValidator()
        #expect(validator.patternSources.count == 4)
        #expect(validator.patternSources.contains("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"))
    }

    @Test("SARIF: a minimal valid log has no violations")
    func sarifValidLog() throws {
        let found = try sarifValidator().validate(Data(Self.validLog.utf8))
        #expect(found.isEmpty, "\(found)")
    }

    @Test("SARIF: a wrong version")
    func sarifWrongVersion() throws {
        let found = try sarifValidator().validate(try brokenLog(replacing: #""2.1.0","#, with: #""2.0.0","#))
        #expect(found.map(\.instancePath) == ["/version"])
        #expect(found.map(\.schemaPath) == ["#/properties/version/enum"])
        #expect(found.map(\.message) == ["value '2.0.0' is not one of 2.1.0"])
    }

    @Test("SARIF: a result level of 'fatal'")
    func sarifWrongLevel() throws {
        let found = try sarifValidator().validate(
            try brokenLog(replacing: #""level": "error","#, with: #""level": "fatal","#))
        #expect(found.map(\.instancePath) == ["/runs/0/results/0/level"])
        #expect(found.map(\.schemaPath) == ["#/definitions/result/properties/level/enum"])
        #expect(found.map(\.message) == ["value 'fatal' is not one of none, note, warning, error"])
    }

    @Test("SARIF: a message with neither text nor id")
    func sarifMessageWithoutText() throws {
        let found = try sarifValidator().validate(
            try brokenLog(
                replacing: #""text": "Faceunity Nama SDK found in classes.dex.""#, with: #""markdown": "**Faceunity**""#
            ))
        #expect(found.map(\.instancePath) == ["/runs/0/results/0/message"])
        #expect(found.map(\.schemaPath) == ["#/definitions/message/anyOf"])
    }

    @Test("SARIF: a property the schema does not allow")
    func sarifAdditionalProperty() throws {
        let found = try sarifValidator().validate(
            try brokenLog(replacing: #""ruleIndex": 0,"#, with: #""ruleIndex": 0, "severity": "high","#))
        #expect(found.map(\.instancePath) == ["/runs/0/results/0/severity"])
        #expect(found.map(\.schemaPath) == ["#/definitions/result/additionalProperties"])
    }

    @Test("SARIF: a start line below 1")
    func sarifNegativeStartLine() throws {
        let validator = try sarifValidator()
        for line in ["0", "-3"] {
            let found = try validator.validate(
                try brokenLog(replacing: #""startLine": 1"#, with: #""startLine": \#(line)"#))
            #expect(found.map(\.instancePath) == ["/runs/0/results/0/locations/0/physicalLocation/region/startLine"])
            #expect(found.map(\.schemaPath) == ["#/definitions/region/properties/startLine/minimum"])
        }
    }

    @Test("SARIF: repeated items where uniqueItems is required")
    func sarifDuplicateItems() throws {
        let validator = try sarifValidator()
        let tags = try validator.validate(
            try brokenLog(replacing: #""face-swap"]"#, with: #""face-swap", "deep-synthesis"]"#))
        #expect(tags.map(\.instancePath) == ["/runs/0/tool/driver/rules/0/properties/tags"])
        #expect(tags.map(\.schemaPath) == ["#/definitions/propertyBag/properties/tags/uniqueItems"])
        let logical = #"{"fullyQualifiedName": "facefun.apk!classes.dex", "kind": "module"}"#
        let locations = try validator.validate(try brokenLog(replacing: logical, with: logical + ", " + logical))
        #expect(locations.map(\.instancePath) == ["/runs/0/results/0/locations/0/logicalLocations"])
        #expect(locations.map(\.schemaPath) == ["#/definitions/location/properties/logicalLocations/uniqueItems"])
    }

    @Test("SARIF: formats and patterns inside the log")
    func sarifFormatsAndPatterns() throws {
        let validator = try sarifValidator()
        let uri = try validator.validate(
            try brokenLog(replacing: #""uri": "samples/facefun.apk""#, with: #""uri": "samples/face fun.apk""#))
        #expect(uri.map(\.schemaPath) == ["#/definitions/artifactLocation/properties/uri/format"])
        let time = try validator.validate(try brokenLog(replacing: "2024-05-01T08:30:00Z", with: "2024-05-01 08:30"))
        #expect(time.map(\.instancePath) == ["/runs/0/invocations/0/endTimeUtc"])
        let guid = try validator.validate(
            try brokenLog(replacing: #""ruleIndex": 0,"#, with: #""ruleIndex": 0, "guid": "not-a-guid","#))
        #expect(guid.map(\.schemaPath) == ["#/definitions/result/properties/guid/pattern"])
    }

    @Test("SARIF: several faults in one log are all reported")
    func sarifSeveralFaults() throws {
        var log = Self.validLog
        log = log.replacingOccurrences(of: #""level": "error","#, with: #""level": "fatal","#)
        log = log.replacingOccurrences(of: #""startLine": 1"#, with: #""startLine": 0"#)
        log = log.replacingOccurrences(of: #""name": "ShelfGuard","#, with: "")
        let found = try sarifValidator().validate(Data(log.utf8))
        #expect(
            Set(found.map(\.instancePath)) == [
                "/runs/0/tool/driver", "/runs/0/results/0/level",
                "/runs/0/results/0/locations/0/physicalLocation/region/startLine",
            ])
    }
}

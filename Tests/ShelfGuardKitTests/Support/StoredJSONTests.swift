import Foundation
import Testing

@testable import ShelfGuardKit

/// What daily management reads back for every shelved version: QuickJSON must decode it exactly
/// as Foundation's JSONDecoder does, or leave it to JSONDecoder.
@Suite("Stored JSON: QuickJSON decodes as JSONDecoder does")
struct StoredJSONTests {
    /// Sorted keys, so that two equal values encode to the same text.
    static func canonical<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// JSONDecoder's answer and StoredJSON's are the same value or the same error; returns
    /// whether QuickJSON answered by itself.
    @discardableResult
    static func same<T: Codable>(
        _ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Bool {
        let quick = QuickJSON.decode(type, from: json)
        let stored: Result<T, any Error> = Result { try StoredJSON.decode(type, from: json) }
        switch Result(catching: { try JSONDecoder().decode(type, from: Data(json.utf8)) }) {
        case .success(let expected):
            let want = try canonical(expected)
            #expect(try canonical(try stored.get()) == want, sourceLocation: sourceLocation)
            if let quick { #expect(try canonical(quick) == want, "\(json)", sourceLocation: sourceLocation) }
        case .failure(let error):
            #expect(quick == nil, "QuickJSON decoded what JSONDecoder refuses: \(json)", sourceLocation: sourceLocation)
            guard case .failure(let storedError) = stored else {
                Issue.record("StoredJSON decoded what JSONDecoder refuses: \(json)", sourceLocation: sourceLocation)
                return false
            }
            #expect("\(storedError)" == "\(error)", sourceLocation: sourceLocation)
        }
        return quick != nil
    }

    /// Every sample judged as a review judges it: its inventory facts and declaration snapshot as
    /// the ledger stores them.
    static let stored: [(name: String, facts: String, declaration: String)] = {
        let policy = try! PolicyLoader.load(file: SeedDatabase.policies.appendingPathComponent("review-policy.yaml"))
        let check = ShelfCheck(
            inspector: Inspector(signatures: SeedDatabase.engine), policy: policy,
            taxonomy: SeedDatabase.database.taxonomy,
            registry: InMemoryRegistry(), asOf: "2026-11-24")
        let samples = TestFiles.packageRoot.appendingPathComponent("samples")
        let names = try! FileManager.default.contentsOfDirectory(atPath: samples.path).filter {
            !$0.hasSuffix(".yaml") && !["labeling", "registry"].contains($0)
        }.sorted()
        return names.compactMap { name in
            guard let result = try? check.check(path: samples.appendingPathComponent(name).path) else { return nil }
            var facts = result.inspection
            facts.entries = []
            let encoder = JSONEncoder()
            return (
                name, String(decoding: try! encoder.encode(facts), as: UTF8.self),
                String(decoding: try! encoder.encode(result.declarationSnapshot), as: UTF8.self)
            )
        }
    }()

    @Test("every sample's stored inventory and declaration decode by QuickJSON alone, as JSONDecoder decodes them")
    func samples() throws {
        #expect(Self.stored.count >= 10)
        for sample in Self.stored {
            #expect(try Self.same(Inspection.self, sample.facts), "\(sample.name) facts")
            #expect(try Self.same(DeclarationSnapshot.self, sample.declaration), "\(sample.name) declaration")
        }
    }

    @Test("numbers, strings and nesting as a label's free JSON holds them")
    func labelValues() throws {
        for json in [
            #"{"a":1,"b":1.5,"c":-2,"d":0,"e":true,"f":false,"g":null,"h":[],"i":{}}"#,
            #"{"big":12345678901234567890,"min":-9223372036854775808,"max":9223372036854775807}"#,
            #"{"exp":1e2,"EXP":2E-3,"negzero":-0,"frac":-0.0,"tiny":1e-400,"huge":1e400,"sub":4.9e-324}"#,
            #"{"s":"plain","u":"\u00e9\u4e2d","pair":"\ud83d\ude00","ctl":"a\nb\tc\"d\\e\/f\b\f\r","nul":"\u0000"}"#,
            #"{"lone":"\ud800"}"#, #"{"low":"\udc00x"}"#,
            #"[1,[2,[3,{"k":[{"z":"deep"}]}]]]"#,
            #"{"a\/b":1,"k\u0065y":2}"#, #"{"a":1,"a":2}"#, #"{"a":1,"\u0061":2}"#,
            "  { \"ws\" :\t[ 1 ,\r\n 2 ] }  ", #""fragment""#, "42", "null",
        ] {
            try Self.same(LabelValue.self, json)
        }
    }

    @Test("what JSONDecoder refuses, StoredJSON refuses with the same error")
    func malformed() throws {
        for json in [
            "", " ", "{", "}", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, "01", "1.", ".5", "-", "+1", "1e",
            "tru", "nulls", #""unterminated"#, "\"tab\there\"", #""\x""#, #""\u12""#, "[1] [2]", "{\"a\":1}x",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ] {
            try Self.same(LabelValue.self, json)
        }
        try Self.same(Inspection.self, #"{"bundle":{}}"#)
        try Self.same(Inspection.self, "[]")
        try Self.same(DeclarationSnapshot.self, #"{"materials":{"a":1}}"#)
    }

    struct Typed: Codable {
        var int: Int
        var small: Int8?
        var unsigned: UInt16?
        var double: Double?
        var float: Float?
        var date: Date?
        var data: Data?
        var url: URL?
        var bytes: [UInt8]?
        var map: [String: [Int]]?
        var numbered: [Int: String]?
        var optionals: [String?]?
    }

    @Test("integers in and out of range, and the types JSONDecoder decodes its own way")
    func typed() throws {
        #expect(try Self.same(Typed.self, #"{"int":1,"small":-128,"unsigned":65535,"double":2,"bytes":[0,255]}"#))
        #expect(try Self.same(Typed.self, #"{"int":1,"map":{"x":[1,2],"y\/z":[]},"optionals":["a",null]}"#))
        #expect(try Self.same(Typed.self, #"{"int":1,"numbered":{"1":"one","20":"twenty"}}"#))
        for json in [
            #"{"int":1.0}"#, #"{"int":1e3}"#, #"{"int":-0}"#, #"{"int":9223372036854775808}"#,
            #"{"int":1,"small":128}"#, #"{"int":1,"unsigned":-1}"#, #"{"int":1,"bytes":[256]}"#,
            #"{"int":1,"float":0.1}"#, #"{"int":1,"date":0}"#, #"{"int":1,"data":"AAE="}"#,
            #"{"int":1,"url":"https://example.com/a"}"#,
        ] {
            try Self.same(Typed.self, json)
        }
        for json in [#"{"int":"1"}"#, #"{"int":null}"#, #"{}"#, #"{"int":1,"map":{"x":"no"}}"#, #"{"int":true}"#] {
            #expect(try !Self.same(Typed.self, json))
        }
    }
}

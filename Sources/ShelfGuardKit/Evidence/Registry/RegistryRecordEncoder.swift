import Crypto
import Foundation

/// A registry record as every ledger stores it: canonical JSON (sorted keys, no spaces, slashes as
/// they are), and the SHA-256 of that JSON with the record's source left empty, so that the same
/// row read from a renamed file, or from another line, counts as unchanged. The SQLite and the
/// PostgreSQL ledger both call this one encoder, so the two stores keep the same bytes and the
/// same hashes for the same file. One encoder serves one import: it reuses its buffers from
/// record to record.
public struct RegistryRecordEncoder {
    private let encoder: JSONEncoder
    /// The bytes of the last record's JSON, reused for the next.
    private var buffer: [UInt8] = []
    /// The JSON text of the last source prefix (`path:`), reused for every row of a file.
    private var escapedPrefix: (text: String, json: String)?

    public init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// The record's canonical JSON and the SHA-256 of that JSON with the source left empty.
    /// Written here byte by byte when every text of the record is plain (no quote, backslash or
    /// control character: the bytes JSON keeps as they are), else by JSONEncoder; the same
    /// bytes either way, which a test holds them to.
    public mutating func encoded(_ record: RegistryRecord) throws -> (json: String, hash: String) {
        var json = RecordJSON()
        swap(&json.bytes, &buffer)
        json.bytes.removeAll(keepingCapacity: true)
        defer { swap(&json.bytes, &buffer) }
        let source: String
        switch record {
        case .filing(let r):
            source = r.source
            json.begin("algorithmName", r.algorithmName)
            json.field("entity", r.entity)
            json.field("note", r.note)
            json.field("number", r.number)
            json.keyAfter("products")
            json.array(r.products) { json, product in
                json.begin("channel", product.channel)
                json.field("name", product.name)
                json.end()
            }
            json.field("purpose", r.purpose)
            json.field("role", r.role.label)
        case .cancellation(let r):
            source = r.source
            json.begin("algorithmName", r.algorithmName)
            if let cancelledOn = r.cancelledOn { json.field("cancelledOn", cancelledOn) }
            json.field("cancelledOnText", r.cancelledOnText)
            json.field("entity", r.entity)
            json.field("noticeDate", r.noticeDate)
            json.field("noticeID", r.noticeID)
            json.field("noticeTitle", r.noticeTitle)
            json.field("number", r.number)
            json.field("products", r.products)
            json.field("role", r.role.label)
        case .genai(let r):
            source = r.source
            json.begin("date", r.date)
            json.field("entity", r.entity)
            json.field("kind", r.kind.rawValue)
            json.field("name", r.name)
            json.field("number", r.number)
            json.field("region", r.region)
        case .assessment(let r):
            source = r.source
            json.begin("assessor", r.assessor)
            json.field("date", r.date)
            json.field("documentSHA256", r.documentSHA256)
            json.field("entity", r.entity)
            json.keyAfter("features")
            json.array(r.features) { json, feature in json.string(feature) }
            json.field("id", r.id)
        case .waiver(let r):
            source = r.source
            json.begin("app", r.app)
            json.field("expires", r.expires)
            json.field("grantedBy", r.grantedBy)
            json.field("reason", r.reason)
            json.field("rule", r.rule)
        }
        json.field("source", "")
        json.end()
        guard json.plain else {
            switch record {
            case .filing(let r): return try encoded(r, source: \.source)
            case .cancellation(let r): return try encoded(r, source: \.source)
            case .genai(let r): return try encoded(r, source: \.source)
            case .assessment(let r): return try encoded(r, source: \.source)
            case .waiver(let r): return try encoded(r, source: \.source)
            }
        }
        var hasher = SHA256()
        json.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        let hash = Array(hasher.finalize()).hexString
        // `"source":""}` becomes `"source":"…"}`.
        json.bytes.removeLast(2)
        if RecordJSON.isPlain(source) {
            json.bytes.append(contentsOf: source.utf8)
        } else {
            json.bytes.append(contentsOf: try escaped(source).utf8)
        }
        json.bytes.append(contentsOf: "\"}".utf8)
        return (String(decoding: json.bytes, as: UTF8.self), hash)
    }

    /// The same by JSONEncoder. `source` sorts after every other key of each record, so the
    /// stored JSON is the hashed one with the source's text put in at its end: one encoding
    /// per record instead of two.
    mutating func encoded<T: Encodable>(
        _ value: T, source: WritableKeyPath<T, String>
    ) throws -> (json: String, hash: String) {
        var copy = value
        copy[keyPath: source] = ""
        var blank = String(decoding: try encoder.encode(copy), as: UTF8.self)
        var hasher = SHA256()
        blank.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let hashText = Array(hasher.finalize()).hexString
        let end = Self.blankSourceEnd.utf8
        guard blank.utf8.count > end.count, blank.utf8.suffix(end.count).elementsEqual(end) else {
            return (String(decoding: try encoder.encode(value), as: UTF8.self), hashText)
        }
        blank.removeLast(2)
        return (blank + (try escaped(value[keyPath: source])) + "\"}", hashText)
    }

    private static let blankSourceEnd = ",\"source\":\"\"}"

    /// `text` as it stands inside JSON quotes. A source is `path:line`: the path's part is
    /// encoded once per file, the digits need no escaping.
    private mutating func escaped(_ text: String) throws -> String {
        guard let colon = text.lastIndex(of: ":") else { return try encodedString(text) }
        let prefix = text[...colon]
        let digits = text[text.index(after: colon)...]
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return try encodedString(text)
        }
        if !(escapedPrefix.map { $0.text == prefix } ?? false) {
            escapedPrefix = (String(prefix), try encodedString(String(prefix)))
        }
        return escapedPrefix!.json + digits
    }

    /// A string as JSONEncoder writes it, without its quotes.
    private func encodedString(_ text: String) throws -> String {
        let quoted = String(decoding: try encoder.encode(text), as: UTF8.self)
        return String(quoted.dropFirst().dropLast())
    }
}

/// Canonical JSON (sorted keys, no spaces, slashes as they are) written byte by byte, as
/// JSONEncoder writes it for texts that need no escaping; `plain` turns false at the first text
/// that would, and the caller then asks JSONEncoder instead.
struct RecordJSON {
    var bytes: [UInt8] = []
    var plain = true

    /// Whether JSON keeps the text's bytes as they are: no quote, backslash, control character
    /// or DEL.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F }
    }

    mutating func string(_ text: String) {
        bytes.append(0x22)
        var text = text
        text.withUTF8 { utf8 in
            if plain {
                for byte in utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F {
                    plain = false
                    break
                }
            }
            bytes.append(contentsOf: utf8)
        }
        bytes.append(0x22)
    }

    /// `"name":` (keys are plain).
    mutating func key(_ name: StaticString) {
        bytes.append(0x22)
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    /// `{"name":"text"`: an object's first key.
    mutating func begin(_ name: StaticString, _ text: String) {
        bytes.append(0x7B)
        key(name)
        string(text)
    }

    /// `,"name":"text"`.
    mutating func field(_ name: StaticString, _ text: String) {
        bytes.append(0x2C)
        key(name)
        string(text)
    }

    /// `,"name":` before an array.
    mutating func keyAfter(_ name: StaticString) {
        bytes.append(0x2C)
        key(name)
    }

    mutating func end() { bytes.append(0x7D) }

    mutating func array<T>(_ items: [T], _ write: (inout RecordJSON, T) -> Void) {
        bytes.append(0x5B)
        for (i, item) in items.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            write(&self, item)
        }
        bytes.append(0x5D)
    }
}

import Crypto
import Foundation
import GRDB
import ShelfGuardKit

/// Stores registry records inside one write transaction through prepared statements: a record's
/// stored content hash is looked up by its key, then the record is inserted, updated, or left
/// alone when the hash is the same. Each record is stored as canonical JSON (sorted keys) with
/// the SHA-256 of that JSON with its source left empty, so the same row from a renamed file, or
/// from another line, is unchanged.
struct RegistryWriter {
    typealias Table = SQLiteLedger.Table

    let db: Database
    let at: String
    private let encoder: JSONEncoder
    private var statements: [Table: Statements] = [:]
    /// The bytes of the last record's JSON, reused for the next.
    private var buffer: [UInt8] = []
    /// The JSON text of the last source prefix (`path:`), reused for every row of a file.
    private var escapedPrefix: (text: String, json: String)?

    private struct Statements {
        var select: BulkStatement
        var insert: BulkStatement
        var update: BulkStatement
    }

    init(_ db: Database, at: String) {
        self.db = db
        self.at = at
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// The key and searchable columns of each table, in the order `store` gives their values.
    static func columns(_ table: Table) -> (keys: [String], extra: [String]) {
        switch table {
        case .filing: (["number"], ["entity", "role"])
        case .cancellation: (["number"], ["notice_date"])
        case .genai: (["number"], ["kind"])
        case .assessment: (["id"], ["entity"])
        case .waiver: (["app", "rule"], [])
        }
    }

    mutating func store(_ record: RegistryRecord) throws -> RecordChange {
        let (json, hash) = try encoded(record)
        switch record {
        case .filing(let r): return try upsert(.filing, keys: [r.number], extra: [r.entity, r.role.label], json, hash)
        case .cancellation(let r): return try upsert(.cancellation, keys: [r.number], extra: [r.noticeDate], json, hash)
        case .genai(let r): return try upsert(.genai, keys: [r.number], extra: [r.kind.rawValue], json, hash)
        case .assessment(let r): return try upsert(.assessment, keys: [r.id], extra: [r.entity], json, hash)
        case .waiver(let r): return try upsert(.waiver, keys: [r.app, r.rule], extra: [], json, hash)
        }
    }

    private mutating func upsert(
        _ table: Table, keys: [String], extra: [String], _ json: String, _ hash: String
    ) throws -> RecordChange {
        let statements = try self.statements(table)
        let keyValues = keys.map(BulkStatement.Value.text)
        let existing = try statements.select.fetchText(keyValues)
        if existing == hash { return .unchanged }
        let values = (extra + [json, hash, at]).map(BulkStatement.Value.text)
        if existing == nil {
            try statements.insert.execute(keyValues + values)
            return .added
        }
        try statements.update.execute(values + keyValues)
        return .updated
    }

    /// The record's canonical JSON and the SHA-256 of that JSON with the source left empty.
    /// Written here byte by byte when every text of the record is plain (no quote, backslash or
    /// control character: the bytes JSON keeps as they are), else by JSONEncoder; the same
    /// bytes either way, which a test holds them to.
    mutating func encoded(_ record: RegistryRecord) throws -> (String, String) {
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
    mutating func encoded<T: Encodable>(_ value: T, source: WritableKeyPath<T, String>) throws -> (String, String) {
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

    private mutating func statements(_ table: Table) throws -> Statements {
        if let prepared = statements[table] { return prepared }
        let (keys, extra) = Self.columns(table)
        let stored = extra + ["record", "content_sha256", "updated_at"]
        let condition = keys.map { "\($0) = ?" }.joined(separator: " AND ")
        let all = keys + stored
        let prepared = Statements(
            select: try BulkStatement(db, sql: "SELECT content_sha256 FROM \(table.rawValue) WHERE \(condition)"),
            insert: try BulkStatement(
                db,
                sql:
                    "INSERT INTO \(table.rawValue) (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))"
            ),
            update: try BulkStatement(
                db,
                sql:
                    "UPDATE \(table.rawValue) SET \(stored.map { "\($0) = ?" }.joined(separator: ", ")) WHERE \(condition)"
            ))
        statements[table] = prepared
        return prepared
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

import Crypto
import Foundation
import GRDB

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
        switch record {
        case .filing(let r):
            try upsert(.filing, keys: [r.number], extra: [r.entity, r.role.label], r, source: \.source)
        case .cancellation(let r):
            try upsert(.cancellation, keys: [r.number], extra: [r.noticeDate], r, source: \.source)
        case .genai(let r):
            try upsert(.genai, keys: [r.number], extra: [r.kind.rawValue], r, source: \.source)
        case .assessment(let r):
            try upsert(.assessment, keys: [r.id], extra: [r.entity], r, source: \.source)
        case .waiver(let r):
            try upsert(.waiver, keys: [r.app, r.rule], extra: [], r, source: \.source)
        }
    }

    private mutating func upsert<T: Encodable>(
        _ table: Table, keys: [String], extra: [String], _ value: T, source: WritableKeyPath<T, String>
    ) throws -> RecordChange {
        let (json, hash) = try encoded(value, source: source)
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
    /// `source` sorts after every other key of each record, so the stored JSON is the hashed one
    /// with the source's text put in at its end: one encoding per record instead of two.
    mutating func encoded<T: Encodable>(_ value: T, source: WritableKeyPath<T, String>) throws -> (String, String) {
        var copy = value
        copy[keyPath: source] = ""
        var blank = String(decoding: try encoder.encode(copy), as: UTF8.self)
        var hasher = SHA256()
        blank.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let hash = hasher.finalize()
        let hashText = Array(hash).hexString
        let text = value[keyPath: source]
        guard blank.hasSuffix(",\"source\":\"\"}") else {
            return (String(decoding: try encoder.encode(value), as: UTF8.self), hashText)
        }
        blank.removeLast(2)
        return (blank + (try escaped(text)) + "\"}", hashText)
    }

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

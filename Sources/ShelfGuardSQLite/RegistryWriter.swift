import Foundation
import GRDB
import ShelfGuardKit

/// Stores registry records inside one write transaction through prepared statements: a record's
/// stored content hash is looked up by its key, then the record is inserted, updated, or left
/// alone when the hash is the same. Each record is stored as `RegistryRecordEncoder` writes it:
/// canonical JSON, and the SHA-256 of that JSON with its source left empty, so the same row from
/// a renamed file, or from another line, is unchanged.
struct RegistryWriter {
    typealias Table = SQLiteLedger.Table

    let db: Database
    let at: String
    private var encoder = RegistryRecordEncoder()
    private var statements: [Table: Statements] = [:]

    private struct Statements {
        var select: BulkStatement
        var insert: BulkStatement
        var update: BulkStatement
    }

    init(_ db: Database, at: String) {
        self.db = db
        self.at = at
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
        let (json, hash) = try encoder.encoded(record)
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

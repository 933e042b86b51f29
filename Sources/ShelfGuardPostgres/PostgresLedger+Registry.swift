import Foundation
import ShelfGuardKit

/// The evidence registry in PostgreSQL: the same canonical JSON and content hashes as the
/// SQLite ledger's `RegistryWriter`, written a buffer of records at a time.
extension PostgresLedger {
    /// The tables of each kind of record.
    enum Table: String {
        case filing = "registry_filing"
        case cancellation = "registry_cancellation"
        case genai = "registry_genai"
        case assessment = "registry_assessment"
        case waiver = "registry_waiver"
    }

    public func importEvidence(
        actor: String, reading read: @Sendable (_ store: (RegistryRecord) throws -> Void) throws -> RegistryFile
    ) throws -> RegistryImport {
        let at = AuditEntry.timestamp(now())
        // A `FileError` from reading gives the transaction up (`write` rolls back on any error)
        // and is thrown as it is, not as the ledger error `write` makes of it.
        var fileError: RegistryFile.FileError?
        do {
            return try write { session in
                var writer = PostgresRegistryWriter(session, at: at)
                let file: RegistryFile
                do {
                    file = try read { record in try writer.store(record) }
                } catch let error as RegistryFile.FileError {
                    fileError = error
                    throw error
                }
                try writer.flush()
                let (added, updated, unchanged) = (writer.added, writer.updated, writer.unchanged)
                var result = RegistryImport(
                    file: file.path, sha256: file.sha256, kind: file.kind, rows: file.rowCount, added: added,
                    updated: updated, unchanged: unchanged, rejected: file.rejectedCount,
                    problems: file.rejected.map(\.description), notes: file.noteCount, at: at, actor: actor)
                let entry = try appendAudit(
                    session, actor: actor,
                    AuditRecord.registryImport(file, added: added, updated: updated, unchanged: unchanged))
                result.auditSeq = entry.seq
                try session.execute(
                    """
                    INSERT INTO registry_import
                        (file, sha256, kind, rows, added, updated, unchanged, rejected, notes, at, actor, audit_seq)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                    """,
                    [
                        file.path, file.sha256, file.kind.rawValue, file.rowCount, added, updated, unchanged,
                        file.rejectedCount, file.noteCount, at, actor, entry.seq,
                    ])
                return result
            }
        } catch {
            if let fileError { throw fileError }
            throw error
        }
    }

    public func registryImports() throws -> [RegistryImport] {
        try read { session in
            try session.query("SELECT * FROM registry_import ORDER BY id").map { row in
                RegistryImport(
                    file: try row.get("file"), sha256: try row.get("sha256"),
                    kind: RegistryFile.Kind(rawValue: try row.get("kind")) ?? .evidence, rows: try row.get("rows"),
                    added: try row.get("added"), updated: try row.get("updated"),
                    unchanged: try row.get("unchanged"), rejected: try row.get("rejected"),
                    notes: try row.get("notes"), at: try row.get("at"), actor: try row.get("actor"),
                    auditSeq: try row.get("audit_seq"))
            }
        }
    }

    /// Stores one record inside the caller's transaction.
    static func store(_ session: SQLSession, _ record: RegistryRecord, at: String) throws -> RecordChange {
        var writer = PostgresRegistryWriter(session, at: at)
        try writer.store(record)
        try writer.flush()
        return writer.added > 0 ? .added : writer.updated > 0 ? .updated : .unchanged
    }

    public func record(_ assessment: SecurityAssessment, actor: String) throws -> RecordChange {
        let at = AuditEntry.timestamp(now())
        return try write { session in
            let change = try PostgresLedger.store(session, .assessment(assessment), at: at)
            if change != .unchanged {
                _ = try appendAudit(session, actor: actor, AuditRecord.assessmentRecorded(assessment, change: change))
            }
            return change
        }
    }

    public func record(_ waiver: Waiver, actor: String) throws -> RecordChange {
        let at = AuditEntry.timestamp(now())
        return try write { session in
            let change = try PostgresLedger.store(session, .waiver(waiver), at: at)
            if change != .unchanged {
                _ = try appendAudit(session, actor: actor, AuditRecord.waiverGranted(waiver, change: change))
            }
            return change
        }
    }

    /// The whole registry read once into memory, on one snapshot (see the SQLite ledger's).
    /// Waivers come by app and rule: PostgreSQL keeps no insertion order.
    public func registrySnapshot() throws -> InMemoryRegistry {
        try read { session in
            func records<T: Decodable>(_ type: T.Type, _ table: Table, order: String = "") throws -> [T] {
                try session.query("SELECT record FROM \(table.rawValue)\(order)").map {
                    try LedgerJSON.decode(type, try $0.first(as: String.self))
                }
            }
            let loaded =
                try session.scalar(
                    "SELECT EXISTS (SELECT 1 FROM registry_import WHERE kind = 'filings')", as: Bool.self) ?? false
            return InMemoryRegistry(
                filings: try records(AlgorithmFilingRecord.self, .filing),
                cancellations: try records(FilingCancellation.self, .cancellation),
                genai: try records(GenAIRecord.self, .genai),
                assessments: try records(SecurityAssessment.self, .assessment),
                waivers: try records(Waiver.self, .waiver, order: " ORDER BY app, rule"), filingListLoaded: loaded)
        }
    }

    // MARK: - EvidenceRegistry

    private func lookup<T: Decodable & Sendable>(
        _ type: T.Type, _ table: Table, _ column: String, _ key: String
    )
        throws(LedgerError) -> T?
    {
        try read { session in
            guard
                let json = try session.scalar(
                    "SELECT record FROM \(table.rawValue) WHERE \(column) = $1", [key], as: String.self)
            else { return nil }
            return try LedgerJSON.decode(type, json)
        }
    }

    public func filing(_ number: String) throws -> AlgorithmFilingRecord? {
        try lookup(AlgorithmFilingRecord.self, .filing, "number", number)
    }

    public func cancellation(_ number: String) throws -> FilingCancellation? {
        try lookup(FilingCancellation.self, .cancellation, "number", number)
    }

    public func genai(_ number: String) throws -> GenAIRecord? {
        try lookup(GenAIRecord.self, .genai, "number", number)
    }

    public func assessment(_ id: String) throws -> SecurityAssessment? {
        try lookup(SecurityAssessment.self, .assessment, "id", id)
    }

    public func waivers(app: String) throws -> [Waiver] {
        try read { session in
            try session.query("SELECT record FROM registry_waiver WHERE app = $1 ORDER BY rule", [app]).map {
                try LedgerJSON.decode(Waiver.self, try $0.first(as: String.self))
            }
        }
    }

    public func counts() throws -> RegistryCounts {
        try read { session in
            func count(_ table: Table) throws -> Int {
                Int(try session.scalar("SELECT COUNT(*) FROM \(table.rawValue)", as: Int64.self) ?? 0)
            }
            return RegistryCounts(
                filings: try count(.filing), cancellations: try count(.cancellation), genai: try count(.genai),
                assessments: try count(.assessment), waivers: try count(.waiver))
        }
    }

    public func hasFilingLists() throws -> Bool {
        try read { session in
            try session.scalar(
                "SELECT EXISTS (SELECT 1 FROM registry_import WHERE kind = 'filings')", as: Bool.self) ?? false
        }
    }
}

/// Stores registry records inside one write transaction, a buffer at a time: for each table, one
/// query fetches the stored content hashes of the buffer's keys and one statement inserts or
/// updates the records that changed. Each record counts as added, updated or unchanged exactly
/// as the SQLite ledger, which stores them one by one, counts it: a key repeated in the buffer
/// is judged against the row before it, and the last row that changed it is stored.
struct PostgresRegistryWriter {
    typealias Table = PostgresLedger.Table

    let session: SQLSession
    let at: String
    /// Records buffered before they are written.
    let bufferSize: Int
    private(set) var added = 0
    private(set) var updated = 0
    private(set) var unchanged = 0
    private var encoder = RegistryRecordEncoder()
    private var pending: [Pending] = []

    private struct Pending {
        var table: Table
        var keys: [String]
        var extra: [String]
        var json: String
        var hash: String
    }

    init(_ session: SQLSession, at: String, bufferSize: Int = 1000) {
        self.session = session
        self.at = at
        self.bufferSize = bufferSize
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

    /// Buffers one record; a full buffer is written.
    mutating func store(_ record: RegistryRecord) throws {
        let (json, hash) = try encoder.encoded(record)
        let (table, keys, extra): (Table, [String], [String]) =
            switch record {
            case .filing(let r): (.filing, [r.number], [r.entity, r.role.label])
            case .cancellation(let r): (.cancellation, [r.number], [r.noticeDate])
            case .genai(let r): (.genai, [r.number], [r.kind.rawValue])
            case .assessment(let r): (.assessment, [r.id], [r.entity])
            case .waiver(let r): (.waiver, [r.app, r.rule], [])
            }
        pending.append(Pending(table: table, keys: keys, extra: extra, json: json, hash: hash))
        if pending.count >= bufferSize { try flush() }
    }

    /// Writes the buffered records and counts what each did.
    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        for table in [Table.filing, .cancellation, .genai, .assessment, .waiver] {
            let records = pending.filter { $0.table == table }
            guard !records.isEmpty else { continue }
            var current = try storedHashes(table, keys: records.map(\.keys))
            // The last record that changed each key: the one the table ends up holding.
            var written: [[String]: Int] = [:]
            for (i, record) in records.enumerated() {
                let stored = current[record.keys]
                if stored == record.hash {
                    unchanged += 1
                    continue
                }
                if stored == nil { added += 1 } else { updated += 1 }
                current[record.keys] = record.hash
                written[record.keys] = i
            }
            try upsert(table, written.values.sorted().map { records[$0] })
        }
    }

    /// The content hashes stored under these keys, in one query.
    private func storedHashes(_ table: Table, keys: [[String]]) throws -> [[String]: String] {
        let columns = Self.columns(table).keys
        let binds: [any SQLBindable] = columns.indices.map { c in keys.map { $0[c] } }
        let condition =
            columns.count == 1
            ? "\(columns[0]) = ANY($1)"
            : "(\(columns.joined(separator: ", "))) IN (SELECT * FROM unnest("
                + columns.indices.map { "$\($0 + 1)::text[]" }.joined(separator: ", ") + "))"
        var hashes: [[String]: String] = [:]
        let sql =
            "SELECT \(columns.joined(separator: ", ")), content_sha256 FROM \(table.rawValue) WHERE \(condition)"
        for row in try session.query(sql, binds) {
            hashes[try columns.map { try row.get($0, as: String.self) }] = try row.get(
                "content_sha256", as: String.self)
        }
        return hashes
    }

    /// Inserts or updates these records (one per key) in one statement.
    private func upsert(_ table: Table, _ records: [Pending]) throws {
        guard !records.isEmpty else { return }
        let (keys, extra) = Self.columns(table)
        let stored = extra + ["record", "content_sha256"]
        let all = keys + stored
        var binds: [any SQLBindable] = []
        for c in keys.indices { binds.append(records.map { $0.keys[c] }) }
        for c in extra.indices { binds.append(records.map { $0.extra[c] }) }
        binds.append(records.map(\.json))
        binds.append(records.map(\.hash))
        binds.append(at)
        let arrays = all.indices.map { "$\($0 + 1)::text[]" }.joined(separator: ", ")
        let updates = (stored + ["updated_at"]).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try session.execute(
            """
            INSERT INTO \(table.rawValue) (\(all.joined(separator: ", ")), updated_at)
            SELECT u.*, $\(all.count + 1)::text FROM unnest(\(arrays)) AS u
            ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET \(updates)
            """, binds)
    }
}

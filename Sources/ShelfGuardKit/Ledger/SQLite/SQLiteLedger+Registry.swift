import Crypto
import Foundation
import GRDB

/// The evidence registry in the ledger: each record stored as canonical JSON with the SHA-256
/// of its content (its source line left out, so the same row from a renamed file is unchanged).
extension SQLiteLedger {
    /// The tables and key columns of each kind of record.
    enum Table: String {
        case filing = "registry_filing"
        case cancellation = "registry_cancellation"
        case genai = "registry_genai"
        case assessment = "registry_assessment"
        case waiver = "registry_waiver"
    }

    static func canonical<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// JSON for storage (not hashed, so no key sorting).
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// SHA-256 of a record's content without its source.
    static func contentHash<T: Encodable>(_ value: T, clearing source: WritableKeyPath<T, String>) throws -> String {
        var copy = value
        copy[keyPath: source] = ""
        return SHA256.hash(data: Data(try canonical(copy).utf8)).hexString
    }

    /// Inserts or updates one record; says which, or that nothing changed.
    static func upsert(
        _ db: Database, _ table: Table, keys: [(String, String)], extra: [(String, String)], record: String,
        hash: String, at: String
    ) throws -> RecordChange {
        let condition = keys.map { "\($0.0) = ?" }.joined(separator: " AND ")
        let keyValues = StatementArguments(keys.map(\.1))
        let existing = try String.fetchOne(
            db, sql: "SELECT content_sha256 FROM \(table.rawValue) WHERE \(condition)", arguments: keyValues)
        if existing == hash { return .unchanged }
        let columns = keys + extra + [("record", record), ("content_sha256", hash), ("updated_at", at)]
        if existing == nil {
            let names = columns.map(\.0).joined(separator: ", ")
            let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            try db.run(
                sql: "INSERT INTO \(table.rawValue) (\(names)) VALUES (\(marks))",
                arguments: StatementArguments(columns.map(\.1)))
            return .added
        }
        let updates = (extra + [("record", record), ("content_sha256", hash), ("updated_at", at)])
        try db.run(
            sql:
                "UPDATE \(table.rawValue) SET \(updates.map { "\($0.0) = ?" }.joined(separator: ", ")) WHERE \(condition)",
            arguments: StatementArguments(updates.map(\.1)) + keyValues)
        return .updated
    }

    static func store(_ db: Database, _ filing: AlgorithmFilingRecord, at: String) throws -> RecordChange {
        try upsert(
            db, .filing, keys: [("number", filing.number)],
            extra: [("entity", filing.entity), ("role", filing.role.label)], record: try canonical(filing),
            hash: try contentHash(filing, clearing: \.source), at: at)
    }

    static func store(_ db: Database, _ cancellation: FilingCancellation, at: String) throws -> RecordChange {
        try upsert(
            db, .cancellation, keys: [("number", cancellation.number)],
            extra: [("notice_date", cancellation.noticeDate)],
            record: try canonical(cancellation), hash: try contentHash(cancellation, clearing: \.source), at: at)
    }

    static func store(_ db: Database, _ record: GenAIRecord, at: String) throws -> RecordChange {
        try upsert(
            db, .genai, keys: [("number", record.number)], extra: [("kind", record.kind.rawValue)],
            record: try canonical(record), hash: try contentHash(record, clearing: \.source), at: at)
    }

    static func store(_ db: Database, _ assessment: SecurityAssessment, at: String) throws -> RecordChange {
        try upsert(
            db, .assessment, keys: [("id", assessment.id)], extra: [("entity", assessment.entity)],
            record: try canonical(assessment), hash: try contentHash(assessment, clearing: \.source), at: at)
    }

    static func store(_ db: Database, _ waiver: Waiver, at: String) throws -> RecordChange {
        try upsert(
            db, .waiver, keys: [("app", waiver.app), ("rule", waiver.rule)], extra: [], record: try canonical(waiver),
            hash: try contentHash(waiver, clearing: \.source), at: at)
    }

    public func importEvidence(_ file: RegistryFile, fileSHA256: String, actor: String) throws -> RegistryImport {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            var result = RegistryImport(
                file: file.path, sha256: fileSHA256, kind: file.kind, rows: file.rowCount,
                rejected: file.rejected.count,
                problems: file.rejected.map(\.description), notes: file.notes.count, at: at, actor: actor)
            func count(_ change: RecordChange) {
                switch change {
                case .added: result.added += 1
                case .updated: result.updated += 1
                case .unchanged: result.unchanged += 1
                }
            }
            for record in file.filings { count(try SQLiteLedger.store(db, record, at: at)) }
            for record in file.cancellations { count(try SQLiteLedger.store(db, record, at: at)) }
            for record in file.genai { count(try SQLiteLedger.store(db, record, at: at)) }
            for record in file.assessments { count(try SQLiteLedger.store(db, record, at: at)) }
            for record in file.waivers { count(try SQLiteLedger.store(db, record, at: at)) }
            let details = AuditEntry.details([
                "sha256": .init(fileSHA256), "kind": .init(file.kind.rawValue), "rows": .init(file.rowCount),
                "added": .init(result.added),
                "updated": .init(result.updated), "unchanged": .init(result.unchanged),
                "rejected": .init(file.rejected.count),
            ])
            let entry = try appendAudit(
                db, actor: actor, action: "registry_import", subject: file.path, reason: "import \(file.kind.rawValue)",
                details: details)
            result.auditSeq = entry.seq
            try db.run(
                sql: """
                    INSERT INTO registry_import
                        (file, sha256, kind, rows, added, updated, unchanged, rejected, notes, at, actor, audit_seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    file.path, fileSHA256, file.kind.rawValue, file.rowCount, result.added, result.updated,
                    result.unchanged, file.rejected.count, file.notes.count, at, actor, entry.seq,
                ])
            return result
        }
    }

    public func registryImports() throws -> [RegistryImport] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM registry_import ORDER BY id").map { row in
                RegistryImport(
                    file: row["file"], sha256: row["sha256"],
                    kind: RegistryFile.Kind(rawValue: row["kind"]) ?? .evidence, rows: row["rows"],
                    added: row["added"], updated: row["updated"], unchanged: row["unchanged"],
                    rejected: row["rejected"], notes: row["notes"], at: row["at"], actor: row["actor"],
                    auditSeq: row["audit_seq"])
            }
        }
    }

    public func record(_ assessment: SecurityAssessment, actor: String) throws -> RecordChange {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            let change = try SQLiteLedger.store(db, assessment, at: at)
            if change != .unchanged {
                _ = try appendAudit(
                    db, actor: actor, action: "assessment_recorded", subject: assessment.id,
                    reason: "security assessment of \(assessment.entity) by \(assessment.assessor)",
                    details: AuditEntry.details([
                        "change": .init(change.rawValue), "features": .init(assessment.features),
                        "date": .init(assessment.date),
                        "document_sha256": .init(assessment.documentSHA256),
                    ]))
            }
            return change
        }
    }

    public func record(_ waiver: Waiver, actor: String) throws -> RecordChange {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            let change = try SQLiteLedger.store(db, waiver, at: at)
            if change != .unchanged {
                _ = try appendAudit(
                    db, actor: actor, action: "waiver_granted", subject: waiver.app, reason: waiver.reason,
                    details: AuditEntry.details([
                        "change": .init(change.rawValue), "rule": .init(waiver.rule), "expires": .init(waiver.expires),
                        "granted_by": .init(waiver.grantedBy),
                    ]))
            }
            return change
        }
    }

    /// The whole registry read once into memory: what a batch or a daily run judges against,
    /// so that thousands of lookups do not each go to the database, and every version of the
    /// run is judged against the same evidence even if an import happens meanwhile.
    public func registrySnapshot() throws -> InMemoryRegistry {
        try read { db in
            func records<T: Decodable>(_ type: T.Type, _ table: Table) throws -> [T] {
                try String.fetchAll(db, sql: "SELECT record FROM \(table.rawValue)").map {
                    try SQLiteLedger.decode(type, $0)
                }
            }
            let loaded =
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM registry_import WHERE kind = 'filings')")
                ?? false
            return InMemoryRegistry(
                filings: try records(AlgorithmFilingRecord.self, .filing),
                cancellations: try records(FilingCancellation.self, .cancellation),
                genai: try records(GenAIRecord.self, .genai),
                assessments: try records(SecurityAssessment.self, .assessment),
                waivers: try records(Waiver.self, .waiver), filingListLoaded: loaded)
        }
    }

    // MARK: - EvidenceRegistry

    private func lookup<T: Decodable & Sendable>(
        _ type: T.Type, _ table: Table, _ column: String, _ key: String
    )
        throws(LedgerError) -> T?
    {
        try read { db in
            guard
                let json = try String.fetchOne(
                    db, sql: "SELECT record FROM \(table.rawValue) WHERE \(column) = ?", arguments: [key])
            else { return nil }
            return try SQLiteLedger.decode(type, json)
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
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT record FROM registry_waiver WHERE app = ? ORDER BY rule", arguments: [app]
            )
            .map { try SQLiteLedger.decode(Waiver.self, $0) }
        }
    }

    public func counts() throws -> RegistryCounts {
        try read { db in
            func count(_ table: Table) throws -> Int {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.rawValue)") ?? 0
            }
            return RegistryCounts(
                filings: try count(.filing), cancellations: try count(.cancellation), genai: try count(.genai),
                assessments: try count(.assessment), waivers: try count(.waiver))
        }
    }

    public func hasFilingLists() throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM registry_import WHERE kind = 'filings')") ?? false
        }
    }
}

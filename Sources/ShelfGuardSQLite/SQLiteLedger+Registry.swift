import Crypto
import Foundation
import GRDB
import ShelfGuardKit

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

    /// The page cache an import works with, in KiB.
    static let importCacheKiB = 64 << 10

    /// Inserts, updates or leaves alone one record, inside the caller's transaction.
    static func store(_ db: Database, _ record: RegistryRecord, at: String) throws -> RecordChange {
        var writer = RegistryWriter(db, at: at)
        return try writer.store(record)
    }

    public func importEvidence(
        actor: String, reading read: @Sendable (_ store: (RegistryRecord) throws -> Void) throws -> RegistryFile
    ) throws -> RegistryImport {
        let at = AuditEntry.timestamp(now())
        let path = path
        // As `write`, but a `FileError` from reading gives the transaction up and is thrown as
        // it is, for the caller to report the file.
        do {
            return try pool.write { db in
                try SQLiteLedger.refuseNewerSchema(db, path: path)
                // A larger page cache for the import's one transaction: SQLite's default 2 MiB
                // spills the indexes' pages to the WAL again and again (a million rows wrote
                // three times the database). Fixed, so memory still does not grow with the file.
                let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
                try db.execute(sql: "PRAGMA cache_size = -\(SQLiteLedger.importCacheKiB)")
                defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
                var writer = RegistryWriter(db, at: at)
                var added = 0
                var updated = 0
                var unchanged = 0
                let file = try read { record in
                    switch try writer.store(record) {
                    case .added: added += 1
                    case .updated: updated += 1
                    case .unchanged: unchanged += 1
                    }
                }
                var result = RegistryImport(
                    file: file.path, sha256: file.sha256, kind: file.kind, rows: file.rowCount, added: added,
                    updated: updated, unchanged: unchanged, rejected: file.rejectedCount,
                    problems: file.rejected.map(\.description), notes: file.noteCount, at: at, actor: actor)
                let entry = try appendAudit(
                    db, actor: actor,
                    AuditRecord.registryImport(file, added: added, updated: updated, unchanged: unchanged))
                result.auditSeq = entry.seq
                try db.run(
                    sql: """
                        INSERT INTO registry_import
                            (file, sha256, kind, rows, added, updated, unchanged, rejected, notes, at, actor, audit_seq)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        file.path, file.sha256, file.kind.rawValue, file.rowCount, added, updated, unchanged,
                        file.rejectedCount, file.noteCount, at, actor, entry.seq,
                    ])
                return result
            }
        } catch let error as RegistryFile.FileError {
            throw error
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw LedgerError(SQLiteLedger.readOnlyMessage(path: path, reason: SQLiteLedger.unwritable(path)))
        } catch {
            throw LedgerError("shelf database \(path): \(error)")
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
            let change = try SQLiteLedger.store(db, .assessment(assessment), at: at)
            if change != .unchanged {
                _ = try appendAudit(db, actor: actor, AuditRecord.assessmentRecorded(assessment, change: change))
            }
            return change
        }
    }

    public func record(_ waiver: Waiver, actor: String) throws -> RecordChange {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            let change = try SQLiteLedger.store(db, .waiver(waiver), at: at)
            if change != .unchanged {
                _ = try appendAudit(db, actor: actor, AuditRecord.waiverGranted(waiver, change: change))
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
                    try LedgerJSON.decode(type, $0)
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
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT record FROM registry_waiver WHERE app = ? ORDER BY rule", arguments: [app]
            )
            .map { try LedgerJSON.decode(Waiver.self, $0) }
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

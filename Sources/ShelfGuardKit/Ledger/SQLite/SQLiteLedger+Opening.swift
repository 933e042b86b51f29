import Foundation
import GRDB

/// How the ledger file is opened: a schema written by a newer ShelfGuard refused.
extension SQLiteLedger {
    /// The identifiers of the migrations this ShelfGuard knows, in order.
    static let knownMigrations: [String] = migrator.migrations

    /// The migrations applied to a database that this ShelfGuard does not know, in order of
    /// their names: a newer ShelfGuard wrote them, and this one must neither read the database
    /// (it may misread what it does not know) nor write it (it would write rows the newer schema
    /// forbids).
    static func unknownMigrations(applied: Set<String>, known: [String] = knownMigrations) -> [String] {
        applied.subtracting(known).sorted()
    }

    /// What an operator is told when the database has migrations this ShelfGuard does not know.
    static func newerSchemaMessage(path: String, unknown: [String]) -> String {
        "the shelf database \(path) was written by a newer ShelfGuard: it has schema changes this shelfguard "
            + "(\(ShelfGuardVersion.current)) does not know (\(unknown.joined(separator: "; "))). Upgrade shelfguard "
            + "to the version that wrote it, or a later one, and run the command again; nothing was read or changed"
    }

    /// Throws when the database has migrations this ShelfGuard does not know. Cheap enough to run
    /// inside every write transaction (one count), so that a database upgraded by a newer
    /// ShelfGuard while this one runs (a long batch, a daily run) is not written from then on.
    static func refuseNewerSchema(_ db: Database, path: String) throws {
        let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM grdb_migrations")) ?? 0
        guard count > knownMigrations.count else { return }
        let unknown = unknownMigrations(applied: try migrator.appliedIdentifiers(db))
        if !unknown.isEmpty { throw LedgerError(newerSchemaMessage(path: path, unknown: unknown)) }
    }
}

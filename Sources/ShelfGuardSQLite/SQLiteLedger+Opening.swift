import Foundation
import GRDB
import GRDBSQLite
import ShelfGuardKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the ledger file is opened: read-only databases (file and folder) for the reading
/// commands, a schema written by a newer ShelfGuard refused, and file-system problems said in
/// words an operator can act on instead of SQLite's error numbers.
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

    /// Opens the database read-only. SQLite reads a WAL-mode database through its shared-memory
    /// file (`-shm`), which it cannot create in a folder this user may not write; when no
    /// write-ahead log holds changes (the last writer closed it cleanly), every committed change is
    /// in the database file, and SQLite's `immutable` mode reads that file with no `-shm` and no
    /// locks (so a writer who starts meanwhile, someone who may write the folder, is not seen).
    /// With changes waiting in the log, the file alone would be out of date: refused.
    static func openReadOnly(path: String, configuration: Configuration) throws -> DatabasePool {
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError
            where error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN
        {
            guard can(path, R_OK) else { throw error }
            if walHoldsChanges(path) {
                throw LedgerError(
                    "cannot read the shelf database \(path): its write-ahead log (\(path)-wal) holds changes not yet in "
                        + "the database file, and reading them needs a shared-memory file (\(path)-shm) that this user "
                        + "cannot create in its folder. Run `shelfguard registry stats --db \(path)` once as a user who "
                        + "can write the file and its folder (that folds the log into the file), then read it again")
            }
            guard sqlite3_compileoption_used("USE_URI") != 0 else {
                throw LedgerError(
                    "cannot read the shelf database \(path) without write access to its folder: this system's SQLite "
                        + "cannot open it immutable (built without URI file names)")
            }
            return try DatabasePool(path: immutableURI(path), configuration: configuration)
        }
    }

    /// Whether a write-ahead log beside the database holds frames (changes the file lacks).
    static func walHoldsChanges(_ path: String) -> Bool {
        var info = stat()
        return stat(path + "-wal", &info) == 0 && info.st_size > 0
    }

    /// The SQLite URI that opens the file at `path` read-only and immutable: the path made
    /// absolute, every byte but letters, digits, `-._~` and `/` percent-encoded (`?`, `#`, `%`
    /// and spaces would otherwise end or change it).
    static func immutableURI(
        _ path: String, workingFolder: String = FileManager.default.currentDirectoryPath
    )
        -> String
    {
        let absolute =
            path.hasPrefix("/") ? path : (workingFolder.hasSuffix("/") ? workingFolder : workingFolder + "/") + path
        var encoded = ""
        for byte in absolute.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return "file:" + encoded + "?mode=ro&immutable=1"
    }

    /// What cannot be written for a write to succeed, in words; nil when both the file and its
    /// folder are writable by this user (as far as the system says: root may write anything).
    static func unwritable(_ path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        let fileExists = can(path, F_OK)
        if fileExists && !can(path, W_OK) { return "the file cannot be written" }
        if !can(folder.isEmpty ? "." : folder, W_OK) {
            return fileExists
                ? "its folder cannot be written (SQLite keeps its write-ahead log beside the file)"
                : "its folder cannot be written"
        }
        return nil
    }

    /// Whether this process (its effective user) may access `path` so (`R_OK`, `W_OK`, `F_OK`).
    static func can(_ path: String, _ mode: Int32) -> Bool {
        faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0
    }

    /// What an operator is told when a command that changes the shelf meets a database it may
    /// not write.
    static func readOnlyMessage(path: String, reason: String?) -> String {
        "the shelf database \(path) is read-only for this user"
            + (reason.map { ": \($0)" } ?? "")
            + ". Commands that change the shelf (review, daily, decisions, measures, complaints, registry imports) "
            + "need write access to the file and its folder; reading commands (shelf list, audit verify, feed, "
            + "registry lookup, check --db) work as it is"
    }

    /// A database error met while opening or writing, in words an operator can act on.
    static func problem(_ error: any Error, path: String, writing: Bool) -> String {
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_READONLY where writing:
                return readOnlyMessage(path: path, reason: unwritable(path))
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
                if can(path, F_OK) && !can(path, R_OK) {
                    return "cannot open the shelf database \(path): this user may not read the file"
                }
                if writing, let reason = unwritable(path) {
                    return can(path, F_OK)
                        ? readOnlyMessage(path: path, reason: reason)
                        : "cannot create the shelf database \(path): this user may not write its folder"
                }
            default:
                break
            }
        }
        return "cannot open the shelf database \(path): \(error)"
    }
}

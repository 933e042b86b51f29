import ArgumentParser
import Foundation
import ShelfGuardKit
import ShelfGuardPostgres
import ShelfGuardSQLite

/// Where the shelf database is, and who is acting on it.
struct DatabaseOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The shelf database: a SQLite file (a path, or sqlite:PATH), or a PostgreSQL server (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=require], or ?host=/run/postgresql for its socket; the password may also come from $PGPASSWORD). Default: $SHELFGUARD_DB, else shelfguard.db in the working folder; check reads one only when it is named here or in $SHELFGUARD_DB.",
            valueName: "path|url"))
    var db: String?

    @Option(
        help: ArgumentHelp(
            "The folder that keeps a read-only copy of every bundle reviewed, under its SHA-256. Default: $SHELFGUARD_BUNDLE_STORE, else beside a SQLite database (shelfguard.db → shelfguard.bundles), else shelfguard.bundles in the working folder for a PostgreSQL one (give every worker the same shared folder).",
            valueName: "folder"))
    var bundleStore: String?

    @Option(
        help: ArgumentHelp(
            "Seconds a write waits for another process's write to the same database before failing.",
            valueName: "seconds"))
    var busyTimeout: Double = SQLiteLedger.defaultBusyTimeout

    @Option(
        help: ArgumentHelp(
            "When review, worker or serve start, remove the bundle store's unfinished temporary copies (.upload.*.tmp, and .upload.*.dir folders of a declaration with its materials, left by a process killed while writing one) idle for more than this many hours (at least 1); 0 never removes them.",
            valueName: "hours"))
    var sweepAfter: Double = 24

    func validate() throws {
        guard busyTimeout >= 0 else { throw ValidationError("--busy-timeout cannot be negative") }
        // At least an hour: a shorter one could take the copy another process is reviewing.
        guard sweepAfter == 0 || (sweepAfter >= 1 && sweepAfter <= 24 * 366 * 10) else {
            throw ValidationError("--sweep-after must be 0 (never) or between 1 and 87840 hours (ten years)")
        }
    }

    /// Removes the store's unfinished temporary copies older than --sweep-after, and says so on
    /// standard error (nothing when none, or when --sweep-after is 0).
    func sweep(_ store: BundleStore) {
        guard sweepAfter > 0 else { return }
        // The file system's clock, not the business date (SHELFGUARD_NOW): ages of files.
        let removed = store.sweep(olderThan: sweepAfter * 3600, now: Date())
        guard !removed.isEmpty else { return }
        FileHandle.standardError.write(
            Data(
                "shelfguard: removed \(removed.count) unfinished temporary cop\(removed.count == 1 ? "y" : "ies") idle for more than \(sweepAfter == sweepAfter.rounded() ? String(Int(sweepAfter)) : String(sweepAfter)) h from the bundle store \(store.directory)\n"
                    .utf8))
    }

    /// The database as named (--db, the environment, or the default).
    var location: String { db ?? SQLiteLedger.defaultPath() }

    /// Opens the store the location names: a SQLite file (created and migrated when writable) or
    /// a PostgreSQL database (migrated when writable); an unknown scheme is a tool error that says
    /// so, never a file of that name. The one place that knows which stores this build can open;
    /// failures are tool errors.
    func open(readOnly: Bool) throws -> any LedgerStore {
        switch StoreLocation.parse(location) {
        case .success(.sqlite(let path)):
            do { return try SQLiteLedger(path: path, readOnly: readOnly, busyTimeout: busyTimeout) } catch {
                throw ToolError(error.description)
            }
        case .success(.postgres(let url)):
            do { return try PostgresLedger(url: url, readOnly: readOnly) } catch { throw ToolError(error.description) }
        case .failure(let error): throw ToolError(error.description)
        }
    }

    /// Where bundles are kept for this store: --bundle-store, $SHELFGUARD_BUNDLE_STORE, else the
    /// store's own default.
    func bundles(for ledger: any LedgerStore) -> BundleStore {
        if let bundleStore, !bundleStore.isEmpty { return BundleStore(directory: bundleStore) }
        if let named = ProcessInfo.processInfo.environment["SHELFGUARD_BUNDLE_STORE"], !named.isEmpty {
            return BundleStore(directory: named)
        }
        return ledger.defaultBundleStore
    }

    /// Whether there is a store to read already: a SQLite file that exists. A server is taken to
    /// exist (opening it says otherwise); a location that names no store is a tool error, as
    /// `open(readOnly:)` gives it.
    func exists() throws -> Bool {
        switch StoreLocation.parse(location) {
        case .success(.sqlite(let path)): return FileManager.default.fileExists(atPath: path)
        case .success(.postgres): return true
        case .failure(let error): throw ToolError(error.description)
        }
    }

    /// The database when one is chosen explicitly (--db or $SHELFGUARD_DB), with how; nil when
    /// only the default would be used.
    var explicitSource: ConfigSource? {
        if let db { return ConfigSource(chosenBy: "--db", path: db) }
        if let named = ProcessEnvironment.value("SHELFGUARD_DB"), !named.isEmpty {
            return ConfigSource(chosenBy: "SHELFGUARD_DB", path: named)
        }
        return nil
    }

    /// Opens the ledger for writing, creating it if needed; failures are tool errors.
    func openForWriting() throws -> any LedgerStore { try open(readOnly: false) }

    /// Opens an existing ledger read-only.
    func openForReading() throws -> any LedgerStore { try open(readOnly: true) }
}

extension DatabaseOptions {
    /// These options for `QuickParser`: the names and defaults declared above.
    static var quick: QuickParser<Self> {
        var parser = QuickParser(Self())
        parser.option("--db") { $0.db = $1 }
        parser.option("--bundle-store") { $0.bundleStore = $1 }
        parser.option("--busy-timeout", default: SQLiteLedger.defaultBusyTimeout) { $0.busyTimeout = $1 }
        parser.option("--sweep-after", default: 24) { $0.sweepAfter = $1 }
        return parser
    }
}

/// Who is acting: written into every audit entry.
struct OperatorOption: ParsableArguments {
    @Option(
        name: .customLong("operator"),
        help: ArgumentHelp(
            "Who is acting, for the audit log. Default: $SHELFGUARD_OPERATOR, else the login name.", valueName: "name"))
    var name: String?

    var actor: String {
        if let name, !name.isEmpty { return name }
        let environment = ProcessInfo.processInfo.environment
        if let name = environment["SHELFGUARD_OPERATOR"] ?? environment["USER"] ?? environment["LOGNAME"], !name.isEmpty
        {
            return name
        }
        // The login name of the process's user, as the system knows it.
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}

extension ParsableCommand {
    /// The shelf database opened for writing, and the check a batch review or a daily run
    /// judges with: the policy and the feature database, the read limits, and the registry
    /// files given layered over the database's own registry, read once for the whole run. The
    /// policies and files are loaded first, so that a mistake in them touches no database.
    static func openShelf(
        _ database: DatabaseOptions, policyOptions: PolicyOptions, reviewOptions: ReviewOptions,
        limitOptions: ReadLimitOptions, wechatAppID: String? = nil
    ) throws -> (any LedgerStore, ShelfCheck) {
        let engine = try policyOptions.signatureEngine()
        let policy = try reviewOptions.loadPolicy(policyOptions)
        let files = try reviewOptions.loadRegistry()
        let ledger = try database.openForWriting()
        let snapshot: InMemoryRegistry
        do { snapshot = try ledger.registrySnapshot() } catch let error as LedgerError {
            throw ToolError(error.description)
        }
        var check = ShelfCheck(
            inspector: Inspector(
                options: limitOptions.inspectOptions(wechatAppID: wechatAppID),
                signatures: engine),
            policy: policy, taxonomy: engine.database.taxonomy, registry: LayeredRegistry([files, snapshot]),
            asOf: reviewOptions.asOf)
        check.declarationLimits = reviewOptions.declarationLimits
        check.evidenceDatabase =
            database.explicitSource ?? ConfigSource(chosenBy: "default: the working folder", path: ledger.location)
        return (ledger, check)
    }

    /// The shelf database and a batch reviewer over it, as `review` and `worker` run them: the
    /// shelf's check with the labeling-material limits, `jobs` bundles at a time, bundles kept in
    /// the store beside the database.
    static func openBatch(
        _ database: DatabaseOptions, policyOptions: PolicyOptions, reviewOptions: ReviewOptions,
        limitOptions: ReadLimitOptions, materialOptions: MaterialLimitOptions, jobs: Int, actor: String,
        wechatAppID: String? = nil
    ) throws -> (any LedgerStore, BatchReview) {
        let (ledger, shelfCheck) = try openShelf(
            database, policyOptions: policyOptions, reviewOptions: reviewOptions, limitOptions: limitOptions,
            wechatAppID: wechatAppID)
        var check = shelfCheck
        check.materialLimits = materialOptions.limits
        let store = database.bundles(for: ledger)
        database.sweep(store)
        return (ledger, BatchReview(check: check, ledger: ledger, jobs: jobs, actor: actor, bundleStore: store))
    }
}

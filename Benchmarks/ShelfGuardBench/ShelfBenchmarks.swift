import ArgumentParser
import Foundation
import GRDB
import ShelfGuardKit
import ShelfGuardPostgres
import ShelfGuardSQLite

/// Issue 7's benchmarks on generated shelves: `shelfguard daily` over 100,000 versions, and
/// `shelfguard takedown --filing` hitting many of 1,000,000. Each run works on a fresh copy of a
/// template database made once (kept in the work folder), through the release binary.
struct DailyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daily", abstract: "Time shelfguard daily over a generated shelf of 100,000 versions.")

    @Option(help: "Versions on the shelf.")
    var versions = 100_000

    @Option(help: "Runs of each case (the median is reported; 0: make the templates only).")
    var runs = 3

    @Option(help: "The shelfguard executable.")
    var shelfguard = ".build/release/shelfguard"

    @Option(help: "Folder for the template database and the runs.")
    var workDirectory = ".build/bench-shelf"

    @Option(help: "The sample bundles, declarations and evidence the shelf is made from.")
    var samples = "samples"

    @Option(help: "The policies folder.")
    var policies = "policies"

    @Option(
        help: ArgumentHelp(
            "An argument added to every daily run, repeatable (e.g. --daily-argument=--declaration-cache --daily-argument=0 to measure without the cache).",
            valueName: "argument"))
    var dailyArgument: [String] = []

    @Option(
        help: ArgumentHelp(
            "Versions recorded through the store's API, as a review records them; the rest of the shelf is made by copying their rows in SQL, each copy under its own app id and bundle digest (minutes instead of hours for a million). Must divide --versions. Default: all of them.",
            valueName: "count"))
    var recorded: Int?

    @Option(
        help: ArgumentHelp(
            "daily processes run at once, each judging its part (--shard K/N); the time is until the last ends.",
            valueName: "count"))
    var shards = 1

    @OptionGroup var postgresOption: PostgresOption

    /// One store's figures.
    struct Figures {
        var quiet: [Double] = []
        var cancelled: [Double] = []
        var reading: [Double] = []
    }

    func validate() throws {
        if let recorded, recorded < 1 || versions % recorded != 0 {
            throw ValidationError("--recorded must divide --versions (\(versions))")
        }
        guard shards >= 1 && shards <= 64 else { throw ValidationError("--shards must be between 1 and 64") }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let recorded = recorded ?? versions
        let template = "\(workDirectory)/daily-\(recorded).db"
        let generator = ShelfGenerator(samples: samples, policies: policies)
        try ShelfGenerator.once(template) {
            try generator.dailyShelf(into: try SQLiteLedger(path: template), versions: recorded)
        }
        let postgres = try postgresOption.server()
        let postgresTemplate = "shelfguard_bench_daily_\(recorded)"
        if let postgres {
            // Generated through the store's API once (slow: a transaction per version), then kept
            // as a pg_dump file beside the SQLite template, restored into each new server.
            let dump = "\(workDirectory)/daily-\(recorded).pgdump"
            try postgres.once(postgresTemplate) {
                let url = postgres.url(database: postgresTemplate)
                if FileManager.default.fileExists(atPath: dump + ".complete") {
                    let restored = try ChildProcess.run(
                        try postgres.tool("pg_restore"), ["--no-owner", "--exit-on-error", "-d", url, dump])
                    guard restored.exitStatus == 0 else { throw BenchError("pg_restore of \(dump) failed") }
                    print("restored \(dump) in \(String(format: "%.0f", restored.seconds)) s")
                    return
                }
                let started = Date()
                try generator.dailyShelf(into: try PostgresLedger(url: url), versions: recorded)
                print(
                    "generated the PostgreSQL shelf through the store's API in \(String(format: "%.0f", Date().timeIntervalSince(started))) s"
                )
                try? FileManager.default.removeItem(atPath: dump + ".complete")
                let dumped = try ChildProcess.run(try postgres.tool("pg_dump"), ["-Fc", "-f", dump, url])
                guard dumped.exitStatus == 0 else { throw BenchError("pg_dump to \(dump) failed") }
                _ = FileManager.default.createFile(atPath: dump + ".complete", contents: nil)
            }
        }
        // The shelf of `versions`: the recorded one, or copies of it.
        var shelf = template
        var postgresShelf = postgresTemplate
        if recorded < versions {
            let copies = versions / recorded
            shelf = "\(workDirectory)/daily-\(versions)-from-\(recorded).db"
            try ShelfGenerator.once(shelf) {
                try ShelfGenerator.copy(template, to: shelf)
                try ShelfGenerator.multiplySQLite(shelf, copies: copies)
            }
            if let postgres {
                postgresShelf = "shelfguard_bench_daily_\(versions)_from_\(recorded)"
                try postgres.once(postgresShelf) {
                    try postgres.drop(database: postgresShelf)
                    try postgres.execute("CREATE DATABASE \(postgresShelf) TEMPLATE \(postgresTemplate)")
                    try ShelfGenerator.multiplyPostgres(postgres, database: postgresShelf, copies: copies)
                }
            }
        }
        guard runs > 0 else { return }  // --runs 0: the templates only
        let notice = "\(workDirectory)/cancellation.csv"
        try """
        备案编号,注销日期,公告日期,公告标题,算法名称,角色,主体名称,应用产品
        网信算备440305900000101250017号,2026年11月,2026-11-25,关于注销“示例人脸替换生成合成算法”的公告（基准）,示例人脸替换生成合成算法,服务提供者,深圳市示例智能科技有限公司,FaceFun(APP)

        """.write(toFile: notice, atomically: true, encoding: .utf8)
        print(
            "Daily benchmark: shelfguard daily over \(versions) shelved versions (copies of the approved samples, each with its inventory and declaration), a fresh copy of the database each run, \(runs) runs per case."
        )
        if recorded < versions {
            print(
                "The shelf: \(recorded) versions recorded through the store's API, then copied \(versions / recorded) times in SQL (each copy its own app id and bundle digest, the same inventory and declaration bytes)."
            )
        }
        if shards > 1 {
            print(
                "\(shards) daily processes at once (--shard K/\(shards)); each run's time is until the last ends."
            )
        }
        let sqlite3 = TakedownBenchmark.sqlite3
        print(
            sqlite3 == nil
                ? "Baseline skipped: no sqlite3 shell (scripts/setup --with-tools installs it)."
                : "Baseline: the sqlite3 shell reading the rows daily judges (inventory facts, declaration) and nothing else, once per run."
        )
        if postgres != nil {
            print(
                "PostgreSQL, interleaved with SQLite: each run on a copy of a template database (CREATE DATABASE … TEMPLATE, then CHECKPOINT, not timed); baseline psql reading the same rows."
            )
        }
        var sqlite = Figures()
        var server = Figures()
        let reports = "\(workDirectory)/daily-report"
        let runDatabase = "shelfguard_bench_daily_run"
        /// One daily run on a fresh copy; its seconds.
        func daily(_ postgres: PostgresServer?, withNotice: Bool, run: Int) throws -> Double {
            let database: String
            var extra: [String] = []
            if let postgres {
                try postgres.create(database: runDatabase, template: postgresShelf)
                database = postgres.url(database: runDatabase)
                extra = ["--bundle-store", "\(workDirectory)/daily-run.bundles"]
            } else {
                database = "\(workDirectory)/daily-run.db"
                try ShelfGenerator.copy(shelf, to: database)
            }
            if withNotice {
                let imported = try ChildProcess.run(shelfguard, ["registry", "import", "--db", database, notice])
                guard imported.exitStatus == 0 else { throw BenchError("the cancellation did not import") }
            }
            settle()
            let started = Date()
            let children = try (1...shards).map { k in
                try ChildProcess.start(
                    shelfguard,
                    [
                        "daily", "--db", database, "--as-of", "2026-11-26", "--report-dir", "\(reports)-\(k)",
                        "--policies", policies,
                    ] + (shards > 1 ? ["--shard", "\(k)/\(shards)"] : []) + extra + dailyArgument,
                    stderr: "\(reports)-\(k).log")
            }
            let ends = try children.map { try ChildProcess.wait($0) }
            let seconds = Date().timeIntervalSince(started)
            guard ends.allSatisfy({ $0.exitStatus != 1 }) else {
                throw BenchError("daily failed (see \(reports)-K.log)")
            }
            let shardReports = try (1...shards).map { k in
                try JSONDecoder().decode(
                    DailyReport.self, from: Data(contentsOf: URL(fileURLWithPath: "\(reports)-\(k)/daily.json")))
            }
            let checked = shardReports.map(\.checked).reduce(0, +)
            guard checked == versions else { throw BenchError("daily judged \(checked) of \(versions) versions") }
            if let postgres { try postgres.drop(database: runDatabase) }
            print(
                "  run \(run + 1) \(postgres == nil ? "SQLite    " : "PostgreSQL") \(withNotice ? "after a cancellation" : "nothing changed     "): \(String(format: "%.2f", seconds)) s (CPU \(ends.map { String(format: "%.2f", $0.cpuSeconds) }.joined(separator: " + ")) s), \(shardReports.map(\.measures.suspend).reduce(0, +)) suspended, \(shardReports.map(\.newAlerts).reduce(0, +)) new alerts, peak RSS \(ends.map { ByteCount.format($0.peakRSSBytes) }.joined(separator: " + "))"
            )
            return seconds
        }
        for run in 0..<runs {
            if let sqlite3 {
                let child = try ChildProcess.run(sqlite3, ["-readonly", shelf, Self.baselineSQL])
                guard child.exitStatus == 0 else { throw BenchError("the sqlite3 baseline failed") }
                sqlite.reading.append(child.seconds)
            }
            if let postgres {
                let child = try ChildProcess.run(
                    postgres.psql, postgres.arguments(Self.baselineSQL, database: postgresShelf))
                guard child.exitStatus == 0 else { throw BenchError("the psql baseline failed") }
                server.reading.append(child.seconds)
            }
            // nil: SQLite. The order alternates between runs and cases.
            let stores: [PostgresServer?] = postgres == nil ? [nil] : run % 2 == 0 ? [nil, postgres] : [postgres, nil]
            let cases: [Bool] = run % 2 == 0 ? [false, true] : [true, false]
            for (index, withNotice) in cases.enumerated() {
                let order: [PostgresServer?] = index % 2 == 0 ? stores : Array(stores.reversed())
                for store in order {
                    let seconds = try daily(store, withNotice: withNotice, run: run)
                    if store == nil {
                        (withNotice ? { sqlite.cancelled.append(seconds) } : { sqlite.quiet.append(seconds) })()
                    } else {
                        (withNotice ? { server.cancelled.append(seconds) } : { server.quiet.append(seconds) })()
                    }
                }
            }
        }
        print("")
        func report(_ name: String, _ figures: Figures, baseline: String, versus: Figures? = nil) {
            let a = Summary(figures.quiet)
            let b = Summary(figures.cancelled)
            let against = versus.map { (Summary($0.quiet).median, Summary($0.cancelled).median) }
            print(
                "  \(name)nothing changed:      median \(String(format: "%.2f", a.median)) s (min \(String(format: "%.2f", a.min)), max \(String(format: "%.2f", a.max))), \(String(format: "%.0f", Double(versions) / a.median)) versions/s, \(String(format: "%.0f", 1e6 * a.median / Double(versions))) µs per version"
                    + (against.map { "; PostgreSQL/SQLite = \(ratio(a.median, $0.0))" } ?? "")
            )
            print(
                "  \(name)after a cancellation: median \(String(format: "%.2f", b.median)) s (min \(String(format: "%.2f", b.min)), max \(String(format: "%.2f", b.max))), \(String(format: "%.0f", Double(versions) / b.median)) versions/s, \(String(format: "%.0f", 1e6 * b.median / Double(versions))) µs per version"
                    + (against.map { "; PostgreSQL/SQLite = \(ratio(b.median, $0.1))" } ?? "")
            )
            if !figures.reading.isEmpty {
                let c = Summary(figures.reading)
                print(
                    "  \(name)\(baseline) reading alone: median \(String(format: "%.2f", c.median)) s; daily/reading = \(String(format: "%.1f", a.median / c.median))× (nothing changed), \(String(format: "%.1f", b.median / c.median))× (after a cancellation)"
                )
            }
        }
        report(postgres == nil ? "" : "SQLite:     ", sqlite, baseline: "sqlite3")
        if postgres != nil { report("PostgreSQL: ", server, baseline: "psql", versus: sqlite) }
    }

    /// What daily reads of every shelved version, read by SQLite alone.
    static let baselineSQL = """
        SELECT COUNT(*), SUM(LENGTH(i.facts)), SUM(LENGTH(s.declaration))
        FROM version v
        JOIN shelf_state st ON st.version_id = v.id
        JOIN inventory i ON i.version_id = v.id
        JOIN submission s ON s.id = (SELECT MAX(id) FROM submission WHERE version_id = v.id)
        WHERE st.state IN ('approved', 'warned', 'suspended');
        """
}

struct TakedownBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takedown",
        abstract: "Time shelfguard takedown --filing on a shelf of 1,000,000 versions, audit entries included.")

    @Option(help: "Versions on the shelf.")
    var versions = 1_000_000

    @Option(help: "Versions citing the filing taken down.")
    var hits = 100_000

    @Option(help: "Runs (the median is reported; 0: make the templates only).")
    var runs = 5

    @Option(help: "The shelfguard executable.")
    var shelfguard = ".build/release/shelfguard"

    @Option(help: "Folder for the template database and the runs.")
    var workDirectory = ".build/bench-shelf"

    @OptionGroup var postgresOption: PostgresOption

    static let filing = "网信算备440305900000101250017号"

    /// The sqlite3 shell, the baselines' tool, when installed.
    static var sqlite3: String? {
        ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// One store's figures: shelfguard's times and the baseline's.
    struct Figures {
        var times: [Double] = []
        var baseline: [Double] = []
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let template = "\(workDirectory)/takedown-\(versions)-\(hits).db"
        try ShelfGenerator.once(template) {
            try ShelfGenerator.takedownShelf(at: template, versions: versions, hits: hits, filing: Self.filing)
        }
        let postgres = try postgresOption.server()
        let postgresTemplate = "shelfguard_bench_takedown_\(versions)_\(hits)"
        if let postgres {
            try postgres.once(postgresTemplate) {
                // The schema, by the ledger's own migrations; then the same rows as the SQLite shelf.
                let migrated = try ChildProcess.run(
                    shelfguard, ["registry", "stats", "--db", postgres.url(database: postgresTemplate)])
                guard migrated.exitStatus == 0 else { throw BenchError("registry stats (the migrations) failed") }
                try postgres.execute(
                    ShelfGenerator.takedownShelfSQL(versions: versions, hits: hits, filing: Self.filing),
                    database: postgresTemplate)
            }
        }
        guard runs > 0 else { return }  // --runs 0: the templates only
        print(
            "Takedown benchmark: shelfguard takedown --filing on \(versions) shelved versions, \(hits) of them citing the filing; a fresh copy of the database each run, \(runs) runs; the time is the whole command: start, select, \(hits) state changes and \(hits) chained audit entries in one transaction, commit, checkpoint."
        )
        let sqlite3 = Self.sqlite3
        if sqlite3 != nil {
            print(
                "Baseline: the sqlite3 shell writing the same rows set-based in one transaction (random hashes instead of a chain, no Swift), interleaved with the runs."
            )
        } else {
            print("Baseline skipped: no sqlite3 shell (scripts/setup --with-tools installs it).")
        }
        if postgres != nil {
            print(
                "PostgreSQL, interleaved with SQLite: each run on a copy of a template database (CREATE DATABASE … TEMPLATE, then CHECKPOINT, not timed); baseline psql writing the same rows set-based in one transaction."
            )
        }
        var sqlite = Figures()
        var server = Figures()
        let database = "\(workDirectory)/takedown-run.db"
        let runDatabase = "shelfguard_bench_takedown_run"
        let arguments = [
            "takedown", "--filing", Self.filing, "--reason", "benchmark", "--order", "BENCH-1", "--operator", "bench",
        ]
        func sqliteRun(_ run: Int) throws {
            if let sqlite3 {
                try ShelfGenerator.copy(template, to: database)
                settle()
                let child = try ChildProcess.run(sqlite3, [database, Self.baselineSQL])
                guard child.exitStatus == 0 else {
                    throw BenchError("the sqlite3 baseline failed (\(child.exitStatus))")
                }
                sqlite.baseline.append(child.seconds)
            }
            try ShelfGenerator.copy(template, to: database)
            settle()
            let child = try ChildProcess.run(shelfguard, arguments + ["--db", database])
            guard child.exitStatus == 0 else { throw BenchError("takedown failed (\(child.exitStatus))") }
            let (moved, audited) = try DatabaseQueue(path: database).read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM shelf_state WHERE state = 'taken_down'") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'take_down'") ?? 0
                )
            }
            guard moved == hits && audited == hits else {
                throw BenchError("moved \(moved), audited \(audited), expected \(hits)")
            }
            sqlite.times.append(child.seconds)
            print(
                "  run \(run + 1) SQLite:     \(String(format: "%.3f", child.seconds)) s, \(moved) taken down, \(audited) audit entries, peak RSS \(ByteCount.format(child.peakRSSBytes))"
                    + (sqlite.baseline.last.map { "; sqlite3 alone \(String(format: "%.3f", $0)) s" } ?? "")
            )
        }
        func postgresRun(_ run: Int, _ postgres: PostgresServer) throws {
            try postgres.create(database: runDatabase, template: postgresTemplate)
            settle()
            let baseline = try ChildProcess.run(
                postgres.psql, postgres.arguments(Self.postgresBaselineSQL, database: runDatabase))
            guard baseline.exitStatus == 0 else {
                throw BenchError("the psql baseline failed (\(baseline.exitStatus))")
            }
            server.baseline.append(baseline.seconds)
            try postgres.create(database: runDatabase, template: postgresTemplate)
            settle()
            let child = try ChildProcess.run(shelfguard, arguments + ["--db", postgres.url(database: runDatabase)])
            guard child.exitStatus == 0 else { throw BenchError("takedown on PostgreSQL failed (\(child.exitStatus))") }
            let counts = try postgres.integers(
                """
                SELECT (SELECT COUNT(*) FROM shelf_state WHERE state = 'taken_down'),
                    (SELECT COUNT(*) FROM audit_log WHERE action = 'take_down'),
                    (SELECT COUNT(*) FROM state_change WHERE to_state = 'taken_down')
                """, database: runDatabase)
            guard counts == [hits, hits, hits] else {
                throw BenchError("PostgreSQL: taken down, audited, state changes \(counts); expected \(hits) each")
            }
            try postgres.drop(database: runDatabase)
            server.times.append(child.seconds)
            print(
                "  run \(run + 1) PostgreSQL: \(String(format: "%.3f", child.seconds)) s, \(hits) taken down, \(hits) audit entries, peak RSS \(ByteCount.format(child.peakRSSBytes)); psql alone \(String(format: "%.3f", baseline.seconds)) s"
            )
        }
        for run in 0..<runs {
            if let postgres, run % 2 == 1 { try postgresRun(run, postgres) }
            try sqliteRun(run)
            if let postgres, run % 2 == 0 { try postgresRun(run, postgres) }
        }
        let s = Summary(sqlite.times)
        print("")
        print(
            "  shelfguard takedown: median \(String(format: "%.3f", s.median)) s (min \(String(format: "%.3f", s.min)), max \(String(format: "%.3f", s.max))), \(String(format: "%.0f", Double(hits) / s.median)) versions/s"
        )
        if !sqlite.baseline.isEmpty {
            let b = Summary(sqlite.baseline)
            print(
                "  sqlite3 alone:       median \(String(format: "%.3f", b.median)) s (min \(String(format: "%.3f", b.min)), max \(String(format: "%.3f", b.max))); shelfguard/sqlite3 = \(String(format: "%.2f", s.median / b.median))×"
            )
        }
        if postgres != nil {
            let p = Summary(server.times)
            let b = Summary(server.baseline)
            print(
                "  PostgreSQL, shelfguard takedown: median \(String(format: "%.3f", p.median)) s (min \(String(format: "%.3f", p.min)), max \(String(format: "%.3f", p.max))), \(String(format: "%.0f", Double(hits) / p.median)) versions/s; PostgreSQL/SQLite = \(ratio(p.median, s.median))"
            )
            print(
                "  PostgreSQL, psql alone:          median \(String(format: "%.3f", b.median)) s (min \(String(format: "%.3f", b.min)), max \(String(format: "%.3f", b.max))); shelfguard/psql = \(String(format: "%.2f", p.median / b.median))×"
            )
        }
    }

    /// The same writes as the takedown, set-based in SQL: the floor SQLite sets on this shelf.
    static let baselineSQL = """
        PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
        BEGIN IMMEDIATE;
        CREATE TEMP TABLE hit AS SELECT v.id, v.app_id, v.version_name, v.bundle_sha256, s.state
            FROM version v JOIN shelf_state s ON s.version_id = v.id
            WHERE v.id IN (SELECT version_id FROM version_filing WHERE number = '\(filing)') ORDER BY v.id;
        INSERT INTO audit_log (seq, at, actor, action, subject, reason, details, prev_hash, hash)
            SELECT rowid, '2026-11-25T00:00:00.000Z', 'bench', 'take_down',
                app_id || ' ' || version_name || ' (' || substr(bundle_sha256, 1, 12) || ')', 'benchmark',
                '{"bundle_sha256":"' || bundle_sha256 || '","from":"approved","order":"BENCH-1","selected_by":"filing \(filing)","to":"taken_down"}',
                lower(hex(randomblob(32))), lower(hex(randomblob(32))) FROM hit;
        UPDATE shelf_state SET state = 'taken_down' WHERE version_id IN (SELECT id FROM hit);
        INSERT INTO state_change (version_id, from_state, to_state, at, actor, reason, cause, audit_seq, order_ref)
            SELECT id, state, 'taken_down', '2026-11-25T00:00:00.000Z', 'bench', 'benchmark', 'measure', rowid, 'BENCH-1'
            FROM hit;
        COMMIT;
        """

    /// The same writes in PostgreSQL's SQL, set-based in one transaction: the floor the server
    /// sets on this shelf (random hashes, no chain, no Swift, no round trips).
    static let postgresBaselineSQL = """
        BEGIN;
        CREATE TEMP TABLE hit AS SELECT row_number() OVER (ORDER BY v.id) AS n, v.id, v.app_id, v.version_name,
                v.bundle_sha256, s.state
            FROM version v JOIN shelf_state s ON s.version_id = v.id
            WHERE v.id IN (SELECT version_id FROM version_filing WHERE number = '\(filing)');
        INSERT INTO audit_log (seq, at, actor, action, subject, reason, details, prev_hash, hash)
            SELECT n, '2026-11-25T00:00:00.000Z', 'bench', 'take_down',
                app_id || ' ' || version_name || ' (' || substr(bundle_sha256, 1, 12) || ')', 'benchmark',
                '{"bundle_sha256":"' || bundle_sha256 || '","from":"approved","order":"BENCH-1","selected_by":"filing \(filing)","to":"taken_down"}',
                encode(sha256(random()::text::bytea), 'hex'), encode(sha256(random()::text::bytea), 'hex')
            FROM hit ORDER BY n;
        UPDATE shelf_state SET state = 'taken_down' WHERE version_id IN (SELECT id FROM hit);
        INSERT INTO state_change (version_id, from_state, to_state, at, actor, reason, cause, audit_seq, order_ref)
            SELECT id, state, 'taken_down', '2026-11-25T00:00:00.000Z', 'bench', 'benchmark', 'measure', n, 'BENCH-1'
            FROM hit ORDER BY n;
        COMMIT;
        """
}

/// Makes shelves for the benchmarks.
struct ShelfGenerator {
    var samples: String
    var policies: String

    /// Makes the template database at `path` with `make` unless a complete one is there (a
    /// `.complete` marker beside it is written last, so an interrupted generation is redone).
    static func once(_ path: String, make: () throws -> Void) throws {
        guard !FileManager.default.fileExists(atPath: path + ".complete") else { return }
        remove(database: path)
        let started = Date()
        try make()
        _ = FileManager.default.createFile(atPath: path + ".complete", contents: nil)
        print("generated \(path) in \(String(format: "%.0f", Date().timeIntervalSince(started))) s")
    }

    /// Removes a database file with its WAL and shared-memory files.
    static func remove(database path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Copies a template database for one run and flushes the copy to disk, so that the run
    /// does not pay for writing back the benchmark's own copy (hundreds of megabytes).
    static func copy(_ template: String, to database: String) throws {
        remove(database: database)
        try FileManager.default.copyItem(atPath: template, toPath: database)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: database))
        try handle.synchronize()
        try handle.close()
    }

    /// The approved samples, judged once, then copied under new app ids and bundle digests, each
    /// copy judged and recorded through the ledger as a review would record it.
    func dailyShelf(into ledger: any LedgerStore, versions: Int) throws {
        for file in try RegistryFile.expand(["\(samples)/registry"]) {
            _ = try ledger.importEvidence(
                try RegistryFile.read(URL(fileURLWithPath: file)), fileSHA256: "", actor: "bench")
        }
        let engine = SignatureEngine(try SignatureDatabase.load(policies: URL(fileURLWithPath: policies)))
        let policy = try PolicyLoader.load(file: URL(fileURLWithPath: "\(policies)/review-policy.yaml"))
        let check = ShelfCheck(
            inspector: Inspector(signatures: engine), policy: policy, taxonomy: engine.database.taxonomy,
            registry: try ledger.registrySnapshot(), asOf: "2026-11-24")
        var templates: [(Inspection, DeclarationSnapshot, String)] = []
        for name in ["facefun.apk", "calculator.apk", "flashlight.ipa", "todo.wxapkg", "chatpal.ipa"] {
            let result = try check.check(path: "\(samples)/\(name)")
            guard result.verdict == .approve || result.verdict == .warn else { continue }
            templates.append((result.inspection, result.declarationSnapshot, result.shelfAppID))
        }
        guard !templates.isEmpty else { throw BenchError("no approved sample to copy") }
        for i in 0..<versions {
            var (inspection, snapshot, app) = templates[i % templates.count]
            let copy = "\(app).bench\(i)"
            inspection.bundle.sha256 = Array("bench-\(i)".utf8).hexString.padding(
                toLength: 64, withPad: "0", startingAt: 0)
            if inspection.manifest?.appId != nil { inspection.manifest?.appId = copy }
            snapshot.text = snapshot.text?.replacingOccurrences(of: "id: \(app)", with: "id: \(copy)")
            snapshot.fileSHA256 = "bench"
            let result = try check.judge(inspection, declaration: snapshot)
            _ = try ledger.recordReview(
                ReviewSubmission(
                    result: result, bundlePath: "bench/\(copy)", batchID: nil, actor: "bench",
                    extractor: check.inspector.extractorID))
            if i % 10_000 == 9_999 { print("  \(i + 1) versions recorded") }
        }
    }

    /// The tables a shelf's versions live in, parents first, and how a copy of a row differs
    /// from the row: its ids moved past the template's, its app id and bundle digest its own.
    static let copiedTables = [
        "app", "version", "submission", "review", "finding", "inventory", "shelf_state", "state_change", "alert",
        "decision", "version_filing", "version_signature", "version_feature",
    ]

    /// `INSERT … SELECT` copying every row of `table` for each copy `c.k` (1…): `columns` are
    /// the table's, `maxID` each id column's largest value in the template, `digest` the SQL
    /// giving a copy's bundle digest.
    static func copyStatement(
        _ table: String, columns: [String], maxID: [String: Int], digest: String, from: String
    ) -> String {
        let values = columns.map { column -> String in
            switch column {
            case "id": "t.id + c.k * \(maxID[table] ?? 0)"
            case "version_id": "t.version_id + c.k * \(maxID["version"] ?? 0)"
            case "submission_id": "t.submission_id + c.k * \(maxID["submission"] ?? 0)"
            case "review_id": "t.review_id + c.k * \(maxID["review"] ?? 0)"
            case "app_id": "t.app_id || '.c' || c.k"
            case "review_key": "t.review_key || '.c' || c.k"
            case "bundle_sha256": digest
            default: "t.\(column)"
            }
        }
        return
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT \(values.joined(separator: ", ")) FROM \(table) t, \(from)"
    }

    /// Copies a recorded SQLite shelf in place until it holds `copies` times its versions.
    static func multiplySQLite(_ path: String, copies: Int) throws {
        guard let sqlite3 = TakedownBenchmark.sqlite3 else {
            throw BenchError("copying a shelf needs the sqlite3 shell (scripts/setup --with-tools)")
        }
        func query(_ sql: String) throws -> [String] {
            let (output, status) = try ChildProcess.output(sqlite3, [path, sql])
            guard status == 0 else { throw BenchError("sqlite3 failed on \(sql.prefix(120))") }
            return output.split(separator: "\n").map(String.init)
        }
        var script = [
            "PRAGMA journal_mode = DELETE;", "PRAGMA synchronous = OFF;", "PRAGMA foreign_keys = OFF;", "BEGIN;",
        ]
        var maxID: [String: Int] = [:]
        for table in copiedTables {
            let columns = try query("SELECT name FROM pragma_table_info('\(table)')")
            if columns.contains("id") { maxID[table] = Int(try query("SELECT COALESCE(MAX(id), 0) FROM \(table)")[0]) }
            script.append(
                "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < \(copies - 1)) "
                    + copyStatement(
                        table, columns: columns, maxID: maxID,
                        digest: "substr(t.bundle_sha256, 1, 52) || printf('%012d', c.k)", from: "c") + ";")
        }
        script += ["COMMIT;", "ANALYZE;", "PRAGMA journal_mode = WAL;"]
        let run = try ChildProcess.run(sqlite3, [path, script.joined(separator: "\n")])
        guard run.exitStatus == 0 else { throw BenchError("copying the shelf in \(path) failed") }
    }

    /// The same on a PostgreSQL database, its identity sequences moved past the copies.
    static func multiplyPostgres(_ server: PostgresServer, database: String, copies: Int) throws {
        var statements: [String] = []
        var maxID: [String: Int] = [:]
        for table in copiedTables {
            let columns =
                try server.row(
                    "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '\(table)'",
                    database: database
                ).first?.split(separator: ",").map(String.init) ?? []
            guard !columns.isEmpty else { throw BenchError("no table \(table) in \(database)") }
            if columns.contains("id") {
                maxID[table] = try server.integers("SELECT COALESCE(MAX(id), 0) FROM \(table)", database: database)[0]
            }
            statements.append(
                copyStatement(
                    table, columns: columns, maxID: maxID,
                    digest: "substr(t.bundle_sha256, 1, 52) || lpad(c.k::text, 12, '0')",
                    from: "generate_series(1, \(copies - 1)) AS c(k)"))
            if columns.contains("id") {
                statements.append(
                    "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), GREATEST((SELECT MAX(id) FROM \(table)), 1))"
                )
            }
        }
        try server.execute(
            "BEGIN; " + statements.joined(separator: "; ") + "; COMMIT;", database: database)
    }

    /// A large shelf for emergency measures: apps with five versions each, every version
    /// citing one of a thousand filings, `hits` of them the one taken down.
    static func takedownShelf(at path: String, versions: Int, hits: Int, filing: String) throws {
        _ = try SQLiteLedger(path: path)  // the schema, by the ledger's own migrations
        let queue = try DatabaseQueue(path: path)
        let every = max(1, versions / max(hits, 1))
        try queue.write { db in
            let at = "2026-11-24T08:00:00.000Z"
            let app = try db.makeStatement(
                sql:
                    "INSERT INTO app (app_id, name, platform, developer, uscc, first_seen, updated_at) VALUES (?, ?, 'android', ?, '', ?, ?)"
            )
            let version = try db.makeStatement(
                sql: """
                    INSERT INTO version (id, app_id, bundle_sha256, format, size, version_name, version_code, first_seen)
                    VALUES (?, ?, ?, 'apk', 1000000, ?, ?, ?)
                    """)
            let state = try db.makeStatement(
                sql: "INSERT INTO shelf_state (version_id, state) VALUES (?, 'approved')")
            let cites = try db.makeStatement(sql: "INSERT INTO version_filing (version_id, number) VALUES (?, ?)")
            var cited = 0
            for i in 0..<versions {
                let appID = "com.bench.app\(i / 5)"
                if i % 5 == 0 { try app.execute(arguments: [appID, "App \(i / 5)", "开发者\(i % 997)", at, at]) }
                try version.execute(arguments: [
                    i + 1, appID, String(format: "%064x", i + 1), "1.\(i % 5)", String(i % 5), at,
                ])
                try state.execute(arguments: [i + 1])
                let number: String
                if i % every == 0 && cited < hits {
                    number = filing
                    cited += 1
                } else {
                    number = "网信算备1101089\(String(format: "%06d", i % 1000))01230011号"
                }
                try cites.execute(arguments: [i + 1, number])
            }
        }
    }

    /// The rows `takedownShelf` writes, in PostgreSQL's SQL (set-based, one transaction), for a
    /// database the ledger's migrations made.
    static func takedownShelfSQL(versions: Int, hits: Int, filing: String) -> String {
        let every = max(1, versions / max(hits, 1))
        let at = "2026-11-24T08:00:00.000Z"
        return """
            INSERT INTO app (app_id, name, platform, developer, uscc, first_seen, updated_at)
                SELECT 'com.bench.app' || (i / 5), 'App ' || (i / 5), 'android', '开发者' || (i % 997), '', '\(at)', '\(at)'
                FROM generate_series(0, \(versions - 1), 5) AS i;
            INSERT INTO version (id, app_id, bundle_sha256, format, size, version_name, version_code, first_seen)
                SELECT i + 1, 'com.bench.app' || (i / 5), lpad(to_hex(i + 1), 64, '0'), 'apk', 1000000, '1.' || (i % 5),
                    (i % 5)::text, '\(at)'
                FROM generate_series(0, \(versions - 1)) AS i;
            INSERT INTO shelf_state (version_id, state) SELECT i + 1, 'approved' FROM generate_series(0, \(versions - 1)) AS i;
            INSERT INTO version_filing (version_id, number)
                SELECT i + 1, CASE WHEN i % \(every) = 0 AND i / \(every) < \(hits) THEN '\(filing)'
                    ELSE '网信算备1101089' || lpad((i % 1000)::text, 6, '0') || '01230011号' END
                FROM generate_series(0, \(versions - 1)) AS i;
            SELECT setval(pg_get_serial_sequence('version', 'id'), \(max(versions, 1)));
            """
    }
}

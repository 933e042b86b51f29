import ArgumentParser
import Foundation
import GRDB
import ShelfGuardKit

/// Issue 14's benchmark: `shelfguard registry import` of a generated filing list of 1,000,000
/// rows into a fresh database, then the same file again (every row unchanged), against the
/// sqlite3 shell's `.import` of the same CSV (CSV parsing and inserting, nothing else) and a
/// `cat` of it (reading the file).
struct RegistryImportBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Time shelfguard registry import of 1,000,000 filing rows, against the sqlite3 shell's .import.")

    @Option(help: "Rows in the generated filing list.")
    var rows = 1_000_000

    @Option(help: "Runs of each command (the median is reported).")
    var runs = 5

    @Option(help: "The shelfguard executable.")
    var shelfguard = ".build/release/shelfguard"

    @Option(help: "Folder for the generated list and the runs' databases.")
    var workDirectory = ".build/bench-registry"

    @OptionGroup var postgresOption: PostgresOption

    /// The PostgreSQL figures: imports into a fresh database and again, and psql's `\copy`.
    struct ServerFigures {
        var fresh: [Double] = []
        var again: [Double] = []
        var copy: [Double] = []
        var rss: (fresh: Int64, again: Int64) = (0, 0)
        var size: Int64 = 0
    }

    func run() throws {
        guard FileManager.default.isExecutableFile(atPath: shelfguard) else {
            throw BenchError("build shelfguard first (swift build -c release): \(shelfguard) is missing")
        }
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let csv = "\(workDirectory)/filings-\(rows).csv"
        if !FileManager.default.fileExists(atPath: csv + ".complete") {
            print("generating \(csv) (once; kept for later runs)…")
            try Self.generate(rows: rows, to: csv)
            _ = FileManager.default.createFile(atPath: csv + ".complete", contents: nil)
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: csv))?[.size] as? Int64) ?? 0
        let sqlite3 = TakedownBenchmark.sqlite3
        print(
            "Registry import benchmark: \(csv), \(rows) filing rows, \(megabytes(size)); \(runs) interleaved runs, each a child process; wall clock; peak RSS from rusage."
        )
        print(
            sqlite3 == nil
                ? "Baseline: no sqlite3 shell (scripts/setup --with-tools installs it), so only `cat FILE` (reading the file) is timed as the floor."
                : "Baselines: the sqlite3 shell's `.import --csv` of the same file into a fresh database (parse and insert, no checks, no JSON, no hashes, no index), and `cat FILE` (reading the file)."
        )
        let postgres = try postgresOption.server()
        if postgres != nil {
            print(
                "PostgreSQL, interleaved with SQLite: the same two imports into a new database each run; baseline psql's `\\copy` of the same file into a new table (parse and insert, no index)."
            )
        }
        var server = ServerFigures()
        let database = "\(workDirectory)/import.db"
        let baselineDatabase = "\(workDirectory)/sqlite3-import.db"
        var fresh: [Double] = []
        var again: [Double] = []
        var baseline: [Double] = []
        var reading: [Double] = []
        var rss: (fresh: Int64, again: Int64, baseline: Int64) = (0, 0, 0)
        let runDatabase = "shelfguard_bench_registry_run"
        func postgresRun(_ run: Int, _ postgres: PostgresServer) throws {
            try postgres.create(database: runDatabase)
            settle()
            let copied = try ChildProcess.run(
                postgres.psql,
                postgres.arguments(
                    "CREATE TABLE filing (n TEXT, algorithm TEXT, role TEXT, entity TEXT, products TEXT, purpose TEXT, number TEXT, note TEXT)",
                    database: runDatabase) + ["-c", "\\copy filing FROM '\(csv)' WITH (FORMAT csv, HEADER true)"])
            guard copied.exitStatus == 0 else { throw BenchError("the psql \\copy baseline failed") }
            server.copy.append(copied.seconds)
            try postgres.create(database: runDatabase)
            let url = postgres.url(database: runDatabase)
            settle()
            let first = try ChildProcess.run(
                shelfguard, ["registry", "import", "--db", url, "--operator", "bench", csv])
            guard first.exitStatus == 0 else {
                throw BenchError("registry import into PostgreSQL exited with \(first.exitStatus)")
            }
            settle()
            let second = try ChildProcess.run(
                shelfguard, ["registry", "import", "--db", url, "--operator", "bench", csv])
            guard second.exitStatus == 0 else {
                throw BenchError("registry import into PostgreSQL again exited with \(second.exitStatus)")
            }
            let counts = try postgres.integers(
                """
                SELECT (SELECT COUNT(*) FROM registry_filing), (SELECT COUNT(*) FROM registry_import),
                    (SELECT added FROM registry_import ORDER BY id LIMIT 1),
                    (SELECT unchanged FROM registry_import ORDER BY id DESC LIMIT 1)
                """, database: runDatabase)
            guard counts == [rows, 2, rows, rows] else {
                throw BenchError(
                    "PostgreSQL: stored, imports, added, unchanged \(counts); expected \(rows) added, then unchanged")
            }
            server.size = try postgres.size(database: runDatabase)
            try postgres.drop(database: runDatabase)
            server.fresh.append(first.seconds)
            server.again.append(second.seconds)
            server.rss.fresh = max(server.rss.fresh, first.peakRSSBytes)
            server.rss.again = max(server.rss.again, second.peakRSSBytes)
            print(
                "  run \(run + 1) PostgreSQL: import \(secondsText(first.seconds)) (peak RSS \(megabytes(first.peakRSSBytes))), again \(secondsText(second.seconds)); psql \\copy \(secondsText(copied.seconds))"
            )
        }
        _ = try ChildProcess.run("/bin/cat", [csv])  // warm the page cache
        for run in 0..<runs {
            if let postgres, run % 2 == 1 { try postgresRun(run, postgres) }
            let cat = try ChildProcess.run("/bin/cat", [csv])
            guard cat.exitStatus == 0 else { throw BenchError("cat failed") }
            reading.append(cat.seconds)
            if let sqlite3 {
                ShelfGenerator.remove(database: baselineDatabase)
                settle()
                let child = try ChildProcess.run(sqlite3, [baselineDatabase, ".import --csv \(csv) filing"])
                guard child.exitStatus == 0 else {
                    throw BenchError("the sqlite3 baseline failed (\(child.exitStatus))")
                }
                baseline.append(child.seconds)
                rss.baseline = max(rss.baseline, child.peakRSSBytes)
            }
            ShelfGenerator.remove(database: database)
            settle()
            let first = try ChildProcess.run(
                shelfguard, ["registry", "import", "--db", database, "--operator", "bench", csv])
            guard first.exitStatus == 0 else { throw BenchError("registry import exited with \(first.exitStatus)") }
            settle()
            let second = try ChildProcess.run(
                shelfguard, ["registry", "import", "--db", database, "--operator", "bench", csv])
            guard second.exitStatus == 0 else {
                throw BenchError("registry import again exited with \(second.exitStatus)")
            }
            let (stored, imports) = try DatabaseQueue(path: database).read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registry_filing") ?? 0,
                    try Row.fetchAll(db, sql: "SELECT added, unchanged FROM registry_import ORDER BY id")
                )
            }
            guard stored == rows, imports.count == 2, imports[0]["added"] == rows, imports[1]["unchanged"] == rows
            else {
                throw BenchError("stored \(stored) filings; imports \(imports); expected \(rows) added, then unchanged")
            }
            fresh.append(first.seconds)
            again.append(second.seconds)
            rss.fresh = max(rss.fresh, first.peakRSSBytes)
            rss.again = max(rss.again, second.peakRSSBytes)
            print(
                "  run \(run + 1)\(postgres == nil ? "" : " SQLite    "): import \(secondsText(first.seconds)) (peak RSS \(megabytes(first.peakRSSBytes))), again \(secondsText(second.seconds))"
                    + (baseline.last.map { "; sqlite3 .import \(secondsText($0))" } ?? "")
                    + "; cat \(secondsText(cat.seconds))")
            if let postgres, run % 2 == 0 { try postgresRun(run, postgres) }
        }
        let databaseSize = ((try? FileManager.default.attributesOfItem(atPath: database))?[.size] as? Int64) ?? 0
        print("")
        let a = Summary(fresh)
        let b = Summary(again)
        print(
            "  registry import, fresh database:  median \(secondsText(a.median)) (min \(secondsText(a.min)), max \(secondsText(a.max))), \(String(format: "%.0f", Double(rows) / a.median)) rows/s, peak RSS \(megabytes(rss.fresh)), database \(megabytes(databaseSize))"
        )
        print(
            "  registry import, again unchanged: median \(secondsText(b.median)) (min \(secondsText(b.min)), max \(secondsText(b.max))), \(String(format: "%.0f", Double(rows) / b.median)) rows/s, peak RSS \(megabytes(rss.again))"
        )
        if !baseline.isEmpty {
            let c = Summary(baseline)
            print(
                "  sqlite3 .import --csv:            median \(secondsText(c.median)) (min \(secondsText(c.min)), max \(secondsText(c.max))), peak RSS \(megabytes(rss.baseline)); shelfguard/sqlite3 = \(String(format: "%.2f", a.median / c.median))×"
            )
        }
        let r = Summary(reading)
        print("  cat (reading the file):           median \(secondsText(r.median))")
        if postgres != nil {
            let p = Summary(server.fresh)
            let q = Summary(server.again)
            let c = Summary(server.copy)
            print(
                "  PostgreSQL, fresh database:       median \(secondsText(p.median)) (min \(secondsText(p.min)), max \(secondsText(p.max))), \(String(format: "%.0f", Double(rows) / p.median)) rows/s, peak RSS \(megabytes(server.rss.fresh)), database \(megabytes(server.size)); PostgreSQL/SQLite = \(ratio(p.median, a.median))"
            )
            print(
                "  PostgreSQL, again unchanged:      median \(secondsText(q.median)) (min \(secondsText(q.min)), max \(secondsText(q.max))), \(String(format: "%.0f", Double(rows) / q.median)) rows/s, peak RSS \(megabytes(server.rss.again)); PostgreSQL/SQLite = \(ratio(q.median, b.median))"
            )
            print(
                "  psql \\copy:                       median \(secondsText(c.median)) (min \(secondsText(c.min)), max \(secondsText(c.max))); shelfguard/psql = \(String(format: "%.2f", p.median / c.median))×"
            )
        }
    }

    /// Writes a filing list of `rows` distinct, valid numbers, as the published lists look.
    static func generate(rows: Int, to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = "序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注\n"
        for i in 0..<rows {
            let role = i % 7 == 0 ? "服务技术支持者" : "服务提供者"
            let products = i % 7 == 0 ? "--" : "示例应用\(i)（APP）、示例小程序\(i)（小程序）"
            let note = i % 10 == 0 ? "2025年6月更新主要用途" : ""
            buffer +=
                "\(i + 1),示例生成合成算法\(i),\(role),示例科技有限公司\(i % 50_000),\(products),应用于文本生成场景，根据用户输入的文本生成文本回复。,\(filingNumber(i)),\(note)\n"
            if buffer.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(buffer.utf8))
                buffer = ""
            }
        }
        try handle.write(contentsOf: Data(buffer.utf8))
    }

    /// A valid filing number, distinct for each `i` below ten million, with its check digit.
    static func filingNumber(_ i: Int) -> String {
        var digits = Array("110108".utf8).map { Int($0) - 48 }
        var filer = i
        var filerDigits: [Int] = []
        for _ in 0..<7 {
            filerDigits.append(filer % 10)
            filer /= 10
        }
        digits += filerDigits.reversed() + [0, 1, 2, 4, 0, 0, 1]
        let weights = [4, 2, 6, 8]
        let check = (0..<20).reduce(1) { $0 + digits[$1] * weights[$1 % 4] } % 10
        return "网信算备" + (digits + [check]).map(String.init).joined() + "号"
    }
}

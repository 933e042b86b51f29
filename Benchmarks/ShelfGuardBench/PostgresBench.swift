import ArgumentParser
import Foundation

/// `--postgres URL`: the PostgreSQL server the shelf benchmarks (review, takedown, daily,
/// registry) also run on, beside SQLite, in the same run. Default: $SHELFGUARD_BENCH_POSTGRES
/// (`scripts/bench` sets it to a throwaway server from `scripts/with-postgres`); without either,
/// SQLite only.
struct PostgresOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A PostgreSQL server (13 or later) to run the same cases on beside SQLite (postgres://USER@HOST:PORT/DATABASE; the benchmark creates and drops databases named shelfguard_bench_* on it). Default: $SHELFGUARD_BENCH_POSTGRES; empty: SQLite only.",
            valueName: "url"))
    var postgres: String?

    /// The server, when one is named.
    func server() throws -> PostgresServer? {
        let url = postgres ?? ProcessInfo.processInfo.environment["SHELFGUARD_BENCH_POSTGRES"] ?? ""
        guard !url.isEmpty else { return nil }
        let server = try PostgresServer(url: url)
        print("PostgreSQL: \(try server.version()) at \(server.redacted)")
        return server
    }
}

/// A PostgreSQL server the benchmarks make databases on, through psql (`scripts/setup
/// --with-tools` installs it): databases created from templates, counts checked, baselines run.
struct PostgresServer {
    /// The URL as given: its database is where `CREATE DATABASE` and `DROP DATABASE` run.
    var url: String
    var psql: String

    init(url: String) throws {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else { throw BenchError("--postgres: '\(url)' is not a postgres:// URL") }
        self.url = url
        guard let psql = ChildProcess.find("psql") else {
            throw BenchError("no psql on PATH (scripts/setup --with-tools installs postgresql-client)")
        }
        self.psql = psql
    }

    /// A PostgreSQL client program (pg_dump, pg_restore) beside psql, or on PATH.
    func tool(_ name: String) throws -> String {
        let beside = (psql as NSString).deletingLastPathComponent + "/" + name
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        guard let found = ChildProcess.find(name) else { throw BenchError("no \(name) on PATH") }
        return found
    }

    /// The URL without its password, for what the benchmark prints.
    var redacted: String {
        guard var components = URLComponents(string: url) else { return url }
        if components.password != nil { components.password = "…" }
        return components.string ?? url
    }

    /// The URL of another database on the same server.
    func url(database: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + database
        return components.string!
    }

    /// psql's arguments for one SQL text (one transaction unless it says BEGIN/COMMIT itself):
    /// no ~/.psqlrc, quiet, stop at the first error.
    func arguments(_ sql: String, database: String? = nil) -> [String] {
        [
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database.map { url(database: $0) } ?? url, "-c",
            "SET client_min_messages = warning", "-c", sql,
        ]
    }

    /// Runs SQL; throws when psql fails.
    func execute(_ sql: String, database: String? = nil) throws {
        let run = try ChildProcess.run(psql, arguments(sql, database: database))
        guard run.exitStatus == 0 else {
            throw BenchError("psql failed (\(run.exitStatus)) running: \(sql.prefix(200))")
        }
    }

    /// The first row of a query, its columns split on '|'.
    func row(_ sql: String, database: String? = nil) throws -> [String] {
        let (output, status) = try ChildProcess.output(psql, ["-A", "-t"] + arguments(sql, database: database))
        guard status == 0 else { throw BenchError("psql failed (\(status)) running: \(sql.prefix(200))") }
        let line = output.split(separator: "\n").first.map(String.init) ?? ""
        return line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }

    /// The first row's columns as integers.
    func integers(_ sql: String, database: String? = nil) throws -> [Int] {
        try row(sql, database: database).map { Int($0) ?? -1 }
    }

    func version() throws -> String {
        try row("SHOW server_version").first ?? "?"
    }

    /// Whether a database of that name exists.
    func exists(database: String) throws -> Bool {
        try row("SELECT COUNT(*) FROM pg_database WHERE datname = '\(database)'").first == "1"
    }

    /// Drops the database if it is there, and creates it empty or as a copy of `template`; then
    /// a checkpoint, so that a run does not pay for writing the copy out (as the SQLite runs
    /// flush theirs).
    func create(database: String, template: String? = nil) throws {
        try drop(database: database)
        try execute("CREATE DATABASE \(database)" + (template.map { " TEMPLATE \($0)" } ?? ""))
        try execute("CHECKPOINT")
    }

    func drop(database: String) throws {
        try execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
    }

    /// The size of a database on disk.
    func size(database: String) throws -> Int64 {
        Int64(try row("SELECT pg_database_size('\(database)')").first ?? "") ?? 0
    }

    /// Makes the template database `name` with `make` unless the server has it complete (a
    /// comment on it is set last, so an interrupted generation is redone).
    func once(_ name: String, make: () throws -> Void) throws {
        let marker = "shelfguard bench template complete"
        if try exists(database: name),
            try row("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '\(name)'").first
                == marker
        {
            return
        }
        try create(database: name)
        let started = Date()
        try make()
        try execute("VACUUM ANALYZE", database: name)
        try execute("COMMENT ON DATABASE \(name) IS '\(marker)'")
        print(
            "generated the PostgreSQL database \(name) in \(String(format: "%.0f", Date().timeIntervalSince(started))) s (\(megabytes(try size(database: name))))"
        )
    }
}

/// A figure for PostgreSQL beside SQLite's: the ratio of the medians.
func ratio(_ postgres: Double, _ sqlite: Double) -> String {
    String(format: "%.2f×", postgres / sqlite)
}

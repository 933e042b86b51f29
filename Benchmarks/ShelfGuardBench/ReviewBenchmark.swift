import ArgumentParser
import BundleFactory
import Foundation
import GRDB
import ShelfGuardKit

/// Issue 6's benchmark: `shelfguard review` of a generated batch with `--jobs 1` and `--jobs 2`,
/// each run on a fresh copy of a database holding the sample registry, interleaved; the speed-up
/// of the medians, and the share of the batch the workers spent in the shelf database (from the
/// batch report's own timing).
struct ReviewBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Time shelfguard review of a generated batch with --jobs 1 and --jobs 2.")

    @Option(help: "Bundles in the batch.")
    var count = 200

    @Option(
        help:
            "Size multiplier of each bundle (1: 0.84 MB on average, 2: 1.7 MB; real apps are tens of MB, where the database's share is smaller still)."
    )
    var scale = 2.0

    @Option(help: "Runs of each --jobs value (the median is reported).")
    var runs = 5

    @Option(help: "The shelfguard executable.")
    var shelfguard = ".build/release/shelfguard"

    @Option(help: "Folder for the generated batch and databases.")
    var workDirectory = ".build/bench-review"

    @Option(help: "Sample evidence to import into each database.")
    var registry = "samples/registry"

    @Flag(help: "Leave out the queue cases (review --enqueue, then worker processes).")
    var skipQueue = false

    @OptionGroup var postgresOption: PostgresOption

    struct Figures {
        var seconds: [Double] = []
        var ledgerShare: [Double] = []
    }

    /// What one run times: `review --jobs N`, or the queue emptied by worker processes (two with
    /// `--jobs 1` each, or one with `--jobs 2`).
    enum Case: Hashable, CustomStringConvertible {
        case batch(jobs: Int)
        case workers(processes: Int)

        var description: String {
            switch self {
            case .batch(let jobs): "review --jobs \(jobs)"
            case .workers(2): "2 workers --jobs 1"
            case .workers(let n): "\(n) worker --jobs \(2 / n)"
            }
        }
    }

    /// A store the cases run on: a SQLite file, or a database on a PostgreSQL server.
    enum Store: Hashable {
        case sqlite
        case postgres

        var name: String { self == .sqlite ? "SQLite" : "PostgreSQL" }
    }

    func run() throws {
        let batch = try BenchBatch.generate(count: count, scale: scale, in: workDirectory)
        let template = "\(workDirectory)/template.db"
        ShelfGenerator.remove(database: template)
        let imported = try ChildProcess.run(shelfguard, ["registry", "import", "--db", template, registry])
        guard imported.exitStatus == 0 else { throw BenchError("registry import failed (\(imported.exitStatus))") }
        let postgres = try postgresOption.server()
        let postgresTemplate = "shelfguard_bench_review"
        if let postgres {
            try postgres.create(database: postgresTemplate)
            let imported = try ChildProcess.run(
                shelfguard, ["registry", "import", "--db", postgres.url(database: postgresTemplate), registry])
            guard imported.exitStatus == 0 else {
                throw BenchError("registry import into PostgreSQL failed (\(imported.exitStatus))")
            }
        }
        let size = try BenchBatch.bytes(batch)
        print(
            "Review benchmark: shelfguard review of \(count) bundles (\(ByteCount.format(size))) with their declarations, fresh database each run, \(runs) interleaved runs per --jobs value, \(ProcessInfo.processInfo.activeProcessorCount) cores."
        )
        if !skipQueue {
            print(
                "Queue cases: review --enqueue (not timed), then worker --exit-when-idle --poll 0.05 processes started together, timed from the first start to the last exit."
            )
        }
        if postgres != nil {
            print(
                "PostgreSQL, interleaved with SQLite: each run on a fresh database copied from one holding the sample evidence (CREATE DATABASE … TEMPLATE, then CHECKPOINT, not timed), bundle store in \(workDirectory)."
            )
        }
        let cases: [Case] =
            [.batch(jobs: 1), .batch(jobs: 2)] + (skipQueue ? [] : [.workers(processes: 2), .workers(processes: 1)])
        let stores: [Store] = postgres == nil ? [.sqlite] : [.sqlite, .postgres]
        let plan = cases.flatMap { c in stores.map { ($0, c) } }
        var figures: [Store: [Case: Figures]] = [:]
        var enqueueing: [Store: [Double]] = [:]
        let runDatabase = "shelfguard_bench_review_run"
        for run in 0..<runs {
            // Each run in another order: rotated, and reversed every other run.
            let rotated = Array(plan[(run % plan.count)...] + plan[..<(run % plan.count)])
            for (store, c) in run % 2 == 0 ? rotated : rotated.reversed() {
                let reports = "\(workDirectory)/run-report"
                let database: String
                let bundles: String
                switch store {
                case .sqlite:
                    database = "\(workDirectory)/run.db"
                    bundles = "\(workDirectory)/run.bundles"
                    try ShelfGenerator.copy(template, to: database)
                case .postgres:
                    try postgres!.create(database: runDatabase, template: postgresTemplate)
                    database = postgres!.url(database: runDatabase)
                    bundles = "\(workDirectory)/run-postgres.bundles"
                }
                for path in [bundles, reports] { try? FileManager.default.removeItem(atPath: path) }
                let common = ["--db", database, "--bundle-store", bundles]
                settle()
                var line = "  run \(run + 1) \(store.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(c): "
                switch c {
                case .batch(let jobs):
                    let child = try ChildProcess.run(
                        shelfguard,
                        [
                            "review", "--jobs", String(jobs), "--as-of", "2026-11-24", "--report-dir", reports,
                            "--no-progress",
                        ]
                            + common + [batch])
                    guard child.exitStatus != 1 else { throw BenchError("\(store.name) review --jobs \(jobs) failed") }
                    let data = try Data(contentsOf: URL(fileURLWithPath: "\(reports)/report.json"))
                    let report = try JSONDecoder().decode(BatchReport.self, from: data)
                    guard report.counts.reviewed == count else {
                        throw BenchError(
                            "\(store.name) review --jobs \(jobs) reviewed \(report.counts.reviewed) of \(count)")
                    }
                    let share = report.ledgerSeconds / (report.seconds * Double(jobs))
                    figures[store, default: [:]][c, default: Figures()].seconds.append(child.seconds)
                    figures[store, default: [:]][c, default: Figures()].ledgerShare.append(share)
                    line +=
                        "\(String(format: "%.3f", child.seconds)) s wall, database \(String(format: "%.1f", 100 * share)) % of worker time"
                case .workers(let processes):
                    let enqueued = try ChildProcess.run(shelfguard, ["review", "--enqueue"] + common + [batch])
                    guard enqueued.exitStatus == 0 else { throw BenchError("\(store.name) review --enqueue failed") }
                    enqueueing[store, default: []].append(enqueued.seconds)
                    settle()
                    let started = try (0..<processes).map { n in
                        try ChildProcess.start(
                            shelfguard,
                            [
                                "worker", "--exit-when-idle", "--poll", "0.05", "--jobs", String(2 / processes),
                                "--as-of", "2026-11-24", "--name", "bench-\(n + 1)",
                            ] + common, stderr: "\(workDirectory)/worker-\(n + 1).log")
                    }
                    let ended = try started.map { try ChildProcess.wait($0) }
                    guard ended.allSatisfy({ $0.exitStatus == 0 }) else {
                        throw BenchError("\(store.name) workers exited with \(ended.map(\.exitStatus))")
                    }
                    let reviews: Int
                    switch store {
                    case .sqlite:
                        reviews = try DatabaseQueue(path: database).read { db in
                            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM review") ?? 0
                        }
                    case .postgres:
                        reviews =
                            try postgres!.integers("SELECT COUNT(*) FROM review", database: runDatabase).first ?? 0
                    }
                    guard reviews == count else {
                        throw BenchError("\(store.name) workers recorded \(reviews) reviews of \(count)")
                    }
                    let seconds = ended.map(\.seconds).max() ?? 0
                    figures[store, default: [:]][c, default: Figures()].seconds.append(seconds)
                    line +=
                        "\(String(format: "%.3f", seconds)) s wall (review --enqueue before it \(String(format: "%.3f", enqueued.seconds)) s)"
                }
                if store == .postgres { try postgres!.drop(database: runDatabase) }
                print(line)
            }
        }
        print("")
        for store in stores {
            let prefix = postgres == nil ? "" : "\(store.name.padding(toLength: 10, withPad: " ", startingAt: 0)) "
            for c in cases {
                let f = figures[store]![c]!
                let s = Summary(f.seconds)
                var line =
                    "  \(prefix)\(c): median \(String(format: "%.3f", s.median)) s (min \(String(format: "%.3f", s.min)), max \(String(format: "%.3f", s.max))), \(String(format: "%.1f", Double(count) / s.median)) bundles/s"
                if !f.ledgerShare.isEmpty {
                    line +=
                        "; database \(String(format: "%.1f", 100 * Summary(f.ledgerShare).median)) % of worker time (median)"
                }
                if store == .postgres, let sqlite = figures[.sqlite]?[c] {
                    line += "; PostgreSQL/SQLite = \(ratio(s.median, Summary(sqlite.seconds).median))"
                }
                print(line)
            }
            let one = Summary(figures[store]![.batch(jobs: 1)]!.seconds)
            let two = Summary(figures[store]![.batch(jobs: 2)]!.seconds)
            print("  \(prefix)speed-up --jobs 2 over --jobs 1: \(String(format: "%.2f", one.median / two.median))×")
            if !skipQueue {
                let processes = Summary(figures[store]![.workers(processes: 2)]!.seconds)
                let threads = Summary(figures[store]![.workers(processes: 1)]!.seconds)
                print(
                    "  \(prefix)2 worker processes over 1 with --jobs 2: \(String(format: "%.2f", processes.median / threads.median))× the time; review --enqueue median \(String(format: "%.3f", Summary(enqueueing[store]!).median)) s"
                )
            }
        }
    }
}

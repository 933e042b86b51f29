import ArgumentParser
import BundleFactory
import Foundation
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

    struct Figures {
        var seconds: [Double] = []
        var ledgerShare: [Double] = []
    }

    func run() throws {
        let batch = "\(workDirectory)/batch-\(count)-x\(scale)"
        let marker = "\(batch)/.complete"
        if !FileManager.default.fileExists(atPath: marker) {
            print("generating \(count) bundles in \(batch)…")
            try? FileManager.default.removeItem(atPath: batch)
            try FileManager.default.createDirectory(atPath: batch, withIntermediateDirectories: true)
            for i in 0..<count {
                let s = BatchBundles.submission(i, scale: scale)
                let path = "\(batch)/\(s.name)"
                try Data(s.bytes).write(to: URL(fileURLWithPath: path))
                try s.declaration.write(toFile: path + ".declaration.yaml", atomically: true, encoding: .utf8)
            }
            FileManager.default.createFile(atPath: marker, contents: nil)
        }
        let template = "\(workDirectory)/template.db"
        ShelfGenerator.remove(database: template)
        let imported = try ChildProcess.run(shelfguard, ["registry", "import", "--db", template, registry])
        guard imported.exitStatus == 0 else { throw BenchError("registry import failed (\(imported.exitStatus))") }
        let size = try FileManager.default.contentsOfDirectory(atPath: batch).filter { $0.hasSuffix(".apk") }.reduce(
            Int64(0)
        ) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: "\(batch)/\(name)")[.size] as? Int64) ?? 0)
        }
        print(
            "Review benchmark: shelfguard review of \(count) bundles (\(ByteCount.format(size))) with their declarations, fresh database each run, \(runs) interleaved runs per --jobs value, \(ProcessInfo.processInfo.activeProcessorCount) cores."
        )
        var figures: [Int: Figures] = [1: Figures(), 2: Figures()]
        for run in 0..<runs {
            for jobs in run % 2 == 0 ? [1, 2] : [2, 1] {
                let database = "\(workDirectory)/run.db"
                let store = "\(workDirectory)/run.bundles"
                let reports = "\(workDirectory)/run-report"
                for path in [store, reports] { try? FileManager.default.removeItem(atPath: path) }
                try ShelfGenerator.copy(template, to: database)
                let child = try ChildProcess.run(
                    shelfguard,
                    [
                        "review", "--db", database, "--jobs", String(jobs), "--as-of", "2026-11-24", "--report-dir",
                        reports, "--no-progress", batch,
                    ])
                guard child.exitStatus != 1 else { throw BenchError("review --jobs \(jobs) failed") }
                let data = try Data(contentsOf: URL(fileURLWithPath: "\(reports)/report.json"))
                let report = try JSONDecoder().decode(BatchReport.self, from: data)
                guard report.counts.reviewed == count else {
                    throw BenchError("review --jobs \(jobs) reviewed \(report.counts.reviewed) of \(count)")
                }
                figures[jobs]!.seconds.append(child.seconds)
                figures[jobs]!.ledgerShare.append(report.ledgerSeconds / (report.seconds * Double(jobs)))
                print(
                    "  run \(run + 1) --jobs \(jobs): \(String(format: "%.3f", child.seconds)) s wall, database \(String(format: "%.1f", 100 * report.ledgerSeconds / (report.seconds * Double(jobs)))) % of worker time"
                )
            }
        }
        let one = Summary(figures[1]!.seconds)
        let two = Summary(figures[2]!.seconds)
        print("")
        for jobs in [1, 2] {
            let s = Summary(figures[jobs]!.seconds)
            let share = Summary(figures[jobs]!.ledgerShare)
            print(
                "  --jobs \(jobs): median \(String(format: "%.3f", s.median)) s (min \(String(format: "%.3f", s.min)), max \(String(format: "%.3f", s.max))), \(String(format: "%.1f", Double(count) / s.median)) bundles/s; database \(String(format: "%.1f", 100 * share.median)) % of worker time (median)"
            )
        }
        print("  speed-up --jobs 2 over --jobs 1: \(String(format: "%.2f", one.median / two.median))×")
    }
}

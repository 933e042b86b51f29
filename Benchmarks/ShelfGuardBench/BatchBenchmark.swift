import ArgumentParser
import BundleFactory
import Foundation
import ShelfGuardKit

/// Issue 16's batch rows: a day's intake of 200 APKs (about 1 MB each, five kinds, from the
/// factory's `BatchBundles`) three ways in the same run, interleaved:
/// - a `bsdtar -xOf` loop, one process per file, one after another (the baseline: simply
///   inflating every bundle on one core);
/// - `shelfguard inspect`, one process per file, one after another (a script calling the tool
///   per upload);
/// - `shelfguard review --jobs 2` of the whole folder into a fresh SQLite database (a copy of one
///   holding the sample evidence) and a fresh bundle store.
/// Each with its wall time and the CPU seconds its processes used.
struct BatchBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract:
            "Time inspect of 200 APKs (one process each) and review --jobs 2 of the same 200 against a bsdtar -xOf loop."
    )

    @Option(help: "Bundles in the batch.")
    var count = 200

    @Option(help: "Size multiplier of each bundle (1: 0.84 MB on average; 1.2: about 1 MB).")
    var scale = 1.2

    @Option(help: "Runs of each case, interleaved (the median is reported).")
    var runs = 5

    @Option(help: "Workers of the review case (--jobs).")
    var jobs = 2

    @Option(help: "The shelfguard executable.")
    var shelfguard = ".build/release/shelfguard"

    @Option(help: "Folder for the generated batch, the databases and the snapshot cache.")
    var workDirectory = ".build/bench-batch"

    @Option(help: "Sample evidence to import into the review's database.")
    var registry = "samples/registry"

    @Flag(help: "Leave out the inspect loop (the longest case).")
    var skipInspect = false

    enum Case: Int, CaseIterable {
        case bsdtar, inspect, review
    }

    func run() throws {
        guard let bsdtar = ChildProcess.find("bsdtar") else {
            throw BenchError("bsdtar is missing (Debian: libarchive-tools)")
        }
        let batch = try BenchBatch.generate(count: count, scale: scale, in: workDirectory)
        let bundles = try FileManager.default.contentsOfDirectory(atPath: batch).filter { $0.hasSuffix(".apk") }
            .sorted().map { "\(batch)/\($0)" }
        let cache = "\(workDirectory)/cache"
        try? FileManager.default.removeItem(atPath: cache)
        let template = "\(workDirectory)/template.db"
        ShelfGenerator.remove(database: template)
        let imported = try ChildProcess.run(shelfguard, ["registry", "import", "--db", template, registry])
        guard imported.exitStatus == 0 else { throw BenchError("registry import failed (\(imported.exitStatus))") }
        // Untimed: warms the page cache and writes the feature database's snapshot.
        for path in bundles {
            _ = try ChildProcess.run(bsdtar, ["-xOf", path], stderr: "/dev/null")
            _ = try inspect(path, cache: cache)
        }
        let cases: [Case] = skipInspect ? [.bsdtar, .review] : Case.allCases
        print(
            "Batch benchmark: \(bundles.count) bundles (\(ByteCount.format(try BenchBatch.bytes(batch))), \(batch)), \(runs) interleaved runs per case, \(ProcessInfo.processInfo.activeProcessorCount) cores; wall clock and CPU seconds (user + system of every process)."
        )
        var wall: [Case: [Double]] = [:]
        var cpu: [Case: [Double]] = [:]
        for run in 0..<runs {
            let rotated = Array(cases[(run % cases.count)...] + cases[..<(run % cases.count)])
            for c in run % 2 == 0 ? rotated : rotated.reversed() {
                settle()
                let (seconds, cpuSeconds) = try time(
                    c, bundles: bundles, batch: batch, cache: cache, template: template)
                wall[c, default: []].append(seconds)
                cpu[c, default: []].append(cpuSeconds)
                print(
                    "  run \(run + 1) \(name(c).padding(toLength: 30, withPad: " ", startingAt: 0)) \(secondsText(seconds)) wall, \(secondsText(cpuSeconds)) CPU"
                )
            }
        }
        print("")
        let base = Summary(wall[.bsdtar]!).median
        let baseCPU = Summary(cpu[.bsdtar]!).median
        print("  case                            median     min        max        /bsdtar   CPU median  /bsdtar")
        for c in cases {
            let s = Summary(wall[c]!)
            let processor = Summary(cpu[c]!).median
            print(
                "  " + name(c).padding(toLength: 30, withPad: " ", startingAt: 0)
                    + "  \(secondsText(s.median))    \(secondsText(s.min))    \(secondsText(s.max))    \(String(format: "%.2f", s.median / base))×     \(secondsText(processor))     \(String(format: "%.2f", processor / baseCPU))×"
            )
        }
        print(
            "  (goals: inspect loop ≤ 2× the bsdtar loop; review --jobs 2 ≤ 0.7× it; load average \(loadAverage()))")
    }

    func name(_ c: Case) -> String {
        switch c {
        case .bsdtar: "bsdtar -xOf loop"
        case .inspect: "shelfguard inspect loop"
        case .review: "shelfguard review --jobs \(jobs)"
        }
    }

    func inspect(_ path: String, cache: String) throws -> ChildRun {
        let result = try ChildProcess.run(shelfguard, ["inspect", "--policy-cache", cache, path])
        // 0 clean, 3 hazards, 2 content not read (the damaged uploads); 1 is the tool failing.
        guard [0, 2, 3].contains(result.exitStatus) else {
            throw BenchError("shelfguard inspect \(path) exited with \(result.exitStatus)")
        }
        return result
    }

    /// One case's run: its wall time and its processes' CPU seconds.
    func time(
        _ c: Case, bundles: [String], batch: String, cache: String, template: String
    ) throws -> (
        Double, Double
    ) {
        switch c {
        case .bsdtar, .inspect:
            let start = Monotonic.now()
            var cpuSeconds = 0.0
            for path in bundles {
                // bsdtar complains about the damaged uploads on standard error, as inspect reports them.
                let result =
                    c == .bsdtar
                    ? try ChildProcess.run(bsdtar(), ["-xOf", path], stderr: "/dev/null")
                    : try inspect(path, cache: cache)
                cpuSeconds += result.cpuSeconds
            }
            return (Monotonic.seconds(since: start), cpuSeconds)
        case .review:
            let database = "\(workDirectory)/run.db"
            let store = "\(workDirectory)/run.bundles"
            let reports = "\(workDirectory)/run-report"
            try ShelfGenerator.copy(template, to: database)
            for path in [store, reports] { try? FileManager.default.removeItem(atPath: path) }
            settle()
            let child = try ChildProcess.run(
                shelfguard,
                [
                    "review", "--jobs", String(jobs), "--as-of", "2026-11-24", "--report-dir", reports, "--no-progress",
                    "--db", database, "--bundle-store", store, "--policy-cache", cache, batch,
                ], stderr: "\(workDirectory)/review.log")
            guard child.exitStatus != 1 else { throw BenchError("review --jobs \(jobs) failed") }
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(reports)/report.json"))
            let report = try JSONDecoder().decode(BatchReport.self, from: data)
            guard report.counts.reviewed == bundles.count else {
                throw BenchError("review --jobs \(jobs) reviewed \(report.counts.reviewed) of \(bundles.count)")
            }
            return (child.seconds, child.cpuSeconds)
        }
    }

    func bsdtar() throws -> String {
        guard let path = ChildProcess.find("bsdtar") else { throw BenchError("bsdtar is missing") }
        return path
    }
}

/// The generated batch the review and batch benchmarks share: `count` submissions of
/// `BatchBundles` at `scale`, each with its declaration beside it, written once per folder.
enum BenchBatch {
    /// The folder holding the batch, generated unless it is complete already.
    static func generate(count: Int, scale: Double, in workDirectory: String) throws -> String {
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
        return batch
    }

    /// The bundles' total size.
    static func bytes(_ batch: String) throws -> Int64 {
        try FileManager.default.contentsOfDirectory(atPath: batch).filter { $0.hasSuffix(".apk") }.reduce(Int64(0)) {
            total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: "\(batch)/\(name)")[.size] as? Int64) ?? 0)
        }
    }
}

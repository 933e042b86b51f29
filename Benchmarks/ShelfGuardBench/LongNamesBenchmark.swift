import ArgumentParser
import BundleFactory
import Foundation

/// The per-entry cost of reading, apart from the bytes: a zip of 40,000 one-byte entries whose
/// names are 1 KiB long, through `shelfguard inspect`, against `bsdtar -tf` and `bsdtar -xOf` on
/// the same file.
struct LongNamesBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "longnames",
        abstract: "Time inspect on 40,000 entries with 1 KiB names against bsdtar, with peak memory.")

    @Option(help: "Runs of each command (the median is reported).")
    var runs = 5

    @Option(help: "Entries in the generated zip.")
    var entries = 40_000

    @Option(help: "Bytes in each entry name.")
    var nameLength = 1_000

    @Option(help: "Folder for the generated zip (kept between runs).")
    var workDirectory = ".build/bench-bundles"

    @Flag(help: "Only write the zip (the benchmark does this in a child process).")
    var generateOnly = false

    func run() throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let shelfguard = here.appendingPathComponent("shelfguard").path
        guard FileManager.default.isExecutableFile(atPath: shelfguard) else {
            throw BenchError("build shelfguard first (swift build -c release): \(shelfguard) is missing")
        }
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let path = "\(workDirectory)/longnames-\(entries)x\(nameLength).zip"
        if generateOnly {
            let sink = try FileSink(path: path)
            _ = HostileBundles.longNames(count: entries, nameLength: nameLength, into: sink)
            try sink.close()
            return
        }
        if !FileManager.default.fileExists(atPath: path) {
            // In a child process, so that this process stays small: the kernel's peak-RSS figure
            // for a child includes the spawning process's footprint at exec time.
            print("generating \(path) (once; kept for later runs)…")
            let bench = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let result = try ChildProcess.run(
                bench,
                [
                    "longnames", "--generate-only", "--entries", String(entries), "--name-length", String(nameLength),
                    "--work-directory", workDirectory,
                ])
            guard result.exitStatus == 0 else { throw BenchError("generating \(path) failed") }
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64) ?? 0
        print(
            "ShelfGuard long-names benchmark: \(entries) entries with \(nameLength)-byte names, \(megabytes(size)) file"
        )
        print("\(runs) interleaved runs per command; wall clock; peak RSS from rusage.")
        let commands: [(String, String, [String])] = [
            ("bsdtar -tf", "bsdtar", ["-tf", path]),
            ("bsdtar -xOf", "bsdtar", ["-xOf", path]),
            ("shelfguard inspect", shelfguard, ["inspect", "--format", "json", path]),
        ]
        var times = [[Double]](repeating: [], count: commands.count)
        var rss = [Int64](repeating: 0, count: commands.count)
        _ = try ChildProcess.run("bsdtar", ["-tf", path])  // warm the page cache
        for _ in 0..<runs {
            for (i, command) in commands.enumerated() {
                let result = try ChildProcess.run(command.1, command.2)
                guard result.exitStatus == 0 || (i == 2 && result.exitStatus == 3) else {
                    throw BenchError("\(command.0) exited with \(result.exitStatus)")
                }
                times[i].append(result.seconds)
                rss[i] = max(rss[i], result.peakRSSBytes)
            }
        }
        print("  command                 median     min        max        peak RSS (rusage)")
        for (i, command) in commands.enumerated() {
            let s = Summary(times[i])
            print(
                "  " + command.0.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + "  \(secondsText(s.median))    \(secondsText(s.min))    \(secondsText(s.max))    \(megabytes(rss[i]))"
            )
        }
        let inspect = Summary(times[2]).median
        print(
            "summary: inspect \(secondsText(inspect)) = \(String(format: "%.1f", inspect / Double(entries) * 1e6)) µs per entry; \(String(format: "%.2f", inspect / Summary(times[1]).median))× bsdtar -xOf; peak RSS \(megabytes(rss[2]))"
        )
    }
}

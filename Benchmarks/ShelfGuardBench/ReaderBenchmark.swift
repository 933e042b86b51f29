import ArgumentParser
import BundleFactory
import Foundation
import ShelfGuardKit

/// Issue 2's benchmark: the reader's full pass over a large realistic bundle against
/// `bsdtar -xOf BUNDLE > /dev/null` on the same file.
struct ReaderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reader",
        abstract: "Time the bundle reader's full pass against bsdtar -xOf, with peak memory, at two bundle sizes.")

    @Option(help: "Runs of each command (the median is reported).")
    var runs = 7

    @Option(help: "Folder for the generated bundles (kept between runs).")
    var workDirectory = ".build/bench-bundles"

    @Option(help: "Bundle scales to measure; 1 is over 200 MB uncompressed.")
    var scales: [Int] = [1, 2]

    func run() throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let shelfguard = here.appendingPathComponent("shelfguard").path
        let bench = here.appendingPathComponent("shelfguard-bench").path
        guard FileManager.default.isExecutableFile(atPath: shelfguard) else {
            throw BenchError("build shelfguard first (swift build -c release): \(shelfguard) is missing")
        }
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)

        print("ShelfGuard reader benchmark: \(runs) interleaved runs per command; times are wall clock.")
        print("Baseline: bsdtar -xOf BUNDLE > /dev/null (libarchive decompressing every entry).")
        print(
            "rusage peak RSS includes this benchmark process's own footprint at spawn (\(megabytes(PeakMemory.ownHighWaterMark()))): read it as an upper bound."
        )
        var ratios: [String] = []
        for scale in scales {
            let path = "\(workDirectory)/bench-\(BenchmarkBundle.version)-x\(scale).apk"
            let stats = try ensureBundle(path: path, scale: scale)
            print("")
            print(
                "bundle \(path): \(megabytes(stats.fileBytes)) file, \(megabytes(stats.uncompressedBytes)) uncompressed, \(stats.entries) entries (+\(stats.nestedEntries) in a nested zip)"
            )
            let peakFile = "\(workDirectory)/pass-peak-memory"
            var ownPeak: Int64 = 0
            let commands: [(String, String, [String])] = [
                ("bsdtar -xOf", "bsdtar", ["-xOf", path]),
                ("reader full pass", bench, ["pass", path, "--peak-memory-file", peakFile]),
                ("shelfguard inspect", shelfguard, ["inspect", "--format", "json", path]),
            ]
            var times = [[Double]](repeating: [], count: commands.count)
            var cpu = [[Double]](repeating: [], count: commands.count)
            var rss = [Int64](repeating: 0, count: commands.count)
            _ = try ChildProcess.run(bench, ["pass", path])  // warm the page cache
            for _ in 0..<runs {
                for (i, command) in commands.enumerated() {
                    let result = try ChildProcess.run(command.1, command.2)
                    guard result.exitStatus == 0 else {
                        throw BenchError("\(command.0) exited with \(result.exitStatus)")
                    }
                    times[i].append(result.seconds)
                    cpu[i].append(result.cpuSeconds)
                    rss[i] = max(rss[i], result.peakRSSBytes)
                    if i == 1, let text = try? String(contentsOfFile: peakFile, encoding: .utf8), let v = Int64(text) {
                        ownPeak = max(ownPeak, v)
                    }
                }
            }
            print("  command                 median     min        max        CPU median  peak RSS (rusage)")
            for (i, command) in commands.enumerated() {
                let s = Summary(times[i])
                print(
                    "  " + command.0.padding(toLength: 22, withPad: " ", startingAt: 0)
                        + "  \(secondsText(s.median))    \(secondsText(s.min))    \(secondsText(s.max))    "
                        + "\(secondsText(Summary(cpu[i]).median))     \(megabytes(rss[i]))"
                )
            }
            let cpuRatio = Summary(cpu[2]).median / Summary(cpu[0]).median
            let base = Summary(times[0]).median
            let pass = Summary(times[1]).median
            let inspect = Summary(times[2]).median
            print("  reader's own peak RSS (VmHWM of its process): \(megabytes(ownPeak))")
            let line =
                "x\(scale): reader/bsdtar \(String(format: "%.2f", pass / base))×, inspect/bsdtar \(String(format: "%.2f", inspect / base))× wall and \(String(format: "%.2f", cpuRatio))× CPU, reader peak RSS \(megabytes(ownPeak)) (VmHWM), inspect peak RSS \(megabytes(rss[2])) (rusage)"
            print("  " + line)
            ratios.append(line)
        }
        print("")
        print(
            "summary (targets: reader ≤ 1.3× bsdtar; inspect ≤ 1.3× wall and ≤ 1.5× CPU; peak RSS < 150 MB and flat across sizes):"
        )
        for line in ratios { print("  " + line) }
    }

    private func ensureBundle(path: String, scale: Int) throws -> BenchmarkBundle.Stats {
        let statsPath = path + ".stats"
        if FileManager.default.fileExists(atPath: path),
            let text = try? String(contentsOfFile: statsPath, encoding: .utf8)
        {
            let n = text.split(separator: " ").compactMap { Int64($0) }
            if n.count == 4 {
                return BenchmarkBundle.Stats(
                    entries: Int(n[0]), nestedEntries: Int(n[1]), uncompressedBytes: n[2], fileBytes: n[3])
            }
        }
        print("generating \(path) (once; kept for later runs)…")
        // In a child process, so that this process stays small: the kernel's peak-RSS figure for
        // a child includes the spawning process's footprint at exec time.
        let bench = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let result = try ChildProcess.run(bench, ["generate", path, "--scale", String(scale)])
        guard result.exitStatus == 0 else { throw BenchError("generating \(path) failed") }
        return try ensureBundle(path: path, scale: scale)
    }
}

/// Writes a benchmark bundle and its `.stats` file.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write one benchmark bundle.")

    @Argument var path: String
    @Option var scale = 1

    func run() throws {
        let stats = try BenchmarkBundle.write(to: path, scale: scale)
        try "\(stats.entries) \(stats.nestedEntries) \(stats.uncompressedBytes) \(stats.fileBytes)".write(
            toFile: path + ".stats", atomically: true, encoding: .utf8)
    }
}

/// The reader's full pass in a process of its own (so that its memory is measured alone): every
/// byte of every entry is delivered to a visitor that folds it into a checksum.
struct ReaderPass: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pass", abstract: "Read one bundle fully, touching every byte; print what was read.")

    @Argument var path: String

    @Option(help: "Write this process's peak resident memory (VmHWM, bytes) to this file.")
    var peakMemoryFile: String?

    func run() throws {
        var visitor = TouchEveryByte()
        let report = try BundleReader(options: ReadOptions(computeDigest: false)).read(path: path, visitor: &visitor)
        guard report.bundle.complete else { throw BenchError("the bundle was not read completely") }
        print("\(report.bundle.entriesRead) entries, \(visitor.bytes) bytes delivered, fold \(visitor.fold)")
        if let peakMemoryFile {
            try String(PeakMemory.ownHighWaterMark()).write(toFile: peakMemoryFile, atomically: true, encoding: .utf8)
        }
    }
}

/// Wants every entry's bytes and reads each of them (eight at a time).
struct TouchEveryByte: EntryVisitor {
    var bytes: Int64 = 0
    var fold: UInt64 = 0

    func wantsContent(of entry: BundleEntry) -> Bool { true }

    mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        bytes += Int64(chunk.count)
        var f = fold
        var i = 0
        while i + 8 <= chunk.count {
            f ^= chunk.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < chunk.count {
            f ^= UInt64(chunk[i])
            i += 1
        }
        fold = f
    }
}

import ArgumentParser
import BundleFactory
import Foundation
import ShelfGuardKit

/// Issue 13's benchmark: `shelfguard labels` on a ~1 GB MP4 whose `moov` (with the label) comes
/// after the media data, against ExifTool on the same file, and against `labels` on a 1 KB MP4
/// (what starting the process costs). The readers seek past `mdat`; only the SHA-256 reads it.
struct LabelsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Time shelfguard labels on a 1 GB MP4 with moov at the end, against exiftool on the same file.")

    @Option(help: "Runs of each command (the median is reported).")
    var runs = 7

    @Option(help: "Bytes of media data in the generated MP4.")
    var mdatBytes: Int64 = 1 << 30

    @Flag(help: "Leave the media data as a hole in the file (no disk), instead of writing zeros.")
    var sparse = false

    @Option(help: "Folder for the generated files (kept between runs).")
    var workDirectory = ".build/bench-labels"

    func run() throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let shelfguard = here.appendingPathComponent("shelfguard").path
        guard FileManager.default.isExecutableFile(atPath: shelfguard) else {
            throw BenchError("build shelfguard first (swift build -c release): \(shelfguard) is missing")
        }
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        var builder = MP4Builder(label: LabelFields.valid.json)
        builder.mdatBytes = mdatBytes
        let big = "\(workDirectory)/clip-\(mdatBytes)\(sparse ? "-sparse" : "").mp4"
        if !FileManager.default.fileExists(atPath: big) {
            print("generating \(big) (once; kept for later runs)…")
            try write(builder, to: big)
        }
        var small = builder
        small.mdatBytes = 1024
        let tiny = "\(workDirectory)/clip-1k.mp4"
        try Data(small.bytes).write(to: URL(fileURLWithPath: tiny))
        let size = ((try? FileManager.default.attributesOfItem(atPath: big))?[.size] as? Int64) ?? 0
        let exiftool = ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }

        // What each tool finds, checked once before timing.
        let report = try LabelReader.read(path: big, computeDigest: false)
        guard report.labels.first?.valid == true else { throw BenchError("shelfguard found no valid label in \(big)") }
        if let exiftool {
            let output = try Self.output(exiftool, ["-j", "-Keys:AIGC", big])
            guard output.contains("20261202-0001") else {
                throw BenchError("exiftool did not find the label: \(output)")
            }
        }
        print(
            "ShelfGuard labels benchmark: \(big), \(megabytes(size)) (\(sparse ? "sparse" : "written")): ftyp, mdat, then moov with the label"
        )
        print("\(runs) interleaved runs per command, each a child process; wall clock; peak RSS from rusage.")
        print(
            "rusage peak RSS includes this benchmark process's own footprint at spawn (\(megabytes(PeakMemory.ownHighWaterMark()))): read it as an upper bound."
        )
        var commands: [(String, String, [String])] = [
            ("labels --no-digest, 1 KB MP4", shelfguard, ["labels", "--format", "json", "--no-digest", tiny]),
            ("labels --no-digest", shelfguard, ["labels", "--format", "json", "--no-digest", big]),
            ("labels (with SHA-256)", shelfguard, ["labels", "--format", "json", big]),
        ]
        if let exiftool {
            commands.append(("exiftool -j", exiftool, ["-j", big]))
            commands.append(("exiftool -j -fast2", exiftool, ["-j", "-fast2", big]))
        } else {
            print("exiftool is not installed (Debian: libimage-exiftool-perl): no baseline")
        }
        var times = [[Double]](repeating: [], count: commands.count)
        var rss = [Int64](repeating: 0, count: commands.count)
        for command in commands { _ = try ChildProcess.run(command.1, command.2) }  // warm the page cache
        for _ in 0..<runs {
            for (i, command) in commands.enumerated() {
                let result = try ChildProcess.run(command.1, command.2)
                guard result.exitStatus == 0 else { throw BenchError("\(command.0) exited with \(result.exitStatus)") }
                times[i].append(result.seconds)
                rss[i] = max(rss[i], result.peakRSSBytes)
            }
        }
        print("  command                        median     min        max        peak RSS (rusage)")
        for (i, command) in commands.enumerated() {
            let s = Summary(times[i])
            print(
                "  " + command.0.padding(toLength: 29, withPad: " ", startingAt: 0)
                    + "  \(Self.ms(s.median))   \(Self.ms(s.min))   \(Self.ms(s.max))   \(megabytes(rss[i]))")
        }

        // The readers alone, in this process: no start-up, no JSON.
        var inProcess: [Double] = []
        for _ in 0..<max(runs, 25) {
            let start = Date()
            _ = try LabelReader.read(path: big, computeDigest: false)
            inProcess.append(Date().timeIntervalSince(start))
        }
        // The reading process's own peak memory (VmHWM), which rusage cannot show here.
        let bench = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let peakFile = "\(workDirectory)/labels-peak-memory"
        var ownPeak: [Int64] = []
        for digest in [false, true] {
            let result = try ChildProcess.run(
                bench, ["labels-pass", big, "--peak-memory-file", peakFile] + (digest ? ["--digest"] : []))
            guard result.exitStatus == 0 else { throw BenchError("labels-pass exited with \(result.exitStatus)") }
            ownPeak.append(Int64((try? String(contentsOfFile: peakFile, encoding: .utf8)) ?? "") ?? 0)
        }
        print(
            "  the reading process's own peak RSS (VmHWM): \(megabytes(ownPeak[0])) without the SHA-256, \(megabytes(ownPeak[1])) with it"
        )
        let reader = Summary(inProcess)
        print(
            "  LabelReader.read in process: median \(String(format: "%.1f", reader.median * 1e6)) µs over \(inProcess.count) runs, \(report.bytesRead) bytes read of \(size)"
        )
        let noDigest = Summary(times[1]).median
        var summary =
            "summary: labels --no-digest \(Self.ms(noDigest)) on \(megabytes(size)) (\(Self.ms(Summary(times[0]).median)) on 1 KB); with SHA-256 \(Self.ms(Summary(times[2]).median))"
        if commands.count > 3 {
            let exif = Summary(times[3]).median
            summary += "; exiftool \(Self.ms(exif)): \(String(format: "%.2f", noDigest / exif))× exiftool's time"
        }
        print(summary)
    }

    static func ms(_ seconds: Double) -> String { String(format: "%7.1f ms", seconds * 1000) }

    /// Writes the MP4: the media data as zeros written out, or as a hole.
    func write(_ builder: MP4Builder, to path: String) throws {
        if sparse { return try builder.writeSparse(path: path) }
        try builder.writeSparse(path: path)
        // Fill the hole with written zeros, 8 MiB at a time, so the file is really on disk.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let start = UInt64(builder.ftyp.count + 16)
        try handle.seek(toOffset: start)
        let zeros = Data(count: 8 << 20)
        var left = builder.mdatBytes
        while left > 0 {
            let n = Int(min(Int64(zeros.count), left))
            try handle.write(contentsOf: n == zeros.count ? zeros : zeros.prefix(n))
            left -= Int64(n)
        }
    }

    static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Reads one file's labels as `shelfguard labels` does, and writes this process's peak resident
/// memory: what rusage cannot show for a child of a larger process.
struct LabelsPass: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels-pass", abstract: "Read one file's labels; write this process's peak memory.")

    @Argument var path: String

    @Flag(help: "Compute the SHA-256 too.")
    var digest = false

    @Option(help: "Write this process's peak resident memory (VmHWM, bytes) to this file.")
    var peakMemoryFile: String?

    func run() throws {
        let report = try LabelReader.read(path: path, computeDigest: digest)
        print("\(report.labels.count) labels, \(report.bytesRead) bytes read, sha256 \(report.sha256 ?? "-")")
        if let peakMemoryFile {
            try String(PeakMemory.ownHighWaterMark()).write(toFile: peakMemoryFile, atomically: true, encoding: .utf8)
        }
    }
}

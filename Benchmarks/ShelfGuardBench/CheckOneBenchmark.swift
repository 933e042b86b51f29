import ArgumentParser
import BundleFactory
import Foundation
import ShelfGuardKit

/// Issue 16's CI-hook row: `shelfguard check` of one ~2 MB APK with its declaration, a whole
/// process each time, against `bsdtar -xOf` of the same file in the same run; with the feature
/// database's snapshot cache (its first, untimed run writes the snapshot) and without it
/// (`--policy-cache off`), and `shelfguard --version` for the start-up floor.
struct CheckOneBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-one",
        abstract: "Time shelfguard check of one ~2 MB APK against bsdtar -xOf of the same file (the CI hook).")

    @Option(help: "Runs of each command, interleaved (the median is reported).")
    var runs = 9

    @Option(help: "The shelfguard executable.")
    var shelfguard = ".build/release/shelfguard"

    @Option(help: "Folder for the generated bundle and the snapshot cache.")
    var workDirectory = ".build/bench-check-one"

    @Option(help: "Evidence files for check.")
    var registry = "samples/registry"

    @Option(
        help: ArgumentHelp(
            "Another shelfguard executable whose check is timed in the same loop, with a snapshot cache of its own: an older build, to measure a change (repeatable).",
            valueName: "executable"))
    var compare: [String] = []

    func run() throws {
        guard let bsdtar = ChildProcess.find("bsdtar") else {
            throw BenchError("bsdtar is missing (Debian: libarchive-tools)")
        }
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        // The face-swap submission of the review batch at its default scale: 1.96 MB.
        let submission = BatchBundles.submission(1, scale: 2)
        let path = "\(workDirectory)/\(submission.name)"
        if (try? Data(contentsOf: URL(fileURLWithPath: path))) != Data(submission.bytes) {
            try Data(submission.bytes).write(to: URL(fileURLWithPath: path))
        }
        try submission.declaration.write(toFile: path + ".declaration.yaml", atomically: true, encoding: .utf8)
        let cache = "\(workDirectory)/cache"
        try? FileManager.default.removeItem(atPath: cache)
        let check = ["check", "--registry", registry, "--as-of", "2026-11-24", path]
        var commands: [(String, String, [String])] = [
            ("bsdtar -xOf", bsdtar, ["-xOf", path]),
            ("shelfguard check", shelfguard, check + ["--policy-cache", cache]),
            ("check --policy-cache off", shelfguard, check + ["--policy-cache", "off"]),
            ("shelfguard --version", shelfguard, ["--version"]),
        ]
        for (i, other) in compare.enumerated() {
            let otherCache = "\(workDirectory)/cache-compare-\(i + 1)"
            try? FileManager.default.removeItem(atPath: otherCache)
            commands.append(("compare \(i + 1): check", other, check + ["--policy-cache", otherCache]))
        }
        // Untimed: warms the page cache and writes the snapshot; check exits 3 (manual review).
        for command in commands {
            let result = try ChildProcess.run(command.1, command.2)
            guard [0, 3].contains(result.exitStatus) else {
                throw BenchError("\(command.0) exited with \(result.exitStatus)")
            }
        }
        print(
            "Check-one benchmark: \(path) (\(ByteCount.format(Int64(submission.bytes.count))), with its declaration), \(runs) interleaved runs per command, in a shuffled order each round; wall clock."
        )
        for (i, other) in compare.enumerated() { print("  compare \(i + 1): \(other)") }
        var times = [[Double]](repeating: [], count: commands.count)
        var cpu = [[Double]](repeating: [], count: commands.count)
        // Each round in its own order, the same on every run: in a fixed order the command after
        // the baseline ran up to 3 ms slower on this machine.
        var order = ContentGenerator(seed: 7)
        for _ in 0..<runs {
            for i in commands.indices.shuffled(using: &order) {
                let command = commands[i]
                let result = try ChildProcess.run(command.1, command.2)
                times[i].append(result.seconds)
                cpu[i].append(result.cpuSeconds)
            }
        }
        let base = Summary(times[0]).median
        let baseCPU = Summary(cpu[0]).median
        print("  command                     median     min        max        /bsdtar   CPU median  /bsdtar")
        for (i, command) in commands.enumerated() {
            let s = Summary(times[i])
            print(
                "  " + command.0.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + "  \(secondsText(s.median))    \(secondsText(s.min))    \(secondsText(s.max))    \(String(format: "%.2f", s.median / base))×     \(secondsText(Summary(cpu[i]).median))     \(String(format: "%.2f", Summary(cpu[i]).median / baseCPU))×"
            )
        }
        print("  (goal: shelfguard check ≤ 2× bsdtar -xOf; load average \(loadAverage()))")
    }
}

/// The 1-minute load average, for reading wall times on a shared machine.
func loadAverage() -> String {
    var loads = [Double](repeating: 0, count: 3)
    guard getloadavg(&loads, 3) == 3 else { return "unknown" }
    return loads.map { String(format: "%.2f", $0) }.joined(separator: " ")
}

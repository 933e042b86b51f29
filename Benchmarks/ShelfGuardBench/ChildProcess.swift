import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One run of a child process: its wall time and peak resident memory, measured by the kernel.
struct ChildRun {
    var seconds: Double
    var peakRSSBytes: Int64
    var exitStatus: Int32
    /// User and system CPU seconds the child used (rusage): less sensitive than the wall time
    /// to other work on the machine.
    var cpuSeconds: Double = 0
}

/// Runs commands with stdout sent to /dev/null, timing each and reading its rusage (`wait4`), so
/// that the baseline and ShelfGuard are measured the same way in the same script.
enum ChildProcess {
    /// A child started and not yet waited for.
    struct Started {
        var pid: pid_t
        var start: Date
        var executable: String
    }

    static func run(_ executable: String, _ arguments: [String], stderr: String? = nil) throws -> ChildRun {
        try wait(start(executable, arguments, stderr: stderr))
    }

    /// Starts a child without waiting for it: several at once (`wait` each). `stderr`: a file its
    /// standard error is written to instead of this process's.
    static func start(_ executable: String, _ arguments: [String], stderr: String? = nil) throws -> Started {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        if let stderr { posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let start = Date()
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        return Started(pid: pid, start: start, executable: executable)
    }

    /// Waits for a child; its time runs from its start to its end.
    static func wait(_ child: Started) throws -> ChildRun {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(child.pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let seconds = Date().timeIntervalSince(child.start)
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        return ChildRun(
            seconds: seconds, peakRSSBytes: Int64(usage.ru_maxrss) * 1024, exitStatus: exit, cpuSeconds: cpu)
    }

    /// Runs a command (not timed) and returns what it printed on stdout, and its exit status.
    static func output(_ executable: String, _ arguments: [String]) throws -> (String, Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    /// An executable on PATH (or the usual system folders), by name.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin"]
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Writes every dirty page out (sync(2)) before a timed run, so that it does not pay for the
/// writeback of what the run before it wrote (bundle copies, database copies).
func settle() {
    sync()
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Summary statistics of repeated runs.
struct Summary {
    var median: Double
    var min: Double
    var max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        let n = sorted.count
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        min = sorted.first ?? 0
        max = sorted.last ?? 0
    }
}

func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
func secondsText(_ s: Double) -> String { String(format: "%.3f s", s) }

/// The peak resident memory of the calling process, from /proc/self/status (VmHWM). Unlike the
/// rusage figure, it covers only this process's own address space since exec.
enum PeakMemory {
    static func ownHighWaterMark() -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").compactMap { Int64($0) }
            return (digits.first ?? 0) * 1024
        }
        return 0
    }
}

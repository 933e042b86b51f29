import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One run of a child process: its wall time and peak resident memory, measured by the kernel.
struct ChildRun {
    var seconds: Double
    var peakRSSBytes: Int64
    var exitStatus: Int32
}

/// Runs commands with stdout sent to /dev/null, timing each and reading its rusage (`wait4`), so
/// that the baseline and ShelfGuard are measured the same way in the same script.
enum ChildProcess {
    static func run(_ executable: String, _ arguments: [String]) throws -> ChildRun {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let start = Date()
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let seconds = Date().timeIntervalSince(start)
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ChildRun(seconds: seconds, peakRSSBytes: Int64(usage.ru_maxrss) * 1024, exitStatus: exit)
    }
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

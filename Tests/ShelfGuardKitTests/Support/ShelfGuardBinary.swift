import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `shelfguard` executable, run as users and CI pipelines run it.
enum ShelfGuardBinary {
    /// What one run printed and returned.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard output parsed as a JSON object.
        func json() throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            guard let dictionary = object as? [String: Any] else {
                throw CocoaError(.coderReadCorrupt)
            }
            return dictionary
        }
    }

    /// The executable beside the test bundle (SwiftPM builds it because the tests depend on it),
    /// or `$SHELFGUARD_BIN`.
    static var url: URL {
        if let override = ProcessInfo.processInfo.environment["SHELFGUARD_BIN"] {
            return URL(fileURLWithPath: override)
        }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("shelfguard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return TestFiles.packageRoot.appendingPathComponent(".build/debug/shelfguard")
    }

    /// Runs the binary; `environment` adds to (or overrides) the test process's own. With
    /// `standardOutput` (a path such as /dev/full), standard output goes there instead of being
    /// collected.
    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
        standardOutput: String? = nil
    ) throws
        -> Result
    {
        try launch(url, arguments, in: directory, environment: environment, standardOutput: standardOutput)
    }

    /// The user and group unprivileged runs take when the tests run as root: nobody's.
    static let unprivilegedID = 65534

    /// Runs the binary as a user that file permissions bind. Root ignores them (CI runs the
    /// tests as root), so a read-only file would prove nothing: as root the binary runs as user
    /// and group 65534 through util-linux's `setpriv`, else as the test's own user. The files it
    /// is given must be readable by that user, and the folders above them traversable.
    static func runUnprivileged(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        guard geteuid() == 0 else { return try run(arguments, environment: environment) }
        let setpriv = try #require(
            ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "running as root, and util-linux's setpriv is not installed: cannot run shelfguard unprivileged")
        let id = unprivilegedID
        // From the root folder: the test's working folder may be closed to that user.
        return try launch(
            URL(fileURLWithPath: setpriv),
            ["--reuid=\(id)", "--regid=\(id)", "--clear-groups", "--", try unprivilegedExecutable.get().path]
                + arguments,
            in: URL(fileURLWithPath: "/"), environment: environment)
    }

    /// The binary where the unprivileged user can run it: in place when every folder above it is
    /// open to others, else a copy in a fresh temporary folder (a checkout under /root is not).
    private static let unprivilegedExecutable = Swift.Result { try executableOpenToOthers() }

    private static func executableOpenToOthers() throws -> URL {
        var folder = url.deletingLastPathComponent()
        var open = true
        while folder.path != "/" {
            var info = stat()
            if stat(folder.path, &info) != 0 || info.st_mode & 0o001 == 0 { open = false }
            folder = folder.deletingLastPathComponent()
        }
        if open { return url }
        let copy = try TestFiles.directory("shelfguard-bin").appendingPathComponent("shelfguard")
        try FileManager.default.copyItem(at: url, to: copy)
        chmod(copy.deletingLastPathComponent().path, 0o755)
        chmod(copy.path, 0o755)
        return copy
    }

    static func launch(
        _ executable: URL, _ arguments: [String], in directory: URL?, environment: [String: String],
        standardOutput: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let errors = try TestFiles.directory("stderr").appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errors)
        let output = Pipe()
        let redirected = try standardOutput.map { path in
            try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        }
        process.standardOutput = redirected ?? output
        process.standardError = errorHandle
        try process.run()
        let data: Data
        if let redirected {
            try redirected.close()
            data = Data()
        } else {
            data = output.fileHandleForReading.readDataToEndOfFile()
        }
        process.waitUntilExit()
        try errorHandle.close()
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: errors.deletingLastPathComponent())
        return Result(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: stderr)
    }
}

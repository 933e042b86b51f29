import Foundation

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
        let process = Process()
        process.executableURL = url
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

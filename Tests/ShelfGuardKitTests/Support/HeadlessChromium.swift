import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's headless Chromium driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: the browser reads commands on its fd 3 and writes replies and
/// events on its fd 4, each message JSON ended by a NUL), without WebDriver. One page, attached
/// once; every command waits at most `timeout` seconds for its reply.
final class HeadlessChromium: @unchecked Sendable {
    /// The browser's executable, if installed (`scripts/setup` installs it with a CJK font).
    static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static let missing =
        "headless Chromium is not installed (/usr/bin/chromium): scripts/setup installs it and the CJK font fonts-wqy-zenhei"

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private let profile: URL
    private let timeout: Double
    private var nextID = 0
    private var buffer: [UInt8] = []
    private var session: String?
    /// Commands run one at a time, off the test's concurrency threads (they block on the pipe).
    private let queue = DispatchQueue(label: "shelfguard.test.chromium")

    init(timeout: Double = 30) throws {
        guard let executable = Self.executable else { throw Failure(Self.missing) }
        self.timeout = timeout
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("sg-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else {
            throw Failure("pipe: \(String(cString: strerror(errno)))")
        }
        // Not inherited by other children the test run starts (the browser gets its copies at 3 and 4).
        for fd in toBrowser + fromBrowser { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // The pipes' ends are above 4 here (0–2 are open, and so is whatever the test runner
        // holds), so moving them to 3 and 4 cannot overwrite one with the other.
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--remote-debugging-pipe",
            "--user-data-dir=\(profile.path)", "about:blank",
        ]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        Glibc.close(toBrowser[0])
        Glibc.close(fromBrowser[1])
        guard spawned == 0 else {
            Glibc.close(toBrowser[1])
            Glibc.close(fromBrowser[0])
            throw Failure("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        commands = toBrowser[1]
        replies = fromBrowser[0]
        signal(SIGPIPE, SIG_IGN)
    }

    /// Opens one page and attaches to it: later commands go to that page.
    func openPage() async throws {
        let created = try await send("Target.createTarget", ["url": "about:blank"])
        guard let target = created["targetId"] as? String else { throw Failure("no target: \(created)") }
        let attached = try await send("Target.attachToTarget", ["targetId": target, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure("not attached: \(attached)") }
        queue.sync { self.session = session }
    }

    /// Sends one command (to the page once attached) and returns its result.
    @discardableResult
    func send(_ method: String, _ parameters: [String: Any] = [:]) async throws -> [String: Any] {
        let box = ParametersBox(parameters)
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.blockingSend(method, box.value).value })
            }
        }
    }

    /// A JavaScript expression's value in the page (awaiting it if it is a promise).
    func evaluate(_ expression: String) async throws -> Any? {
        let result = try await send(
            "Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] { throw Failure("\(expression): \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Evaluates `expression` every 100 ms until it is true, for at most `seconds`.
    func wait(until expression: String, seconds: Double) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await evaluate(expression)) as? Bool == true { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Closes the browser and waits for it; kills it when it does not go in five seconds.
    func quit() {
        queue.sync {
            _ = try? blockingSend("Browser.close", [:], toPage: false)
            Glibc.close(commands)
            Glibc.close(replies)
        }
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { return cleanUp() }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        cleanUp()
    }

    private func cleanUp() { try? FileManager.default.removeItem(at: profile) }

    private struct ParametersBox: @unchecked Sendable {
        let value: [String: Any]
        init(_ value: [String: Any]) { self.value = value }
    }

    private struct Reply: @unchecked Sendable {
        let value: [String: Any]
    }

    private func blockingSend(_ method: String, _ parameters: [String: Any], toPage: Bool = true) throws -> Reply {
        nextID += 1
        let id = nextID
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if toPage, let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw Failure("\(method): the browser's pipe is closed (\(String(cString: strerror(errno))))")
            }
            written += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            while let end = buffer.firstIndex(of: 0) {
                let data = Data(buffer[..<end])
                buffer.removeSubrange(...end)
                guard let reply = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                    reply["id"] as? Int == id
                else { continue }  // an event, or the answer to something else
                if let error = reply["error"] { throw Failure("\(method): \(error)") }
                return Reply(value: reply["result"] as? [String: Any] ?? [:])
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure("\(method): no answer from the browser within \(timeout) s") }
            var poller = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 1) * 1000))
            if ready < 0 && errno != EINTR { throw Failure("poll: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { read(replies, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure("\(method): the browser closed its pipe (it ended)") }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}

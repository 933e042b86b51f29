import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `shelfguard serve` as a store runs it: the built binary on a loopback port the system
/// chooses, called over HTTP, stopped with SIGTERM.
@Suite("serve, end to end", .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ServeCommandTests {
    /// The running binary and what it printed on standard error so far.
    final class Server: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var printed = Data()

        init(_ arguments: [String]) throws {
            process.executableURL = ShelfGuardBinary.url
            process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let handle = errors.fileHandleForReading
            Thread { [self] in
                while true {
                    let data = handle.availableData
                    if data.isEmpty { return }
                    lock.withLock { printed.append(data) }
                }
            }.start()
        }

        var stderr: String { lock.withLock { String(decoding: printed, as: UTF8.self) } }

        /// The port from `listening on http://127.0.0.1:PORT`, once the server prints it. Looked
        /// for once more after the deadline: a test runner that kept this task waiting past it
        /// (other suites' blocking work on the same threads) must not fail a server that listens.
        func port(within seconds: Double) async throws -> Int {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline && process.isRunning {
                if let port = listening { return port }
                try await Task.sleep(for: .milliseconds(50))
            }
            if let port = listening { return port }
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve did not listen: \(stderr)"])
        }

        private var listening: Int? {
            let text = stderr
            guard let range = text.range(of: "listening on http://127.0.0.1:") else { return nil }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            guard text[range.upperBound...].dropFirst(digits.count).first == "\n" else { return nil }
            return Int(digits)
        }
    }

    static func call(
        _ port: Int, _ path: String, method: String = "GET", body: String? = nil, key: String? = nil
    ) async throws -> (status: Int, json: [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    @Test(
        "the built binary serves /healthz, answers the feed without a key with a JSON 401, applies its limit flags, and stops on SIGTERM"
    )
    func serveBinary() async throws {
        let store = try TestStores.forBinary(.sqlite, "serve")
        let server = try Server(store.arguments + ["--max-body", "2048", "--complaint-rate", "1"])
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try await server.port(within: 300)

        let health = try await Self.call(port, "/healthz")
        #expect(health.status == 200)
        #expect(health.json["status"] as? String == "ok")
        #expect(health.json["reviewWorkers"] as? String == "running", "serve --jobs defaults to the cores")

        let anonymous = try await Self.call(port, "/v1/feed?since=0")
        #expect(anonymous.status == 401)
        #expect((anonymous.json["error"] as? [String: Any])?["code"] as? String == "unauthorized")
        let unknown = try await Self.call(port, "/v1/feed?since=0&wait=1", key: "sgk_nobody")
        #expect(unknown.status == 401)

        let complaint = try await Self.call(
            port, "/v1/complaints", method: "POST", body: #"{"app": "com.example.facefun", "text": "换脸"}"#)
        #expect(complaint.status == 201, "\(complaint.json)")
        #expect(try store.store.complaints(app: "com.example.facefun", openOnly: true, limit: 10).count == 1)
        let again = try await Self.call(
            port, "/v1/complaints", method: "POST", body: #"{"app": "com.example.facefun", "text": "again"}"#)
        #expect(again.status == 429, "--complaint-rate 1")
        let large = try await Self.call(
            port, "/v1/complaints", method: "POST",
            body: #"{"app": "com.example.facefun", "text": "\#(String(repeating: "x", count: 3000))"}"#)
        #expect(large.status == 413, "--max-body 2048")

        server.process.terminate()
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        #expect(server.stderr.contains("/healthz"), "requests are logged on standard error")
    }

    /// The secret `keys create` prints as the last word of its output.
    static func createKey(_ store: TestStores.ForBinary, role: String, name: String) throws -> String {
        let run = try ShelfGuardBinary.run(["keys", "create", "--role", role, "--name", name] + store.arguments)
        #expect(run.status == 0, "\(run.stderr)")
        return String(run.stdout.split(whereSeparator: \.isWhitespace).last ?? "")
    }

    @Test(
        "a store's day through the built binary: keys made with `keys create`, an officer's takedown over HTTP, the storefront's feed, the audit naming the keys",
        arguments: StoreKind.available)
    func takedownThroughTheService(_ kind: StoreKind) async throws {
        let store = try TestStores.forBinary(kind, "serve-day")
        let review = try ShelfGuardBinary.run(
            ["review", "--as-of", "2026-11-24", "--report-dir", store.folder.appendingPathComponent("batch").path]
                + store.arguments + [DailyCommandTests.samples.path])
        #expect(review.status == 2, "\(review.stderr)")
        let officer = try Self.createKey(store, role: "officer", name: "officer-wang")
        let storefront = try Self.createKey(store, role: "storefront", name: "storefront-1")
        #expect(officer.hasPrefix("sgk_") && storefront.hasPrefix("sgk_") && officer != storefront)

        let server = try Server(store.arguments)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try await server.port(within: 300)

        let before = try await Self.call(port, "/v1/feed?since=0", key: storefront)
        #expect(before.status == 200, "\(before.json)")
        let cursor = before.json["cursor"] as? String ?? "0"
        let order =
            #"{"action": "take_down", "app": "com.example.calculator", "reason": "deepfake incident", "order": "CAC-2026-77"}"#
        let denied = try await Self.call(port, "/v1/measures", method: "POST", body: order, key: storefront)
        #expect(denied.status == 403, "a storefront reads the feed, nothing more")
        let applied = try await Self.call(port, "/v1/measures", method: "POST", body: order, key: officer)
        #expect(applied.status == 200, "\(applied.json)")
        let feed = try await Self.call(port, "/v1/feed?since=\(cursor)&wait=5", key: storefront)
        let events = feed.json["events"] as? [[String: Any]] ?? []
        #expect(
            events.compactMap { $0["action"] as? String }.contains("take_down"),
            "\(applied.json) \(feed.json) \(before.json)")
        #expect(events.compactMap { $0["app"] as? String }.allSatisfy { $0 == "com.example.calculator" })

        _ = try ShelfGuardBinary.run(["keys", "revoke", "storefront-1"] + store.arguments)
        let revoked = try await Self.call(port, "/v1/feed?since=0", key: storefront)
        #expect(revoked.status == 401, "a revoked key is refused at once, by a server already running")
        server.process.terminate()
        server.process.waitUntilExit()

        let log = try ShelfGuardBinary.run(["audit", "log", "--format", "json"] + store.arguments)
        #expect(log.stdout.contains("api:officer-wang (officer)"), "the takedown's entries name the officer's key")
        #expect(try ShelfGuardBinary.run(["audit", "verify"] + store.arguments).status == 0)
    }

    @Test("serve refuses limits out of range and a port that is not one, before opening anything")
    func badFlags() throws {
        for flags in [["--max-body", "10"], ["--max-wait", "-1"], ["--complaint-rate", "0"], ["--port", "70000"]] {
            let run = try ShelfGuardBinary.run(["serve", "--db", "/nonexistent/folder/x.db"] + flags)
            #expect(run.status == 1, "\(flags)")
            #expect(run.stderr.contains(flags[0]), "\(flags): \(run.stderr)")
        }
    }
}

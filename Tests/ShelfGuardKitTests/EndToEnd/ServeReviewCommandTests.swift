import Foundation
import Testing

@testable import ShelfGuardKit

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A store's submission system against the built binary: a bundle uploaded over HTTP, reviewed
/// by the server's own worker thread, its verdict read back, taken down by an officer, seen by
/// a storefront; and the server stopping with a review in hand.
@Suite("serve, end to end: submissions", .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ServeReviewCommandTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    static let boundary = "e2e-boundary-7f3a"

    /// `POST /v1/reviews` with these file parts, as a submission system sends them.
    static func submit(
        _ port: Int, key: String, _ parts: [(name: String, file: URL)]
    ) async throws -> (
        status: Int, json: [String: Any]
    ) {
        try await submit(port, key: key, named: parts.map { ($0.name, $0.file.lastPathComponent, $0.file) })
    }

    /// The same, each part with the file name given (a material's is the path its declaration lists).
    static func submit(
        _ port: Int, key: String, named parts: [(name: String, filename: String, file: URL)]
    ) async throws -> (
        status: Int, json: [String: Any]
    ) {
        var body = Data()
        for part in parts {
            body.append(
                Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\"; filename=\"\(part.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        .utf8))
            body.append(try Data(contentsOf: part.file))
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/reviews")!)
        request.httpMethod = "POST"
        request.timeoutInterval = 60
        request.httpBody = body
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    /// `serve --jobs 1` on the store, judging as of 2026-11-24 with the sample registry.
    static func reviewingServer(_ store: TestStores.ForBinary) throws -> ServeCommandTests.Server {
        try ServeCommandTests.Server(
            store.arguments + [
                "--jobs", "1", "--as-of", "2026-11-24", "--registry",
                Self.samples.appendingPathComponent("registry").path,
            ])
    }

    /// Polls `GET /v1/reviews/{id}` until it is no longer queued or running.
    static func poll(_ port: Int, key: String, id: String, within seconds: Double) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: Any] = [:]
        while Date() < deadline {
            let answer = try await ServeCommandTests.call(port, "/v1/reviews/\(id)", key: key)
            #expect(answer.status == 200, "\(answer.json)")
            last = answer.json
            if let status = last["status"] as? String, status != "queued" && status != "running" { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    @Test(
        "submit over HTTP, poll until done, the verdict, an officer's takedown, the storefront's feed: serve --jobs 1",
        arguments: StoreKind.available)
    func submitToFeed(_ kind: StoreKind) async throws {
        let store = try TestStores.forBinary(kind, "serve-submit")
        let developer = try ServeCommandTests.createKey(store, role: "developer", name: "ci-pipeline")
        let officer = try ServeCommandTests.createKey(store, role: "officer", name: "officer-li")
        let storefront = try ServeCommandTests.createKey(store, role: "storefront", name: "storefront-1")
        let server = try Self.reviewingServer(store)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try await server.port(within: 300)

        let submitted = try await Self.submit(
            port, key: developer,
            [
                ("bundle", Self.samples.appendingPathComponent("calculator.apk")),
                ("declaration", Self.samples.appendingPathComponent("calculator.apk.declaration.yaml")),
            ])
        #expect(submitted.status == 202, "\(submitted.json)")
        let id = try #require(submitted.json["id"] as? String)
        let denied = try await Self.submit(
            port, key: storefront, [("bundle", Self.samples.appendingPathComponent("calculator.apk"))])
        #expect(denied.status == 403)

        let done = try await Self.poll(port, key: developer, id: id, within: 120)
        #expect(done["status"] as? String == "done", "\(done) \(server.stderr)")
        #expect(done["verdict"] as? String == "approve", "\(done)")
        #expect(done["app"] as? String == "com.example.calculator")
        #expect(done["state"] as? String == "approved")
        #expect(done["findings"] is [Any])

        let before = try await ServeCommandTests.call(port, "/v1/feed?since=0", key: storefront)
        let cursor = before.json["cursor"] as? String ?? "0"
        let order =
            #"{"action": "take_down", "app": "com.example.calculator", "reason": "deepfake incident", "order": "CAC-2026-78"}"#
        let applied = try await ServeCommandTests.call(port, "/v1/measures", method: "POST", body: order, key: officer)
        #expect(applied.status == 200, "\(applied.json)")
        let feed = try await ServeCommandTests.call(port, "/v1/feed?since=\(cursor)&wait=5", key: storefront)
        let events = feed.json["events"] as? [[String: Any]] ?? []
        #expect(
            events.contains {
                $0["action"] as? String == "take_down" && $0["app"] as? String == "com.example.calculator"
            }, "\(feed.json)")

        server.process.terminate()
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        let log = try ShelfGuardBinary.run(["audit", "log", "--format", "json"] + store.arguments)
        #expect(log.stdout.contains("api:ci-pipeline (developer)"), "the submission's entry names the key")
        #expect(try ShelfGuardBinary.run(["audit", "verify"] + store.arguments).status == 0)
    }

    @Test(
        "a compliant app sent with its labeling materials is approved through the service, as review approves it on disk; without them it is refused"
    )
    func materialsApproved() async throws {
        let store = try TestStores.forBinary(.sqlite, "serve-materials")
        let developer = try ServeCommandTests.createKey(store, role: "developer", name: "ci")
        let server = try Self.reviewingServer(store)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try await server.port(within: 300)
        let files: [(name: String, filename: String, file: URL)] = [
            ("bundle", "facefun.apk", Self.samples.appendingPathComponent("facefun.apk")),
            ("declaration", "d.yaml", Self.samples.appendingPathComponent("facefun.apk.declaration.yaml")),
        ]
        let materials = ["labeling/facefun/sample-output.png", "labeling/facefun/user-agreement.md"].map {
            (name: "material", filename: $0, file: Self.samples.appendingPathComponent($0))
        }
        var verdicts: [String] = []
        for parts in [files + materials, files] {
            let submitted = try await Self.submit(port, key: developer, named: parts)
            #expect(submitted.status == 202, "\(submitted.json)")
            let id = try #require(submitted.json["id"] as? String)
            let done = try await Self.poll(port, key: developer, id: id, within: 120)
            #expect(done["status"] as? String == "done", "\(done) \(server.stderr)")
            let rules = (done["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
            verdicts.append("\(done["verdict"] as? String ?? "none") \(rules.contains("labeling_materials_missing"))")
        }
        #expect(verdicts == ["approve false", "refuse true"], "\(verdicts)")
        server.process.terminate()
        server.process.waitUntilExit()
    }

    @Test("SIGTERM with a review in hand: the job ends recorded or back in the queue, never left claimed")
    func stopWithAJobHeld() async throws {
        let store = try TestStores.forBinary(.sqlite, "serve-stop")
        let developer = try ServeCommandTests.createKey(store, role: "developer", name: "ci")
        let server = try ServeCommandTests.Server(
            store.arguments + ["--jobs", "1", "--grace", "0", "--as-of", "2026-11-24"])
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try await server.port(within: 300)
        let submitted = try await Self.submit(
            port, key: developer, [("bundle", Self.samples.appendingPathComponent("facefun.xapk"))])
        #expect(submitted.status == 202, "\(submitted.json)")
        // Stopped at once: the review is queued, running or just recorded.
        server.process.terminate()
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        #expect(server.stderr.contains("put back in the queue"), "\(server.stderr)")
        let ledger = store.store
        #expect(try ledger.queueJobs(states: [.claimed], limit: 10).isEmpty, "\(server.stderr)")
        let queued = try ledger.queueJobs(states: [.queued], limit: 10).count
        let reviews = try TestStores.count(ledger, "review")
        #expect(queued + reviews == 1, "queued \(queued), reviewed \(reviews)")
    }

    @Test(
        "serve refuses --max-bundle, --max-materials, --max-material-upload, --jobs, --grace and --lease out of range")
    func badFlags() throws {
        for flags in [
            ["--max-bundle", "0"], ["--max-materials=-1"], ["--max-material-upload", "0"], ["--jobs", "-1"],
            ["--grace", "-1"], ["--lease", "0"],
        ] {
            let run = try ShelfGuardBinary.run(["serve", "--db", "/nonexistent/folder/x.db"] + flags)
            #expect(run.status == 1, "\(flags)")
            let flag = String(flags[0].prefix { $0 != "=" })
            #expect(run.stderr.contains(flag), "\(flags): \(run.stderr)")
        }
    }
}

import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardService

/// `POST /v1/reviews`, `GET` and `DELETE /v1/reviews/{id}` in process: uploads streamed into the
/// bundle store, ids that are review keys, who may read and cancel what, and the verdict once
/// a worker (here one in the test, as `serve --jobs` runs it) recorded the review.
@Suite("The service: submissions for review", .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ReviewServiceTests {
    /// The check the test's workers judge with; its policy digest is the fixture's.
    static let check: ShelfCheck = {
        let policy = try! PolicyLoader.load(file: SeedDatabase.policies.appendingPathComponent("review-policy.yaml"))
        return ShelfCheck(
            inspector: Inspector(signatures: SeedDatabase.engine), policy: policy,
            taxonomy: SeedDatabase.database.taxonomy, registry: InMemoryRegistry(), asOf: "2026-11-24")
    }()

    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    static var facefun: [UInt8] {
        get throws { Array(try Data(contentsOf: samples.appendingPathComponent("facefun.apk"))) }
    }
    static var facefunDeclaration: [UInt8] {
        get throws { Array(try Data(contentsOf: samples.appendingPathComponent("facefun.apk.declaration.yaml"))) }
    }

    static let boundary = "shelfguard-test-boundary"

    /// A multipart/form-data body of these parts: (name, file name, bytes).
    static func multipart(_ parts: [(String, String, [UInt8])]) -> ByteBuffer {
        var bytes: [UInt8] = []
        for (name, file, content) in parts {
            bytes += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(file)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
            bytes += content
            bytes += Array("\r\n".utf8)
        }
        bytes += Array("--\(boundary)--\r\n".utf8)
        return ByteBuffer(bytes: bytes)
    }

    static func headers(_ fixture: ServiceFixture, _ role: APIRole?, secret: String? = nil) -> HTTPFields {
        var fields = fixture.headers(role)
        fields[.contentType] = "multipart/form-data; boundary=\(boundary)"
        if let secret { fields[.authorization] = "Bearer \(secret)" }
        return fields
    }

    /// Reviews everything queued, as `serve --jobs 1` would, and stops when the queue is empty.
    static func drain(_ fixture: ServiceFixture) throws -> ReviewWorker.Outcome {
        let batch = BatchReview(
            check: check, ledger: fixture.ledger, jobs: 1, actor: "worker", bundleStore: fixture.bundles)
        return try ReviewWorker(
            batch: batch, name: "test-worker", lease: 60, retry: .init(), pollInterval: 0.05, exitWhenIdle: true
        ).run()
    }

    /// Every regular file under the store's folder, relative to it.
    static func files(_ store: BundleStore) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: store.directory) else { return [] }
        var found: [String] = []
        while let name = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: store.directory + "/" + name, isDirectory: &isFolder),
                !isFolder.boolValue
            {
                found.append(name)
            }
        }
        return found.sorted()
    }

    @Test(
        "submit: 202 queued with the review key as id; the same files again, by anyone, the same id and one job; audited by key",
        arguments: StoreKind.available)
    func submit(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        let other = try fixture.keys.add(.developer, name: "developer-2")
        let body = Self.multipart([
            ("bundle", "facefun.apk", try Self.facefun), ("declaration", "d.yaml", try Self.facefunDeclaration),
        ])
        let ids = try await fixture.app().test(.router) { client in
            var ids: [String] = []
            for secret in [fixture.secrets[.developer]!, fixture.secrets[.developer]!, other] {
                ids.append(
                    try await client.execute(
                        uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, nil, secret: secret),
                        body: body
                    ) { response in
                        #expect(response.status == .accepted, "\(response.text)")
                        #expect(response.object["status"] as? String == "queued")
                        return response.object["id"] as? String ?? ""
                    })
            }
            return ids
        }
        #expect(Set(ids).count == 1)
        let bundleSHA = try FileDigest.sha256(path: Self.samples.appendingPathComponent("facefun.apk").path)
        let declarationSHA = try FileDigest.sha256(
            path: Self.samples.appendingPathComponent("facefun.apk.declaration.yaml").path)
        let expected = ReviewSubmission.key(
            bundleSHA256: bundleSHA, declarationSHA256: declarationSHA, policySHA256: Self.check.policy.digest,
            signatureSHA256: SeedDatabase.database.digest)
        #expect(ids.first == expected, "the id is the key the worker records the review under")
        #expect(try fixture.ledger.queueJobs(states: [.queued], limit: 10).count == 1, "one job, never a second")
        let submission = try #require(try fixture.ledger.serviceSubmission(id: expected))
        #expect(submission.submitters.map(\.name) == ["developer", "developer-2"])
        // The bundle under its digest; the declaration alone in a folder of its own.
        #expect(
            Self.files(fixture.bundles) == [
                "\(bundleSHA.prefix(2))/\(bundleSHA).bundle", "declarations/\(declarationSHA)/declaration.yaml",
            ])
        let entries = try fixture.ledger.auditEntries(after: 0, limit: 1_000).filter {
            $0.action == AuditRecord.reviewSubmittedAction
        }
        #expect(entries.map(\.actor) == ["api:developer (developer)", "api:developer-2 (developer)"])
        #expect(try fixture.ledger.verifyAudit().intact)
    }

    @Test(
        "submit: storefronts and officers 403; a body without a bundle, or with another part, 400; reviewers may submit",
        arguments: StoreKind.available)
    func submitRefusals(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        let good = Self.multipart([("bundle", "facefun.apk", try Self.facefun)])
        try await fixture.app().test(.router) { client in
            for role in [APIRole.storefront, .officer, .auditor] {
                try await client.execute(
                    uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, role), body: good
                ) { response in
                    #expect(response.status == .forbidden, "\(role)")
                    #expect(response.errorMessage.contains("submit_review"))
                }
            }
            try await client.execute(uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, nil), body: good)
            { response in
                #expect(response.status == .unauthorized)
            }
            let noBundle = Self.multipart([("declaration", "d.yaml", try Self.facefunDeclaration)])
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: noBundle
            ) { response in
                #expect(response.status == .badRequest, "\(response.text)")
                #expect(response.errorCode == "bad_request")
            }
            let material = Self.multipart([
                ("bundle", "facefun.apk", try Self.facefun), ("material", "label.png", [1, 2, 3]),
            ])
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: material
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage.contains("material"), "\(response.text)")
            }
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .reviewer), body: good
            ) { response in
                #expect(response.status == .accepted, "\(response.text)")
            }
        }
        #expect(try fixture.ledger.queueJobs(states: [.queued], limit: 10).count == 1)
    }

    @Test(
        "a bundle past --max-bundle is 413 with nothing left in the store; --max-body does not cap uploads",
        arguments: StoreKind.available)
    func bundleLimit(_ kind: StoreKind) async throws {
        let limits = ServiceLimits(maxBodyBytes: 1024, maxBundleBytes: 100_000)
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false, limits: limits)
        let bundle = try Self.facefun
        #expect(bundle.count > 100_000)
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer),
                body: Self.multipart([("bundle", "facefun.apk", bundle)])
            ) { response in
                #expect(response.status == .contentTooLarge, "\(response.text)")
                #expect(response.errorCode == "too_large")
                #expect(response.errorMessage.contains("--max-bundle"))
            }
            #expect(Self.files(fixture.bundles).isEmpty, "\(Self.files(fixture.bundles))")
            // 30,000 bytes: over --max-body (1,024), within --max-bundle.
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer),
                body: Self.multipart([("bundle", "small.apk", Array(bundle.prefix(30_000)))])
            ) { response in
                #expect(response.status == .accepted, "\(response.text)")
            }
        }
        #expect(try fixture.ledger.queueJobs(states: [.queued], limit: 10).count == 1)
        #expect(try TestStores.count(fixture.ledger, "service_submission") == 1, "the refused one left no row")
    }

    @Test(
        "a full queue (--max-queued) is 503 with Retry-After before the upload is read; room again once reviewed",
        arguments: StoreKind.available)
    func queueBound(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(
            kind, apps: 1, manualReview: false, limits: ServiceLimits(maxQueuedJobs: 1))
        let bundle = try Self.facefun
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer),
                body: Self.multipart([("bundle", "facefun.apk", bundle)])
            ) { response in #expect(response.status == .accepted, "\(response.text)") }
            let before = Self.files(fixture.bundles)
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer),
                body: Self.multipart([("bundle", "other.apk", Array(bundle.prefix(30_000)))])
            ) { response in
                #expect(response.status == .serviceUnavailable, "\(response.text)")
                #expect(response.errorCode == "queue_full")
                #expect(response.headers[.retryAfter] == "60")
                #expect(response.errorMessage.contains("--max-queued"))
            }
            #expect(Self.files(fixture.bundles) == before, "nothing of the refused upload was stored")
            _ = try Self.drain(fixture)
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer),
                body: Self.multipart([("bundle", "other.apk", Array(bundle.prefix(30_000)))])
            ) { response in #expect(response.status == .accepted, "\(response.text)") }
        }
        #expect(ServiceLimits(maxQueuedJobs: 0).problem?.contains("--max-queued") == true)
        #expect(ServiceLimits(maxMaterials: -1).problem?.contains("--max-materials") == true)
        #expect(ServiceLimits(maxMaterials: 0).problem == nil, "0 takes no materials")
        #expect(ServiceLimits(maxMaterialBytes: 0).problem?.contains("--max-material-upload") == true)
        #expect(ServiceLimits(maxQueuedJobs: 10_000_001).problem != nil)
        #expect(ServiceLimits().maxQueuedJobs == 10_000)
    }

    @Test(
        "a review recorded under the id by another door (shelfguard review) while the job waits: done at once, not cancellable, and the job is skipped",
        arguments: StoreKind.available)
    func recordedElsewhere(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        let body = Self.multipart([
            ("bundle", "facefun.apk", try Self.facefun), ("declaration", "d.yaml", try Self.facefunDeclaration),
        ])
        let app = try fixture.app()
        let id = try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: body
            ) { response in response.object["id"] as? String ?? "" }
        }
        let submission = try #require(try fixture.ledger.serviceSubmission(id: id))
        #expect(submission.job?.state == .queued)
        // The same files under the same rules, reviewed outside the queue: the same key.
        let batch = BatchReview(
            check: Self.check, ledger: fixture.ledger, jobs: 1, actor: "cli", bundleStore: fixture.bundles)
        let batchID = try fixture.ledger.startBatch(
            actor: "cli", jobs: 1, bundles: 1, policySHA256: Self.check.policy.digest,
            signatureSHA256: SeedDatabase.database.digest)
        let item = batch.review(submission.bundlePath, batchID: batchID, declaration: submission.declarationPath)
        #expect(item.status == .reviewed, "\(item.error ?? "")")
        #expect(try fixture.ledger.existingReview(key: id) != nil)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/reviews/\(id)", method: .get, headers: fixture.headers(.developer)) {
                response in
                #expect(response.object["status"] as? String == "done", "\(response.text)")
                #expect(response.object["verdict"] != nil)
            }
            try await client.execute(
                uri: "/v1/reviews/\(id)", method: .delete, headers: fixture.headers(.developer)
            ) { response in
                #expect(response.status == .conflict, "\(response.text)")
            }
        }
        #expect(try Self.drain(fixture).count(.skipped) == 1)
    }

    @Test("an upload cut off mid-way (the client went away) leaves no temporary file behind")
    func disconnect() async throws {
        let store = BundleStore(directory: try TestFiles.directory("upload-cut").appendingPathComponent("b").path)
        struct Gone: Error {}
        let stream = AsyncThrowingStream<ArraySlice<UInt8>, any Error> { continuation in
            continuation.yield(ArraySlice(repeating: 7, count: 50_000))
            continuation.yield(ArraySlice(repeating: 8, count: 50_000))
            continuation.finish(throwing: Gone())
        }
        let body = HTTPBody(stream, length: .unknown)
        await #expect(throws: Gone.self) {
            _ = try await ServiceHandlers.stream(body, into: store, limit: 1 << 20)
        }
        #expect(Self.files(store).isEmpty, "\(Self.files(store))")
        // The same bytes, complete: kept under their digest.
        let whole = HTTPBody([UInt8](repeating: 7, count: 50_000))
        let kept = try await ServiceHandlers.stream(whole, into: store, limit: 1 << 20)
        #expect(kept.sha256 == (try FileDigest.sha256(path: kept.path)))
        #expect(Self.files(store) == ["\(kept.sha256.prefix(2))/\(kept.sha256).bundle"])
    }

    @Test(
        "status: queued, then done with the recorded verdict, findings and version; 404 for unknown ids and other developers'",
        arguments: StoreKind.available)
    func statusAndVerdict(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        let other = try fixture.keys.add(.developer, name: "developer-2")
        let body = Self.multipart([
            ("bundle", "facefun.apk", try Self.facefun), ("declaration", "d.yaml", try Self.facefunDeclaration),
        ])
        let app = try fixture.app()
        let id = try await app.test(.router) { client in
            let id = try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: body
            ) { response in
                response.object["id"] as? String ?? ""
            }
            try await client.execute(uri: "/v1/reviews/\(id)", method: .get, headers: fixture.headers(.developer)) {
                response in
                #expect(response.status == .ok)
                #expect(response.object["status"] as? String == "queued")
                #expect(response.object["attempts"] as? Int == 0)
                #expect(response.object["verdict"] == nil)
            }
            let unknown = String(repeating: "a", count: 64)
            for (uri, headers) in [
                ("/v1/reviews/\(unknown)", fixture.headers(.developer)),
                ("/v1/reviews/not-an-id", fixture.headers(.developer)),
                ("/v1/reviews/\(id)", Self.headers(fixture, nil, secret: other)),
            ] {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.errorCode == "not_found")
                }
                try await client.execute(uri: uri, method: .delete, headers: headers) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/v1/reviews/\(id)", method: .get, headers: fixture.headers(.storefront)) {
                response in
                #expect(response.status == .forbidden)
            }
            return id
        }
        let outcome = try Self.drain(fixture)
        #expect(outcome.count(.reviewed) == 1)
        let recorded = try #require(try fixture.ledger.existingReview(key: id))
        let review = try #require(try fixture.ledger.review(id: recorded.reviewID))
        let version = try #require(try fixture.ledger.version(id: recorded.versionID))
        try await app.test(.router) { client in
            for role in [APIRole.developer, .reviewer, .admin] {
                try await client.execute(uri: "/v1/reviews/\(id)", method: .get, headers: fixture.headers(role)) {
                    response in
                    #expect(response.status == .ok, "\(role)")
                    let object = response.object
                    #expect(object["status"] as? String == "done")
                    #expect(object["verdict"] as? String == review.verdict.rawValue)
                    #expect((object["reviewID"] as? NSNumber)?.int64Value == review.reviewID)
                    #expect(object["app"] as? String == "com.example.facefun")
                    #expect(object["version"] as? String == version.versionName)
                    #expect(object["state"] as? String == version.state.rawValue)
                    let findings = object["findings"] as? [Any] ?? []
                    let same = (try? sameJSON(findings, review.findings)) ?? false
                    #expect(same, "the findings as the ledger recorded them")
                    #expect(!review.findings.isEmpty)
                }
            }
            // Submitted again once done: the same id, done at once, nothing queued.
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: body
            ) { response in
                #expect(response.status == .accepted)
                #expect(response.object["id"] as? String == id)
                #expect(response.object["status"] as? String == "done")
            }
        }
        #expect(try fixture.ledger.queueJobs(states: [.queued, .claimed], limit: 10).isEmpty)
    }

    @Test(
        "cancel: a queued one is cancelled and audited; running or done is 409; sent again it is queued again",
        arguments: StoreKind.available)
    func cancel(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        let first = Self.multipart([("bundle", "facefun.apk", try Self.facefun)])
        let second = Self.multipart([
            (
                "bundle", "calculator.apk",
                Array(try Data(contentsOf: Self.samples.appendingPathComponent("calculator.apk")))
            )
        ])
        let app = try fixture.app()
        let ids = try await app.test(.router) { client in
            var ids: [String] = []
            for body in [first, second] {
                ids.append(
                    try await client.execute(
                        uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: body
                    ) { response in
                        response.object["id"] as? String ?? ""
                    })
            }
            try await client.execute(
                uri: "/v1/reviews/\(ids[0])", method: .delete, headers: fixture.headers(.developer)
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.object["status"] as? String == "cancelled")
                #expect(response.object["cancelledBy"] as? String == "api:developer (developer)")
            }
            try await client.execute(
                uri: "/v1/reviews/\(ids[0])", method: .delete, headers: fixture.headers(.developer)
            ) { response in
                #expect(response.status == .conflict, "cancelled already")
            }
            return ids
        }
        #expect(try fixture.ledger.queueJobs(states: [.queued], limit: 10).count == 1, "only the second is queued")
        let cancelled = try fixture.ledger.auditEntries(after: 0, limit: 1_000).filter {
            $0.action == AuditRecord.reviewCancelledAction
        }
        #expect(cancelled.map(\.actor) == ["api:developer (developer)"])
        // The second is running: a worker holds it.
        let held = try #require(
            try fixture.ledger.claimJob(worker: "busy", lease: 600, now: Date().timeIntervalSince1970))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/reviews/\(ids[1])", method: .get, headers: fixture.headers(.developer)) {
                response in
                #expect(response.object["status"] as? String == "running")
            }
            try await client.execute(uri: "/v1/reviews/\(ids[1])", method: .delete, headers: fixture.headers(.admin)) {
                response in
                #expect(response.status == .conflict)
                #expect(response.errorMessage.contains("running"))
            }
        }
        #expect(try fixture.ledger.releaseJobs(worker: "busy") == 1)
        #expect(try fixture.ledger.queueJobs(states: [.queued], limit: 10).map(\.id) == [held.id])
        _ = try Self.drain(fixture)
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/reviews/\(ids[1])", method: .delete, headers: fixture.headers(.developer)
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.errorMessage.contains("done"))
            }
            // The cancelled one sent again: the same id, queued again.
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: first
            ) { response in
                #expect(response.object["id"] as? String == ids[0])
                #expect(response.object["status"] as? String == "queued")
            }
        }
        #expect(try fixture.ledger.queueJobs(states: [.queued], limit: 10).count == 1)
        #expect(try fixture.ledger.verifyAudit().intact)
    }

    /// FaceFun's labeling materials as its declaration lists them: (path, bytes).
    static var facefunMaterials: [(String, [UInt8])] {
        get throws {
            try ["labeling/facefun/sample-output.png", "labeling/facefun/user-agreement.md"].map {
                ($0, Array(try Data(contentsOf: samples.appendingPathComponent($0))))
            }
        }
    }

    @Test(
        "labeling materials uploaded beside the declaration: kept at their listed paths, counted in the id, and read by the review, which then finds no material missing",
        arguments: StoreKind.available)
    func materials(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        let declaration = try Self.facefunDeclaration
        let materials = try Self.facefunMaterials
        let withMaterials = Self.multipart(
            [("bundle", "facefun.apk", try Self.facefun), ("declaration", "d.yaml", declaration)]
                + materials.map { ("material", $0.0, $0.1) })
        let without = Self.multipart([
            ("bundle", "facefun.apk", try Self.facefun), ("declaration", "d.yaml", declaration),
        ])
        let ids = try await fixture.app().test(.router) { client in
            var ids: [String] = []
            for body in [withMaterials, without, withMaterials] {
                ids.append(
                    try await client.execute(
                        uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: body
                    ) { response in
                        #expect(response.status == .accepted, "\(response.text)")
                        return response.object["id"] as? String ?? ""
                    })
            }
            return ids
        }
        #expect(ids[0] == ids[2] && ids[0] != ids[1], "the materials are part of the id")
        let bundleSHA = try FileDigest.sha256(path: Self.samples.appendingPathComponent("facefun.apk").path)
        let declarationSHA = SHA256.hash(data: Data(declaration)).hexString
        var digests: [String: String] = [:]
        for (path, bytes) in materials { digests[path] = "sha256:" + SHA256.hash(data: Data(bytes)).hexString }
        let expected = ReviewSubmission.key(
            bundleSHA256: bundleSHA, declarationSHA256: declarationSHA, policySHA256: Self.check.policy.digest,
            signatureSHA256: SeedDatabase.database.digest, materials: digests)
        #expect(ids[0] == expected, "the key `shelfguard review` gives the same files on disk")
        // The declaration and its materials in a folder of their own, named by all their digests.
        let folder = UploadedMaterials.folderName(
            declarationSHA256: declarationSHA,
            materials: materials.map { ($0.0, SHA256.hash(data: Data($0.1)).hexString) })
        let files = Self.files(fixture.bundles)
        for path in ["declaration.yaml"] + materials.map(\.0) {
            #expect(files.contains("submissions/\(folder)/\(path)"), "\(files)")
        }
        #expect(!files.contains { $0.hasPrefix(".upload.") }, "no temporary file is left: \(files)")
        #expect(try fixture.ledger.queueJobs(states: [.queued], limit: 10).count == 2)
        let outcome = try Self.drain(fixture)
        #expect(outcome.count(.reviewed) == 2)
        let judged = try #require(try fixture.ledger.existingReview(key: ids[0]))
        let bare = try #require(try fixture.ledger.existingReview(key: ids[1]))
        let rules = { (id: Int64) in try #require(try fixture.ledger.review(id: id)).findings.map(\.rule) }
        let judgedRules = try rules(judged.reviewID)
        #expect(!judgedRules.contains("labeling_materials_missing"), "\(judgedRules)")
        #expect(try rules(bare.reviewID).contains("labeling_materials_missing"), "the same files without materials")
    }

    @Test(
        "a material named in Chinese (raw UTF-8 in the part's file name, as curl sends it) is kept under that name; one whose accent comes decomposed, under the declaration's spelling"
    )
    func materialNamedInChinese() async throws {
        let fixture = try ServiceFixture.make(.sqlite, apps: 1, manualReview: false)
        // The declaration lists `é` as one character; the part's name has `e` and a combining
        // accent, as macOS file names do.
        let name = "labeling/facefun/用户协议-r\u{E9}sum\u{E9}.md"
        let sent = "labeling/facefun/用户协议-re\u{301}sume\u{301}.md"
        #expect(Array(name.utf8) != Array(sent.utf8))
        let declaration = Array(
            String(decoding: try Self.facefunDeclaration, as: UTF8.self)
                .replacingOccurrences(of: "labeling/facefun/user-agreement.md", with: name).utf8)
        let notice = Array("本应用生成的内容均添加标识。".utf8)
        let body = Self.multipart([
            ("bundle", "facefun.apk", try Self.facefun), ("declaration", "d.yaml", declaration),
            ("material", sent, notice),
        ])
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: body
            ) { response in
                #expect(response.status == .accepted, "\(response.text)")
            }
        }
        let folder = UploadedMaterials.folderName(
            declarationSHA256: SHA256.hash(data: Data(declaration)).hexString,
            materials: [(name, SHA256.hash(data: Data(notice)).hexString)])
        let kept = "\(fixture.bundles.directory)/submissions/\(folder)/\(name)"
        #expect(
            kept.withCString { access($0, F_OK) } == 0, "kept under the listed bytes: \(Self.files(fixture.bundles))")
        let found = DeclarationLocator.materialsBeside(
            declarationFile: "\(fixture.bundles.directory)/submissions/\(folder)/declaration.yaml",
            taxonomy: SeedDatabase.database.taxonomy)
        #expect(
            found[name] == "sha256:" + SHA256.hash(data: Data(notice)).hexString, "where the review looks: \(found)")
    }

    @Test(
        "material parts refused with 400 (hostile or unlisted names, twice, folders of each other, no declaration) or 413 (--max-materials, --max-material-upload), nothing kept",
        arguments: StoreKind.available)
    func materialRefusals(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(
            kind, apps: 1, manualReview: false, limits: ServiceLimits(maxMaterials: 2, maxMaterialBytes: 50_000))
        let bundle = try Self.facefun
        let declaration = try Self.facefunDeclaration
        let listed = "labeling/facefun/user-agreement.md"
        func body(_ materials: [(String, [UInt8])], declaration: [UInt8]? = declaration) -> ByteBuffer {
            Self.multipart(
                [("bundle", "facefun.apk", bundle)] + (declaration.map { [("declaration", "d.yaml", $0)] } ?? [])
                    + materials.map { ("material", $0.0, $0.1) })
        }
        let badRequests: [(String, ByteBuffer, String)] = [
            ("parent", body([("../\(listed)", [1])]), "'..' component"),
            ("inner parent", body([("labeling/../\(listed)", [1])]), "'..' component"),
            ("dot", body([("./\(listed)", [1])]), "'.' component"),
            ("absolute", body([("/etc/passwd", [1])]), "absolute path"),
            ("backslash", body([("labeling\\facefun\\user-agreement.md", [1])]), "backslash"),
            ("empty component", body([("labeling//facefun/user-agreement.md", [1])]), "empty path component"),
            ("trailing slash", body([("labeling/facefun/", [1])]), "empty path component"),
            // HTTP's header parsing turns a control character into a space before the name is
            // seen (the name check itself is `UploadedMaterialsTests.names`): still not listed.
            ("control", body([("labeling/facefun/a\u{1}b.md", [1])]), "not among"),
            ("long", body([(String(repeating: "a", count: 300), [1])]), "longer than 255"),
            ("declaration's name", body([("declaration.yaml", [1])]), "declaration's own name"),
            ("unlisted", body([("labeling/other.png", [1])]), "not among the labeling materials"),
            ("twice", body([(listed, [1]), (listed, [2])]), "sent twice"),
            (
                "folder",
                body(
                    [("labeling/facefun", [1]), (listed, [2])],
                    declaration: Array(
                        String(decoding: declaration, as: UTF8.self).replacingOccurrences(
                            of: "materials: [labeling/facefun/sample-output.png,",
                            with: "materials: [labeling/facefun, labeling/facefun/sample-output.png,"
                        ).utf8)), "is a folder of"
            ),
            ("no declaration", body([(listed, [1])], declaration: nil), "without a declaration"),
            ("unreadable declaration", body([(listed, [1])], declaration: Array("schema: [".utf8)), "cannot be read"),
        ]
        let tooLarge: [(String, ByteBuffer, String)] = [
            (
                "three parts", body([(listed, [1]), ("labeling/a.png", [1]), ("labeling/b.png", [1])]),
                "--max-materials"
            ),
            ("too many bytes", body([(listed, [UInt8](repeating: 7, count: 50_001))]), "--max-material-upload"),
        ]
        let refusals =
            badRequests.map { ($0.0, $0.1, HTTPResponse.Status.badRequest, $0.2) }
            + tooLarge.map { ($0.0, $0.1, HTTPResponse.Status.contentTooLarge, $0.2) }
        try await fixture.app().test(.router) { client in
            for (what, body, status, message) in refusals {
                try await client.execute(
                    uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: body
                ) { response in
                    #expect(response.status == status, "\(what): \(response.text)")
                    #expect(response.errorMessage.contains(message), "\(what): \(response.errorMessage)")
                }
            }
        }
        #expect(try fixture.ledger.queueJobs(states: [.queued], limit: 10).isEmpty, "nothing queued")
        let files = Self.files(fixture.bundles)
        #expect(!files.contains { $0.hasPrefix(".upload.") || $0.hasPrefix("submissions/") }, "\(files)")
        #expect(!files.contains { $0.hasPrefix("declarations/") }, "no declaration kept: \(files)")
    }

    @Test(
        "a server's workers stopping: no more claims, then the jobs still held go back to the queue, the attempt not counted",
        arguments: StoreKind.available)
    func backgroundStop(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "background")
        let ids = try ledger.enqueue(
            [QueuedBundle(bundle: "/nowhere/a.apk"), QueuedBundle(bundle: "/nowhere/b.apk")], actor: "t")
        // A thread of the server's worker took the first job and is still reviewing it.
        let held = try #require(try ledger.claimJob(worker: "srv#1", lease: 600, now: Date().timeIntervalSince1970))
        #expect(held.id == ids[0] && held.attempts == 1)
        // Another worker's job is not the server's to release.
        _ = try #require(try ledger.claimJob(worker: "srv2", lease: 600, now: Date().timeIntervalSince1970))
        let batch = BatchReview(check: Self.check, ledger: ledger, jobs: 1, actor: "t", bundleStore: nil)
        let worker = ReviewWorker(
            batch: batch, name: "srv", lease: 600, retry: .init(), pollInterval: 0.05, exitWhenIdle: false)
        let background = ReviewWorker.Background(worker)
        background.start()
        Thread.sleep(forTimeInterval: 0.2)
        let started = Date()
        let stop = try background.stop(grace: 5)
        #expect(stop.finishedInTime && Date().timeIntervalSince(started) < 5)
        #expect(stop.released == 1)
        let jobs = try ledger.queueJobs(states: [.queued, .claimed], limit: 10)
        #expect(jobs.first { $0.id == ids[0] }?.state == .queued)
        #expect(jobs.first { $0.id == ids[0] }?.claimedBy == nil)
        #expect(jobs.first { $0.id == ids[0] }?.attempts == 0, "the attempt cut short is not counted")
        #expect(jobs.first { $0.id == ids[1] }?.claimedBy == "srv2")
        #expect(try ledger.releaseJobs(worker: "sr") == 0, "a name is matched whole, not as a prefix")
    }

    @Test(
        "a review still running when the grace period ends: stop returns after the grace, the job is released, the late thread records nothing",
        arguments: StoreKind.available)
    func graceRunsOut(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "grace")
        let ids = try ledger.enqueue([QueuedBundle(bundle: "/nowhere/missing.apk")], actor: "t")
        // The worker's thread claims the job, fails to read the bundle, and is then held up for
        // three seconds (its clock, asked for the backoff, answers late) with the job in hand.
        let calls = ValueBox<Int>()
        calls.set(0)
        let clock: @Sendable () -> Double = {
            let call = (calls.value ?? 0) + 1
            calls.set(call)
            if call == 2 { Thread.sleep(forTimeInterval: 3) }
            return Date().timeIntervalSince1970
        }
        let batch = BatchReview(check: Self.check, ledger: ledger, jobs: 1, actor: "t", bundleStore: nil)
        let worker = ReviewWorker(
            batch: batch, name: "late", lease: 600, retry: .init(), pollInterval: 0.05, exitWhenIdle: false,
            clock: clock)
        let background = ReviewWorker.Background(worker)
        background.start()
        let deadline = Date().addingTimeInterval(10)
        while (calls.value ?? 0) < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(try ledger.queueJobs(states: [.claimed], limit: 5).map(\.claimedBy) == ["late"])
        let started = Date()
        let stop = try background.stop(grace: 0.5)
        let took = Date().timeIntervalSince(started)
        #expect(!stop.finishedInTime && stop.released == 1)
        #expect(took >= 0.5 && took < 2.5, "stopped after \(took) s")
        let jobs = try ledger.queueJobs(states: [.queued, .claimed, .failed], limit: 5)
        #expect(jobs.map(\.id) == ids && jobs.first?.state == .queued && jobs.first?.claimedBy == nil)
        // The late thread comes back to a job it no longer holds: it changes nothing.
        Thread.sleep(forTimeInterval: 3)
        let after = try ledger.queueJobs(states: [.queued, .claimed, .failed], limit: 5)
        #expect(after.first?.state == .queued && after.first?.lastError == nil && after.first?.attempts == 0)
    }

    @Test(
        "GET /metrics: the queue's depth from the store, requests by status, this server's reviews; shelf readers only",
        arguments: StoreKind.available)
    func metrics(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        let body = Self.multipart([("bundle", "facefun.apk", try Self.facefun)])
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/reviews", method: .post, headers: Self.headers(fixture, .developer), body: body
            ) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: fixture.headers(.developer)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: fixture.headers(.auditor)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let lines = Set(response.text.split(separator: "\n").map(String.init))
                #expect(lines.contains("shelfguard_queue_jobs{state=\"queued\"} 1"), "\(response.text)")
                #expect(lines.contains("shelfguard_queue_jobs{state=\"claimed\"} 0"))
                #expect(lines.contains("shelfguard_http_requests_total{status=\"202\"} 1"))
                #expect(lines.contains("shelfguard_http_requests_total{status=\"403\"} 1"))
                #expect(lines.contains("shelfguard_reviews_total{outcome=\"reviewed\"} 0"))
                #expect(lines.contains("# TYPE shelfguard_review_seconds summary"))
            }
        }
        // The server's worker threads report each job they finish.
        let metrics = fixture.service.metrics
        let batch = BatchReview(
            check: Self.check, ledger: fixture.ledger, jobs: 1, actor: "w", bundleStore: fixture.bundles)
        _ = try ReviewWorker(
            batch: batch, name: "w", lease: 60, retry: .init(), pollInterval: 0.05, exitWhenIdle: true
        ).run(progress: { metrics.review(outcome: $0.outcome.rawValue, seconds: $0.item.seconds) })
        let text = metrics.render(queue: try fixture.ledger.queueDepth())
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("shelfguard_queue_jobs{state=\"queued\"} 0"), "\(text)")
        #expect(lines.contains("shelfguard_reviews_total{outcome=\"reviewed\"} 1"))
        #expect(lines.contains("shelfguard_review_seconds_count 1"))
        #expect(!lines.contains("shelfguard_review_seconds_sum 0.0"), "the review took time")
    }
}

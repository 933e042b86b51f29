import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Yams

@testable import ShelfGuardKit
@testable import ShelfGuardService

/// A service over a fresh store of its own: a shelf of approved versions (`MeasureTests.shelf`),
/// one version in manual review, a key for every role, and a clock fixed in 2031.
struct ServiceFixture {
    let ledger: any LedgerStore
    /// The ledger itself: both stores keep the service's keys.
    let keys: any APIKeyStore
    let secrets: [APIRole: String]
    let service: ShelfGuardService
    let clock: TestClock
    /// Where `POST /v1/reviews` keeps uploads: a fresh folder of the test's own.
    let bundles: BundleStore

    /// The instant the service's clock starts at: 2031-06-01 08:30 UTC, 16:30 in China.
    static let start = WallClock.parse("2031-06-01T08:30:00Z")!

    static func make(
        _ kind: StoreKind, apps: Int = 3, manualReview: Bool = true, limits: ServiceLimits = ServiceLimits(),
        signingKey: Bool = false
    ) throws -> ServiceFixture {
        let ledger = try MeasureTests.shelf(kind, apps)
        if manualReview {
            var scenario = ReviewScenario()
            scenario.asOf = "2027-08-01"  // the assessment is too old: manual review
            let recorded = try ledger.recordReview(
                ReviewSubmission(
                    result: try scenario.result(), bundlePath: "facefun.apk", batchID: nil, actor: "t", extractor: "x"))
            precondition(recorded.state == .manualReview)
        }
        return try make(ledger: ledger, limits: limits, signingKey: signingKey)
    }

    static func make(
        ledger: any LedgerStore, limits: ServiceLimits = ServiceLimits(), signingKey: Bool = false
    ) throws -> ServiceFixture {
        let keys: any APIKeyStore = ledger
        var secrets: [APIRole: String] = [:]
        for role in APIRole.allCases { secrets[role] = try keys.add(role) }
        let clock = TestClock(start)
        let bundles = BundleStore(
            directory: try TestFiles.directory("service-bundles").appendingPathComponent("b").path)
        let check = ReviewServiceTests.check
        let service = ShelfGuardService(
            ledger: ledger, keys: keys, features: SeedDatabase.database, complaintPolicy: try Self.policy(),
            limits: limits, now: { clock.now },
            signingKey: signingKey
                ? try AuditSigningKey.privateKey(AuditSigningKey.generate().privateFile, source: "t")
                : nil,
            reviewIntake: ReviewIntake(
                bundleStore: bundles, policySHA256: check.policy.digest, signatureSHA256: SeedDatabase.database.digest,
                taxonomy: SeedDatabase.database.taxonomy))
        return ServiceFixture(
            ledger: ledger, keys: keys, secrets: secrets, service: service, clock: clock, bundles: bundles)
    }

    /// The shipped policy's complaint rules: 15 days, 7 for illegal content and abuse.
    static func policy() throws -> ComplaintPolicy {
        try PolicyLoader.load(source: PolicySource.choose(explicit: SeedDatabase.policies.path)).complaints
    }

    /// The application as the in-process tests run it, logging only errors.
    func app() throws -> some ApplicationProtocol {
        var logger = Logger(label: "shelfguard.serve.test")
        logger.logLevel = .error
        return Application(router: try service.router(logger: logger), logger: logger)
    }

    func headers(_ role: APIRole?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let role, let secret = secrets[role] { fields[.authorization] = "Bearer \(secret)" }
        return fields
    }
}

extension APIKeyStore {
    /// A new key with this role, named after it (or `name`); returns the secret to send.
    @discardableResult
    func add(_ role: APIRole, name: String? = nil) throws -> String {
        let secret = APIKeySecret.generate()
        _ = try createAPIKey(
            name: name ?? role.rawValue, role: role, secretSHA256: APIKeySecret.sha256(secret),
            hint: APIKeySecret.hint(secret), actor: "test")
        return secret
    }
}

/// The suite's second pass runs with libfaketime's clock 15 years ahead. Under it the service's
/// tests hang, in process and against the binary alike, so they run in the first pass only. The
/// cause is libfaketime's, not ours (Debian's 0.9.10): its `timerfd_settime` takes the 15 years
/// off an absolute CLOCK_MONOTONIC deadline even with FAKETIME_DONT_FAKE_MONOTONIC=1, the kernel
/// refuses the negative time (EINVAL, seen with strace), and so no libdispatch timer on the
/// monotonic clock ever fires: `Task.sleep` on either clock and `asyncAfter(deadline:)` never
/// return, while wall-clock timers do. Every long poll, request timeout and graceful shutdown
/// (ours, Hummingbird's, the test client's) waits on such a timer. The service takes its clock
/// injected (`ServiceFixture.clock`), so its business dates are tested for other years here.
enum UnderFaketime {
    static var active: Bool { ProcessInfo.processInfo.environment["FAKETIME"] != nil }
    static let reason: Comment =
        "skipped under libfaketime: the service's tests hang there (see UnderFaketime); they run in the normal pass"
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var instant: Date
    init(_ start: Date) { instant = start }
    var now: Date { lock.withLock { instant } }
    func advance(_ seconds: Double) { lock.withLock { instant += seconds } }
}

/// A response's body as a JSON value, and its error's code.
extension TestResponse {
    var json: Any {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed])) ?? NSNull()
    }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String { (object["error"] as? [String: Any])?["message"] as? String ?? "" }
    var text: String { String(buffer: body) }
}

/// The same JSON value, whatever the key order and layout.
func sameJSON(_ a: Any, _ b: some Encodable) throws -> Bool {
    let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(b), options: [.fragmentsAllowed])
    func canonical(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }
    return try canonical(a) == canonical(encoded)
}

func body(_ object: [String: Any]) throws -> ByteBuffer {
    ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
}

@Suite("The service: health, the document, keys and roles", .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ServiceAccessTests {
    @Test("/healthz answers, /openapi.yaml is the repository's file byte for byte, unknown paths are JSON 404s")
    func healthAndDocument() async throws {
        let fixture = try ServiceFixture.make(.sqlite, apps: 1, manualReview: false)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["status"] as? String == "ok")
                #expect(response.object["reviewWorkers"] as? String == "none")
            }
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                let file = try Data(contentsOf: TestFiles.packageRoot.appendingPathComponent("openapi.yaml"))
                #expect(Data(buffer: response.body) == file)
            }
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.errorCode == "not_found")
            }
        }
    }

    @Test("review workers that stopped are not quiet: /healthz says degraded and why, /metrics workers_up 0")
    func stoppedWorkers() async throws {
        let fixture = try ServiceFixture.make(.sqlite, apps: 1, manualReview: false)
        let metrics = fixture.service.metrics
        try await fixture.app().test(.router) { client in
            metrics.reviewWorkers = .running
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.object["status"] as? String == "ok")
                #expect(response.object["reviewWorkers"] as? String == "running")
                #expect(response.object["problem"] == nil)
            }
            #expect(metrics.render(queue: [:]).contains("shelfguard_review_workers_up 1\n"))
            metrics.reviewWorkers = .stopped("the shelf database: disk I/O error")
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok, "the service itself still answers")
                #expect(response.object["status"] as? String == "degraded")
                #expect(response.object["reviewWorkers"] as? String == "stopped")
                #expect(response.object["problem"] as? String == "the shelf database: disk I/O error")
            }
            #expect(metrics.render(queue: [:]).contains("shelfguard_review_workers_up 0\n"))
        }
        #expect(!ServiceMetrics().render(queue: [:]).contains("workers_up"), "none with serve --jobs 0")
    }

    /// The document's operations that need a key, with the permission each names.
    static func documentedPermissions() throws -> [String: String] {
        let text = try String(
            contentsOf: TestFiles.packageRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var found: [String: String] = [:]
        for (_, methods) in paths {
            for (_, value) in methods {
                guard let operation = value as? [String: Any], let id = operation["operationId"] as? String else {
                    continue
                }
                let open = (operation["security"] as? [Any])?.isEmpty == true
                if let permission = operation["x-shelfguard-permission"] as? String {
                    #expect(!open, "\(id) names a permission but is open")
                    found[id] = permission
                } else {
                    #expect(open, "\(id) names no permission: it must say security: []")
                }
            }
        }
        return found
    }

    @Test("the service's access table is the document's x-shelfguard-permission, operation by operation")
    func accessTableMatchesDocument() throws {
        let documented = try Self.documentedPermissions()
        #expect(documented == OperationAccess.permissions.mapValues(\.rawValue))
    }

    /// A request for each operation that needs a key.
    static var securedRequests: [(operation: String, method: HTTPRequest.Method, uri: String, body: [String: Any]?)] {
        [
            ("getFeed", .get, "/v1/feed", nil),
            ("listShelf", .get, "/v1/shelf", nil),
            ("getApp", .get, "/v1/apps/com.example.app0", nil),
            (
                "applyMeasure", .post, "/v1/measures",
                ["action": "warn", "app": "com.example.app0", "reason": "r", "order": "O-1", "dryRun": true]
            ),
            ("decide", .post, "/v1/decisions", ["app": "com.example.nothing", "outcome": "approve", "reason": "r"]),
            ("getAuditHead", .get, "/v1/audit/head", nil),
            ("getMetrics", .get, "/metrics", nil),
            ("submitReview", .post, "/v1/reviews", nil),
            ("getReview", .get, "/v1/reviews/\(String(repeating: "0", count: 64))", nil),
            ("cancelReview", .delete, "/v1/reviews/\(String(repeating: "0", count: 64))", nil),
        ]
    }

    @Test(
        "each operation: no key or an unknown or revoked key is 401, a role without the permission 403, one with it passes",
        arguments: StoreKind.available)
    func rolesAndKeys(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        let revoked = try fixture.keys.add(.admin, name: "old-admin")
        _ = try fixture.keys.revokeAPIKey(name: "old-admin", actor: "test")
        #expect(Set(Self.securedRequests.map(\.operation)) == Set(OperationAccess.permissions.keys))
        try await fixture.app().test(.router) { client in
            for request in Self.securedRequests {
                let payload = try request.body.map(body)
                let permission = try #require(OperationAccess.permissions[request.operation])
                var bad: [(String, HTTPFields)] = [
                    ("no key", [.contentType: "application/json"]),
                    ("unknown key", [.contentType: "application/json", .authorization: "Bearer sgk_nobody"]),
                    ("revoked key", [.contentType: "application/json", .authorization: "Bearer \(revoked)"]),
                    ("not bearer", [.contentType: "application/json", .authorization: "Basic dXNlcjpwYXNz"]),
                ]
                bad.append(("empty bearer", [.contentType: "application/json", .authorization: "Bearer "]))
                for (what, headers) in bad {
                    try await client.execute(uri: request.uri, method: request.method, headers: headers, body: payload)
                    {
                        response in
                        #expect(response.status == .unauthorized, "\(request.operation), \(what)")
                        #expect(response.errorCode == "unauthorized", "\(request.operation), \(what)")
                        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    }
                }
                for role in APIRole.allCases {
                    try await client.execute(
                        uri: request.uri, method: request.method, headers: fixture.headers(role), body: payload
                    ) { response in
                        if role.allows(permission) {
                            #expect(
                                response.status != .unauthorized && response.status != .forbidden,
                                "\(request.operation) as \(role): \(response.text)")
                        } else {
                            #expect(response.status == .forbidden, "\(request.operation) as \(role)")
                            #expect(response.errorCode == "forbidden")
                            #expect(response.errorMessage.contains(permission.rawValue))
                        }
                    }
                }
            }
        }
    }
}

@Suite(
    "The service: the feed, the shelf, measures, decisions, the audit head",
    .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ServiceShelfTests {
    @Test("GET /v1/feed is the CLI feed's JSON; since, limit and more page through it", arguments: StoreKind.available)
    func feed(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind)
        let headers = fixture.headers(.storefront)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/feed", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let expected = try FeedPage.read(from: fixture.ledger, since: 0, limit: 1_000)
                #expect(expected.events.count == 3)
                let same = try sameJSON(response.json, expected)
                #expect(same)
            }
            try await client.execute(uri: "/v1/feed?since=0&limit=2", method: .get, headers: headers) { response in
                #expect(response.object["more"] as? Bool == true)
                let cursor = try #require(response.object["cursor"] as? String)
                try await client.execute(uri: "/v1/feed?since=\(cursor)&limit=2", method: .get, headers: headers) {
                    next in
                    #expect(next.object["more"] as? Bool == false)
                    #expect((next.object["events"] as? [Any])?.count == 1)
                }
            }
            for bad in ["limit=0", "limit=100001", "since=-1", "wait=-1", "limit=many", "since=x"] {
                try await client.execute(uri: "/v1/feed?\(bad)", method: .get, headers: headers) { response in
                    #expect(response.status == .badRequest, "\(bad): \(response.text)")
                    #expect(response.errorCode == "bad_request", "\(bad)")
                }
            }
        }
    }

    /// The poll may wait ten minutes: if it comes back with the takedown at all, the takedown
    /// ended it, not the clock. (Its time is not held to a second here: the test runner runs
    /// other suites' blocking work on the same two cooperative threads.)
    @Test("a long poll returns as soon as a measure lands, with the takedown", arguments: StoreKind.available)
    func longPollReturnsEarly(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(
            kind, manualReview: false, limits: ServiceLimits(maxWaitSeconds: 600, feedPollSeconds: 600))
        let cursor = try FeedPage.read(from: fixture.ledger, since: 0, limit: 1_000).cursor
        try await fixture.app().test(.router) { client in
            let started = ContinuousClock.now
            async let polled = client.execute(
                uri: "/v1/feed?since=\(cursor)&wait=600", method: .get, headers: fixture.headers(.storefront))
            try await Task.sleep(for: .milliseconds(300))
            let order: [String: Any] = [
                "action": "take_down", "app": "com.example.app1", "reason": "incident", "order": "CAC-1",
            ]
            try await client.execute(
                uri: "/v1/measures", method: .post, headers: fixture.headers(.officer), body: try body(order)
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
            }
            let response = try await polled
            let waited = ContinuousClock.now - started
            // Nor did a look at the store end it: it looks again only after 600 s.
            #expect(waited < .seconds(300), "the poll waited \(waited)")
            let events = try #require(response.object["events"] as? [[String: Any]])
            #expect(events.map { $0["action"] as? String } == ["take_down"])
            #expect(events.first?["app"] as? String == "com.example.app1")
        }
    }

    @Test("a long poll with nothing to say waits its time, and never longer than the server's maximum")
    func longPollWaitsAndIsBounded() async throws {
        let fixture = try ServiceFixture.make(
            .sqlite, apps: 1, manualReview: false, limits: ServiceLimits(maxWaitSeconds: 0.5, feedPollSeconds: 0.1))
        let cursor = try FeedPage.read(from: fixture.ledger, since: 0, limit: 1_000).cursor
        try await fixture.app().test(.router) { client in
            var started = ContinuousClock.now
            try await client.execute(
                uri: "/v1/feed?since=\(cursor)&wait=0.3", method: .get, headers: fixture.headers(.storefront)
            ) { response in
                #expect(response.status == .ok)
                #expect((response.object["events"] as? [Any])?.isEmpty == true)
                #expect(response.object["cursor"] as? String == cursor)
            }
            #expect(ContinuousClock.now - started >= .milliseconds(250))
            started = ContinuousClock.now
            try await client.execute(
                uri: "/v1/feed?since=\(cursor)&wait=600", method: .get, headers: fixture.headers(.storefront)
            ) { response in
                #expect(response.status == .ok)
            }
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(400) && waited < .seconds(300), "waited \(waited) for a 0.5 s maximum")
        }
    }

    @Test("GET /v1/shelf is shelf list's JSON, with its filters; bad filters are 400", arguments: StoreKind.available)
    func shelf(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind)
        let headers = fixture.headers(.reviewer)
        try await fixture.app().test(.router) { client in
            let all = try fixture.ledger.versions(ShelfFilter())
            try await client.execute(uri: "/v1/shelf", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let same = try sameJSON(response.json, all)
                #expect(same)
                #expect((response.json as? [Any])?.count == 4)
            }
            try await client.execute(
                uri: "/v1/shelf?state=manual_review&state=refused&platform=android", method: .get, headers: headers
            ) { response in
                #expect(response.status == .ok)
                let versions = try #require(response.json as? [[String: Any]])
                #expect(versions.map { $0["appID"] as? String } == ["com.example.facefun"])
            }
            try await client.execute(uri: "/v1/shelf?app=com.example.app2&limit=1", method: .get, headers: headers) {
                response in
                #expect((response.json as? [[String: Any]])?.map { $0["appID"] as? String } == ["com.example.app2"])
            }
            for bad in ["state=gone", "platform=symbian", "limit=0"] {
                try await client.execute(uri: "/v1/shelf?\(bad)", method: .get, headers: headers) { response in
                    #expect(response.status == .badRequest, "\(bad): \(response.text)")
                }
            }
        }
    }

    @Test("GET /v1/apps/{id} is the app's history, 404 for an app the shelf does not have")
    func app() async throws {
        let fixture = try ServiceFixture.make(.sqlite)
        let history = try #require(try fixture.ledger.history(app: "com.example.app1"))
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/apps/com.example.app1", method: .get, headers: fixture.headers(.auditor))
            { response in
                #expect(response.status == .ok)
                let same = try sameJSON(response.json, history)
                #expect(same)
            }
            try await client.execute(uri: "/v1/apps/com.example.none", method: .get, headers: fixture.headers(.auditor))
            { response in
                #expect(response.status == .notFound)
                #expect(response.errorCode == "not_found")
            }
        }
    }

    @Test(
        "POST /v1/measures is the CLI's measure: the result JSON, the key as the actor of every audit entry, 400s for bad orders",
        arguments: StoreKind.available)
    func measures(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind)
        let headers = fixture.headers(.officer)
        try await fixture.app().test(.router) { client in
            var order: [String: Any] = [
                "action": "suspend", "developer": "第二公司", "reason": "filing withdrawn", "order": "CAC-9",
                "dryRun": true,
            ]
            try await client.execute(uri: "/v1/measures", method: .post, headers: headers, body: try body(order)) {
                response in
                #expect(response.status == .ok, "\(response.text)")
                let expected = try EmergencyMeasures.apply(
                    MeasureOrder(
                        measure: .suspend, selector: MeasureSelector(developer: "第二公司"), reason: "filing withdrawn",
                        order: "CAC-9", actor: "api:officer (officer)"), dryRun: true, on: fixture.ledger)
                let same = try sameJSON(response.json, expected)
                #expect(same)
                #expect(expected.changes.count == 1)
            }
            order["dryRun"] = false
            let head = try fixture.ledger.auditHead()?.seq ?? 0
            try await client.execute(uri: "/v1/measures", method: .post, headers: headers, body: try body(order)) {
                response in
                #expect(response.status == .ok)
                #expect((response.object["changes"] as? [Any])?.count == 1)
            }
            let entries = try fixture.ledger.auditEntries(after: head, limit: 10)
            #expect(entries.count == 1)
            #expect(entries.allSatisfy { $0.actor == "api:officer (officer)" })
            try await client.execute(
                uri: "/v1/measures", method: .post, headers: headers,
                body: try body(["action": "take_down", "app": "com.example.nothing", "reason": "r", "order": "O"])
            ) { response in
                #expect(response.status == .ok)
                #expect((response.object["warning"] as? String)?.contains("matches no version") == true)
            }
            let bad: [(String, [String: Any])] = [
                ("no selector", ["action": "take_down", "reason": "r", "order": "O"]),
                ("no order", ["action": "take_down", "app": "com.example.app0", "reason": "r"]),
                ("empty reason", ["action": "warn", "app": "com.example.app0", "reason": " ", "order": "O"]),
                ("unknown feature", ["action": "warn", "feature": "face_swpa", "reason": "r", "order": "O"]),
                ("unknown action", ["action": "delete", "app": "com.example.app0", "reason": "r", "order": "O"]),
                ("version without app", ["action": "warn", "version": "1.0", "reason": "r", "order": "O"]),
            ]
            for (what, payload) in bad {
                try await client.execute(uri: "/v1/measures", method: .post, headers: headers, body: try body(payload))
                {
                    response in
                    #expect(response.status == .badRequest, "\(what): \(response.text)")
                    #expect(response.errorCode == "bad_request", "\(what)")
                }
            }
            try await client.execute(
                uri: "/v1/measures", method: .post, headers: headers, body: ByteBuffer(string: "{not json")
            ) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/v1/measures", method: .post, headers: headers,
                body: try body(["action": "warn", "feature": "face_swpa", "reason": "r", "order": "O"])
            ) { response in
                #expect(response.errorMessage.contains("face_swap"), "names the nearest: \(response.errorMessage)")
            }
            // Reinstating needs no order reference.
            try await client.execute(
                uri: "/v1/measures", method: .post, headers: headers,
                body: try body(["action": "reinstate", "developer": "第二公司", "reason": "filing restored"])
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
                #expect((response.object["changes"] as? [Any])?.count == 1)
            }
        }
    }

    @Test(
        "POST /v1/decisions records a reviewer's decision with the key as the reviewer; 404 and 400 otherwise",
        arguments: StoreKind.available)
    func decisions(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind)
        let headers = fixture.headers(.reviewer)
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/decisions", method: .post, headers: headers,
                body: try body(["app": "com.example.facefun", "outcome": "approve", "reason": "renewal filed"])
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.object["from"] as? String == "manual_review")
                #expect(response.object["to"] as? String == "approved")
                #expect(response.object["actor"] as? String == "api:reviewer (reviewer)")
            }
            let history = try #require(try fixture.ledger.history(app: "com.example.facefun"))
            #expect(history.versions[0].decisions.map(\.reviewer) == ["api:reviewer (reviewer)"])
            try await client.execute(
                uri: "/v1/decisions", method: .post, headers: headers,
                body: try body(["app": "com.example.facefun", "outcome": "refuse", "reason": "again"])
            ) { response in
                #expect(response.status == .notFound, "no version left in manual review")
            }
            for payload: [String: Any] in [
                ["app": "com.example.facefun", "outcome": "maybe", "reason": "r"],
                ["app": "com.example.facefun", "outcome": "approve", "reason": ""],
                ["app": "com.example.facefun", "outcome": "approve"],
            ] {
                try await client.execute(uri: "/v1/decisions", method: .post, headers: headers, body: try body(payload))
                { response in
                    #expect(response.status == .badRequest, "\(payload): \(response.text)")
                }
            }
        }
    }

    @Test("GET /v1/audit/head is the checkpoint of the verified log, signed with the server's key")
    func auditHead() async throws {
        let fixture = try ServiceFixture.make(.sqlite, apps: 2, manualReview: false, signingKey: true)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/audit/head", method: .get, headers: fixture.headers(.auditor)) {
                response in
                #expect(response.status == .ok, "\(response.text)")
                let head = try #require(try fixture.ledger.auditHead())
                let checkpoint = try JSONDecoder().decode(AuditCheckpoint.self, from: Data(buffer: response.body))
                #expect(checkpoint.seq == head.seq && checkpoint.hash == head.hash)
                #expect(checkpoint.takenAt == AuditEntry.timestamp(ServiceFixture.start))
                #expect(checkpoint.signature != nil && checkpoint.signatureValid(trusted: nil) == true)
            }
        }
        // An empty log cannot be asked for over HTTP: creating the auditor's key writes its first entry.
    }
}

@Suite("The service: public complaints and their limits", .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ServiceComplaintTests {
    @Test(
        "POST /v1/complaints takes a complaint without a key: 201 with its id and due day",
        arguments: StoreKind.available)
    func complaint(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: [.contentType: "application/json"],
                body: try body(["app": "com.example.app0", "text": "把我的脸换到了别人的视频里"])
            ) { response in
                #expect(response.status == .created, "\(response.text)")
                // Received 2031-06-01 in China (16:30), the general handling time of 15 days.
                #expect(response.object["receivedOn"] as? String == "2031-06-01")
                #expect(response.object["dueOn"] as? String == "2031-06-16")
                #expect(response.object["handlingDays"] as? Int == 15)
                #expect(response.object["category"] as? String == "general")
                let id = try #require(response.object["id"] as? Int)
                let kept = try fixture.ledger.complaints(app: "com.example.app0", openOnly: true, limit: 10)
                #expect(kept.map(\.id) == [Int64(id)])
            }
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string: "app=com.example.app0&category=deep_synthesis_abuse&text=%E6%8D%A2%E8%84%B8&contact=138")
            ) { response in
                #expect(response.status == .created, "\(response.text)")
                #expect(response.object["dueOn"] as? String == "2031-06-08")
                #expect(response.object["handlingDays"] as? Int == 7)
            }
            for (what, payload) in [
                ("empty text", ["app": "com.example.app0", "text": "  "]),
                ("no app", ["app": "", "text": "t"]),
                ("unknown category", ["app": "com.example.app0", "text": "t", "category": "spam"]),
                ("text too long", ["app": "com.example.app0", "text": String(repeating: "长", count: 20_001)]),
            ] {
                try await client.execute(
                    uri: "/v1/complaints", method: .post, headers: [.contentType: "application/json"],
                    body: try body(payload)
                ) { response in
                    #expect(response.status == .badRequest, "\(what): \(response.text)")
                }
            }
        }
    }

    @Test("a complaint body past --max-body is 413, on every endpoint, before it is read")
    func bodyLimit() async throws {
        let fixture = try ServiceFixture.make(
            .sqlite, apps: 1, manualReview: false, limits: ServiceLimits(maxBodyBytes: 2048))
        try await fixture.app().test(.router) { client in
            let large = try body(["app": "com.example.app0", "text": String(repeating: "x", count: 3000)])
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: [.contentType: "application/json"], body: large
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.errorCode == "too_large")
            }
            try await client.execute(
                uri: "/v1/measures", method: .post, headers: fixture.headers(.officer), body: large
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
            let fits = try body(["app": "com.example.app0", "text": String(repeating: "x", count: 1500)])
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: [.contentType: "application/json"], body: fits
            ) { response in
                #expect(response.status == .created)
            }
        }
        #expect(try fixture.ledger.complaints(app: nil, openOnly: false, limit: 10).count == 1)
    }

    @Test("complaints are rate-limited per client address (--complaint-rate): 429 with Retry-After, then taken again")
    func rateLimit() async throws {
        let fixture = try ServiceFixture.make(
            .sqlite, apps: 1, manualReview: false, limits: ServiceLimits(complaintsPerMinute: 2))
        let complaint = try body(["app": "com.example.app0", "text": "t"])
        try await fixture.app().test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/v1/complaints", method: .post, headers: [.contentType: "application/json"], body: complaint
                ) { response in #expect(response.status == .created) }
            }
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: [.contentType: "application/json"], body: complaint
            ) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.errorCode == "too_many_requests")
                #expect(response.headers[.retryAfter] == "30")
            }
            fixture.clock.advance(30)
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: [.contentType: "application/json"], body: complaint
            ) { response in #expect(response.status == .created) }
        }
        #expect(try fixture.ledger.complaints(app: nil, openOnly: false, limit: 10).count == 3)
    }

    @Test(
        "GET /complaints: a page for phones, in Chinese and English, with the handling times and a form posting to the API"
    )
    func page() async throws {
        let fixture = try ServiceFixture.make(.sqlite, apps: 1, manualReview: false)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/complaints", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let page = response.text
                #expect(page.contains("<meta name=\"viewport\" content=\"width=device-width"))
                #expect(page.contains("<form id=\"complaint\" method=\"post\" action=\"/v1/complaints\">"))
                #expect(page.contains("投诉举报") && page.contains("Complaints and reports"))
                #expect(page.contains("<strong>15 天 / days</strong>"))
                #expect(
                    page.contains("<code>deep_synthesis_abuse</code>") && page.contains("<strong>7 天 / days</strong>"))
                for field in ["app", "category", "text", "contact"] { #expect(page.contains("name=\"\(field)\"")) }
            }
        }
    }
}

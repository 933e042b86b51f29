import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardService

@Suite(
    "The service: status codes of a wrong method and of a decision that lost a race",
    .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ServiceStatusTests {
    @Test("a path of the document asked with a method it does not take is 405 with Allow and a JSON error")
    func wrongMethod() async throws {
        let fixture = try ServiceFixture.make(.sqlite, apps: 1, manualReview: false)
        try await fixture.app().test(.router) { client in
            for (method, uri, allow) in [
                (HTTPRequest.Method.post, "/healthz", "GET"),
                (.delete, "/v1/feed?since=0", "GET"),
                (.get, "/v1/measures", "POST"),
                (.put, "/v1/apps/com.example.app0", "GET"),
                (.get, "/v1/complaints", "POST"),
                (.post, "/complaints", "GET"),
            ] {
                try await client.execute(uri: uri, method: method, headers: fixture.headers(.admin)) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri): \(response.text)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                    #expect(response.errorCode == "method_not_allowed", "\(method) \(uri)")
                    #expect(response.errorMessage.contains(allow), "\(response.errorMessage)")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                }
            }
            // Paths the document does not have stay 404, whatever the method; so does a known
            // method on a path one segment too long.
            for (method, uri) in [
                (HTTPRequest.Method.post, "/v1/nothing"), (.get, "/v1/apps"), (.get, "/v1/apps/a/b"),
                (.delete, "/"),
            ] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .notFound, "\(method) \(uri): \(response.text)")
                    #expect(response.errorCode == "not_found")
                    #expect(response.headers[.allow] == nil)
                }
            }
        }
    }

    @Test("the table of allowed methods matches templates segment by segment")
    func allowedMethodsTable() {
        var table = AllowedMethods()
        table.add(.get, path: "/v1/apps/{id}")
        table.add(.get, path: "/v1/reviews/{id}")
        table.add(.delete, path: "/v1/reviews/{id}")
        table.add(.get, path: "/v1/reviews/{id}")
        table.add(.post, path: "/v1/reviews")
        #expect(table.allowed(path: "/v1/reviews/42") == ["GET", "DELETE"])
        #expect(table.allowed(path: "/v1/reviews") == ["POST"])
        #expect(table.allowed(path: "/v1/apps/com.example.x") == ["GET"])
        #expect(table.allowed(path: "/v1/apps") == nil)
        #expect(table.allowed(path: "/v1/apps/a/b") == nil)
        #expect(table.allowed(path: "/v2/apps/a") == nil)
    }

    @Test(
        "approving a version while a sibling is held down is 409, not 500: the store's refusal is a conflict",
        arguments: StoreKind.available)
    func decisionConflict(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1, manualReview: false)
        _ = try fixture.ledger.apply(
            MeasureTests.order(.takeDown, MeasureSelector(app: "com.example.app0")), dryRun: false)
        var scenario = ReviewScenario()
        scenario.inspection.bundle.sha256 = MeasureTests.sha(99)
        scenario.inspection.manifest?.appId = "com.example.app0"
        scenario.declaration.app.id = "com.example.app0"
        let newer = try fixture.ledger.recordReview(
            ReviewSubmission(result: try scenario.result(), bundlePath: "b", batchID: nil, actor: "t", extractor: "x"))
        #expect(newer.state == .manualReview)
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/decisions", method: .post, headers: fixture.headers(.reviewer),
                body: try body(["app": "com.example.app0", "outcome": "approve", "reason": "looks fine"])
            ) { response in
                #expect(response.status == .conflict, "\(response.text)")
                #expect(response.errorCode == "conflict")
                #expect(response.errorMessage.contains("taken_down"), "\(response.errorMessage)")
            }
        }
    }

    @Test(
        "reviewers deciding the same version at once: one decision is recorded, the others are 404 or 409, never 500",
        arguments: StoreKind.available)
    func decisionRace(_ kind: StoreKind) async throws {
        let fixture = try ServiceFixture.make(kind, apps: 1)
        let headers = fixture.headers(.reviewer)
        try await fixture.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        try await client.execute(
                            uri: "/v1/decisions", method: .post, headers: headers,
                            body: try body([
                                "app": "com.example.facefun", "outcome": i % 2 == 0 ? "approve" : "refuse",
                                "reason": "reviewer \(i)",
                            ])
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.allSatisfy { [.ok, .notFound, .conflict].contains($0) }, "\(statuses)")
        }
        let history = try #require(try fixture.ledger.history(app: "com.example.facefun"))
        #expect(history.versions.flatMap(\.decisions).count == 1)
    }
}

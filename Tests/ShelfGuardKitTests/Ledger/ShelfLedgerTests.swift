import Foundation
import Testing

@testable import ShelfGuardKit

/// The shelf in the ledger: recording reviews, the states they lead to, decisions, history.
@Suite("Shelf ledger: reviews, states, decisions")
struct ShelfLedgerTests {
    static func ledger(_ kind: StoreKind) throws -> any LedgerStore { try TestStores.make(kind, "shelf") }

    static func submit(
        _ ledger: any LedgerStore, _ result: CheckResult, path: String = "in/facefun.apk"
    ) throws
        -> RecordedReview
    {
        try ledger.recordReview(
            ReviewSubmission(result: result, bundlePath: path, batchID: nil, actor: "tester", extractor: "test"))
    }

    @Test(
        "a review records app, version, inventory, submission, review, findings, state and one audit entry",
        arguments: StoreKind.available)
    func record(_ kind: StoreKind) throws {
        let ledger = try Self.ledger(kind)
        var scenario = ReviewScenario()
        scenario.declaration.app.name = "FaceFun Pro"  // a warning: approved, with the finding kept
        let recorded = try Self.submit(ledger, try scenario.result())
        #expect(!recorded.alreadyRecorded)
        #expect(recorded.from == nil && recorded.state == .approved && recorded.verdict == .warn)
        #expect(recorded.appID == "com.example.facefun")
        for (table, n) in [
            ("app", 1), ("version", 1), ("inventory", 1), ("submission", 1), ("review", 1), ("finding", 1),
            ("state_change", 1), ("audit_log", 1), ("version_filing", 1), ("version_feature", 1),
        ] {
            #expect(try TestStores.count(ledger, table) == n, "\(table)")
        }
        let audit = try #require(try ledger.auditEntries(after: 0, limit: 5).first)
        #expect(audit.action == "review" && audit.reason.contains("submitted → approved"))
        let history = try #require(try ledger.history(app: "com.example.facefun"))
        #expect(history.developer == ReviewScenario.developer)
        #expect(history.versions.first?.reviews.first?.findings.map(\.rule) == ["filing_product_unlisted"])
        #expect(history.versions.first?.changes.map(\.to) == [.approved])
    }

    @Test(
        "the same review is recorded once; a new declaration is a new review that can move the state",
        arguments: StoreKind.available)
    func idempotent(_ kind: StoreKind) throws {
        let ledger = try Self.ledger(kind)
        var scenario = ReviewScenario()
        scenario.declaration.developer.uscc = "91440300MA5G0FFN03"
        let refused = try Self.submit(ledger, try scenario.result(declarationFileSHA256: "first"))
        #expect(refused.state == .refused)
        let again = try Self.submit(ledger, try scenario.result(declarationFileSHA256: "first"))
        #expect(again.alreadyRecorded && again.reviewID == refused.reviewID)
        #expect(try TestStores.count(ledger, "review") == 1)
        #expect(try TestStores.count(ledger, "audit_log") == 1)

        scenario.declaration.developer.uscc = ReviewScenario.uscc
        let fixed = try Self.submit(ledger, try scenario.result(declarationFileSHA256: "second"))
        #expect(fixed.from == .refused && fixed.state == .approved)
        #expect(try TestStores.count(ledger, "version") == 1)
        #expect(try TestStores.count(ledger, "submission") == 2)
        #expect(try ledger.verifyAudit().intact)
    }

    @Test("a listed or held-down version keeps its state when reviewed again", arguments: StoreKind.available)
    func heldDown(_ kind: StoreKind) throws {
        let ledger = try Self.ledger(kind)
        let scenario = ReviewScenario()
        let first = try Self.submit(ledger, try scenario.result(declarationFileSHA256: "a"))
        try TestStores.tamper(
            ledger, "UPDATE shelf_state SET state = 'taken_down' WHERE version_id = \(first.versionID)")
        let again = try Self.submit(ledger, try scenario.result(declarationFileSHA256: "b"))
        #expect(again.state == .takenDown)
        #expect(again.note?.contains("only reinstate") == true)
    }

    @Test(
        "a reviewer decides a manual-review case once; a second decision, or one on another state, is a conflict",
        arguments: StoreKind.available)
    func decide(_ kind: StoreKind) throws {
        let ledger = try Self.ledger(kind)
        var scenario = ReviewScenario()
        scenario.asOf = "2027-08-01"  // the assessment is too old: manual review
        let recorded = try Self.submit(ledger, try scenario.result())
        #expect(recorded.state == .manualReview)
        let change = try ledger.decide(
            versionID: recorded.versionID, outcome: .approve, reviewer: "审核员 张三", reason: "renewal filed")
        #expect(change.from == .manualReview && change.to == .approved && change.cause == .decision)
        // A second decision (one that lost the race to the first) is a conflict, 409 from the service.
        let again = #expect(throws: UseCaseError.self) {
            try ledger.decide(versionID: recorded.versionID, outcome: .refuse, reviewer: "x", reason: "y")
        }
        #expect(again?.kind == .conflict && again?.message.contains("approved, not in manual review") == true)
        #expect(throws: LedgerError.self) {
            try ledger.decide(versionID: 999, outcome: .refuse, reviewer: "x", reason: "y")
        }
        let history = try #require(try ledger.history(app: "com.example.facefun"))
        #expect(history.versions[0].decisions.map(\.reviewer) == ["审核员 张三"])
        #expect(history.versions[0].changes.map(\.to) == [.manualReview, .approved])
        #expect(try ledger.auditEntries(after: 0, limit: 10).map(\.action) == ["review", "decision"])
    }

    @Test("shelf list filters by state, platform and developer", arguments: StoreKind.available)
    func list(_ kind: StoreKind) throws {
        let ledger = try Self.ledger(kind)
        var scenario = ReviewScenario()
        _ = try Self.submit(ledger, try scenario.result())
        scenario.inspection.bundle.sha256 = String(repeating: "1f", count: 32)
        scenario.inspection.manifest?.appId = "com.example.other"
        scenario.declaration.app.id = "com.example.other"
        scenario.declaration.developer.name = "别的公司"
        scenario.declaration.developer.uscc = "91110108MA01KP2T5U"
        _ = try Self.submit(ledger, try scenario.result())
        #expect(try ledger.versions(ShelfFilter()).count == 2)
        #expect(try ledger.versions(ShelfFilter(states: [.approved])).count == 1)
        #expect(try ledger.versions(ShelfFilter(states: [.refused])).map(\.appID) == ["com.example.other"])
        #expect(try ledger.versions(ShelfFilter(developer: "别的公司")).count == 1)
        #expect(try ledger.versions(ShelfFilter(developer: "91110108ma01kp2t5u")).count == 1)
        #expect(try ledger.versions(ShelfFilter(platform: "ios")).isEmpty)
        #expect(try ledger.versions(ShelfFilter(limit: 1)).count == 1)
    }

    @Test("the transitions the product contract allows, and no others")
    func transitions() {
        #expect(ShelfState.submitted.allows(.approved, by: .review))
        #expect(ShelfState.manualReview.allows(.refused, by: .decision))
        #expect(!ShelfState.approved.allows(.refused, by: .decision))
        #expect(ShelfState.approved.allows(.warned, by: .measure))
        #expect(ShelfState.warned.allows(.suspended, by: .measure))
        #expect(ShelfState.suspended.allows(.takenDown, by: .measure))
        #expect(!ShelfState.takenDown.allows(.approved, by: .review))
        #expect(!ShelfState.takenDown.allows(.approved, by: .decision))
        #expect(ShelfState.takenDown.allows(.approved, by: .reinstate))
        #expect(!ShelfState.refused.allows(.approved, by: .reinstate))
        #expect(!ShelfState.approved.allows(.approved, by: .review))
        #expect(ShelfState.after(.warn) == .approved && ShelfState.after(.manualReview) == .manualReview)
    }
}

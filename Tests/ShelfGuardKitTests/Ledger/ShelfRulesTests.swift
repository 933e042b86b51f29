import Testing

@testable import ShelfGuardKit

/// The shelf's rules for reviews and decisions, without a database: every state against every
/// verdict, with and without another version of the app held down.
@Suite("Shelf rules: reviews and decisions as pure functions")
struct ShelfRulesTests {
    static let verdicts: [VerdictOutcome] = [.approve, .warn, .manualReview, .refuse]

    @Test("a review moves only versions not yet listed, to its verdict's state", arguments: ShelfState.allCases)
    func review(current: ShelfState) {
        for verdict in Self.verdicts {
            let move = ShelfRules.review(app: "a", current: current, verdict: verdict, heldSibling: nil)
            let target = ShelfState.after(verdict)
            if [.submitted, .refused, .manualReview].contains(current) {
                #expect(move.next == target, "\(current) + \(verdict)")
                #expect(move.note == nil)
            } else {
                // Listed versions are daily management's; held-down ones only reinstate lifts. A
                // verdict that would leave the version where it is says nothing.
                #expect(move.next == current, "\(current) + \(verdict)")
                if target == current {
                    #expect(move.note == nil)
                } else {
                    #expect(
                        move.note?.contains(current.heldDown ? "only reinstate" : "daily management") == true,
                        "\(current) + \(verdict): \(move.note ?? "no note")")
                }
            }
        }
    }

    @Test("while another version is held down, a passing review waits in manual review")
    func heldSibling() {
        for held in [ShelfState.suspended, .takenDown] {
            let move = ShelfRules.review(app: "a", current: .submitted, verdict: .approve, heldSibling: held)
            #expect(move.next == .manualReview)
            #expect(move.note?.contains("another version of a is \(held.rawValue)") == true)
            // A refusal is a refusal whatever the other versions are.
            #expect(
                ShelfRules.review(app: "a", current: .submitted, verdict: .refuse, heldSibling: held).next == .refused)
            // A listed version reviewed again stays listed, and says why, not that it waits.
            let listed = ShelfRules.review(app: "a", current: .approved, verdict: .approve, heldSibling: held)
            #expect(listed.next == .approved && listed.note?.contains("daily management") == true)
        }
        // A sibling that is merely warned holds nothing down.
        #expect(
            ShelfRules.review(app: "a", current: .submitted, verdict: .approve, heldSibling: .warned).next == .approved)
    }

    @Test("a decision moves only a version in manual review; listing waits for a held sibling")
    func decision() throws {
        for current in ShelfState.allCases {
            let approve = ShelfRules.decision(
                app: "a", versionName: "1", current: current, outcome: .approve, heldSibling: nil)
            if current == .manualReview {
                #expect(try approve.get() == .approved)
            } else {
                #expect(throws: UseCaseError.self) { try approve.get() }
                #expect(Self.kind(approve) == .conflict, "a version moved meanwhile is a conflict (409)")
            }
        }
        let blocked = ShelfRules.decision(
            app: "a", versionName: "1", current: .manualReview, outcome: .approve, heldSibling: .takenDown)
        #expect(throws: UseCaseError.self) { try blocked.get() }
        #expect(Self.kind(blocked) == .conflict)
        let refused = ShelfRules.decision(
            app: "a", versionName: "1", current: .manualReview, outcome: .refuse, heldSibling: .takenDown)
        #expect(try refused.get() == .refused)
    }

    static func kind(_ result: Result<ShelfState, UseCaseError>) -> UseCaseError.Kind? {
        if case .failure(let error) = result { return error.kind }
        return nil
    }
}

/// The shelf's rules for reviews and reviewers' decisions, as pure functions over plain values:
/// every store calls them inside its transaction with the states it read, so that the rules
/// live in one place and are tested without a database.
public enum ShelfRules {
    /// What a review does to a version: the state it moves to (its current one when it may not
    /// move) and, when the verdict's state is not where the version goes, why.
    public struct ReviewMove: Sendable, Equatable {
        public var next: ShelfState
        public var note: String?
    }

    /// A review's move. `heldSibling` is the state of another version of the same app held down
    /// by an emergency measure (suspended or taken down), if any: while it is, no version of the
    /// app is listed by a review; a reviewer looks at this one instead.
    public static func review(
        app: String, current: ShelfState, verdict: VerdictOutcome, heldSibling: ShelfState?
    ) -> ReviewMove {
        var target = ShelfState.after(verdict)
        var heldNote: String?
        if target == .approved, let held = heldSibling, held.heldDown {
            target = .manualReview
            heldNote =
                "another version of \(app) is \(held.rawValue): this one waits in manual review until that is reinstated"
        }
        if current.allows(target, by: .review) || current == target {
            return ReviewMove(next: current.allows(target, by: .review) ? target : current, note: heldNote)
        }
        return ReviewMove(
            next: current,
            note: current.heldDown
                ? "the version is \(current.rawValue): only reinstate lifts that; the review is recorded"
                : "the version is \(current.rawValue): daily management acts on listed versions; the review is recorded"
        )
    }

    /// The state a reviewer's decision moves a version to, or why it cannot: only a version in
    /// manual review is decided, and none is listed while another version of its app is held
    /// down. Both refusals are conflicts with the shelf's present state (409 from the service):
    /// the reviewer chose the version while it was in manual review, and another decision or a
    /// measure moved it, or its sibling, meanwhile.
    public static func decision(
        app: String, versionName: String, current: ShelfState, outcome: ReviewerDecision.Outcome,
        heldSibling: ShelfState?
    ) -> Result<ShelfState, UseCaseError> {
        let target: ShelfState = outcome == .approve ? .approved : .refused
        if target == .approved, let held = heldSibling, held.heldDown {
            return .failure(
                UseCaseError(
                    .conflict,
                    "another version of \(app) is \(held.rawValue): reinstate it (or take this one's order into account) before listing this one"
                ))
        }
        guard current.allows(target, by: .decision) else {
            return .failure(
                UseCaseError(
                    .conflict,
                    "\(app) version \(versionName) is \(current.rawValue), not in manual review: there is nothing to decide"
                ))
        }
        return .success(target)
    }
}

/// Where an app version stands (product contract, "Shelf states"):
/// `submitted → approved (on shelf) | refused | manual_review`; `manual_review → approved |
/// refused` by a reviewer's decision; on the shelf `approved → warned → suspended → taken_down`
/// (警示, 暂停服务, 下架); `suspended | taken_down → approved` only by `reinstate`.
public enum ShelfState: String, Sendable, Codable, CaseIterable, Comparable {
    case submitted
    case approved
    case warned
    case suspended
    case takenDown = "taken_down"
    case refused
    case manualReview = "manual_review"

    /// Listed in the store (a warned app is still listed).
    public var onShelf: Bool { self == .approved || self == .warned }

    /// Held down by an emergency measure: only `reinstate` lifts it.
    public var heldDown: Bool { self == .suspended || self == .takenDown }

    /// The state a review's verdict puts a version in: a warning verdict is listed with its
    /// warnings recorded.
    public static func after(_ verdict: VerdictOutcome) -> ShelfState {
        switch verdict {
        case .approve, .warn: .approved
        case .manualReview: .manualReview
        case .refuse: .refused
        }
    }

    /// What moves a version from one state to another.
    public enum Cause: String, Sendable, Codable {
        /// A shelf review (`review`), or a re-review of a version not yet listed.
        case review
        /// A reviewer's decision on a manual-review case.
        case decision
        /// Daily management acting on changed evidence.
        case daily
        /// An emergency measure: warn, suspend, take down.
        case measure
        /// Lifting a suspension or takedown.
        case reinstate
    }

    /// Whether `cause` may move a version from this state to `next`.
    public func allows(_ next: ShelfState, by cause: Cause) -> Bool {
        guard next != self else { return false }
        switch cause {
        case .review:
            return [.submitted, .refused, .manualReview].contains(self)
                && [.approved, .refused, .manualReview].contains(next)
        case .decision:
            return self == .manualReview && (next == .approved || next == .refused)
        case .daily, .measure:
            return Measure.allCases.contains { $0 != .reinstate && $0.target == next && takes($0) }
        case .reinstate:
            return next == .approved && takes(.reinstate)
        }
    }

    /// Severity order for summaries: listed first, then held, then not listed.
    private var rank: Int {
        switch self {
        case .approved: 0
        case .warned: 1
        case .manualReview: 2
        case .submitted: 3
        case .suspended: 4
        case .takenDown: 5
        case .refused: 6
        }
    }

    public static func < (lhs: ShelfState, rhs: ShelfState) -> Bool { lhs.rank < rhs.rank }
}

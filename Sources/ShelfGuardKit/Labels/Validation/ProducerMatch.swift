/// Whether a label's producer is the declared developer or one of its declared suppliers.
public struct ProducerMatch: Sendable, Codable, Equatable {
    /// The answer, as a snake_case id.
    public enum Outcome: String, Sendable, Codable {
        /// The producer is the developer.
        case developer
        /// The producer is a declared supplier.
        case supplier
        /// The producer is neither: evidence worth a finding.
        case mismatch
        /// It cannot be told: no producer, or nothing declared to compare it with.
        case unknown
    }

    /// The answer.
    public var outcome: Outcome
    /// The party matched, as declared (its name, or its USCC when it has no name).
    public var party: String?
    /// How the answer was reached, in plain words.
    public var detail: String

    /// A judged match.
    public init(outcome: Outcome, party: String? = nil, detail: String) {
        self.outcome = outcome
        self.party = party
        self.detail = detail
    }

    /// True for `developer` and `supplier`.
    public var matches: Bool { outcome == .developer || outcome == .supplier }
}

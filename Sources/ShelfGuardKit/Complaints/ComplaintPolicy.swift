/// How a store handles public complaints (DSP Art. 12), as its review policy publishes it under
/// `complaints:`: the handling time, the threshold that opens a reviewer's task, how anonymous
/// complainants are counted, and what each category of complaint may do to an app.
public struct ComplaintPolicy: Sendable, Codable, Equatable {
    /// How anonymous complaints (no contact) count toward the threshold.
    public enum AnonymousCounting: String, Sendable, Codable, CaseIterable {
        /// All anonymous complaints about an app together count as one complainant.
        case together
        /// Each anonymous complaint counts as a complainant of its own (identical texts still once).
        case each
    }

    /// One category of complaint.
    public struct Category: Sendable, Codable, Equatable {
        /// snake_case, given with `complaint add --category`.
        public var id: String
        public var description: String
        /// What reaching the threshold with complaints of this category alone does to the app's
        /// versions on the shelf: `none` (a reviewer's task and an alert only), or a measure.
        public var measure: Measure
        /// Overrides the policy's handling time for this category, in days.
        public var handlingDays: Int?
        public var definedAt: String

        public init(
            id: String, description: String, measure: Measure = .none, handlingDays: Int? = nil,
            definedAt: String = ""
        ) {
            self.id = id
            self.description = description
            self.measure = measure
            self.handlingDays = handlingDays
            self.definedAt = definedAt
        }
    }

    /// The published handling time: days from receipt to an answer.
    public var handlingDays: Int = 15
    /// Distinct complainants about an app on the shelf that open a reviewer's task and an alert.
    public var threshold: Int = 3
    public var anonymous: AnonymousCounting = .together
    public var categories: [Category] = [
        Category(id: "general", description: "Any other complaint or report.")
    ]
    /// The category of a complaint given without one (and of complaints from before categories).
    public var defaultCategory: String = "general"

    public init() {}

    /// The category with this id; unknown or empty ids are the default category.
    public func category(_ id: String) -> Category {
        categories.first { $0.id == id } ?? categories.first { $0.id == defaultCategory }
            ?? Category(id: defaultCategory, description: "")
    }

    /// Whether `id` names a category of this policy.
    public func knows(_ id: String) -> Bool { categories.contains { $0.id == id } }

    /// The handling time of a category, in days.
    public func handlingDays(for category: String) -> Int {
        self.category(category).handlingDays ?? handlingDays
    }

    /// The measures a category may take: none, or what daily management can apply.
    public static let measures: [Measure] = [.none, .warn, .manualReview, .suspend, .takeDown]
}

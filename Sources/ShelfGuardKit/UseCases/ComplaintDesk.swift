import Foundation

/// The public complaint channel (DSP Art. 12) as both front doors take a complaint:
/// `shelfguard complaint add` and `POST /v1/complaints`. The checks, the category, the due day
/// and the answer are worked out here once.
public enum ComplaintDesk {
    /// The longest complaint text taken, in characters.
    public static let maxTextLength = 20_000

    /// What is wrong with a complaint's words before anything is opened, fields named as
    /// `naming` says.
    public static func check(app: String, text: String, naming: FieldNaming) throws(UseCaseError) {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw UseCaseError(.invalid, "\(naming.name("text")) is empty")
        }
        guard text.count <= maxTextLength else {
            throw UseCaseError(.invalid, "\(naming.name("text")) is longer than 20,000 characters")
        }
        guard !app.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw UseCaseError(.invalid, "\(naming.name("app")) is empty")
        }
    }

    /// The complaint as the ledger keeps it: its category (the policy's default when none is
    /// given; an unknown one is refused) and its due day, the day it was received plus the
    /// published handling time of its category.
    public static func intake(
        app: String, text: String, contact: String, category: String?, receivedOn: String, policy: ComplaintPolicy
    ) throws(UseCaseError) -> ComplaintIntake {
        let category = category ?? policy.defaultCategory
        guard policy.knows(category) else {
            let ids = policy.categories.map(\.id).joined(separator: ", ")
            throw UseCaseError(.invalid, "unknown complaint category '\(category)'; the policy's categories are \(ids)")
        }
        guard let due = ComplaintRules.dueOn(receivedOn: receivedOn, category: category, policy: policy) else {
            throw UseCaseError(.invalid, "cannot count a due day from \(receivedOn)")
        }
        return ComplaintIntake(
            app: app, text: text, contact: contact, category: category, receivedOn: receivedOn, dueOn: due)
    }

    /// What the answer says about a complaint just kept.
    public struct Receipt: Sendable, Codable, Equatable {
        public var complaint: Complaint
        /// counted, duplicate, app_not_on_shelf.
        public var standing: String
        public var duplicateOf: Int64?
        public var appKnown: Bool
    }

    /// Keeps the complaint (with its audit entry) and says where it stands: counted, the same
    /// text from the same source as an open one, or about an app not on the shelf.
    public static func receive(
        _ intake: ComplaintIntake, actor: String, policy: ComplaintPolicy, on ledger: any LedgerStore
    ) throws -> Receipt {
        let complaint = try ledger.addComplaint(intake, actor: actor)
        let open = try ledger.complaints(app: intake.app, openOnly: true, limit: Int.max)
        let assessment = ComplaintRules.assess(
            open, appsOnShelf: try ledger.appsOnShelf(among: [intake.app]), policy: policy)
        var standing = "counted"
        var duplicateOf: Int64?
        switch assessment.standing[complaint.id] {
        case .duplicate(let first):
            standing = "duplicate"
            duplicateOf = first
        case .appNotOnShelf: standing = "app_not_on_shelf"
        default: break
        }
        return Receipt(
            complaint: complaint, standing: standing, duplicateOf: duplicateOf,
            appKnown: try ledger.appKnown(intake.app))
    }
}

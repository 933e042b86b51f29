import Foundation

/// The complaint rules as pure functions over plain values: which complaints count, how many
/// distinct people complained, whether the threshold is reached, what a category does, when an
/// answer is due. The ledger only fetches the values and stores what these decide.
public enum ComplaintRules {
    /// Where a complaint stands in the count.
    public enum Standing: Sendable, Codable, Equatable {
        /// It counts toward its app's threshold.
        case counted
        /// The same text from the same source as an earlier open complaint: kept, counted once.
        case duplicate(of: Int64)
        /// No version of the app is on the shelf (it may not exist at all): kept, not counted.
        case appNotOnShelf
        /// Already answered.
        case resolved
    }

    /// What the open complaints about one app on the shelf add up to.
    public struct AppTally: Sendable, Codable, Equatable {
        public var app: String
        /// Distinct complainants among the counted complaints.
        public var complainants: Int
        /// The counted complaints, by id.
        public var complaints: [Int64]
        public var reachedThreshold: Bool
        /// Per category: distinct complainants and the counted complaints.
        public var categories: [String: CategoryTally]
        /// The strongest measure of a category that reached the threshold on its own (`none`
        /// when no such category asks for one).
        public var measure: Measure
        /// The categories that call for `measure`, and their complaints (for the audit entry).
        public var measureCategories: [String]
        public var measureComplaints: [Int64]
    }

    public struct CategoryTally: Sendable, Codable, Equatable {
        public var complainants: Int
        public var complaints: [Int64]
    }

    /// Every complaint's standing and the tally of each app on the shelf with counted complaints.
    public struct Assessment: Sendable, Equatable {
        public var standing: [Int64: Standing]
        public var apps: [String: AppTally]

        /// Complaints kept but not counted because their app is not on the shelf, by id.
        public var notOnShelf: [Int64] {
            standing.filter { $0.value == .appNotOnShelf }.map(\.key).sorted()
        }
    }

    /// A complaint's text as compared for duplicates: Unicode compatibility forms folded, case
    /// folded, runs of white space made one space, trimmed.
    public static func comparableText(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        return folded.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A contact as compared: trimmed and lower-cased; a phone number without its spaces,
    /// dashes, dots and brackets. Empty for anonymous complaints.
    public static func comparableContact(_ contact: String) -> String {
        let trimmed = contact.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let phoneMarks: Set<Character> = [" ", "-", ".", "(", ")", "\u{3000}"]
        let isPhone =
            !trimmed.isEmpty && trimmed.allSatisfy { $0.isNumber || $0 == "+" || $0 == "*" || phoneMarks.contains($0) }
        return isPhone ? String(trimmed.filter { !phoneMarks.contains($0) }) : trimmed
    }

    /// Who a complaint comes from, for the duplicate rule: its contact, or "anonymous".
    public static func source(_ complaint: Complaint) -> String {
        let contact = comparableContact(complaint.contact)
        return contact.isEmpty ? "anonymous" : "contact:" + contact
    }

    /// Who a complaint counts as for the threshold: its contact; anonymous ones together as one,
    /// or each as its own when the policy says `anonymous: each`.
    public static func complainant(_ complaint: Complaint, anonymous: ComplaintPolicy.AnonymousCounting) -> String {
        let source = source(complaint)
        guard source == "anonymous", anonymous == .each else { return source }
        return "anonymous#\(complaint.id)"
    }

    /// The standing of every complaint given and the tally of every app on the shelf.
    /// `appsOnShelf` holds the apps with a version on the shelf (approved, warned or suspended).
    public static func assess(
        _ complaints: [Complaint], appsOnShelf: Set<String>, policy: ComplaintPolicy
    ) -> Assessment {
        var standing: [Int64: Standing] = [:]
        var firstOfKind: [String: Int64] = [:]
        var counted: [String: [Complaint]] = [:]
        for complaint in complaints.sorted(by: { $0.id < $1.id }) {
            guard complaint.isOpen else {
                standing[complaint.id] = .resolved
                continue
            }
            let key = [complaint.app, source(complaint), comparableText(complaint.text)].joined(separator: "\u{0}")
            if let first = firstOfKind[key] {
                standing[complaint.id] = .duplicate(of: first)
                continue
            }
            firstOfKind[key] = complaint.id
            guard appsOnShelf.contains(complaint.app) else {
                standing[complaint.id] = .appNotOnShelf
                continue
            }
            standing[complaint.id] = .counted
            counted[complaint.app, default: []].append(complaint)
        }
        var apps: [String: AppTally] = [:]
        for (app, list) in counted {
            apps[app] = tally(app: app, list, policy: policy)
        }
        return Assessment(standing: standing, apps: apps)
    }

    /// The tally of one app's counted complaints.
    static func tally(app: String, _ list: [Complaint], policy: ComplaintPolicy) -> AppTally {
        func people(_ complaints: [Complaint]) -> Int {
            Set(complaints.map { complainant($0, anonymous: policy.anonymous) }).count
        }
        var byCategory: [String: [Complaint]] = [:]
        for complaint in list { byCategory[policy.category(complaint.category).id, default: []].append(complaint) }
        var categories: [String: CategoryTally] = [:]
        var measure = Measure.none
        var measureCategories: [String] = []
        var measureComplaints: [Int64] = []
        for (id, complaints) in byCategory.sorted(by: { $0.key < $1.key }) {
            let tally = CategoryTally(complainants: people(complaints), complaints: complaints.map(\.id))
            categories[id] = tally
            let wanted = policy.category(id).measure
            guard wanted > .none, tally.complainants >= policy.threshold else { continue }
            if wanted > measure {
                measure = wanted
                measureCategories = []
                measureComplaints = []
            }
            if wanted == measure {
                measureCategories.append(id)
                measureComplaints += tally.complaints
            }
        }
        let complainants = people(list)
        return AppTally(
            app: app, complainants: complainants, complaints: list.map(\.id),
            reachedThreshold: complainants >= policy.threshold, categories: categories, measure: measure,
            measureCategories: measureCategories, measureComplaints: measureComplaints.sorted())
    }

    /// The day an answer is due: `receivedOn` plus the category's handling time.
    public static func dueOn(receivedOn: String, category: String, policy: ComplaintPolicy) -> String? {
        guard let day = CalendarDay.dayNumber(receivedOn) else { return nil }
        return CalendarDay.text(day + policy.handlingDays(for: category))
    }

    /// The due day of a stored complaint: the one recorded at receipt, else counted from its
    /// receipt by today's policy (complaints recorded before due dates were kept).
    public static func dueOn(_ complaint: Complaint, policy: ComplaintPolicy) -> String? {
        if !complaint.dueOn.isEmpty { return complaint.dueOn }
        return dueOn(receivedOn: complaint.receivedOn, category: complaint.category, policy: policy)
    }

    /// An open complaint past its due day.
    public struct Overdue: Sendable, Codable, Equatable {
        public var complaint: Int64
        public var app: String
        public var category: String
        public var dueOn: String
        public var daysOverdue: Int
    }

    /// The open complaints whose due day is before `asOf`, most overdue first.
    public static func overdue(_ complaints: [Complaint], asOf: String, policy: ComplaintPolicy) -> [Overdue] {
        complaints.compactMap { complaint -> Overdue? in
            guard complaint.isOpen, let due = dueOn(complaint, policy: policy),
                let late = CalendarDay.days(from: due, to: asOf), late > 0
            else { return nil }
            return Overdue(
                complaint: complaint.id, app: complaint.app, category: policy.category(complaint.category).id,
                dueOn: due, daysOverdue: late)
        }.sorted { ($0.daysOverdue, $1.complaint) > ($1.daysOverdue, $0.complaint) }
    }

    /// A reviewer's task to open.
    public struct TaskOpening: Sendable, Equatable {
        public var app: String
        public var complaints: [Int64]
        public var complainants: Int
        public var reason: String
    }

    /// Which reviewer's tasks to open and which to close: one open task per app whose counted
    /// complaints reach the threshold; an open task closes when its app is under it again.
    public static func taskChanges(
        _ assessment: Assessment, openTasks: [ComplaintTask], policy: ComplaintPolicy
    ) -> (open: [TaskOpening], close: [ComplaintTask]) {
        let withTask = Set(openTasks.map(\.app))
        let open = assessment.apps.values.filter { $0.reachedThreshold && !withTask.contains($0.app) }
            .sorted { $0.app < $1.app }
            .map { tally in
                TaskOpening(
                    app: tally.app, complaints: tally.complaints, complainants: tally.complainants,
                    reason: reason(tally, policy: policy))
            }
        let close = openTasks.filter { assessment.apps[$0.app]?.reachedThreshold != true }
        return (open, close)
    }

    /// The threshold in words, for tasks, alerts and audit entries.
    public static func reason(_ tally: AppTally, policy: ComplaintPolicy) -> String {
        let ids = tally.complaints.map { "#\($0)" }.joined(separator: ", ")
        return
            "\(tally.complainants) distinct complainants (threshold \(policy.threshold), DSP Art. 12): complaints \(ids)"
    }
}

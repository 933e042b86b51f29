/// A public complaint or report (DSP Art. 12). Every complaint is kept, whatever it is about:
/// whether it counts toward the policy's threshold is decided by `ComplaintRules`, not at intake.
public struct Complaint: Sendable, Codable, Equatable {
    public var id: Int64
    public var app: String
    public var text: String
    /// Optional: complaints are open to people who leave no name.
    public var contact: String
    /// When it was written (wall clock, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    public var receivedAt: String
    /// open or resolved.
    public var status: String
    public var resolvedAt: String?
    public var resolvedBy: String?
    public var resolution: String?
    /// A category id of the policy's `complaints.categories`; empty for complaints recorded
    /// before categories existed (they count as the policy's default category).
    public var category: String
    /// The business day it was received (`--as-of`, else today in China), `YYYY-MM-DD`.
    public var receivedOn: String
    /// The day an answer is due by the published handling time; empty for complaints recorded
    /// before due dates were kept (the policy's handling time is then counted from `receivedOn`).
    public var dueOn: String

    public init(
        id: Int64, app: String, text: String, contact: String = "", receivedAt: String = "", status: String = "open",
        resolvedAt: String? = nil, resolvedBy: String? = nil, resolution: String? = nil, category: String = "",
        receivedOn: String = "", dueOn: String = ""
    ) {
        self.id = id
        self.app = app
        self.text = text
        self.contact = contact
        self.receivedAt = receivedAt
        self.status = status
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.resolution = resolution
        self.category = category
        self.receivedOn = receivedOn
        self.dueOn = dueOn
    }

    /// Not yet answered.
    public var isOpen: Bool { status == "open" }
}

/// A complaint as it comes in, before the ledger gives it a number.
public struct ComplaintIntake: Sendable, Equatable {
    public var app: String
    public var text: String
    public var contact: String
    public var category: String
    public var receivedOn: String
    public var dueOn: String

    public init(app: String, text: String, contact: String, category: String, receivedOn: String, dueOn: String) {
        self.app = app
        self.text = text
        self.contact = contact
        self.category = category
        self.receivedOn = receivedOn
        self.dueOn = dueOn
    }
}

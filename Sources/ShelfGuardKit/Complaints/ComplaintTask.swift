/// A reviewer's task opened when the complaints about an app on the shelf reach the policy's
/// threshold. It takes nothing off the shelf by itself; it closes when daily management finds
/// the app under the threshold again (the complaints were answered).
public struct ComplaintTask: Sendable, Codable, Equatable {
    public var id: Int64
    public var app: String
    /// The complaints counted when the task was opened.
    public var complaints: [Int64]
    /// Distinct complainants counted when the task was opened.
    public var complainants: Int
    public var reason: String
    /// When it was written, and the business day (the daily run's `--as-of`).
    public var openedAt: String
    public var openedOn: String
    public var dailyRun: Int64?
    public var auditSeq: Int64
    public var closedAt: String?
    public var closedOn: String?
    public var closedReason: String?

    public init(
        id: Int64, app: String, complaints: [Int64], complainants: Int, reason: String, openedAt: String,
        openedOn: String, dailyRun: Int64? = nil, auditSeq: Int64, closedAt: String? = nil, closedOn: String? = nil,
        closedReason: String? = nil
    ) {
        self.id = id
        self.app = app
        self.complaints = complaints
        self.complainants = complainants
        self.reason = reason
        self.openedAt = openedAt
        self.openedOn = openedOn
        self.dailyRun = dailyRun
        self.auditSeq = auditSeq
        self.closedAt = closedAt
        self.closedOn = closedOn
        self.closedReason = closedReason
    }

    public var isOpen: Bool { closedAt == nil }
}

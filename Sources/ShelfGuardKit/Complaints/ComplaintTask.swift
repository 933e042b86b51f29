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

    public var isOpen: Bool { closedAt == nil }
}

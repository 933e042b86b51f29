/// One thing the policy found: which rule, how serious, what exactly, under which article, where,
/// and what to do about it.
public struct Finding: Sendable, Codable, Equatable {
    public var rule: String
    public var severity: Severity
    public var message: String
    public var basis: String
    /// `bundle.apk!lib/x.so`, or `app.declaration.yaml:12:24` for declaration problems.
    public var location: String
    public var remedy: String
    /// Set when a waiver turned the finding into information: who granted it, until when, why.
    public var waiver: String?
    /// What the finding is about when its message changes from day to day (an assessment's id
    /// while its age grows): fingerprints use it instead of the message.
    public var subject: String?

    public init(
        rule: String, severity: Severity, message: String, basis: String, location: String, remedy: String,
        waiver: String? = nil, subject: String? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.basis = basis
        self.location = location
        self.remedy = remedy
        self.waiver = waiver
        self.subject = subject
    }
}

/// The shelf-review decision (DSP Art. 13: 不予上架 when the bundle falls short).
public enum VerdictOutcome: String, Sendable, Codable, CaseIterable {
    case approve
    case warn
    case manualReview = "manual_review"
    case refuse

    /// The worst finding decides: refuse, then manual review, then warn; information alone approves.
    public init(findings: [Finding]) {
        switch findings.map(\.severity).max() {
        case .refuse?: self = .refuse
        case .manualReview?: self = .manualReview
        case .warn?: self = .warn
        default: self = .approve
        }
    }

    /// The exit code of `check` (product contract): 0 approve, 2 refuse, 3 warn or manual review.
    public var exitStatus: ExitStatus {
        switch self {
        case .approve: .pass
        case .refuse: .refused
        case .warn, .manualReview: .warn
        }
    }
}

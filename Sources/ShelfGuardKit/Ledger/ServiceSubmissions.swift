import Foundation

/// A bundle submitted through the service (`POST /v1/reviews`), as the ledger keeps it: the
/// review queue deletes finished jobs, so who submitted what, and which review answered it, is
/// kept here. Its id is the review's key (`ReviewSubmission.key` of the bundle, the declaration,
/// the policy and the feature database the server judges with): the same files under the same
/// rules are one submission, whoever sends them and however often.
public struct ServiceSubmission: Sendable, Codable, Equatable {
    /// The review key: 64 lowercase hex digits.
    public var id: String
    public var bundleSHA256: String
    /// The bundle's copy in the bundle store, which the job reviews.
    public var bundlePath: String
    public var declarationSHA256: String?
    public var declarationPath: String?
    /// The queue's job, while it has one (nil when the review was recorded before it was sent).
    public var jobID: Int64?
    /// The review that answered it, once recorded, and its app version.
    public var reviewID: Int64?
    public var versionID: Int64?
    public var submittedAt: String
    public var cancelledAt: String?
    public var cancelledBy: String?
    /// Every key that sent it, first first: each may read it.
    public var submitters: [Submitter]
    /// The job as the queue holds it now; nil once it left the queue (recorded or cancelled).
    public var job: ReviewJob?

    public struct Submitter: Sendable, Codable, Equatable {
        public var name: String
        public var role: String
        public var at: String

        public init(name: String, role: String, at: String) {
            self.name = name
            self.role = role
            self.at = at
        }
    }

    public init(
        id: String, bundleSHA256: String, bundlePath: String, declarationSHA256: String?, declarationPath: String?,
        jobID: Int64?, reviewID: Int64?, versionID: Int64? = nil, submittedAt: String, cancelledAt: String? = nil,
        cancelledBy: String? = nil,
        submitters: [Submitter] = [], job: ReviewJob? = nil
    ) {
        self.id = id
        self.bundleSHA256 = bundleSHA256
        self.bundlePath = bundlePath
        self.declarationSHA256 = declarationSHA256
        self.declarationPath = declarationPath
        self.jobID = jobID
        self.reviewID = reviewID
        self.versionID = versionID
        self.submittedAt = submittedAt
        self.cancelledAt = cancelledAt
        self.cancelledBy = cancelledBy
        self.submitters = submitters
        self.job = job
    }
}

/// What the service hands the ledger for one upload: the files are in the bundle store already.
public struct SubmissionIntake: Sendable, Equatable {
    public var id: String
    public var bundleSHA256: String
    public var bundlePath: String
    public var declarationSHA256: String?
    public var declarationPath: String?

    public init(
        id: String, bundleSHA256: String, bundlePath: String, declarationSHA256: String? = nil,
        declarationPath: String? = nil
    ) {
        self.id = id
        self.bundleSHA256 = bundleSHA256
        self.bundlePath = bundlePath
        self.declarationSHA256 = declarationSHA256
        self.declarationPath = declarationPath
    }
}

/// The rules of service submissions, as pure functions the stores and the service call.
public enum SubmissionRules {
    /// Where a submission stands, as `GET /v1/reviews/{id}` says it.
    public enum Status: String, Sendable, Codable {
        case queued
        case running
        case failed
        case cancelled
        case done
    }

    /// What a submission (new, or sent again) makes the ledger do.
    public enum OnSubmit: Sendable, Equatable {
        /// The same review is recorded already: link to it, queue nothing.
        case linkReview(Int64)
        /// Queue a job for it (new, or cancelled before and sent again).
        case enqueue
        /// It is queued, running, failed or done already: only note the sender.
        case keep
    }

    /// `existing`: the submission with this id, if any; `recorded`: the review recorded under
    /// the id (the review key), if any.
    public static func onSubmit(existing: ServiceSubmission?, recorded: Int64?) -> OnSubmit {
        if existing?.reviewID == nil, let recorded { return .linkReview(recorded) }
        guard let existing else { return .enqueue }
        if existing.cancelledAt != nil && existing.job == nil && existing.reviewID == nil { return .enqueue }
        return .keep
    }

    /// The status of a submission; `recorded` is the review found under its id when the
    /// submission names none (a worker recorded it without the link, e.g. a skipped duplicate).
    public static func status(_ submission: ServiceSubmission, recorded: Int64? = nil) -> Status {
        if submission.reviewID != nil || recorded != nil { return .done }
        if let job = submission.job {
            switch job.state {
            case .queued: return .queued
            case .claimed: return .running
            case .failed: return .failed
            }
        }
        if submission.cancelledAt != nil { return .cancelled }
        // The job left the queue with no review under this id: a worker judged it with another
        // policy or feature database than this server's, so its review has another key.
        return .failed
    }

    /// Why a submission cannot be cancelled, if it cannot: only one waiting in the queue (or
    /// failed there) can.
    public static func cancelRefusal(_ status: Status) -> String? {
        switch status {
        case .queued, .failed: nil
        case .running: "the review is running: it can no longer be cancelled"
        case .done: "the review is done: it can no longer be cancelled"
        case .cancelled: "the review was cancelled already"
        }
    }

    /// Whether `key` may read (and cancel) this submission: keys that read every review, and the
    /// keys that sent it. Others are told it does not exist, so that ids do not leak.
    public static func visible(_ submission: ServiceSubmission, to key: APIKey) -> Bool {
        key.role.allows(.readAllReviews) || submission.submitters.contains { $0.name == key.name }
    }

    /// Whether a text is a submission id at all (64 lowercase hex digits).
    public static func isID(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// What cancelling a submission did.
public enum SubmissionCancel: Sendable, Equatable {
    /// Cancelled now: its job left the queue.
    case cancelled(ServiceSubmission)
    /// Not cancelled: it is running, done or cancelled already (`SubmissionRules.cancelRefusal`).
    case refused(ServiceSubmission, String)
    case notFound
}

extension AuditRecord {
    public static let reviewSubmittedAction = "review_submitted"
    public static let reviewCancelledAction = "review_cancelled"

    /// A bundle sent to the service for review (queued, or answered by a review recorded before).
    public static func reviewSubmitted(_ intake: SubmissionIntake, queuedAs job: Int64?) -> AuditRecord {
        var details: [String: CanonicalJSON.Value] = ["bundle_sha256": .string(intake.bundleSHA256)]
        if let digest = intake.declarationSHA256 { details["declaration_sha256"] = .string(digest) }
        if let job { details["job"] = .int(job) }
        return AuditRecord(
            action: reviewSubmittedAction, subject: intake.id,
            reason: job == nil ? "submitted; the same review is recorded already" : "submitted for review",
            details: CanonicalJSON.object(details))
    }

    /// A queued submission cancelled: its job left the queue unreviewed.
    public static func reviewCancelled(_ submission: ServiceSubmission) -> AuditRecord {
        var details: [String: CanonicalJSON.Value] = ["bundle_sha256": .string(submission.bundleSHA256)]
        if let job = submission.job?.id ?? submission.jobID { details["job"] = .int(job) }
        return AuditRecord(
            action: reviewCancelledAction, subject: submission.id, reason: "cancelled before it was reviewed",
            details: CanonicalJSON.object(details))
    }
}

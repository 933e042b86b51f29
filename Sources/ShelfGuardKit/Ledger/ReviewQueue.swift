import Foundation

/// A submission waiting to be reviewed by a worker (`shelfguard review --enqueue`, then
/// `shelfguard worker`). Jobs live in the shelf database; a finished job is deleted, so the
/// queue holds only what is waiting, running or failed.
public struct ReviewJob: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Waiting (again, after a tool error, from `notBefore` on).
        case queued
        /// A worker is reviewing it until `leaseUntil`; after that any worker may take it over.
        case claimed
        /// Tool errors used up its attempts: a person looks at `lastError`.
        case failed
    }

    public var id: Int64
    public var bundlePath: String
    /// The declaration named for it, if any (else the one beside or inside the bundle).
    public var declarationPath: String?
    /// The mini-program appid that decrypts a PC-client wxapkg (`review --enqueue --appid`).
    public var wechatAppID: String?
    public var state: State
    public var attempts: Int
    public var enqueuedAt: String
    public var enqueuedBy: String
    public var claimedBy: String?
    /// Seconds since 1970 on the real clock; leases are about processes, not business days.
    public var leaseUntil: Double?
    public var notBefore: Double
    public var lastError: String?

    public init(
        id: Int64, bundlePath: String, declarationPath: String?, wechatAppID: String? = nil, state: State,
        attempts: Int, enqueuedAt: String, enqueuedBy: String, claimedBy: String?, leaseUntil: Double?,
        notBefore: Double, lastError: String?
    ) {
        self.id = id
        self.bundlePath = bundlePath
        self.declarationPath = declarationPath
        self.wechatAppID = wechatAppID
        self.state = state
        self.attempts = attempts
        self.enqueuedAt = enqueuedAt
        self.enqueuedBy = enqueuedBy
        self.claimedBy = claimedBy
        self.leaseUntil = leaseUntil
        self.notBefore = notBefore
        self.lastError = lastError
    }
}

/// What `review --enqueue` records for one bundle.
public struct QueuedBundle: Sendable, Equatable {
    public var bundle: String
    public var declaration: String?
    public var wechatAppID: String?

    public init(bundle: String, declaration: String? = nil, wechatAppID: String? = nil) {
        self.bundle = bundle
        self.declaration = declaration
        self.wechatAppID = wechatAppID
    }
}

/// A worker's hold on a job: recording its review succeeds only while the hold is still its.
public struct JobClaim: Sendable, Equatable {
    public var jobID: Int64
    public var worker: String

    public init(jobID: Int64, worker: String) {
        self.jobID = jobID
        self.worker = worker
    }
}

/// The queue's rules, as pure functions: what a tool error does to a job.
public enum QueueRules {
    /// How the queue treats failures, from the worker's options.
    public struct Retry: Sendable, Equatable {
        /// Attempts in all, the first included.
        public var maxAttempts: Int
        /// The wait before the second attempt; each later one waits twice as long as the one before.
        public var firstDelay: Double
        /// No wait is longer than this.
        public var maxDelay: Double

        public init(maxAttempts: Int = 3, firstDelay: Double = 10, maxDelay: Double = 600) {
            self.maxAttempts = maxAttempts
            self.firstDelay = firstDelay
            self.maxDelay = maxDelay
        }
    }

    public enum AfterFailure: Sendable, Equatable {
        /// Queued again, to be taken no earlier than this many seconds from now.
        case retry(after: Double)
        /// No attempts left: failed, for a person.
        case failed
    }

    /// What happens to a job whose `attempts`-th attempt (1 for the first) ended in a tool error.
    public static func afterFailure(attempts: Int, _ retry: Retry) -> AfterFailure {
        guard attempts < retry.maxAttempts else { return .failed }
        let exponent = Double(max(0, attempts - 1))
        return .retry(after: min(retry.maxDelay, retry.firstDelay * pow(2, exponent)))
    }

    /// Whether a job may be taken by a worker at `now`: queued and due, or claimed by a worker
    /// whose lease ran out (killed, machine lost).
    public static func claimable(_ job: ReviewJob, now: Double) -> Bool {
        switch job.state {
        case .queued: job.notBefore <= now
        case .claimed: (job.leaseUntil ?? 0) < now
        case .failed: false
        }
    }
}

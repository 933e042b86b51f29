import Crypto
import Foundation

/// One review of one bundle, as the ledger records it: the check's result and where it came from.
public struct ReviewSubmission: Sendable {
    public var result: CheckResult
    /// The bundle path as given.
    public var bundlePath: String
    public var batchID: Int64?
    public var actor: String
    /// What made the inventory (`Inspector.extractorID`): when it changes, stored bundles are read again.
    public var extractor: String
    /// The queue job this review is for: recorded only while the worker still holds it, and the
    /// job leaves the queue in the same transaction.
    public var job: JobClaim?

    public init(result: CheckResult, bundlePath: String, batchID: Int64?, actor: String, extractor: String) {
        self.result = result
        self.bundlePath = bundlePath
        self.batchID = batchID
        self.actor = actor
        self.extractor = extractor
    }

    /// The identity of this review for resuming batches: the same bundle with the same
    /// declaration file (none: the bundle's own) and the same labeling materials beside it, under
    /// the same policy and feature database, is reviewed once. Computable before the bundle is
    /// read, so that done work is skipped; a sample output replaced beside the declaration makes
    /// a new review (its labels are judged).
    public var key: String {
        ReviewSubmission.key(
            bundleSHA256: result.inspection.bundle.sha256,
            declarationSHA256: result.declarationSnapshot.fileSHA256 ?? "",
            policySHA256: result.stamp.policyDigest, signatureSHA256: result.stamp.signatureDigest,
            materials: result.declarationSnapshot.materials.filter { $0.value.hasPrefix("sha256:") })
    }

    /// The key of a review from its parts; `materials` are the labeling materials beside the
    /// declaration (path as declared → `sha256:<hex>`). Without any, the key is what it was
    /// before materials counted, so that reviews recorded then are still found.
    public static func key(
        bundleSHA256: String, declarationSHA256: String, policySHA256: String, signatureSHA256: String,
        materials: [String: String] = [:]
    )
        -> String
    {
        var lines = [bundleSHA256, declarationSHA256, policySHA256, signatureSHA256]
        lines += materials.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let text = lines.joined(separator: "\n")
        return SHA256.hash(data: Data(text.utf8)).hexString
    }
}

extension CheckResult {
    /// The app on the shelf: the id its manifest gives, else the declared one, else a name made
    /// from the bundle's digest (an unreadable bundle with no declaration still gets a record).
    public var shelfAppID: String {
        if let id = inspection.manifest?.appId, !id.isEmpty { return id }
        if let id = declaration?.app.id, !id.isEmpty { return id }
        return "unidentified:\(inspection.bundle.sha256.prefix(16))"
    }
}

/// What recording a review did.
public struct RecordedReview: Sendable, Codable, Equatable {
    public var reviewID: Int64
    public var versionID: Int64
    public var appID: String
    public var verdict: VerdictOutcome
    /// The version's state before (nil: the version is new to the shelf) and after.
    public var from: ShelfState?
    public var state: ShelfState
    /// True when this review had been recorded already (an earlier run, or another process):
    /// nothing was written.
    public var alreadyRecorded: Bool
    /// Why the state did not follow the verdict, when it did not.
    public var note: String?
    public var auditSeq: Int64?

    public init(
        reviewID: Int64, versionID: Int64, appID: String, verdict: VerdictOutcome, from: ShelfState?,
        state: ShelfState, alreadyRecorded: Bool, note: String? = nil, auditSeq: Int64? = nil
    ) {
        self.reviewID = reviewID
        self.versionID = versionID
        self.appID = appID
        self.verdict = verdict
        self.from = from
        self.state = state
        self.alreadyRecorded = alreadyRecorded
        self.note = note
        self.auditSeq = auditSeq
    }
}

/// One app version as `shelf list` shows it.
public struct ShelfVersion: Sendable, Codable, Equatable {
    public var versionID: Int64
    public var appID: String
    public var appName: String
    public var platform: String
    public var developer: String
    public var uscc: String
    public var versionName: String?
    public var versionCode: String?
    public var bundleSHA256: String
    public var format: String
    public var size: Int64
    public var state: ShelfState
    public var stateSince: String
    /// The latest review's verdict and time.
    public var verdict: VerdictOutcome?
    public var reviewedAt: String?

    public init(
        versionID: Int64, appID: String, appName: String, platform: String, developer: String, uscc: String,
        versionName: String?, versionCode: String?, bundleSHA256: String, format: String, size: Int64,
        state: ShelfState, stateSince: String, verdict: VerdictOutcome?, reviewedAt: String?
    ) {
        self.versionID = versionID
        self.appID = appID
        self.appName = appName
        self.platform = platform
        self.developer = developer
        self.uscc = uscc
        self.versionName = versionName
        self.versionCode = versionCode
        self.bundleSHA256 = bundleSHA256
        self.format = format
        self.size = size
        self.state = state
        self.stateSince = stateSince
        self.verdict = verdict
        self.reviewedAt = reviewedAt
    }
}

/// Filters of `shelf list`.
public struct ShelfFilter: Sendable, Equatable {
    public var states: [ShelfState] = []
    public var platform: String?
    /// A developer's name or USCC.
    public var developer: String?
    public var app: String?
    public var limit: Int = 1_000

    public init(
        states: [ShelfState] = [], platform: String? = nil, developer: String? = nil, app: String? = nil,
        limit: Int = 1_000
    ) {
        self.states = states
        self.platform = platform
        self.developer = developer
        self.app = app
        self.limit = limit
    }
}

/// A state change of one version, as recorded.
public struct StateChange: Sendable, Codable, Equatable {
    public var versionID: Int64
    public var appID: String
    public var from: ShelfState
    public var to: ShelfState
    public var at: String
    public var actor: String
    public var reason: String
    public var cause: ShelfState.Cause
    public var auditSeq: Int64

    public init(
        versionID: Int64, appID: String, from: ShelfState, to: ShelfState, at: String, actor: String, reason: String,
        cause: ShelfState.Cause, auditSeq: Int64
    ) {
        self.versionID = versionID
        self.appID = appID
        self.from = from
        self.to = to
        self.at = at
        self.actor = actor
        self.reason = reason
        self.cause = cause
        self.auditSeq = auditSeq
    }
}

/// A review as `shelf show` lists it, with its findings.
public struct ReviewRecord: Sendable, Codable, Equatable {
    public var reviewID: Int64
    public var kind: String
    public var verdict: VerdictOutcome
    public var reviewedAt: String
    public var asOf: String
    public var toolVersion: String
    public var policySHA256: String
    public var signatureSHA256: String
    public var bundlePath: String
    public var declarationSource: String?
    public var findings: [Finding]

    public init(
        reviewID: Int64, kind: String, verdict: VerdictOutcome, reviewedAt: String, asOf: String,
        toolVersion: String, policySHA256: String, signatureSHA256: String, bundlePath: String,
        declarationSource: String?, findings: [Finding]
    ) {
        self.reviewID = reviewID
        self.kind = kind
        self.verdict = verdict
        self.reviewedAt = reviewedAt
        self.asOf = asOf
        self.toolVersion = toolVersion
        self.policySHA256 = policySHA256
        self.signatureSHA256 = signatureSHA256
        self.bundlePath = bundlePath
        self.declarationSource = declarationSource
        self.findings = findings
    }
}

/// A reviewer's decision on a manual-review case.
public struct ReviewerDecision: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        case approve
        case refuse
    }
    public var versionID: Int64
    public var outcome: Outcome
    public var reviewer: String
    public var reason: String
    public var at: String

    public init(versionID: Int64, outcome: Outcome, reviewer: String, reason: String, at: String) {
        self.versionID = versionID
        self.outcome = outcome
        self.reviewer = reviewer
        self.reason = reason
        self.at = at
    }
}

/// Everything `shelf show APP` prints.
public struct AppHistory: Sendable, Codable, Equatable {
    public var appID: String
    public var name: String
    public var platform: String
    public var developer: String
    public var uscc: String
    public var versions: [VersionHistory]

    public init(
        appID: String, name: String, platform: String, developer: String, uscc: String, versions: [VersionHistory]
    ) {
        self.appID = appID
        self.name = name
        self.platform = platform
        self.developer = developer
        self.uscc = uscc
        self.versions = versions
    }

    public struct VersionHistory: Sendable, Codable, Equatable {
        public var version: ShelfVersion
        public var reviews: [ReviewRecord]
        public var changes: [StateChange]
        public var decisions: [ReviewerDecision]

        public init(
            version: ShelfVersion, reviews: [ReviewRecord], changes: [StateChange], decisions: [ReviewerDecision]
        ) {
            self.version = version
            self.reviews = reviews
            self.changes = changes
            self.decisions = decisions
        }
    }
}

/// A batch of `review`, as recorded.
public struct BatchRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var startedAt: String
    public var finishedAt: String?
    public var actor: String
    public var jobs: Int
    public var bundles: Int
    public var reviewed: Int
    public var skipped: Int
    public var failed: Int
    public var status: String

    public init(
        id: Int64, startedAt: String, finishedAt: String?, actor: String, jobs: Int, bundles: Int, reviewed: Int,
        skipped: Int, failed: Int, status: String
    ) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.actor = actor
        self.jobs = jobs
        self.bundles = bundles
        self.reviewed = reviewed
        self.skipped = skipped
        self.failed = failed
        self.status = status
    }
}

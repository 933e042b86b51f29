import Crypto
import Foundation

/// One part of the shelf for one of several daily runs at once (`shelfguard daily --shard K/N`
/// on N workers or machines): the versions whose id leaves `index` when divided by `count`.
/// Every version is in exactly one shard, whatever the ids; the whole shelf is shard 1/1.
public struct DailyShard: Sendable, Equatable, Codable, CustomStringConvertible {
    /// 0-based.
    public var index: Int
    public var count: Int

    public static let whole = DailyShard(index: 0, count: 1)

    /// The largest number of shards `--shard` accepts.
    public static let maxCount = 1024

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N`, 1-based as operators count: `1/2` and `2/2` split the shelf in two.
    public static func parse(_ text: String) -> Result<DailyShard, LedgerError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            return .failure(LedgerError("'\(text)' is not a shard: write K/N, e.g. 1/2 and 2/2 for two workers"))
        }
        guard n >= 1 && n <= maxCount else {
            return .failure(LedgerError("'\(text)': the number of shards must be between 1 and \(maxCount)"))
        }
        guard k >= 1 && k <= n else { return .failure(LedgerError("'\(text)': the shard must be between 1 and \(n)")) }
        return .success(DailyShard(index: k - 1, count: n))
    }

    public var description: String { "\(index + 1)/\(count)" }

    /// Whether a version belongs to this shard.
    public func contains(_ versionID: Int64) -> Bool { versionID % Int64(count) == Int64(index) }
}

/// A version on the shelf as daily management reads it back: its stored inventory and
/// declaration, its state, and the alerts already raised for it.
public struct ShelvedVersion: Sendable {
    public var versionID: Int64
    public var appID: String
    public var versionLabel: String
    public var state: ShelfState
    /// When the state was written (wall clock, for display).
    public var stateSince: String
    /// The business day the state took effect (`YYYY-MM-DD`): grace periods count from it.
    public var stateEffectiveOn: String
    public var bundleSHA256: String
    /// The latest submission: where the bundle came from and its declaration snapshot (JSON).
    public var submissionID: Int64
    public var bundlePath: String
    public var declaration: String
    /// The stored inventory (JSON of `Inspection` without its entries) and what made it.
    public var extractor: String
    public var facts: String
    /// The digest of the findings of the latest review (see `CheckResult.findingsDigest`).
    public var findingsDigest: String
    /// Fingerprints of the alerts raised and not yet resolved.
    public var openAlerts: Set<String>

    public init(
        versionID: Int64, appID: String, versionLabel: String, state: ShelfState, stateSince: String,
        stateEffectiveOn: String, bundleSHA256: String, submissionID: Int64, bundlePath: String, declaration: String,
        extractor: String,
        facts: String, findingsDigest: String, openAlerts: Set<String>
    ) {
        self.versionID = versionID
        self.appID = appID
        self.versionLabel = versionLabel
        self.state = state
        self.stateSince = stateSince
        self.stateEffectiveOn = stateEffectiveOn
        self.bundleSHA256 = bundleSHA256
        self.submissionID = submissionID
        self.bundlePath = bundlePath
        self.declaration = declaration
        self.extractor = extractor
        self.facts = facts
        self.findingsDigest = findingsDigest
        self.openAlerts = openAlerts
    }
}

/// A finding raised to the operators by daily management, once.
public struct Alert: Sendable, Codable, Equatable {
    public var fingerprint: String
    public var rule: String
    public var severity: Severity
    public var message: String
}

/// What daily management writes for one version: nothing when nothing changed.
public struct DailyVersionChange: Sendable {
    public var runID: Int64
    public var version: ShelvedVersion
    public var actor: String
    /// The run's business day (`--as-of`): the day a measure it applies takes effect.
    public var asOf: String
    /// A fresh inventory, when the stored one was made by another extractor and the bundle was read again.
    public var inventory: (extractor: String, facts: String, entries: String)?
    /// The new judgement, recorded as a daily review when its findings differ from the last.
    public var result: CheckResult?
    public var findingsDigest: String
    public var newAlerts: [Alert]
    public var resolvedAlerts: [String]
    /// The measure applied, if any: to which state, why, under which rules.
    public var move: (to: ShelfState, measure: Measure, reason: String)?
    /// The complaints that call for the measure (a complaint category the policy lets act),
    /// written into the audit entry.
    public var complaintIDs: [Int64] = []

    public var isEmpty: Bool {
        inventory == nil && result == nil && newAlerts.isEmpty && resolvedAlerts.isEmpty && move == nil
    }

    public init(runID: Int64, version: ShelvedVersion, actor: String, asOf: String, findingsDigest: String) {
        self.runID = runID
        self.version = version
        self.actor = actor
        self.asOf = asOf
        self.findingsDigest = findingsDigest
        self.newAlerts = []
        self.resolvedAlerts = []
    }
}

extension CheckResult {
    /// Each finding's fingerprint, in the order of `findings` (see `Finding.fingerprint`).
    public var fingerprints: [String] {
        let app = shelfAppID
        return findings.map {
            $0.fingerprint(app: app, place: FindingPlace($0.location, bundlePath: inspection.bundle.path))
        }
    }

    /// A digest of what the findings say, stable from day to day: each finding's rule, severity,
    /// waiver and fingerprint, sorted. Daily management records a new review only when it changes.
    public var findingsDigest: String { findingsDigest(fingerprints: fingerprints) }

    /// `findingsDigest`, with the findings' `fingerprints` already worked out.
    public func findingsDigest(fingerprints: [String]) -> String {
        let lines = zip(findings, fingerprints).map { f, print in
            "\(f.rule)|\(f.severity.rawValue)|\(f.waiver == nil ? "" : "waived")|\(print)"
        }.sorted()
        return SHA256.hash(data: Data(lines.joined(separator: "\n").utf8)).hexString
    }

    /// The findings worth an alert (refuse, manual review, warn, not waived), by fingerprint.
    public var alerts: [Alert] { alerts(fingerprints: fingerprints) }

    /// `alerts`, with the findings' `fingerprints` already worked out.
    public func alerts(fingerprints: [String]) -> [Alert] {
        var seen = Set<String>()
        return zip(findings, fingerprints).compactMap { f, print in
            guard f.severity > .info, f.waiver == nil else { return nil }
            guard seen.insert(print).inserted else { return nil }
            return Alert(fingerprint: print, rule: f.rule, severity: f.severity, message: f.message)
        }
    }
}

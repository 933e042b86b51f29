/// The graded measures of DSP Art. 13 a store takes against a version: 警示 (warn), 暂停服务
/// (suspend), 下架 (take down); daily management may also send a listed version back to manual
/// review; `reinstate` lifts a measure.
public enum Measure: String, Sendable, Codable, CaseIterable, Comparable {
    case none
    case warn
    case manualReview = "manual_review"
    case suspend
    case takeDown = "take_down"
    case reinstate

    /// The state the measure puts a version in.
    public var target: ShelfState? {
        switch self {
        case .none: nil
        case .warn: .warned
        case .manualReview: .manualReview
        case .suspend: .suspended
        case .takeDown: .takenDown
        case .reinstate: .approved
        }
    }

    /// The cause recorded with the state change.
    public var cause: ShelfState.Cause { self == .reinstate ? .reinstate : .measure }

    private var rank: Int {
        switch self {
        case .none: 0
        case .reinstate: 0
        case .warn: 1
        case .manualReview: 2
        case .suspend: 3
        case .takeDown: 4
        }
    }

    public static func < (lhs: Measure, rhs: Measure) -> Bool { lhs.rank < rhs.rank }
}

/// Which versions an emergency order is about: every criterion given must hold.
public struct MeasureSelector: Sendable, Codable, Equatable {
    public var app: String?
    /// A version name, version code, or the start (12 hex digits or more) of the bundle's SHA-256.
    public var version: String?
    /// A developer's legal name or USCC.
    public var developer: String?
    /// An algorithm filing number cited by the version's declaration.
    public var filing: String?
    /// A feature-database signature detected in the version.
    public var signature: String?
    /// A taxonomy feature detected in the version.
    public var feature: String?

    public init(
        app: String? = nil, version: String? = nil, developer: String? = nil, filing: String? = nil,
        signature: String? = nil, feature: String? = nil
    ) {
        self.app = app
        self.version = version
        self.developer = developer
        self.filing = filing
        self.signature = signature
        self.feature = feature
    }

    public var isEmpty: Bool {
        app == nil && version == nil && developer == nil && filing == nil && signature == nil && feature == nil
    }

    /// The selector in words, for audit entries and reports.
    public var summary: String {
        [
            app.map { "app \($0)" }, version.map { "version \($0)" }, developer.map { "developer \($0)" },
            filing.map { "filing \($0)" }, signature.map { "signature \($0)" }, feature.map { "feature \($0)" },
        ].compactMap { $0 }.joined(separator: ", ")
    }
}

/// An emergency order: the measure, the versions it is about, and the record it leaves.
public struct MeasureOrder: Sendable, Codable, Equatable {
    public var measure: Measure
    public var selector: MeasureSelector
    public var reason: String
    /// The reference of the instruction (a regulator's notice number, an incident ticket).
    public var order: String
    public var actor: String

    public init(measure: Measure, selector: MeasureSelector, reason: String, order: String, actor: String) {
        self.measure = measure
        self.selector = selector
        self.reason = reason
        self.order = order
        self.actor = actor
    }
}

/// One version an order would move, or moved.
public struct PlannedChange: Sendable, Codable, Equatable {
    public var versionID: Int64
    public var appID: String
    public var versionName: String?
    public var bundleSHA256: String
    public var from: ShelfState
    public var to: ShelfState

    public init(
        versionID: Int64, appID: String, versionName: String? = nil, bundleSHA256: String, from: ShelfState,
        to: ShelfState
    ) {
        self.versionID = versionID
        self.appID = appID
        self.versionName = versionName
        self.bundleSHA256 = bundleSHA256
        self.from = from
        self.to = to
    }
}

/// What applying an order did (or, in a dry run, would do).
public struct MeasureResult: Sendable, Codable, Equatable {
    public var order: MeasureOrder
    public var dryRun: Bool
    /// Versions moved.
    public var changes: [PlannedChange]
    /// Versions selected that are already in the measure's state or that the measure does not
    /// apply to (refused, or held down for a warning): left as they are.
    public var unchanged: Int
    /// The audit entries written, first and last.
    public var auditRange: ClosedRange<Int64>?
    /// Set when the selection matched no version at all: the order did nothing, and says so.
    public var warning: String?

    public init(
        order: MeasureOrder, dryRun: Bool, changes: [PlannedChange], unchanged: Int, auditRange: ClosedRange<Int64>?
    ) {
        self.order = order
        self.dryRun = dryRun
        self.changes = changes
        self.unchanged = unchanged
        self.auditRange = auditRange
        if changes.isEmpty && unchanged == 0 {
            warning =
                "the selection (\(order.selector.summary)) matches no version: nothing was \(dryRun ? "selected" : "changed")"
        }
    }

    /// Versions the selection matched, moved or not.
    public var selected: Int { changes.count + unchanged }
}

extension MeasureSelector {
    /// What is wrong with the selector's ids: a feature or signature that is not known (neither
    /// in the feature database used nor recorded for any version), each message naming the
    /// nearest known ids. Empty when every id is known.
    public func unknownIDs(features: [String], signatures: [String]) -> [String] {
        var problems: [String] = []
        if let feature, !features.contains(feature) {
            problems.append("--feature " + Vocabulary.unknown(feature, what: "feature", known: features))
        }
        if let signature, !signatures.contains(signature) {
            problems.append("--signature " + Vocabulary.unknown(signature, what: "signature", known: signatures))
        }
        return problems
    }
}

/// One event of the storefront feed: a version comes on or goes off the shelf, or is warned.
public struct FeedEvent: Sendable, Codable, Equatable {
    /// The cursor value of this event: poll with `--since` this.
    public var id: Int64
    public var app: String
    public var version: String?
    public var bundleSHA256: String
    /// list, warn, suspend, take_down, reinstate, delist.
    public var action: String
    public var from: ShelfState
    public var to: ShelfState
    public var at: String
    public var reason: String
    public var order: String

    public init(
        id: Int64, app: String, version: String? = nil, bundleSHA256: String, action: String, from: ShelfState,
        to: ShelfState, at: String, reason: String, order: String
    ) {
        self.id = id
        self.app = app
        self.version = version
        self.bundleSHA256 = bundleSHA256
        self.action = action
        self.from = from
        self.to = to
        self.at = at
        self.reason = reason
        self.order = order
    }

    /// What a storefront does about a change.
    public static func action(from: ShelfState, to: ShelfState) -> String {
        switch to {
        case .warned: return "warn"
        case .suspended: return "suspend"
        case .takenDown: return "take_down"
        case .approved: return from.heldDown || from == .warned ? "reinstate" : "list"
        default: return "delist"
        }
    }
}

extension ShelfState {
    /// Whether an emergency measure moves a version from this state: warnings apply to listed
    /// versions; suspension and takedown also to versions waiting for a decision (so that a
    /// reviewer cannot list them); takedown also to suspended ones.
    public func takes(_ measure: Measure) -> Bool {
        guard let target = measure.target, target != self else { return false }
        switch measure {
        case .none: return false
        case .warn: return self == .approved
        case .manualReview: return onShelf
        case .suspend: return onShelf || self == .manualReview || self == .submitted
        case .takeDown: return onShelf || self == .suspended || self == .manualReview || self == .submitted
        case .reinstate: return heldDown || self == .warned
        }
    }
}

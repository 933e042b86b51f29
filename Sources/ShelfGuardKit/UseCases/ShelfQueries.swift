extension ShelfFilter {
    /// A filter from a request's words, as `shelf list` and `GET /v1/shelf` take them: state
    /// names, a platform, a developer, an app and a limit, each checked, fields named as `naming`
    /// says.
    public static func parse(
        states: [String], platform: String?, developer: String?, app: String?, limit: Int, naming: FieldNaming
    ) throws(UseCaseError) -> ShelfFilter {
        var parsed: [ShelfState] = []
        for name in states {
            guard let state = ShelfState(rawValue: name) else {
                throw UseCaseError(
                    .invalid,
                    "'\(name)' is not a shelf state (one of \(ShelfState.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            parsed.append(state)
        }
        guard limit > 0 else { throw UseCaseError(.invalid, "\(naming.name("limit")) must be at least 1") }
        if let platform, AppManifest.Platform(rawValue: platform) == nil {
            throw UseCaseError(
                .invalid,
                "\(naming.name("platform")) "
                    + Vocabulary.unknown(
                        platform, what: "platform", known: AppManifest.Platform.allCases.map(\.rawValue)))
        }
        return ShelfFilter(states: parsed, platform: platform, developer: developer, app: app, limit: limit)
    }
}

/// A reviewer's decision on a version in manual review, as `shelf decide` and `POST /v1/decisions`
/// take it: the app's version in manual review is chosen here, once for both.
public enum ReviewerDecisions {
    /// Chooses the version (`version`: its name, code, or 6+ characters of its bundle's SHA-256;
    /// nil when the app has only one in manual review) and records the decision: one
    /// transaction, one audit entry naming the reviewer.
    public static func decide(
        app: String, version: String?, outcome: ReviewerDecision.Outcome, reviewer: String, reason: String,
        on ledger: any LedgerStore, naming: FieldNaming
    ) throws -> (version: ShelfVersion, change: StateChange) {
        let candidates = try ledger.versions(ShelfFilter(states: [.manualReview], app: app))
        let chosen: [ShelfVersion]
        if let version {
            chosen = candidates.filter {
                $0.versionName == version || $0.versionCode == version
                    || (version.count >= 6 && $0.bundleSHA256.hasPrefix(version.lowercased()))
            }
        } else {
            chosen = candidates
        }
        guard let target = chosen.first else {
            throw UseCaseError(.notFound, "\(app) has no version\(version.map { " \($0)" } ?? "") in manual review")
        }
        guard chosen.count == 1 else {
            let list = chosen.map { "\($0.versionName ?? "?") (\($0.bundleSHA256.prefix(12)))" }.joined(
                separator: ", ")
            throw UseCaseError(
                .conflict,
                "\(app) has \(chosen.count) versions in manual review (\(list)): name one with \(naming.name("version"))"
            )
        }
        let change = try ledger.decide(
            versionID: target.versionID, outcome: outcome, reviewer: reviewer, reason: reason)
        return (target, change)
    }
}

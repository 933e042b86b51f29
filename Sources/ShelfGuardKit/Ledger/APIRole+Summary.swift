/// The roles in plain words, for `keys` help and listings: who a key of each role is for, and
/// what it may do (from `permissions`, the one place the rules live).
extension APIRole {
    /// Who gets a key of this role, in a store operator's words (short enough for a help line).
    public var summary: String {
        switch self {
        case .developer: "a CI pipeline or the store's submission system"
        case .storefront: "a storefront: reads the feed, nothing else"
        case .reviewer: "a reviewer: decides manual reviews, reads the shelf"
        case .officer: "an emergency officer: takes down, suspends, reinstates"
        case .auditor: "an auditor or regulator: reads everything, changes nothing"
        case .admin: "everything, managing keys included"
        }
    }

    /// The role's permissions by name, in the order `APIPermission` lists them.
    public var permissionNames: [String] {
        APIPermission.allCases.filter(allows).map(\.rawValue)
    }
}

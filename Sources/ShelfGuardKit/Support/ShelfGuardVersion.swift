/// The version stamped on every verdict and printed by `shelfguard --version`.
public enum ShelfGuardVersion {
    public static let current = "0.1.0"
}

/// Where one piece of configuration (the review policy, the feature database, the shelf
/// database read as evidence) came from, as every report names it: built into the binary, or a
/// path and how it was chosen.
public struct ConfigSource: Sendable, Codable, Equatable, CustomStringConvertible {
    /// How it was chosen: `built-in`, an option (`--policies`, `--policy`, `--db`), an
    /// environment variable (`SHELFGUARD_POLICIES`, `SHELFGUARD_DB`), or `file` when a library
    /// caller loaded it from a path.
    public var chosenBy: String
    /// The file or folder read; nil for what is built into the binary.
    public var path: String?

    public init(chosenBy: String, path: String?) {
        self.chosenBy = chosenBy
        self.path = path
    }

    /// The policies built into the binary.
    public static let builtIn = ConfigSource(chosenBy: "built-in", path: nil)

    /// A path a library caller named.
    public static func file(_ path: String) -> ConfigSource { ConfigSource(chosenBy: "file", path: path) }

    /// True for what is built into the binary.
    public var isBuiltIn: Bool { path == nil }

    /// `built-in`, or `PATH (--policies)`.
    public var description: String { path.map { "\($0) (\(chosenBy))" } ?? "built-in" }
}

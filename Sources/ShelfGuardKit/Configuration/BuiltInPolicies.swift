/// The project's `policies/` folder as it was when the binary was built: the feature database
/// and the review policy every command uses unless a folder is chosen explicitly. The build
/// embeds the files (the `EmbedPolicies` plugin writes `BuiltInPolicyFiles`), so an installed
/// `shelfguard` needs no folder beside it and cannot be redirected by one in the working folder.
public enum BuiltInPolicies {
    /// Every embedded file: its path relative to `policies/` and its text.
    public static var files: [(name: String, text: String)] { BuiltInPolicyFiles.files }

    /// The text of `name` (`taxonomy.yaml`, `signatures/face.yaml`), if built in.
    public static func text(of name: String) -> String? {
        BuiltInPolicyFiles.files.first { $0.name == name }?.text
    }

    /// The bare names of the files directly in `subfolder`, sorted.
    public static func names(in subfolder: String) -> [String] {
        let prefix = subfolder + "/"
        return BuiltInPolicyFiles.files.map(\.name).filter {
            $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/")
        }.map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    /// How problems in a built-in file are located: `built-in:policies/taxonomy.yaml`.
    public static func displayPath(_ name: String) -> String { "built-in:policies/\(name)" }
}

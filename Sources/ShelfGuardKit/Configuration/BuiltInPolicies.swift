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
        // Over UTF-8 bytes: Foundation's `contains` on a substring took 0.15 ms of a CI hook's
        // start (its first witness-table lookups), on the feature database's thread.
        let prefix = Array((subfolder + "/").utf8)
        return BuiltInPolicyFiles.files.compactMap { file -> String? in
            let name = Array(file.name.utf8)
            guard name.starts(with: prefix), !name[prefix.count...].contains(UInt8(ascii: "/")) else { return nil }
            return String(decoding: name[prefix.count...], as: UTF8.self)
        }.sorted()
    }

    /// How problems in a built-in file are located: `built-in:policies/taxonomy.yaml`.
    public static func displayPath(_ name: String) -> String { "built-in:policies/\(name)" }
}

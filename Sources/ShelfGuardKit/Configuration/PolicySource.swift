import Foundation

/// Where the feature database (`taxonomy.yaml`, `signatures/*.yaml`) and the review policy
/// (`review-policy.yaml`) are read from: the copy of the project's `policies/` folder built into
/// the binary, unless a folder is chosen explicitly (`--policies DIR` or `SHELFGUARD_POLICIES`).
/// The working folder is never searched: a `policies/` folder planted there changes nothing.
public struct PolicySource: Sendable, Equatable {
    /// Built in, or a folder with how it was chosen.
    public var origin: ConfigSource

    public init(origin: ConfigSource) { self.origin = origin }

    /// The policies built into the binary (the project's `policies/` when it was built).
    public static let builtIn = PolicySource(origin: .builtIn)

    /// A folder a library caller named.
    public static func folder(_ url: URL) -> PolicySource { PolicySource(origin: .file(url.path)) }

    /// The environment variable that names a policies folder explicitly.
    public static let environmentVariable = "SHELFGUARD_POLICIES"

    /// The folder named by `--policies` (`explicit`), else by `$SHELFGUARD_POLICIES`, else the
    /// built-in policies.
    public static func choose(
        explicit: String?, environment: [String: String] = ProcessEnvironment.values(PolicySource.environmentVariable)
    ) -> PolicySource {
        if let explicit, !explicit.isEmpty {
            return PolicySource(origin: ConfigSource(chosenBy: "--policies", path: absolute(explicit)))
        }
        if let named = environment[environmentVariable], !named.isEmpty {
            return PolicySource(origin: ConfigSource(chosenBy: environmentVariable, path: absolute(named)))
        }
        return .builtIn
    }

    /// One file of the policies: its name relative to the policies folder, the path problems
    /// are reported against, and its text.
    public struct File: Sendable, Equatable {
        public var name: String
        public var path: String
        public var text: String
    }

    /// Why a file could not be read.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// The file at `name` (relative to the policies folder, e.g. `taxonomy.yaml`).
    public func file(_ name: String) throws(ReadError) -> File {
        guard let folder = origin.path else {
            guard let text = BuiltInPolicies.text(of: name) else {
                throw ReadError(path: BuiltInPolicies.displayPath(name), message: "not among the built-in policies")
            }
            return File(name: name, path: BuiltInPolicies.displayPath(name), text: text)
        }
        let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
        do {
            return File(name: name, path: url.path, text: try String(contentsOf: url, encoding: .utf8))
        } catch {
            throw ReadError(path: url.path, message: "cannot read: \(error.localizedDescription)")
        }
    }

    /// The `.yaml` files directly in `subfolder`, sorted by name; `name` is the bare file name.
    public func files(in subfolder: String) throws(ReadError) -> [File] {
        guard let folder = origin.path else {
            return BuiltInPolicies.names(in: subfolder).compactMap { name in
                BuiltInPolicies.text(of: subfolder + "/" + name).map {
                    File(name: name, path: BuiltInPolicies.displayPath(subfolder + "/" + name), text: $0)
                }
            }
        }
        let directory = URL(fileURLWithPath: folder).appendingPathComponent(subfolder)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw ReadError(
                path: directory.path, message: "cannot list the folder: \(error.localizedDescription)")
        }
        var files: [File] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            do {
                files.append(File(name: name, path: url.path, text: try String(contentsOf: url, encoding: .utf8)))
            } catch {
                throw ReadError(path: url.path, message: "cannot read: \(error.localizedDescription)")
            }
        }
        return files
    }

    /// Where the signature files are, for messages.
    public var signaturesPath: String {
        origin.path.map { URL(fileURLWithPath: $0).appendingPathComponent("signatures").path }
            ?? BuiltInPolicies.displayPath("signatures")
    }

    /// `path` made absolute against the working folder, as reports name it: `.` and `..` taken
    /// by name (links are not followed; `..` above `/` stays at `/`), repeated and trailing
    /// slashes dropped — what Foundation's `URL(fileURLWithPath:).standardizedFileURL.path`
    /// gives, without its first use (0.3 ms of a CI hook's start, on the thread that chooses
    /// the cache before the feature database's load can start). A path beginning with `~`, which
    /// Foundation expands to the home folder, is still given to Foundation.
    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("~") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        var components: [Substring] = []
        if !path.hasPrefix("/") {
            guard let cwd = getcwd(nil, 0) else { return URL(fileURLWithPath: path).standardizedFileURL.path }
            defer { free(cwd) }
            components = String(cString: cwd).split(separator: "/")
        }
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        // Appended one by one: `joined(separator:)` on substrings is not specialized here, and
        // its first call looked up its generic types by name (0.3 ms).
        var absolute = ""
        for component in components {
            absolute += "/"
            absolute += component
        }
        return absolute.isEmpty ? "/" : absolute
    }
}

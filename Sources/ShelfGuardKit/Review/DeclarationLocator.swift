import Foundation

/// Finds and reads the declaration of a bundle (product contract), in this order:
/// 1. the file named with `--declaration`;
/// 2. beside the bundle: `<bundle file name>.declaration.yaml` (`facefun.apk.declaration.yaml`),
///    then `<name without extension>.declaration.yaml` (`facefun.declaration.yaml`);
/// 3. inside the bundle: `META-INF/deep-synthesis.yaml` or `deep-synthesis.yaml` at its root.
/// The first found is the declaration; a defective one is refused, never replaced by the next.
public enum DeclarationLocator {
    /// A declaration named explicitly that cannot be read: the tool cannot do what it was asked.
    public struct MissingFile: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        /// True when the file exists but is not a declaration (too large, not text): the
        /// submission is defective, which is refused rather than a tool error.
        public var defective = false
        public var description: String { "cannot read the declaration \(path): \(reason)" }
    }

    /// The files beside a bundle that would hold its declaration, in the order they are tried.
    public static func candidates(besideBundle path: String) -> [String] {
        // Built on the path as given, so that findings name the file as the user does.
        let full = path + ".declaration.yaml"
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return [full] }
        let folder = path.dropLast(name.count)
        return [full, folder + name[..<dot] + ".declaration.yaml"]
    }

    /// The declaration of the bundle at `bundlePath`, read and checked against the taxonomy.
    public static func locate(
        bundlePath: String, explicit: String?, inspection: Inspection, taxonomy: FeatureTaxonomy,
        limits: DeclarationLimits = .standard
    ) throws(MissingFile) -> DeclarationState {
        func state(_ text: String, source: String, folder: String?) -> DeclarationState {
            switch DeclarationReader.read(text, source: source, taxonomy: taxonomy, maxNodes: limits.maxNodes) {
            case .success(let declaration): .found(declaration, folder: folder)
            case .failure(let failure): .invalid(failure)
            }
        }
        if let explicit {
            let text: String
            do { text = try readFile(explicit, maxBytes: limits.maxFileBytes) } catch {
                guard error.defective else { throw error }
                let problem = YAMLProblem(file: explicit, line: 1, column: 1, message: error.reason)
                return .invalid(DeclarationReader.Failure(source: explicit, problems: [problem]))
            }
            return state(text, source: explicit, folder: folderOf(explicit))
        }
        let beside = candidates(besideBundle: bundlePath)
        for candidate in beside where FileManager.default.fileExists(atPath: candidate) {
            let text: String
            do { text = try readFile(candidate, maxBytes: limits.maxFileBytes) } catch {
                let problem = YAMLProblem(file: candidate, line: 1, column: 1, message: error.reason)
                return .invalid(DeclarationReader.Failure(source: candidate, problems: [problem]))
            }
            return state(text, source: candidate, folder: folderOf(candidate))
        }
        let bundleName = BundleReader.displayName(of: bundlePath)
        if let embedded = inspection.embeddedDeclarations.first {
            let source = "\(bundleName)!\(embedded.path)"
            guard embedded.complete else {
                let problem = YAMLProblem(
                    file: source, line: 1, column: 1,
                    message:
                        "the declaration inside the bundle could not be read completely (damaged, or over the manifest size limit)"
                )
                return .invalid(DeclarationReader.Failure(source: source, problems: [problem]))
            }
            guard let text = String(validating: embedded.bytes, as: UTF8.self) else {
                let problem = YAMLProblem(
                    file: source, line: 1, column: 1, message: "the declaration is not UTF-8 text")
                return .invalid(DeclarationReader.Failure(source: source, problems: [problem]))
            }
            return state(text, source: source, folder: nil)
        }
        let inside = ["META-INF/deep-synthesis.yaml", "deep-synthesis.yaml"].map { "\(bundleName)!\($0)" }
        return .missing(searched: beside.map { $0.split(separator: "/").last.map(String.init) ?? $0 } + inside)
    }

    private static func state(
        _ text: String, source: String, folder: String?, taxonomy: FeatureTaxonomy
    )
        -> DeclarationState
    {
        switch DeclarationReader.read(text, source: source, taxonomy: taxonomy) {
        case .success(let declaration): .found(declaration, folder: folder)
        case .failure(let failure): .invalid(failure)
        }
    }

    private static func folderOf(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    /// Reads a declaration file: bounded, UTF-8.
    private static func readFile(_ path: String, maxBytes: Int) throws(MissingFile) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MissingFile(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw MissingFile(path: path, reason: "it is a folder") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MissingFile(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: maxBytes + 1) ?? Data() } catch {
            throw MissingFile(path: path, reason: error.localizedDescription)
        }
        guard data.count <= maxBytes else {
            throw MissingFile(
                path: path,
                reason:
                    "larger than the declaration size limit, \(ByteCount.format(Int64(maxBytes))) (--max-declaration-size)",
                defective: true)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MissingFile(path: path, reason: "the declaration is not UTF-8 text", defective: true)
        }
        return text
    }
}

/// Bounds on reading one declaration.
public struct DeclarationLimits: Sendable, Equatable {
    /// The largest declaration file read from beside the bundle (a declaration is a page of
    /// YAML); one inside the bundle is bounded by the manifest size limit.
    public var maxFileBytes: Int = 1 << 20
    /// YAML nodes walked: mappings, sequences and scalars, aliases counted each time they are used.
    public var maxNodes: Int = 100_000

    public init() {}

    public static let standard = DeclarationLimits()
}

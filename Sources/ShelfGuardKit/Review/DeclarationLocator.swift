import Crypto
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
        public var description: String { "cannot read the declaration \(RawPath.display(path)): \(reason)" }
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

    /// The declaration of the bundle at `bundlePath`, read and checked against the taxonomy, with
    /// its labeling materials resolved (in the bundle, or beside the declaration file).
    public static func locate(
        bundlePath: String, explicit: String?, inspection: Inspection, taxonomy: FeatureTaxonomy,
        limits: DeclarationLimits = .standard
    ) throws(MissingFile) -> LocatedDeclaration {
        let bundleName = BundleReader.displayName(of: bundlePath)
        // Sources are recorded as people read them (raw bytes of a GBK name as \xB2); files are
        // opened by their real names.
        func read(_ text: String, source: String, folder: String?) -> LocatedDeclaration {
            var snapshot = DeclarationSnapshot(source: RawPath.display(source), text: text)
            if folder != nil { snapshot.fileSHA256 = try? FileDigest.sha256(path: source) }
            var state = snapshot.state(taxonomy: taxonomy, maxNodes: limits.maxNodes)
            var beside: [String: String] = [:]
            if case .found(let declaration, _) = state {
                let resolved = resolveMaterials(declaration, inspection: inspection, folder: folder)
                snapshot.materials = resolved.found
                snapshot.unreadBeside = resolved.unreadBeside.isEmpty ? nil : resolved.unreadBeside
                state = .found(declaration, materials: snapshot.materials)
                if let folder {
                    for (material, place) in snapshot.materials where place.hasPrefix("sha256:") {
                        beside[material] = URL(fileURLWithPath: folder).appendingPathComponent(material).path
                    }
                }
            }
            return LocatedDeclaration(snapshot: snapshot, state: state, besideFiles: beside)
        }
        func unreadable(_ source: String, _ message: String, file: Bool) -> LocatedDeclaration {
            let shown = RawPath.display(source)
            var snapshot = DeclarationSnapshot(
                source: shown, unreadable: [YAMLProblem(file: shown, line: 1, column: 1, message: message)])
            if file { snapshot.fileSHA256 = try? FileDigest.sha256(path: source) }
            return LocatedDeclaration(snapshot: snapshot, state: snapshot.state(taxonomy: taxonomy))
        }
        if let explicit {
            let text: String
            do { text = try readFile(explicit, maxBytes: limits.maxFileBytes) } catch {
                guard error.defective else { throw error }
                return unreadable(explicit, error.reason, file: true)
            }
            return read(text, source: explicit, folder: folderOf(explicit))
        }
        let beside = candidates(besideBundle: bundlePath)
        for candidate in beside where RawPath.kind(candidate) != .missing {
            let text: String
            do { text = try readFile(candidate, maxBytes: limits.maxFileBytes) } catch {
                return unreadable(candidate, error.reason, file: true)
            }
            return read(text, source: candidate, folder: folderOf(candidate))
        }
        if let embedded = inspection.embeddedDeclarations.first {
            let source = "\(bundleName)!\(embedded.path)"
            guard embedded.complete else {
                return unreadable(
                    source,
                    "the declaration inside the bundle could not be read completely (damaged, or over the manifest size limit)",
                    file: false)
            }
            guard let text = String(validating: embedded.bytes, as: UTF8.self) else {
                return unreadable(source, "the declaration is not UTF-8 text", file: false)
            }
            return read(text, source: source, folder: nil)
        }
        let inside = ["META-INF/deep-synthesis.yaml", "deep-synthesis.yaml"].map { "\(bundleName)!\($0)" }
        let snapshot = DeclarationSnapshot(
            searched: beside.map { RawPath.display($0.split(separator: "/").last.map(String.init) ?? $0) } + inside)
        return LocatedDeclaration(snapshot: snapshot, state: snapshot.state(taxonomy: taxonomy))
    }

    /// The declaration file that `locate` would read for this bundle, without reading the bundle:
    /// the named one, else the first beside it; nil when the bundle must carry its own (or none).
    public static func declarationFile(bundlePath: String, explicit: String?) -> String? {
        if let explicit { return explicit }
        return candidates(besideBundle: bundlePath).first { RawPath.kind($0) != .missing }
    }

    /// Where each labeling material the declaration lists was found: `bundle` when an entry of
    /// the bundle has that path, `sha256:<hex>` of the file beside the declaration; absent ones
    /// are left out. Recorded with the submission, so that judging again needs neither. Also
    /// the materials found in the bundle that a file beside the declaration has too, with that
    /// file's digest: not read, and said so.
    static func resolveMaterials(
        _ declaration: Declaration, inspection: Inspection, folder: String?
    ) -> (found: [String: String], unreadBeside: [String: String]) {
        let listed = Set(declaration.features.flatMap { $0.labeling?.materials ?? [] })
        guard !listed.isEmpty else { return ([:], [:]) }
        let entries = Set(inspection.entries.map(\.path))
        var found: [String: String] = [:]
        var unreadBeside: [String: String] = [:]
        for material in listed {
            var beside: String? {
                guard let folder, !material.hasPrefix("/"), !material.split(separator: "/").contains("..") else {
                    return nil
                }
                let path = URL(fileURLWithPath: folder).appendingPathComponent(material).path
                return (try? FileDigest.sha256(path: path)).map { "sha256:\($0)" }
            }
            if entries.contains(material) {
                found[material] = "bundle"
                if let digest = beside { unreadBeside[material] = digest }
            } else if let digest = beside {
                found[material] = digest
            }
        }
        return (found, unreadBeside)
    }

    /// The labeling materials a declaration file lists that sit beside it, with their digests
    /// (`sha256:<hex>`), read without the bundle: what a review's key needs before the bundle is
    /// read. A material that is also an entry of the bundle is counted here and not by
    /// `resolveMaterials`; the keys then differ and the review is simply made again.
    public static func materialsBeside(
        declarationFile: String, taxonomy: FeatureTaxonomy, limits: DeclarationLimits = .standard
    ) -> [String: String] {
        guard let bytes = try? RawPath.read(declarationFile, maxBytes: limits.maxFileBytes),
            let text = String(validating: bytes, as: UTF8.self),
            case .success(let declaration) = DeclarationReader.read(
                text, source: declarationFile, taxonomy: taxonomy, maxNodes: limits.maxNodes)
        else { return [:] }
        let folder = folderOf(declarationFile)
        var found: [String: String] = [:]
        for material in Set(declaration.features.flatMap { $0.labeling?.materials ?? [] })
        where !material.hasPrefix("/") && !material.split(separator: "/").contains("..") {
            let path = URL(fileURLWithPath: folder).appendingPathComponent(material).path
            if let digest = try? FileDigest.sha256(path: path) { found[material] = "sha256:\(digest)" }
        }
        return found
    }

    private static func folderOf(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    /// Reads a declaration file: bounded, UTF-8.
    private static func readFile(_ path: String, maxBytes: Int) throws(MissingFile) -> String {
        let read: [UInt8]?
        do { read = try RawPath.read(path, maxBytes: maxBytes) } catch {
            switch error {
            case .cannotOpen(_, let reason):
                throw MissingFile(path: path, reason: RawPath.kind(path) == .missing ? "no such file" : reason)
            case .notARegularFile(_, let what):
                throw MissingFile(path: path, reason: "it is \(what), not a regular file", defective: true)
            }
        }
        guard let data = read else {
            throw MissingFile(
                path: path,
                reason:
                    "larger than the declaration size limit, \(ByteCount.format(Int64(maxBytes))) (--max-declaration-size)",
                defective: true)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
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

/// A declaration as found: the storable snapshot and the state the policy judges.
public struct LocatedDeclaration: Sendable {
    public var snapshot: DeclarationSnapshot
    public var state: DeclarationState
    /// The labeling materials found beside the declaration: path as declared → the file's path.
    public var besideFiles: [String: String] = [:]
}

/// What was found of a declaration, in a form the shelf ledger keeps with the submission, so
/// that the same judgement can be made again later without the files: its text, where it came
/// from, the labeling materials found, or where it was looked for.
public struct DeclarationSnapshot: Sendable, Codable, Equatable {
    /// Where it was read from; nil when none was found.
    public var source: String?
    /// Its text, when it was readable text.
    public var text: String?
    /// Labeling materials found: path as declared → `bundle` or `sha256:<hex>` of the file beside.
    public var materials: [String: String] = [:]
    /// The implicit labels read from the materials of features that declare them, by path as
    /// declared; nil when they were not read (a snapshot recorded before labels were verified).
    public var labels: [String: MaterialLabels]?
    /// Where it was looked for, when none was found.
    public var searched: [String] = []
    /// Why it could not be read as text at all (too large, not UTF-8, damaged).
    public var unreadable: [YAMLProblem] = []
    /// SHA-256 of the declaration file's bytes when it came from a file (beside the bundle or
    /// named); nil when it was inside the bundle (the bundle's digest covers it) or missing.
    public var fileSHA256: String?
    /// Labeling materials the bundle carries that were also given beside the declaration (on
    /// disk, or as the service's material parts): path as declared → `sha256:<hex>` of the file
    /// beside, which was not read. The bundle's entry is what users receive, so it is the one
    /// judged; the policy says so (`material_beside_unread`) rather than leave the sender to
    /// believe their copy was looked at. Nil in snapshots recorded before this was kept.
    public var unreadBeside: [String: String]?

    public init(
        source: String? = nil, text: String? = nil, materials: [String: String] = [:], searched: [String] = [],
        unreadable: [YAMLProblem] = []
    ) {
        self.source = source
        self.text = text
        self.materials = materials
        self.searched = searched
        self.unreadable = unreadable
    }

    /// SHA-256 of the text (empty text when there was none).
    public var sha256: String {
        SHA256.hash(data: Data((text ?? "").utf8)).hexString
    }

    /// The declaration as the policy sees it.
    public func state(
        taxonomy: FeatureTaxonomy, maxNodes: Int = DeclarationLimits.standard.maxNodes
    ) -> DeclarationState {
        guard let source else { return .missing(searched: searched) }
        guard let text else {
            return .invalid(DeclarationReader.Failure(source: source, problems: unreadable))
        }
        switch DeclarationReader.read(text, source: source, taxonomy: taxonomy, maxNodes: maxNodes) {
        case .success(let declaration): return .found(declaration, materials: materials)
        case .failure(let failure): return .invalid(failure)
        }
    }
}

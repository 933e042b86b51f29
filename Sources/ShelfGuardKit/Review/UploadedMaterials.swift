import Crypto
import Foundation

/// Labeling materials sent with a declaration through the service (`POST /v1/reviews`, parts
/// named `material`): each part's file name is the path its declaration lists under
/// `labeling.materials`, and the store keeps them beside the declaration at those paths, so
/// that the review finds them as it finds materials beside a declaration on disk.
///
/// The file name comes from the submitter and becomes a path in the store, so it is taken only
/// in one plain form: relative, `/`-separated, no `.` or `..` component, no empty component,
/// no backslash, no control character, bounded in length; and it must be one the declaration
/// lists. Anything else is refused before a byte is kept.
public enum UploadedMaterials {
    /// The name of the declaration inside a submission's folder; no material may take it.
    public static let declarationName = "declaration.yaml"
    /// The longest material path taken, in UTF-8 bytes, and the longest component.
    public static let maxPathBytes = 1024
    public static let maxComponentBytes = 255

    /// Why `path` cannot name an uploaded material, or nil when it can.
    public static func problem(path: String) -> String? {
        if path.isEmpty { return "the file name is empty" }
        if path.utf8.count > maxPathBytes { return "the file name is longer than \(maxPathBytes) bytes" }
        if path.hasPrefix("/") { return "the file name is an absolute path" }
        if path.contains("\\") { return "the file name has a backslash (paths are separated by /)" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            return "the file name has a control character"
        }
        // Split keeping empty pieces, so that `a//b`, `/a` and `a/` show their empty component.
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { return "the file name has an empty path component" }
            if component == "." || component == ".." { return "the file name has a '\(component)' component" }
            if component.utf8.count > maxComponentBytes {
                return "a component of the file name is longer than \(maxComponentBytes) bytes"
            }
        }
        if path == declarationName { return "'\(declarationName)' is the declaration's own name in the store" }
        return nil
    }

    /// Two paths of which one is a folder of the other (`a` and `a/b`): both cannot be kept.
    public static func collision(among paths: [String]) -> (String, String)? {
        let all = Set(paths)
        for path in paths.sorted() {
            var prefix = ""
            for component in path.split(separator: "/").dropLast() {
                prefix += prefix.isEmpty ? String(component) : "/\(component)"
                if all.contains(prefix) { return (prefix, path) }
            }
        }
        return nil
    }

    /// Why materials cannot be taken with a declaration, for the one who sent them.
    public struct Refusal: Error, Sendable, Equatable {
        public var message: String
    }

    /// For each of `paths`, the declaration's own spelling of it, so that the material is kept
    /// where the review looks for it: the listed path with the same bytes, else the one it
    /// equals as Unicode text (`é` sent as `e` and a combining accent, as macOS file names have
    /// it, for an `é` listed as one character). Refused when the declaration cannot be read (its
    /// materials are matched against it), does not list one of them, or when the spellings
    /// cannot all be kept: one that is no plain relative path (`problem(path:)`), one sent twice
    /// (the same path written two ways counts), one a folder of another (`collision(among:)`).
    /// The one place that decides which materials a submission keeps, and under what names.
    public static func listedSpellings(
        of paths: [String], declaration bytes: [UInt8], taxonomy: FeatureTaxonomy,
        limits: DeclarationLimits = .standard
    ) -> Result<[String], Refusal> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(
                Refusal(
                    message:
                        "the declaration is not UTF-8 text, so the materials cannot be matched with it: send it without materials to have the review's findings on it"
                ))
        }
        let declaration: Declaration
        switch DeclarationReader.read(text, source: "declaration", taxonomy: taxonomy, maxNodes: limits.maxNodes) {
        case .success(let read): declaration = read
        case .failure(let failure):
            let first = failure.problems.first.map { ": \($0.description)" } ?? ""
            return .failure(
                Refusal(
                    message:
                        "the declaration cannot be read, so the materials cannot be matched with it\(first); send it without materials to have the review's findings on it"
                ))
        }
        let listed = declaration.features.flatMap { $0.labeling?.materials ?? [] }
        var spellings: [String] = []
        for path in paths {
            let bytes = Array(path.utf8)
            guard let spelling = listed.first(where: { Array($0.utf8) == bytes }) ?? listed.first(where: { $0 == path })
            else {
                let named = listed.isEmpty ? "none" : Set(listed).sorted().joined(separator: ", ")
                return .failure(
                    Refusal(
                        message:
                            "material '\(path)' is not among the labeling materials the declaration lists (labeling.materials: \(named)); the file name of a material part is the path the declaration gives it"
                    ))
            }
            spellings.append(spelling)
        }
        var seen = Set<[UInt8]>()
        for spelling in spellings {
            if let problem = problem(path: spelling) {
                return .failure(Refusal(message: "material '\(spelling)' cannot be taken: \(problem)"))
            }
            guard seen.insert(Array(spelling.utf8)).inserted else {
                return .failure(Refusal(message: "material '\(spelling)' was sent twice"))
            }
        }
        if let (folder, inside) = collision(among: spellings) {
            return .failure(
                Refusal(
                    message:
                        "materials '\(folder)' and '\(inside)' cannot both be kept: the first is a folder of the second"
                ))
        }
        return .success(spellings)
    }

    /// The name of a submission's folder in the store: the SHA-256 over the declaration's digest
    /// and each material's path and digest, so that the same files make the same folder.
    public static func folderName(declarationSHA256: String, materials: [(path: String, sha256: String)]) -> String {
        var lines = ["declaration=\(declarationSHA256)"]
        lines += materials.sorted { $0.path < $1.path }.map { "\($0.path)=\($0.sha256)" }
        return SHA256.hash(data: Data(lines.joined(separator: "\n").utf8)).hexString
    }
}

extension BundleStore {
    /// Keeps an uploaded declaration with the labeling materials sent beside it, in a folder of
    /// their own named by all their digests (`submissions/<sha256>/declaration.yaml`, each
    /// material at its declared path beside it): written whole in a temporary folder, then
    /// renamed into place, so that a reader never sees part of one. Without materials, the
    /// declaration is kept as `keepDeclaration` keeps it. The materials' names must have passed
    /// `UploadedMaterials.problem(path:)` and `collision(among:)`; their uploads are consumed.
    /// Returns the declaration's digest and path.
    public func keepDeclaration(
        _ bytes: [UInt8], materials: [(path: String, upload: Upload)]
    ) throws(UploadError) -> (sha256: String, path: String) {
        guard !materials.isEmpty else { return try keepDeclaration(bytes) }
        defer { for material in materials { material.upload.discard() } }
        for material in materials where UploadedMaterials.problem(path: material.path) != nil {
            throw .failed("the material name '\(material.path)' was not checked")
        }
        let declaration = try upload(limit: Int64(bytes.count))
        try declaration.write(bytes[...])
        let sha256 = declaration.sha256
        let name = UploadedMaterials.folderName(
            declarationSHA256: sha256, materials: materials.map { ($0.path, $0.upload.sha256) })
        let target = (directory as NSString).appendingPathComponent("submissions/\(name)")
        let kept = (target as NSString).appendingPathComponent(UploadedMaterials.declarationName)
        if RawPath.kind(kept) == .regular {
            declaration.discard()
            return (sha256, kept)
        }
        let temporary = (directory as NSString).appendingPathComponent(
            ".upload.\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).dir")
        guard mkdir(temporary, 0o755) == 0 else {
            throw .failed("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var placed = false
        defer { if !placed { try? FileManager.default.removeItem(atPath: temporary) } }
        try declaration.place(at: (temporary as NSString).appendingPathComponent(UploadedMaterials.declarationName))
        for material in materials {
            try material.upload.place(at: (temporary as NSString).appendingPathComponent(material.path))
        }
        do {
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .failed("cannot make the folder for \(target): \(error.localizedDescription)")
        }
        // Every folder the materials went into (`a/b/c.png`: `a/b`, then `a`), then the
        // submission's own, so that each entry made in them is durable before the rename.
        var folders = Set<String>()
        for material in materials {
            var folder = (material.path as NSString).deletingLastPathComponent
            while !folder.isEmpty, folders.insert(folder).inserted {
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        for folder in folders.sorted(by: { $0.count > $1.count }) {
            Self.syncFolder((temporary as NSString).appendingPathComponent(folder))
        }
        Self.syncFolder(temporary)
        if rename(temporary, target) == 0 {
            placed = true
            Self.syncFolder((target as NSString).deletingLastPathComponent)
        } else if RawPath.kind(kept) != .regular {
            // Another submission of the same files may have put the folder in place meanwhile:
            // then it is used; anything else is a failure.
            throw .failed("cannot rename \(temporary) to \(target): \(String(cString: strerror(errno)))")
        }
        return (sha256, kept)
    }

    /// Makes a folder's entries durable (the renames into it).
    private static func syncFolder(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

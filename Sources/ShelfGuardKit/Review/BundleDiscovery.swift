import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns the paths given to `review` into bundle files: files as given, folders walked for
/// files with a bundle's extension (hidden files and folders skipped), each once, in order.
public enum BundleDiscovery {
    /// Extensions of the bundles ShelfGuard reads (`.app` packs are files, HarmonyOS ones).
    public static let extensions: Set<String> = [
        "apk", "aab", "apks", "xapk", "ipa", "hap", "app", "wxapkg", "rpk", "ttpkg", "tpkg", "zip", "tar", "tgz", "gz",
        "xz", "zst", "txz", "tzst",
    ]

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The bundles under `paths`; a path that does not exist is an error.
    public static func expand(_ paths: [String]) throws(Failure) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        func add(_ path: String) {
            let key = URL(fileURLWithPath: path).standardizedFileURL.path
            if seen.insert(key).inserted { found.append(path) }
        }
        for path in paths {
            switch RawPath.kind(path) {
            case .missing:
                throw Failure(description: "\(RawPath.display(path)): no such file or folder")
            case .directory:
                var files: [String] = []
                try walk(path, into: &files)
                files.sorted().forEach(add)
            case .regular, .other:
                add(path)  // a FIFO or device named outright is refused by the reader, by name
            }
        }
        return found
    }

    /// Collects the regular files with a bundle's extension under `folder` (names kept byte for
    /// byte, so that a GBK-named bundle is found and can be opened), skipping hidden names.
    private static func walk(_ folder: String, into files: inout [String]) throws(Failure) {
        guard let names = RawPath.names(inFolder: folder) else {
            throw Failure(description: "\(RawPath.display(folder)): cannot list the folder")
        }
        for name in names where !name.hasPrefix(".") {
            // Keep the path as the user wrote the folder, so reports name files as they do.
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            switch RawPath.kind(path) {
            case .directory:
                try walk(path, into: &files)
            case .regular:
                let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
                if name.contains("."), extensions.contains(ext) { files.append(path) }
            case .missing, .other:
                continue  // FIFOs, sockets and devices in a folder are not bundles
            }
        }
    }
}

/// Content-addressed copies of reviewed bundles (`<store>/ab/abcdef….bundle`), so that daily
/// management can read a version again when the extractor changes, whatever happened to the
/// submitted file. Each is the store's own copy, never a link to the submitted file: written to
/// a temporary name in the store and hashed as it is written (`stage`, `upload`), reviewed from
/// there, made durable and read-only and renamed into place under that digest, so that a crash
/// leaves no torn file and editing the submitted file afterwards changes nothing here.
public struct BundleStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Why a bundle could not be kept.
    public struct Failure: Error, Sendable, CustomStringConvertible, LocalizedError {
        public var description: String
        public var errorDescription: String? { description }
    }

    /// The store beside a database file: `shelfguard.db` → `shelfguard.bundles`.
    public static func beside(database path: String) -> BundleStore {
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent + ".bundles"
        return BundleStore(directory: url.deletingLastPathComponent().appendingPathComponent(name).path)
    }

    public func path(of sha256: String) -> String {
        (directory as NSString).appendingPathComponent("\(sha256.prefix(2))/\(sha256).bundle")
    }

    public func contains(_ sha256: String) -> Bool { RawPath.kind(path(of: sha256)) == .regular }

    /// Makes `output` a copy-on-write clone of `input` (Linux FICLONE); false where the file
    /// system cannot (ext4, tmpfs, two file systems), and nothing was written.
    static func clone(_ input: Int32, to output: Int32) -> Bool {
        #if os(Linux)
            let ficlone: UInt = 0x4004_9409  // _IOW(0x94, 9, int), linux/fs.h
            return ioctl(output, ficlone, input) == 0
        #else
            return false
        #endif
    }
}

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
/// submitted file. Copies are written to a temporary name and renamed: a crash leaves no torn file.
public struct BundleStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

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

    /// Keeps the file at `source` under its digest; nothing when one is kept already. A hard link
    /// when the store is on the same file system (instant, no space), else a copy. A linked file
    /// changed in place later no longer matches its name: whoever reads it back checks the digest.
    public func keep(_ source: String, sha256: String) throws {
        let target = path(of: sha256)
        let manager = FileManager.default
        guard !manager.fileExists(atPath: target) else { return }
        let folder = (target as NSString).deletingLastPathComponent
        if !manager.fileExists(atPath: folder) {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        if RawPath.withCString(source, { link($0, target) }) == 0 || errno == EEXIST { return }
        let temporary =
            target + ".\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp"
        try BundleStore.copy(source, to: temporary)
        if rename(temporary, target) != 0 {
            unlink(temporary)
            if !manager.fileExists(atPath: target) {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
            }
        }
    }

    /// Copies a file's bytes (not its owner or attributes), a megabyte at a time.
    static func copy(_ source: String, to target: String) throws {
        let input: Int32
        do { input = try RawPath.openRegular(source).descriptor } catch {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: RawPath.display(source)])
        }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target]) }
        var failed = false
        defer {
            close(output)
            if failed { unlink(target) }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                failed = true
                throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: source])
            }
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = write(output, buffer.baseAddress! + written, n - written)
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else {
                    failed = true
                    throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: target])
                }
                written += w
            }
        }
    }
}

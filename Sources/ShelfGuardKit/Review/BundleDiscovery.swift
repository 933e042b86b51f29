import Crypto
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
/// a temporary name in the store, checked against the digest it is kept under, made read-only
/// and renamed into place, so that a crash leaves no torn file and editing the submitted file
/// afterwards changes nothing here.
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

    /// Keeps a copy of the file at `source` under its digest; nothing when one is kept already.
    /// The copy is a clone where the file system can share the blocks copy-on-write (Btrfs, XFS:
    /// instant, no space until either file changes), else the bytes, a megabyte at a time. It is
    /// hashed and kept only if it has the digest the review computed: a file changed between
    /// the review and the copy is refused, not stored under a name it does not match.
    public func keep(_ source: String, sha256: String) throws(Failure) {
        let target = path(of: sha256)
        let manager = FileManager.default
        guard !manager.fileExists(atPath: target) else { return }
        let folder = (target as NSString).deletingLastPathComponent
        do { try manager.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw Failure(description: "cannot make the folder \(folder): \(error.localizedDescription)")
        }
        let input: Int32
        do { input = try RawPath.openRegular(source).descriptor } catch {
            throw Failure(description: error.description)
        }
        defer { close(input) }
        let temporary =
            target + ".\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let output = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw Failure(description: "cannot create \(temporary): \(BundleStore.lastError)") }
        var kept = false
        defer {
            close(output)
            if !kept { unlink(temporary) }
        }
        let digest: String
        if BundleStore.clone(input, to: output) {
            var info = stat()
            guard fstat(output, &info) == 0 else {
                throw Failure(description: "cannot read back \(temporary): \(BundleStore.lastError)")
            }
            do { digest = try FileDigest.sha256(FileSource(descriptor: output, length: Int64(info.st_size))) } catch {
                throw Failure(description: "cannot read back \(temporary): \(error.description)")
            }
        } else {
            digest = try BundleStore.copy(input, to: output, source: source, target: temporary)
        }
        guard digest == sha256 else {
            throw Failure(
                description:
                    "\(RawPath.display(source)) changed while it was being reviewed: its bytes now have SHA-256 "
                    + "\(digest), not the \(sha256) it was reviewed with")
        }
        guard fsync(output) == 0, fchmod(output, 0o444) == 0 else {
            throw Failure(description: "cannot finish \(temporary): \(BundleStore.lastError)")
        }
        guard rename(temporary, target) == 0 else {
            throw Failure(description: "cannot rename \(temporary) to \(target): \(BundleStore.lastError)")
        }
        kept = true
    }

    private static var lastError: String { String(cString: strerror(errno)) }

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

    /// Copies a file's bytes (not its owner or attributes), a megabyte at a time, hashing them as
    /// they go; returns their SHA-256.
    static func copy(_ input: Int32, to output: Int32, source: String, target: String) throws(Failure) -> String {
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Failure(description: "cannot read \(RawPath.display(source)): \(lastError)") }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            var written = 0
            while written < n {
                let w = write(output, buffer.baseAddress! + written, n - written)
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw Failure(description: "cannot write \(target): \(lastError)") }
                written += w
            }
        }
        return hasher.finalize().hexString
    }
}

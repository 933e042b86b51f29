import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SHA-256 of whole files: the bundle's identity in the ledger (content addressing).
public enum FileDigest {
    /// Hashes the regular file at `path`; nil when it cannot be opened or is not a regular file.
    public static func sha256(path: String) throws(SourceError) -> String {
        let descriptor: Int32
        let length: Int64
        do { (descriptor, length) = try RawPath.openRegular(path) } catch {
            throw SourceError(description: error.description)
        }
        defer { close(descriptor) }
        return try sha256(FileSource(descriptor: descriptor, length: length))
    }

    /// SHA-256 of a text's UTF-8 bytes, lowercase hex (registry records' content hashes).
    public static func sha256(utf8 text: String) -> String {
        var text = text
        var hasher = SHA256()
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return Array(hasher.finalize()).hexString
    }

    /// Bytes read at a time from a file of `length` bytes: a megabyte from 8 MiB on (fewer
    /// system calls), 128 KiB below. A megabyte's buffer is fresh memory the kernel faults in page
    /// by page (256 faults, about 0.3 ms on this VM): in every `inspect` of a 1 MB bundle, that
    /// was a fifth of its extra cost over `bsdtar -xOf`.
    static func readSize(for length: Int64) -> Int { length >= 8 << 20 ? 1 << 20 : 128 << 10 }

    /// Whether a bundle file of `length` bytes is hashed on the reading thread after its walk
    /// rather than on a thread of its own during it: up to 16 MiB. A small bundle's walk ends
    /// long before the feature database's engine is ready, so hashing after it costs no wall
    /// time, while a thread of its own competed for the two cores with the engine's load (and
    /// its creation with every thread's page faults).
    static func hashesAfterWalk(length: Int64) -> Bool { length <= 16 << 20 }

    /// Hashes a source from start to end, `readSize` bytes at a time.
    static func sha256(_ source: any RandomAccessSource) throws(SourceError) -> String {
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: readSize(for: source.length), alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < source.length {
            let n = try source.read(at: offset, into: buffer)
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            offset += Int64(n)
        }
        return Array(hasher.finalize()).hexString
    }
}

extension FileDigest {
    /// A SHA-256 computed in the background, from its own reads of the file.
    typealias Job = BackgroundResult<String, SourceError>
}

extension BackgroundResult where Success == String, Failure == SourceError {
    /// Starts hashing the open file on a thread of its own; `wait()` gives the digest. (On
    /// libdispatch's queue, the first digest of a process started the queue's worker and manager
    /// threads as well.)
    static func hashing(descriptor: Int32, length: Int64) -> BackgroundResult {
        onNewThread { () throws(SourceError) in
            try FileDigest.sha256(FileSource(descriptor: descriptor, length: length))
        }
    }
}

/// What `fstat` says of a file that would change if its bytes did: device, inode, size, and the
/// modification and status-change times to the nanosecond. Two equal identities taken before and
/// after a read mean no one wrote the file in between, as far as the file system's clock can
/// tell (a kernel that stamps times by the clock tick could miss a same-size rewrite within one
/// tick). `review` relies on it only without a bundle store: with one, it reviews the store's
/// own copy, whose digest was taken from the bytes written.
public struct FileIdentity: Sendable, Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int64
    var modifiedNanoseconds: Int
    var changed: Int64
    var changedNanoseconds: Int

    /// The identity of an open file, or nil when `fstat` fails.
    public init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if os(Linux)
            modified = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
            changed = Int64(info.st_ctim.tv_sec)
            changedNanoseconds = Int(info.st_ctim.tv_nsec)
        #else
            modified = Int64(info.st_mtimespec.tv_sec)
            modifiedNanoseconds = Int(info.st_mtimespec.tv_nsec)
            changed = Int64(info.st_ctimespec.tv_sec)
            changedNanoseconds = Int(info.st_ctimespec.tv_nsec)
        #endif
    }
}

/// A file's SHA-256 with the identity the file had while it was hashed: a reader that finds the
/// same identity on the file it opens takes the digest instead of hashing the bytes again.
public struct KnownDigest: Sendable, Equatable {
    public var sha256: String
    public var identity: FileIdentity

    /// Hashes the regular file at `path`; `identity` is nil when the file changed while it was
    /// hashed (the digest is then still the bytes read, but no reader may take it for the file).
    public static func of(path: String) throws(SourceError) -> (sha256: String, known: KnownDigest?) {
        let descriptor: Int32
        let length: Int64
        do { (descriptor, length) = try RawPath.openRegular(path) } catch {
            throw SourceError(description: error.description)
        }
        defer { close(descriptor) }
        let before = FileIdentity(descriptor: descriptor)
        let sha256 = try FileDigest.sha256(FileSource(descriptor: descriptor, length: length))
        guard let before, before.size == length, FileIdentity(descriptor: descriptor) == before else {
            return (sha256, nil)
        }
        return (sha256, KnownDigest(sha256: sha256, identity: before))
    }
}

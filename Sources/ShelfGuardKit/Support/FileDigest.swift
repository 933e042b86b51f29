import Crypto
import Dispatch

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

    /// Hashes a source from start to end, a megabyte at a time.
    static func sha256(_ source: any RandomAccessSource) throws(SourceError) -> String {
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < source.length {
            let n = try source.read(at: offset, into: buffer)
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            offset += Int64(n)
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

extension FileDigest {
    /// A SHA-256 computed in the background, from its own reads of the file.
    final class Job: @unchecked Sendable {
        // Written once by the background block, read after `wait()`: the group orders the two.
        private var result: Result<String, SourceError>?
        private let group = DispatchGroup()

        init(descriptor: Int32, length: Int64) {
            group.enter()
            DispatchQueue.global(qos: .userInitiated).async { [self] in
                result = Result { () throws(SourceError) in
                    try FileDigest.sha256(FileSource(descriptor: descriptor, length: length))
                }
                group.leave()
            }
        }

        /// The digest, once computed.
        func wait() -> Result<String, SourceError> {
            group.wait()
            return result!
        }
    }
}

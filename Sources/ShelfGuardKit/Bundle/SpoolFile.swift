import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A temporary file holding one compressed nested archive too large for the memory buffer, so
/// that it can be read at any offset (through its central directory) like the bundle itself.
///
/// The file is unlinked the moment it is created: only its descriptor names it, and the kernel
/// frees its space when the descriptor closes, whatever happens to the process. It lives in
/// `$TMPDIR` (else `/tmp`); its size is bounded by `ReadLimits.maxSpooledBytes`.
final class SpoolFile: RandomAccessSource {
    private var descriptor: Int32
    private(set) var length: Int64 = 0

    init() throws(SourceError) {
        let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/shelfguard-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw SourceError(description: "cannot create a file in \(folder): \(String(cString: strerror(errno)))")
        }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        descriptor = fd
    }

    deinit { close() }

    /// Appends bytes; returns why it failed, or nil.
    func append(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard descriptor >= 0 else { return "the file is closed" }
        var written = 0
        while written < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(length))
            if n < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            written += n
            length += Int64(n)
        }
        return nil
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard descriptor >= 0, offset >= 0, offset < length, buffer.count > 0 else { return 0 }
        let wanted = Int(min(Int64(buffer.count), length - offset))
        while true {
            let n = pread(descriptor, buffer.baseAddress, wanted, off_t(offset))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw SourceError(description: "spool read failed at \(offset): \(String(cString: strerror(errno)))")
        }
    }

    /// Frees the file's space now.
    func close() {
        if descriptor >= 0 { closeDescriptor(descriptor) }
        descriptor = -1
    }
}

/// `close(2)`, out of reach of `SpoolFile.close()`'s name.
private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }

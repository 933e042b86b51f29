import CArchive

#if canImport(Glibc)
    import Glibc
#endif

/// Where libarchive gets its bytes: a random-access source (so that the zip reader can seek to the
/// central directory, as Android does), or a stream of chunks from an entry of an enclosing
/// archive (a compressed nested archive too large to buffer).
///
/// Instances are libarchive's client data; they outlive the `archive` handle they feed.
final class ArchiveInput {
    enum Backing {
        case random(any RandomAccessSource)
        case stream(any EntryStream)
    }

    let backing: Backing
    private(set) var position: Int64 = 0
    private let buffer: UnsafeMutableRawBufferPointer
    /// Set when the input itself failed (an I/O error, or the enclosing entry hit a limit).
    var failure: String?

    static let bufferSize = 128 * 1024

    init(_ backing: Backing) {
        self.backing = backing
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ArchiveInput.bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    var isSeekable: Bool {
        if case .random = backing { return true }
        return false
    }

    /// Installs the callbacks on a fresh read handle and opens it.
    func open(_ archive: OpaquePointer) -> Int32 {
        archive_read_set_read_callback(archive, archiveInputRead)
        archive_read_set_skip_callback(archive, archiveInputSkip)
        if isSeekable { archive_read_set_seek_callback(archive, archiveInputSeek) }
        archive_read_set_callback_data(archive, Unmanaged.passUnretained(self).toOpaque())
        return archive_read_open1(archive)
    }

    fileprivate func read(_ archive: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int {
        switch backing {
        case .random(let source):
            do {
                let n = try source.read(at: position, into: buffer)
                position += Int64(n)
                out?.pointee = UnsafeRawPointer(buffer.baseAddress)
                return n
            } catch {
                return fail(archive, error.description)
            }
        case .stream(let stream):
            switch stream.next() {
            case .data(let chunk):
                position += Int64(chunk.count)
                out?.pointee = chunk.baseAddress
                return chunk.count
            case .end:
                return 0
            case .failure(let message):
                return fail(archive, message)
            }
        }
    }

    fileprivate func seek(_ offset: Int64, whence: Int32) -> Int64 {
        guard case .random(let source) = backing else { return Int64(ARCHIVE_FATAL) }
        let target: Int64
        switch whence {
        case SEEK_SET: target = offset
        case SEEK_CUR: target = position + offset
        case SEEK_END: target = source.length + offset
        default: return Int64(ARCHIVE_FATAL)
        }
        guard target >= 0 else { return Int64(ARCHIVE_FATAL) }
        position = min(target, source.length)
        return position
    }

    fileprivate func skip(_ request: Int64) -> Int64 {
        guard request > 0 else { return 0 }
        switch backing {
        case .random(let source):
            let n = min(request, source.length - position)
            position += n
            return n
        case .stream:
            return 0  // libarchive then reads and discards, which keeps the stream's accounting honest
        }
    }

    private func fail(_ archive: OpaquePointer?, _ message: String) -> Int {
        failure = message
        if let archive { sg_archive_set_error(archive, EIO, message) }
        return -1
    }
}

private func input(_ data: UnsafeMutableRawPointer?) -> ArchiveInput {
    Unmanaged<ArchiveInput>.fromOpaque(data!).takeUnretainedValue()
}

private func archiveInputRead(
    _ archive: OpaquePointer?, _ data: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeRawPointer?>?
) -> la_ssize_t {
    input(data).read(archive, out)
}

private func archiveInputSkip(
    _ archive: OpaquePointer?, _ data: UnsafeMutableRawPointer?, _ request: la_int64_t
)
    -> la_int64_t
{
    input(data).skip(request)
}

private func archiveInputSeek(
    _ archive: OpaquePointer?, _ data: UnsafeMutableRawPointer?, _ offset: la_int64_t, _ whence: Int32
) -> la_int64_t {
    input(data).seek(offset, whence: whence)
}

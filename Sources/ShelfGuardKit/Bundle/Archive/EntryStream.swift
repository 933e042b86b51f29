import CArchive

/// One chunk of an entry's bytes, the end, or why the bytes stopped.
enum EntryChunk {
    /// Valid only until the stream's next call.
    case data(UnsafeRawBufferPointer)
    case end
    case failure(String)
}

/// A file entry's bytes, chunk by chunk, in order.
protocol EntryStream: AnyObject {
    func next() -> EntryChunk
}

/// The current entry of a libarchive read handle.
final class LibarchiveEntryStream: EntryStream {
    private let archive: OpaquePointer
    /// Warnings libarchive raised while reading (a bad CRC, an inconsistent header).
    private(set) var warnings: [String] = []

    init(_ archive: OpaquePointer) { self.archive = archive }

    func next() -> EntryChunk {
        var block: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        var idle = 0
        while true {
            let status = archive_read_data_block(archive, &block, &size, &offset)
            switch status {
            case ARCHIVE_EOF:
                return .end
            case ARCHIVE_OK, ARCHIVE_WARN:
                if status == ARCHIVE_WARN { warnings.append(LibArchive.errorString(archive)) }
                if size > 0, let block { return .data(UnsafeRawBufferPointer(start: block, count: size)) }
                // An empty block is legal; many in a row are not progress.
                idle += 1
                if idle > 16 { return status == ARCHIVE_WARN ? .end : .failure("no progress reading entry data") }
            case ARCHIVE_RETRY:
                idle += 1
                if idle > 16 { return .failure("libarchive kept asking to retry") }
            default:
                return .failure(LibArchive.errorString(archive))
            }
        }
    }
}

/// A byte range of a random-access source: entries of wxapkg and TPKG packages.
final class SourceRangeStream: EntryStream {
    private let source: any RandomAccessSource
    private var offset: Int64
    private var remaining: Int64
    private let buffer: UnsafeMutableRawBufferPointer

    init(source: any RandomAccessSource, offset: Int64, length: Int64) {
        self.source = source
        self.offset = offset
        self.remaining = length
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ArchiveInput.bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func next() -> EntryChunk {
        guard remaining > 0 else { return .end }
        let want = Int(min(Int64(buffer.count), remaining))
        do {
            let n = try source.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<want]))
            guard n > 0 else { return .failure("truncated: package ends inside the entry") }
            offset += Int64(n)
            remaining -= Int64(n)
            return .data(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        } catch {
            return .failure(error.description)
        }
    }
}

/// Bytes already taken from a stream (to sniff them) put back in front of it, with every chunk
/// that passes counted by `meter`, which may stop the stream (a limit of the enclosing entry).
final class ResumedStream: EntryStream {
    private let head: UnsafeMutableRawBufferPointer
    private var headDelivered = false
    private let rest: any EntryStream
    private let meter: (Int) -> String?

    init(head: [UInt8], rest: any EntryStream, meter: @escaping (Int) -> String?) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: head.count, alignment: 16)
        head.withUnsafeBytes { copy.copyMemory(from: $0) }
        self.head = copy
        self.rest = rest
        self.meter = meter
    }

    deinit { head.deallocate() }

    func next() -> EntryChunk {
        if !headDelivered {
            headDelivered = true
            // The head's bytes were counted when they were first read.
            if head.count > 0 { return .data(UnsafeRawBufferPointer(head)) }
        }
        let chunk = rest.next()
        if case .data(let bytes) = chunk, let stop = meter(bytes.count) { return .failure(stop) }
        return chunk
    }
}

/// Small helpers over libarchive's C API.
enum LibArchive {
    static func errorString(_ archive: OpaquePointer) -> String {
        guard let message = archive_error_string(archive) else { return "unknown libarchive error" }
        return String(cString: message)
    }
}

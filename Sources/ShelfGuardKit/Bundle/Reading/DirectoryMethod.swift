import CDeflate
import CZlib

// Reading an entry by its central-directory record's compression method when its local header
// names another. libarchive takes the method from the local header; Android takes it from the
// directory. A hostile APK can store `classes.dex` (the directory says stored, which Android
// installs) behind a local header that says deflate: libarchive then fails to inflate it and the
// DEX was never seen, or the other way round, a deflated DEX read as stored bytes. ShelfGuard
// reads such an entry as Android does and reports the disagreement (`inconsistent_header`).

/// A range of a source inflated with zlib as raw DEFLATE, a block at a time.
final class DeflatedRangeStream: EntryStream {
    private let source: any RandomAccessSource
    private var offset: Int64
    private var remaining: Int64
    /// zlib keeps a pointer back to its stream: it must not move, so it lives outside Swift's
    /// storage.
    private let zlib: UnsafeMutablePointer<z_stream>
    private let started: Bool
    private var ended = false
    private let input: UnsafeMutableRawBufferPointer
    private let output: UnsafeMutableRawBufferPointer

    init(source: any RandomAccessSource, offset: Int64, length: Int64) {
        self.source = source
        self.offset = offset
        self.remaining = max(0, length)
        zlib = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        zlib.initialize(to: z_stream())
        started = sg_inflate_init2(zlib, -15) == Z_OK
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: ArchiveInput.bufferSize, alignment: 16)
        output = UnsafeMutableRawBufferPointer.allocate(byteCount: InflatedEntryStream.chunkSize, alignment: 16)
    }

    deinit {
        if started { inflateEnd(zlib) }
        zlib.deinitialize(count: 1)
        zlib.deallocate()
        input.deallocate()
        output.deallocate()
    }

    func next() -> EntryChunk {
        guard started else { return .failure("zlib could not start") }
        while !ended {
            if zlib.pointee.avail_in == 0 && remaining > 0 {
                let want = Int(min(Int64(input.count), remaining))
                let n: Int
                do {
                    n = try source.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: input[..<want]))
                } catch {
                    return .failure(error.description)
                }
                guard n > 0 else { return .failure("truncated: the file ends inside the entry's compressed data") }
                offset += Int64(n)
                remaining -= Int64(n)
                zlib.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                zlib.pointee.avail_in = uInt(n)
            }
            zlib.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            zlib.pointee.avail_out = uInt(output.count)
            let status = inflate(zlib, Z_NO_FLUSH)
            let produced = output.count - Int(zlib.pointee.avail_out)
            if status == Z_STREAM_END { ended = true }
            if produced > 0 { return .data(UnsafeRawBufferPointer(rebasing: output[..<produced])) }
            if status == Z_STREAM_END { break }
            if status == Z_BUF_ERROR || status == Z_OK {
                if zlib.pointee.avail_in == 0 && remaining == 0 {
                    return .failure("truncated: the compressed data ends before its end marker")
                }
                continue
            }
            let message = zlib.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
            return .failure("ZIP decompression failed: \(message)")
        }
        return .end
    }
}

/// Another stream's bytes, checked at their end against the size and CRC-32 the central
/// directory gives, as libarchive checks the entries it reads.
final class DirectoryCheckedStream: EntryStream {
    private let inner: any EntryStream
    private let crc32: UInt32
    private let size: Int64
    private var running: UInt32 = 0
    private var count: Int64 = 0

    init(_ inner: any EntryStream, crc32: UInt32, size: Int64) {
        self.inner = inner
        self.crc32 = crc32
        self.size = size
    }

    func next() -> EntryChunk {
        let chunk = inner.next()
        switch chunk {
        case .data(let bytes):
            running = UInt32(truncatingIfNeeded: libdeflate_crc32(UInt32(running), bytes.baseAddress, bytes.count))
            count += Int64(bytes.count)
            return chunk
        case .end:
            if count != size {
                return .failure("ZIP uncompressed data is wrong size (read \(count), expected \(size))")
            }
            if running != crc32 { return .failure("ZIP bad CRC: the directory says \(crc32), the data has \(running)") }
            return .end
        case .failure:
            return chunk
        }
    }
}

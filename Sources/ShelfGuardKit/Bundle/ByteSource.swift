#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes the reader can fetch at any offset: the bundle file, a stored entry inside it, a bounded
/// buffer, or the decrypted view of a PC wxapkg. Sources live inside one read session (one
/// thread); they are classes so that slices can share their parent.
protocol RandomAccessSource: AnyObject {
    /// Total length in bytes.
    var length: Int64 { get }
    /// Copies up to `buffer.count` bytes from `offset`; returns how many (0 at the end).
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int
}

/// An I/O failure below the archive formats.
public struct SourceError: Error, CustomStringConvertible {
    public var description: String
}

extension RandomAccessSource {
    /// Reads up to `count` bytes from `offset`; fewer only at the end of the source.
    func bytes(at offset: Int64, count: Int) throws(SourceError) -> [UInt8] {
        guard offset >= 0, offset < length, count > 0 else { return [] }
        let wanted = Int(min(Int64(count), length - offset))
        var result = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        var failure: SourceError?
        result.withUnsafeMutableBytes { raw in
            while filled < wanted {
                do throws(SourceError) {
                    let n = try read(
                        at: offset + Int64(filled), into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                    if n == 0 { break }
                    filled += n
                } catch {
                    failure = error
                    break
                }
            }
        }
        if let failure { throw failure }
        if filled < wanted { result.removeLast(wanted - filled) }
        return result
    }
}

/// The bundle file itself, read with `pread` so that slices need no shared file position.
final class FileSource: RandomAccessSource {
    let descriptor: Int32
    let length: Int64

    init(descriptor: Int32, length: Int64) {
        self.descriptor = descriptor
        self.length = length
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard offset < length, buffer.count > 0 else { return 0 }
        let wanted = Int(min(Int64(buffer.count), length - offset))
        while true {
            let n = pread(descriptor, buffer.baseAddress, wanted, off_t(offset))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw SourceError(description: "read failed at offset \(offset): \(String(cString: strerror(errno)))")
        }
    }
}

/// A window on another source: a stored (uncompressed) entry read in place, without copying.
final class SliceSource: RandomAccessSource {
    let parent: any RandomAccessSource
    let base: Int64
    let length: Int64

    init(parent: any RandomAccessSource, base: Int64, length: Int64) {
        self.parent = parent
        self.base = base
        self.length = max(0, min(length, parent.length - base))
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard offset < length, buffer.count > 0 else { return 0 }
        let wanted = Int(min(Int64(buffer.count), length - offset))
        return try parent.read(at: base + offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
    }
}

/// Bytes held in memory: a compressed nested archive, decompressed within the buffer budget.
final class MemorySource: RandomAccessSource {
    let storage: [UInt8]
    var length: Int64 { Int64(storage.count) }

    init(_ storage: [UInt8]) { self.storage = storage }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard offset >= 0, offset < length, buffer.count > 0 else { return 0 }
        let start = Int(offset)
        let n = min(buffer.count, storage.count - start)
        storage.withUnsafeBytes { raw in
            buffer.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: n)
        }
        return n
    }
}

/// Sequential reads through a bounded region of a source, a window at a time, so that an index
/// of any size is parsed without loading it whole.
struct SourceCursor {
    let source: any RandomAccessSource
    private(set) var position: Int64
    let end: Int64
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0
    private static let windowSize = 256 * 1024

    init(source: any RandomAccessSource, position: Int64, end: Int64) {
        self.source = source
        self.position = position
        self.end = min(end, source.length)
        self.windowStart = position
    }

    /// The next `count` bytes, or nil when the region ends first.
    mutating func take(_ count: Int) throws(SourceError) -> ArraySlice<UInt8>? {
        guard count >= 0, position + Int64(count) <= end else { return nil }
        if Int(position - windowStart) + count > window.count {
            let size = max(count, SourceCursor.windowSize)
            window = try source.bytes(at: position, count: Int(min(Int64(size), end - position)))
            windowStart = position
            guard window.count >= count else { return nil }
        }
        let start = Int(position - windowStart)
        position += Int64(count)
        return window[start..<(start + count)]
    }

    /// The next big-endian u32, or nil at the region's end.
    mutating func bigEndian32() throws(SourceError) -> UInt32? {
        guard let b = try take(4) else { return nil }
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The next little-endian u32, or nil at the region's end.
    mutating func littleEndian32() throws(SourceError) -> UInt32? {
        guard let b = try take(4) else { return nil }
        return b.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// A source followed by a few bytes of its own: the bundle up to the end of its central
/// directory, then the end record ShelfGuard wrote for libarchive (see
/// `ZipDirectory.canonicalSource(over:)`).
final class SplicedSource: RandomAccessSource {
    let head: any RandomAccessSource
    let tail: [UInt8]
    let length: Int64

    init(_ head: any RandomAccessSource, then tail: [UInt8]) {
        self.head = head
        self.tail = tail
        self.length = head.length + Int64(tail.count)
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard offset >= 0, offset < length, buffer.count > 0 else { return 0 }
        if offset < head.length {
            let wanted = Int(min(Int64(buffer.count), head.length - offset))
            return try head.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
        }
        let start = Int(offset - head.length)
        let n = min(buffer.count, tail.count - start)
        tail.withUnsafeBytes { raw in buffer.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: n) }
        return n
    }
}

/// Little-endian integers appended to a byte array (the records ShelfGuard writes for libarchive).
struct LittleEndianBuffer {
    private(set) var bytes: [UInt8] = []
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((v >> UInt32(shift)) & 0xFF)) }
    }
    mutating func u64(_ v: UInt64) {
        u32(UInt32(truncatingIfNeeded: v))
        u32(UInt32(truncatingIfNeeded: v >> 32))
    }
}

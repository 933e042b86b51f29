import CDeflate

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Deflated zip entries inflated in one call by libdeflate instead of streaming through
/// libarchive's zlib: two to three times as fast, and the CRC-32 with the processor's carry-less
/// multiply. Inflating was half of the CPU `inspect` spent on a big APK, and most of what
/// `bsdtar -xOf` spends on the same file (README, Benchmarks: "Whole-entry inflate").
///
/// An entry is inflated here only when nothing about it is irregular, and its bytes are then the
/// bytes libarchive would have given, with nothing libarchive would have warned about; every other
/// entry goes to libarchive, which reads and reports it exactly as before:
/// - its central-directory record and its local header agree: method 8 (deflate) in both, neither
///   encrypted, the local CRC-32 and sizes equal to the directory's or left zero (what libarchive
///   accepts without a warning), and libarchive's size of the entry is the directory's;
/// - its compressed and inflated sizes are within `ReadLimits.maxWholeInflateBytes`
///   (`--max-whole-inflate`), and the inflated size within every byte limit the meter applies (the
///   entry's size, its ratio, the bundle's total and ratio), so that a limit is always met on the
///   streaming path and reported in the same words as before;
/// - libdeflate consumes exactly the compressed size, gives exactly the declared size, and the
///   CRC-32 of what it gives is the directory's. Deflate's output is fixed by its input, so these
///   bytes are the ones zlib would give.
///
/// One difference is deliberate and goes one way: libdeflate decodes the two length codes (286,
/// 287) and two distance codes (30, 31) that the format reserves, where zlib stops with an error.
/// A stream that uses them (no encoder writes one) inflates here, and on a phone, whose zlib
/// refuses it, the entry cannot be read at all: the phone then sees less of the bundle than
/// ShelfGuard, never more. `WholeInflateTests.reservedCodes` pins this down.
///
/// The buffers are kept per nesting level (an entry's bytes stay valid while an archive inside it
/// is walked) and reused, so that a bundle's entries do not each fault in fresh memory.
final class WholeInflater {
    private let decompressor: OpaquePointer?
    private var levels: [Buffers] = []

    /// The input and output memory of one nesting level, grown as needed. Mapped with its pages
    /// filled in at once (`MAP_POPULATE`): faulting them in one by one as libdeflate writes was
    /// a tenth of the page faults of `inspect` of a 1 MB APK.
    private final class Buffers {
        var input = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        var output = UnsafeMutableRawBufferPointer(start: nil, count: 0)

        var mapped: Int { input.count + output.count }

        /// `count` rounded up to 64 KiB, so that slightly larger entries reuse the same memory.
        static func rounded(_ count: Int) -> Int { (max(count, 1) + 0xFFFF) & ~0xFFFF }

        /// Makes `buffer` at least `count` bytes long; false when no memory could be mapped.
        static func grow(_ buffer: inout UnsafeMutableRawBufferPointer, to count: Int) -> Bool {
            guard buffer.count < count else { return true }
            unmap(buffer)
            buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
            let size = rounded(count)
            let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
            guard let mapped, mapped != MAP_FAILED else { return false }
            buffer = UnsafeMutableRawBufferPointer(start: mapped, count: size)
            return true
        }

        static func unmap(_ buffer: UnsafeMutableRawBufferPointer) {
            if let start = buffer.baseAddress { munmap(start, buffer.count) }
        }

        func release() {
            Buffers.unmap(input)
            Buffers.unmap(output)
            input = UnsafeMutableRawBufferPointer(start: nil, count: 0)
            output = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        }

        deinit { release() }
    }

    /// Memory mapped for the buffers of every level together.
    var mappedBytes: Int { levels.reduce(0) { $0 + $1.mapped } }

    /// The most memory the buffers of all levels may hold together: twice `maxBytes` (one entry's
    /// compressed and inflated bytes) and a megabyte for headers and rounding. An entry at a
    /// nesting level first lets go of the deeper levels' buffers (done with: a shallower entry is
    /// being read), and streams through libarchive if it still does not fit. Without this, a
    /// bundle with a large entry at each of six nesting levels could hold six times as much.
    static func budget(maxBytes: Int64) -> Int {
        2 * Int(min(max(0, maxBytes), Int64(Int.max / 4))) + (1 << 20)
    }

    /// Gives level `depth` buffers of at least `input` and `output` bytes within the budget;
    /// false when they do not fit or cannot be mapped.
    private func reserve(depth: Int, input: Int, output: Int, maxBytes: Int64) -> Bool {
        while levels.count <= depth { levels.append(Buffers()) }
        let buffers = levels[depth]
        let wanted =
            max(buffers.input.count, Buffers.rounded(input)) + max(buffers.output.count, Buffers.rounded(output))
        let budget = Self.budget(maxBytes: maxBytes)
        if mappedBytes - buffers.mapped + wanted > budget {
            for deeper in levels.dropFirst(depth + 1) { deeper.release() }
        }
        guard mappedBytes - buffers.mapped + wanted <= budget else { return false }
        return Buffers.grow(&buffers.input, to: input) && Buffers.grow(&buffers.output, to: output)
    }

    init() { decompressor = libdeflate_alloc_decompressor() }

    deinit { if let decompressor { libdeflate_free_decompressor(decompressor) } }

    /// Slack read after the entry's name in the same read as its header and data: the local extra
    /// field (zipalign's padding, a timestamp) usually fits, saving a second read.
    static let extraSlack = 256

    /// Inflates the entry of `record` from `source` with the buffers of nesting level `depth`;
    /// nil when anything about it is irregular (the caller then streams it through libarchive).
    /// The bytes returned stay valid until the next call at the same level.
    func inflate(
        _ record: ZipDirectory.Record, from source: any RandomAccessSource, depth: Int, maxBytes: Int64
    ) -> UnsafeRawBufferPointer? {
        guard let decompressor, record.method == 8, record.flags & 0x41 == 0,
            record.compressedSize > 0, record.compressedSize <= maxBytes, record.uncompressedSize <= maxBytes,
            record.localHeaderOffset >= 0
        else { return nil }
        let compressed = Int(record.compressedSize)
        let size = Int(record.uncompressedSize)
        // One read: the header, the name, the extra field if it is short, and the data.
        let guess = 30 + record.name.count + Self.extraSlack
        guard reserve(depth: depth, input: guess + compressed, output: size, maxBytes: maxBytes) else { return nil }
        let buffers = levels[depth]
        guard
            let readCount = fill(buffers.input, count: guess + compressed, from: source, at: record.localHeaderOffset),
            let header = ZipDirectory.LocalHeader(
                UnsafeRawBufferPointer(rebasing: buffers.input[..<min(readCount, 30)])),
            header.agrees(with: record)
        else { return nil }
        let data: UnsafeRawBufferPointer
        if header.dataStart + compressed <= readCount {
            data = UnsafeRawBufferPointer(rebasing: buffers.input[header.dataStart..<(header.dataStart + compressed)])
        } else {
            // A long extra field: the data is read again from where it starts.
            guard
                let n = fill(
                    buffers.input, count: compressed, from: source,
                    at: record.localHeaderOffset + Int64(header.dataStart)),
                n == compressed
            else { return nil }
            data = UnsafeRawBufferPointer(rebasing: buffers.input[..<compressed])
        }

        var consumed = 0
        var produced = 0
        let result = libdeflate_deflate_decompress_ex(
            decompressor, data.baseAddress, compressed, buffers.output.baseAddress, size, &consumed, &produced)
        guard result == LIBDEFLATE_SUCCESS, consumed == compressed, produced == size else { return nil }
        let output = UnsafeRawBufferPointer(rebasing: buffers.output[..<size])
        guard UInt32(truncatingIfNeeded: libdeflate_crc32(0, output.baseAddress, size)) == record.crc32 else {
            return nil
        }
        return output
    }

    /// Reads up to `count` bytes at `offset` into `buffer`; how many (fewer only at the source's
    /// end), or nil on an I/O error.
    private func fill(
        _ buffer: UnsafeMutableRawBufferPointer, count: Int, from source: any RandomAccessSource, at offset: Int64
    ) -> Int? {
        var filled = 0
        while filled < count {
            guard
                let n = try? source.read(
                    at: offset + Int64(filled), into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<count]))
            else { return nil }
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}

/// An entry inflated whole, handed out a chunk at a time as libarchive hands out its blocks, so
/// that the meter and the visitor see it as they see every other entry.
final class InflatedEntryStream: EntryStream {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    /// The size of the chunks: libarchive's zip reader gives blocks of up to 256 KiB.
    static let chunkSize = 256 * 1024

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func next() -> EntryChunk {
        guard position < bytes.count else { return .end }
        let end = min(bytes.count, position + Self.chunkSize)
        defer { position = end }
        return .data(UnsafeRawBufferPointer(rebasing: bytes[position..<end]))
    }
}

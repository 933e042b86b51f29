import CArchive

/// Raw DEFLATE streams (what zip entries hold), made with libarchive's gzip writer: the gzip
/// header and trailer are cut off, and the trailer's CRC-32 is kept for the zip headers.
public enum Deflate {
    /// A compressed stream with what zip needs to know about its input.
    public struct Output: Sendable {
        public var data: [UInt8]
        public var crc32: UInt32
        public var uncompressedSize: Int64
    }

    /// Compresses `bytes` at `level` (1 fastest … 9 smallest).
    public static func compress(_ bytes: [UInt8], level: Int = 6) -> Output {
        compress(size: Int64(bytes.count), level: level) { write in
            bytes.withUnsafeBytes { write($0) }
        }
    }

    /// Compresses `size` bytes that `produce` writes in pieces; for inputs too large to hold, like
    /// the gigabytes of zeros in a zip bomb.
    public static func compress(
        size: Int64, level: Int = 6, produce: ((UnsafeRawBufferPointer) -> Void) -> Void
    ) -> Output {
        let collector = Collector()
        let archive = archive_write_new()!
        defer { archive_write_free(archive) }
        archive_write_add_filter_gzip(archive)
        archive_write_set_format_raw(archive)
        archive_write_set_bytes_per_block(archive, 0)
        archive_write_set_filter_option(archive, "gzip", "compression-level", String(level))
        archive_write_open2(
            archive, Unmanaged.passUnretained(collector).toOpaque(), nil, collectorWrite, nil, nil)
        let entry = archive_entry_new()!
        archive_entry_set_pathname(entry, "data")
        archive_entry_set_filetype(entry, SG_AE_IFREG)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_size(entry, size)
        archive_write_header(archive, entry)
        archive_entry_free(entry)
        produce { chunk in
            _ = archive_write_data(archive, chunk.baseAddress, chunk.count)
        }
        archive_write_close(archive)
        var output = strip(collector.bytes)
        output.uncompressedSize = size
        return output
    }

    /// Cuts a gzip member down to its DEFLATE body and reads CRC and size from the trailer.
    static func strip(_ gzip: [UInt8]) -> Output {
        precondition(gzip.count >= 18 && gzip[0] == 0x1F && gzip[1] == 0x8B, "not a gzip stream")
        let flags = gzip[3]
        var p = 10
        if flags & 0x04 != 0 { p += 2 + Int(gzip[p]) | Int(gzip[p + 1]) << 8 }
        if flags & 0x08 != 0 { while gzip[p] != 0 { p += 1 }; p += 1 }
        if flags & 0x10 != 0 { while gzip[p] != 0 { p += 1 }; p += 1 }
        if flags & 0x02 != 0 { p += 2 }
        let trailer = gzip.count - 8
        func le32(_ o: Int) -> UInt32 {
            UInt32(gzip[o]) | UInt32(gzip[o + 1]) << 8 | UInt32(gzip[o + 2]) << 16 | UInt32(gzip[o + 3]) << 24
        }
        return Output(
            data: Array(gzip[p..<trailer]), crc32: le32(trailer), uncompressedSize: Int64(le32(trailer + 4)))
    }
}

/// Collects what libarchive writes.
final class Collector {
    var bytes: [UInt8] = []
}

func collectorWrite(
    _ archive: OpaquePointer?, _ data: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?, _ length: Int
) -> la_ssize_t {
    let collector = Unmanaged<Collector>.fromOpaque(data!).takeUnretainedValue()
    if let buffer { collector.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length)) }
    return length
}

/// Writes zip files byte by byte, including the malformed ones real attackers send: names with
/// `..` or NUL, duplicate names, data before the first entry, entries flagged as encrypted,
/// central-directory names that differ from the local header's, records the reader never sees.
public final class ZipBuilder {
    /// How an entry's data is stored.
    public enum Method: Sendable {
        case stored
        case deflated(level: Int)

        public static let deflated = Method.deflated(level: 6)
    }

    /// Per-entry tricks; the defaults write a well-formed entry.
    public struct EntryOptions: Sendable {
        /// Set the general-purpose "encrypted" bit (the data itself stays plain).
        public var encryptedFlag = false
        /// Write sizes and CRC in a data descriptor after the data (bit 3), zero in the local header.
        public var dataDescriptor = false
        /// A different name for the central directory than for the local header.
        public var centralName: [UInt8]?
        /// Leave the entry out of the central directory (only a local-header scanner sees it).
        public var inCentralDirectory = true
        /// Unix mode in the external attributes (e.g. 0o120777 for a symbolic link).
        public var unixMode: UInt32?
        /// Write the data descriptor without its optional `PK\7\8` signature.
        public var unsignedDataDescriptor = false
        /// Sizes for the local header that differ from the real ones (the directory keeps the truth).
        public var localSizes: (compressed: UInt32, uncompressed: UInt32)?
        /// Saturate the 32-bit sizes and offset and carry them in zip64 extra fields.
        public var zip64 = false

        public init() {}
    }

    private struct CentralRecord {
        var name: [UInt8]
        var flags: UInt16
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt32
        var uncompressedSize: UInt32
        var localHeaderOffset: UInt32
        var externalAttributes: UInt32
        var versionMadeBy: UInt16
        var zip64: (compressed: UInt64, uncompressed: UInt64, offset: UInt64)?
    }

    public let sink: any ByteSink
    private var records: [CentralRecord] = []

    public init(sink: any ByteSink = MemorySink()) {
        self.sink = sink
    }

    /// The finished bytes, when writing to memory.
    public var bytes: [UInt8] { (sink as? MemorySink)?.bytes ?? [] }

    /// Bytes before the first entry, as in the Janus attack. Offsets stay absolute.
    public func writePrefix(_ bytes: [UInt8]) { sink.write(bytes) }

    public func addFile(_ name: String, _ data: [UInt8], method: Method = .deflated, options: EntryOptions = .init()) {
        addFile(name: Array(name.utf8), data, method: method, options: options)
    }

    public func addFile(name: [UInt8], _ data: [UInt8], method: Method = .deflated, options: EntryOptions = .init()) {
        switch method {
        case .stored:
            add(
                name: name, methodCode: 0, body: data, crc32: CRC32.checksum(data),
                uncompressedSize: Int64(data.count), options: options)
        case .deflated(let level):
            addDeflated(name: name, Deflate.compress(data, level: level), options: options)
        }
    }

    /// Adds an entry whose DEFLATE stream was made beforehand (a bomb, a large generated file).
    public func addDeflated(name: [UInt8], _ output: Deflate.Output, options: EntryOptions = .init()) {
        add(
            name: name, methodCode: 8, body: output.data, crc32: output.crc32,
            uncompressedSize: output.uncompressedSize, options: options)
    }

    public func addDirectory(_ name: String) {
        var options = EntryOptions()
        options.unixMode = 0o040755
        add(name: Array(name.utf8), methodCode: 0, body: [], crc32: 0, uncompressedSize: 0, options: options)
    }

    public func addSymlink(_ name: String, target: String) {
        var options = EntryOptions()
        options.unixMode = 0o120777
        let body = Array(target.utf8)
        add(
            name: Array(name.utf8), methodCode: 0, body: body, crc32: CRC32.checksum(body),
            uncompressedSize: Int64(body.count), options: options)
    }

    /// Adds a second central-directory record pointing at the local header of entry `index`:
    /// two names, one set of bytes.
    public func addCentralAlias(of index: Int, name: String) {
        var alias = records[index]
        alias.name = Array(name.utf8)
        records.append(alias)
    }

    private func add(
        name: [UInt8], methodCode: UInt16, body: [UInt8], crc32: UInt32, uncompressedSize: Int64,
        options: EntryOptions
    ) {
        let offset = UInt32(truncatingIfNeeded: sink.count)
        let offset64 = UInt64(sink.count)
        var flags: UInt16 = 0x0800  // names are UTF-8
        if options.encryptedFlag { flags |= 0x0001 }
        if options.dataDescriptor { flags |= 0x0008 }
        let size32 = options.zip64 ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: uncompressedSize)
        let compressed32 = options.zip64 ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: body.count)
        var extra = LittleEndianWriter()
        if options.zip64 {
            extra.u16(0x0001)
            extra.u16(16)
            extra.u64(UInt64(uncompressedSize))
            extra.u64(UInt64(body.count))
        }
        var header = LittleEndianWriter()
        header.u32(0x0403_4B50)
        header.u16(options.zip64 ? 45 : 20)
        header.u16(flags)
        header.u16(methodCode)
        header.u16(0)  // time
        header.u16(0x21)  // date: 1980-01-01
        header.u32(options.dataDescriptor ? 0 : crc32)
        header.u32(options.dataDescriptor ? 0 : options.localSizes?.compressed ?? compressed32)
        header.u32(options.dataDescriptor ? 0 : options.localSizes?.uncompressed ?? size32)
        header.u16(UInt16(name.count))
        header.u16(UInt16(extra.output.count))
        header.bytes(name)
        header.bytes(extra.output)
        sink.write(header.output)
        sink.write(body)
        if options.dataDescriptor {
            var descriptor = LittleEndianWriter()
            if !options.unsignedDataDescriptor { descriptor.u32(0x0807_4B50) }
            descriptor.u32(crc32)
            if options.zip64 {
                descriptor.u64(UInt64(body.count))
                descriptor.u64(UInt64(uncompressedSize))
            } else {
                descriptor.u32(compressed32)
                descriptor.u32(size32)
            }
            sink.write(descriptor.output)
        }
        guard options.inCentralDirectory else { return }
        let mode = options.unixMode ?? 0o100644
        records.append(
            CentralRecord(
                name: options.centralName ?? name, flags: flags, method: methodCode, crc32: crc32,
                compressedSize: compressed32, uncompressedSize: size32,
                localHeaderOffset: options.zip64 ? 0xFFFF_FFFF : offset,
                externalAttributes: mode << 16, versionMadeBy: 0x0314,
                zip64: options.zip64 ? (UInt64(body.count), UInt64(uncompressedSize), offset64) : nil))
    }

    /// Writes the central directory and the end record; with `zip64`, a zip64 end record and its
    /// locator too, and the classic end record's fields saturated.
    public func finish(comment: [UInt8] = [], zip64: Bool = false) {
        let start = UInt64(sink.count)
        var directory = LittleEndianWriter()
        for record in records {
            var extra = LittleEndianWriter()
            if let big = record.zip64 {
                extra.u16(0x0001)
                extra.u16(24)
                extra.u64(big.uncompressed)
                extra.u64(big.compressed)
                extra.u64(big.offset)
            }
            directory.u32(0x0201_4B50)
            directory.u16(record.versionMadeBy)
            directory.u16(record.zip64 == nil ? 20 : 45)
            directory.u16(record.flags)
            directory.u16(record.method)
            directory.u16(0)
            directory.u16(0x21)
            directory.u32(record.crc32)
            directory.u32(record.compressedSize)
            directory.u32(record.uncompressedSize)
            directory.u16(UInt16(record.name.count))
            directory.u16(UInt16(extra.output.count))
            directory.u16(0)
            directory.u16(0)
            directory.u16(0)
            directory.u32(record.externalAttributes)
            directory.u32(record.localHeaderOffset)
            directory.bytes(record.name)
            directory.bytes(extra.output)
        }
        sink.write(directory.output)
        var end = LittleEndianWriter()
        if zip64 {
            let recordOffset = UInt64(sink.count)
            end.u32(0x0606_4B50)
            end.u64(44)
            end.u16(45)
            end.u16(45)
            end.u32(0)
            end.u32(0)
            end.u64(UInt64(records.count))
            end.u64(UInt64(records.count))
            end.u64(UInt64(directory.output.count))
            end.u64(start)
            end.u32(0x0706_4B50)
            end.u32(0)
            end.u64(recordOffset)
            end.u32(1)
        }
        end.u32(0x0605_4B50)
        end.u16(0)
        end.u16(0)
        end.u16(zip64 ? 0xFFFF : UInt16(records.count))
        end.u16(zip64 ? 0xFFFF : UInt16(records.count))
        end.u32(zip64 ? 0xFFFF_FFFF : UInt32(directory.output.count))
        end.u32(zip64 ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: start))
        end.u16(UInt16(comment.count))
        end.bytes(comment)
        sink.write(end.output)
    }

    /// A whole zip in memory from (name, content) pairs.
    public static func archive(_ files: [(String, [UInt8])], method: Method = .deflated) -> [UInt8] {
        let zip = ZipBuilder()
        for (name, data) in files { zip.addFile(name, data, method: method) }
        zip.finish()
        return zip.bytes
    }
}

/// Little-endian integers into a byte array.
struct LittleEndianWriter {
    var output: [UInt8] = []
    mutating func u16(_ v: UInt16) { output += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8((v >> UInt32(shift)) & 0xFF)) }
    }
    mutating func u64(_ v: UInt64) {
        u32(UInt32(truncatingIfNeeded: v))
        u32(UInt32(truncatingIfNeeded: v >> 32))
    }
    mutating func bytes(_ b: [UInt8]) { output += b }
}

/// Big-endian integers into a byte array.
struct BigEndianWriter {
    var output: [UInt8] = []
    mutating func u32(_ v: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { output.append(UInt8((v >> UInt32(shift)) & 0xFF)) }
    }
    mutating func bytes(_ b: [UInt8]) { output += b }
}

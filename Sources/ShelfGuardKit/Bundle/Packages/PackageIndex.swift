/// The file table of a mini-program package (WeChat wxapkg, Douyin TPKG): names with absolute
/// offsets and sizes into the package, data stored raw. These formats are not libarchive's; their
/// indexes are parsed here with every count, length and offset bounded.
struct PackageIndex {
    struct Item {
        /// The name as stored (wxapkg names start with `/`).
        var name: [UInt8]
        var offset: Int64
        var size: Int64
    }

    /// Why an index could not be read.
    enum Failure: Error, Equatable {
        case truncated(String)
        case corrupt(String)
        case tooManyEntries(Int64)
        /// The bytes do not follow any layout this reader knows (TPKG variants).
        case unrecognised(String)
    }

    var items: [Item]
    /// Where the data region starts (the end of the index).
    var dataStart: Int64

    /// Reads a WeChat `.wxapkg` index. Big-endian: byte 0 is 0xBE, u32 at 1 (unused), u32 index
    /// length at 5, u32 data length at 9, byte 13 is 0xED; at 14 a u32 file count, then per file
    /// `u32 nameLength, name, u32 offset, u32 size`. Offsets are checked by the caller, per item,
    /// against the file length.
    static func wxapkg(
        _ source: any RandomAccessSource, maxEntries: Int, maxNameLength: Int
    ) throws(Failure)
        -> PackageIndex
    {
        let header = try read(source, at: 0, count: 18)
        guard header.count == 18 else { throw .truncated("the 18-byte wxapkg header is cut short") }
        guard header[0] == 0xBE, header[13] == 0xED else {
            throw .corrupt("wxapkg header marks are not 0xBE…0xED")
        }
        func be32(_ o: Int) -> Int64 {
            Int64(header[o]) << 24 | Int64(header[o + 1]) << 16 | Int64(header[o + 2]) << 8 | Int64(header[o + 3])
        }
        let indexLength = be32(5)
        let indexEnd = 14 + indexLength
        guard indexEnd <= source.length else {
            throw .truncated("the index (\(indexLength) bytes) runs past the end of the file (\(source.length) bytes)")
        }
        let count = be32(14)
        if count > Int64(maxEntries) { throw .tooManyEntries(count) }
        guard count * 12 <= indexLength else {
            throw .corrupt("the index claims \(count) files but has room for \(indexLength / 12)")
        }
        var cursor = SourceCursor(source: source, position: 18, end: indexEnd)
        var items: [Item] = []
        items.reserveCapacity(Int(min(count, 65_536)))
        for i in 0..<count {
            guard let nameLength = try next(&cursor, bigEndian: true) else {
                throw .corrupt("the index ends before file \(i) of \(count)")
            }
            guard nameLength <= Int64(max(maxNameLength, 4096)) else {
                throw .corrupt("file \(i) claims a \(nameLength)-byte name")
            }
            guard let name = try take(&cursor, Int(nameLength)),
                let offset = try next(&cursor, bigEndian: true),
                let size = try next(&cursor, bigEndian: true)
            else { throw .corrupt("the index ends inside the record of file \(i)") }
            items.append(Item(name: Array(name), offset: offset, size: size))
        }
        return PackageIndex(items: items, dataStart: indexEnd)
    }

    /// Reads a Douyin/ByteDance TPKG index, as far as its layout is publicly known: ASCII `TPKG`,
    /// then little-endian u32 version and u32 file count, then per file `u32 nameLength, name,
    /// u32 offset, u32 size`. The layout is only partly reverse-engineered, so anything that does
    /// not fit it exactly (an implausible version, a name that is not UTF-8, an offset inside the
    /// index or past the end) is `unrecognised`: the bundle goes to a person, not to a guess.
    static func tpkg(
        _ source: any RandomAccessSource, maxEntries: Int, maxNameLength: Int
    ) throws(Failure)
        -> PackageIndex
    {
        var cursor = SourceCursor(source: source, position: 0, end: source.length)
        guard let magic = try take(&cursor, 4), magic.elementsEqual("TPKG".utf8) else {
            throw .unrecognised("no TPKG magic")
        }
        guard let version = try next(&cursor, bigEndian: false), let count = try next(&cursor, bigEndian: false)
        else { throw .truncated("the TPKG header is cut short") }
        guard (1...16).contains(version) else { throw .unrecognised("unknown TPKG layout version \(version)") }
        if count > Int64(maxEntries) { throw .tooManyEntries(count) }
        guard count > 0, count * 12 <= source.length else {
            throw .unrecognised("implausible file count \(count) for a \(source.length)-byte package")
        }
        var items: [Item] = []
        for i in 0..<count {
            guard let nameLength = try next(&cursor, bigEndian: false), nameLength > 0,
                nameLength <= Int64(max(maxNameLength, 4096)),
                let name = try take(&cursor, Int(nameLength)),
                let offset = try next(&cursor, bigEndian: false),
                let size = try next(&cursor, bigEndian: false)
            else { throw .unrecognised("record \(i) of \(count) does not fit the known layout") }
            guard String(validating: name, as: UTF8.self) != nil else {
                throw .unrecognised("record \(i) has a name that is not UTF-8")
            }
            items.append(Item(name: Array(name), offset: offset, size: size))
        }
        let indexEnd = cursor.position
        for (i, item) in items.enumerated() where item.offset < indexEnd || item.offset + item.size > source.length {
            throw .unrecognised("record \(i) points outside the data region")
        }
        return PackageIndex(items: items, dataStart: indexEnd)
    }

    private static func read(
        _ source: any RandomAccessSource, at offset: Int64, count: Int
    ) throws(Failure)
        -> [UInt8]
    {
        do { return try source.bytes(at: offset, count: count) } catch { throw .truncated(error.description) }
    }

    private static func take(_ cursor: inout SourceCursor, _ count: Int) throws(Failure) -> ArraySlice<UInt8>? {
        do { return try cursor.take(count) } catch { throw .truncated(error.description) }
    }

    private static func next(_ cursor: inout SourceCursor, bigEndian: Bool) throws(Failure) -> Int64? {
        do {
            let value = try bigEndian ? cursor.bigEndian32() : cursor.littleEndian32()
            return value.map(Int64.init)
        } catch { throw .truncated(error.description) }
    }
}

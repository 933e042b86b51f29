/// A zip's central directory, read straight from its bytes, independently of libarchive.
///
/// libarchive does the real reading; this scan runs first because it answers what libarchive
/// does not tell: where the first entry starts (data glued in front: Janus), which entries are
/// stored (a stored nested archive is read in place, without copying), each entry's compressed
/// size (for the ratio limit), raw name bytes (NUL included), entries that overlap, and how many
/// entries there are before libarchive allocates memory for all of them.
struct ZipDirectory {
    /// One central-directory record.
    struct Record {
        /// Position in the central directory.
        var index: Int
        /// The name exactly as stored, NUL and control bytes included.
        var name: [UInt8]
        var flags: UInt16
        var method: UInt16
        var compressedSize: Int64
        var uncompressedSize: Int64
        /// Absolute offset of the local header in the source (already corrected for a prefix).
        var localHeaderOffset: Int64
        var versionMadeBy: UInt16
        var externalAttributes: UInt32

        var isEncrypted: Bool { flags & 0x0001 != 0 }
        var isStored: Bool { method == 0 }
        var isSymlink: Bool {
            versionMadeBy >> 8 == 3 && (externalAttributes >> 16) & 0o170000 == 0o120000
        }
        /// The name as libarchive reports it: C strings end at the first NUL.
        var nameUpToNUL: ArraySlice<UInt8> {
            name.firstIndex(of: 0).map { name[..<$0] } ?? name[...]
        }
    }

    /// Why a scan failed.
    enum Failure: Error, Equatable {
        /// No end-of-central-directory record: not a zip at all.
        case notZip
        /// The file ends before the structures it announces.
        case truncated(String)
        /// The structures contradict themselves.
        case corrupt(String)
        /// More records than the entry limit; nothing was handed to libarchive.
        case tooManyEntries(declared: Int64)
    }

    var records: [Record]
    /// Offset of the end-of-central-directory record.
    var endRecordOffset: Int64
    /// Absolute offset of the central directory.
    var centralDirectoryOffset: Int64
    /// Bytes before the first local header (or before the central directory when there are no
    /// entries). Zero in a well-formed zip.
    var prefixLength: Int64
    /// The offset correction applied: nonzero when the offsets in the directory are relative to a
    /// zip that was appended to other data.
    var offsetCorrection: Int64

    /// Reads the central directory of `source`, refusing to collect more than `maxEntries`.
    static func scan(_ source: any RandomAccessSource, maxEntries: Int) throws(Failure) -> ZipDirectory {
        let length = source.length
        guard length >= 22 else { throw .notZip }
        let tailLength = Int(min(length, 22 + 65_535 + 20 + 56))
        let tailStart = length - Int64(tailLength)
        let tail = try load(source, at: tailStart, count: tailLength)

        // The end record is the last "PK\5\6" whose comment fits; prefer one whose comment ends
        // exactly at the end of the file.
        var chosen: Int?
        var fallback: Int?
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50 && tail[i + 1] == 0x4B && tail[i + 2] == 0x05 && tail[i + 3] == 0x06 {
                let commentLength = Int(le16(tail, i + 20))
                if i + 22 + commentLength == tail.count {
                    chosen = i
                    break
                }
                if i + 22 + commentLength < tail.count && fallback == nil { fallback = i }
            }
            i -= 1
        }
        guard let eocdInTail = chosen ?? fallback else { throw .notZip }
        let eocdOffset = tailStart + Int64(eocdInTail)

        var declaredCount = Int64(le16(tail, eocdInTail + 10))
        var cdSize = Int64(le32(tail, eocdInTail + 12))
        var cdOffset = Int64(le32(tail, eocdInTail + 16))
        var cdEnd = eocdOffset

        // Zip64: the 32-bit fields are saturated and a locator sits just before the end record.
        if declaredCount == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            let locatorInTail = eocdInTail - 20
            guard locatorInTail >= 0, le32(tail, locatorInTail) == 0x0706_4B50 else {
                throw .corrupt("zip64 end record locator missing before the end of central directory")
            }
            let declaredRecordOffset = Int64(bitPattern: le64(tail, locatorInTail + 8))
            let expectedRecordOffset = eocdOffset - 20 - 56
            var record: [UInt8] = []
            for candidate in [declaredRecordOffset, expectedRecordOffset] where candidate >= 0 {
                let bytes = try load(source, at: candidate, count: 56)
                if bytes.count == 56 && le32(bytes, 0) == 0x0606_4B50 {
                    record = bytes
                    cdEnd = candidate
                    break
                }
            }
            guard !record.isEmpty else { throw .corrupt("zip64 end of central directory record not found") }
            declaredCount = Int64(bitPattern: le64(record, 32))
            cdSize = Int64(bitPattern: le64(record, 40))
            cdOffset = Int64(bitPattern: le64(record, 48))
        }
        guard declaredCount >= 0, cdSize >= 0, cdOffset >= 0, cdSize <= cdEnd else {
            throw .corrupt("central directory size or offset out of range")
        }
        if declaredCount > Int64(maxEntries) { throw .tooManyEntries(declared: declaredCount) }

        // Offsets are normally absolute. A zip appended to other data without rewriting its
        // offsets has them relative to its own start: correct by the difference.
        var correction: Int64 = 0
        let declaredEnd = cdOffset.addingReportingOverflow(cdSize)
        guard !declaredEnd.overflow else { throw .corrupt("central directory offset overflows") }
        if declaredEnd.partialValue > cdEnd {
            throw .truncated("central directory (\(cdSize) bytes at \(cdOffset)) runs past its end record at \(cdEnd)")
        }
        if declaredEnd.partialValue < cdEnd && declaredCount > 0 {
            let shifted = cdEnd - cdSize
            if try signature(source, at: cdOffset) != 0x0201_4B50,
                try signature(source, at: shifted) == 0x0201_4B50
            {
                correction = shifted - cdOffset
            }
        }
        let cdStart = cdOffset + correction

        var records: [Record] = []
        records.reserveCapacity(Int(min(declaredCount, 65_536)))
        var cursor = SourceCursor(source: source, position: cdStart, end: cdStart + cdSize)
        func take(_ count: Int) throws(Failure) -> ArraySlice<UInt8>? {
            do { return try cursor.take(count) } catch { throw .truncated(error.description) }
        }
        while Int64(records.count) < declaredCount {
            guard let fixed = try take(46) else {
                throw .corrupt(
                    "central directory holds \(records.count) entries; its end record claims \(declaredCount)")
            }
            guard le32(fixed, 0) == 0x0201_4B50 else {
                throw .corrupt("bad central directory signature at entry \(records.count)")
            }
            let nameLength = Int(le16(fixed, 28))
            let extraLength = Int(le16(fixed, 30))
            let commentLength = Int(le16(fixed, 32))
            guard let variable = try take(nameLength + extraLength + commentLength) else {
                throw .corrupt("central directory entry \(records.count) runs past the directory's end")
            }
            var record = Record(
                index: records.count,
                name: Array(variable.prefix(nameLength)),
                flags: le16(fixed, 8),
                method: le16(fixed, 10),
                compressedSize: Int64(le32(fixed, 20)),
                uncompressedSize: Int64(le32(fixed, 24)),
                localHeaderOffset: Int64(le32(fixed, 42)),
                versionMadeBy: le16(fixed, 4),
                externalAttributes: le32(fixed, 38)
            )
            applyZip64Extra(Array(variable.dropFirst(nameLength).prefix(extraLength)), to: &record)
            record.localHeaderOffset += correction
            records.append(record)
            if records.count > maxEntries { throw .tooManyEntries(declared: declaredCount) }
        }

        let firstLocal = records.map(\.localHeaderOffset).min() ?? cdStart
        return ZipDirectory(
            records: records, endRecordOffset: eocdOffset, centralDirectoryOffset: cdStart,
            prefixLength: max(0, firstLocal), offsetCorrection: correction)
    }

    /// Replaces saturated 32-bit fields with the zip64 extended-information extra field's values.
    private static func applyZip64Extra(_ extra: [UInt8], to record: inout Record) {
        var p = 0
        while p + 4 <= extra.count {
            let id = le16(extra, p)
            let size = Int(le16(extra, p + 2))
            let body = p + 4
            guard body + size <= extra.count else { return }
            if id == 0x0001 {
                var q = body
                func next() -> Int64? {
                    guard q + 8 <= body + size else { return nil }
                    defer { q += 8 }
                    return Int64(bitPattern: le64(extra, q))
                }
                if record.uncompressedSize == 0xFFFF_FFFF, let v = next() { record.uncompressedSize = v }
                if record.compressedSize == 0xFFFF_FFFF, let v = next() { record.compressedSize = v }
                if record.localHeaderOffset == 0xFFFF_FFFF, let v = next() { record.localHeaderOffset = v }
                return
            }
            p = body + size
        }
    }

    /// Where an entry's data begins: after its local header, whose name and extra lengths may
    /// differ from the central directory's. Nil when the local header is not there.
    func dataOffset(of record: Record, in source: any RandomAccessSource) -> Int64? {
        guard let header = try? source.bytes(at: record.localHeaderOffset, count: 30), header.count == 30,
            ZipDirectory.le32(header, 0) == 0x0403_4B50
        else { return nil }
        let start =
            record.localHeaderOffset + 30 + Int64(ZipDirectory.le16(header, 26))
            + Int64(ZipDirectory.le16(header, 28))
        guard start + record.compressedSize <= source.length else { return nil }
        return start
    }

    /// Pairs of entries whose data ranges overlap, judged from the central directory alone (the
    /// local header's own extra field can only make an entry longer, so no false alarms).
    func overlappingPairs(limit: Int) -> [(Record, Record)] {
        let sorted = records.sorted { ($0.localHeaderOffset, $0.index) < ($1.localHeaderOffset, $1.index) }
        var pairs: [(Record, Record)] = []
        var reach: (end: Int64, record: Record)?
        for record in sorted {
            if let current = reach, record.localHeaderOffset < current.end {
                pairs.append((current.record, record))
                if pairs.count >= limit { break }
            }
            let end = record.localHeaderOffset + 30 + Int64(record.name.count) + record.compressedSize
            if reach == nil || end > reach!.end { reach = (end, record) }
        }
        return pairs
    }

    // MARK: - Little-endian helpers

    static func le16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    static func le32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
    static func le64(_ b: [UInt8], _ o: Int) -> UInt64 {
        UInt64(le32(b, o)) | UInt64(le32(b, o + 4)) << 32
    }

    private static func load(
        _ source: any RandomAccessSource, at offset: Int64, count: Int
    ) throws(Failure)
        -> [UInt8]
    {
        do { return try source.bytes(at: offset, count: count) } catch { throw .truncated(error.description) }
    }

    private static func signature(_ source: any RandomAccessSource, at offset: Int64) throws(Failure) -> UInt32? {
        let bytes = try load(source, at: offset, count: 4)
        return bytes.count == 4 ? le32(bytes, 0) : nil
    }
}

extension ZipDirectory {
    fileprivate static func le16(_ b: ArraySlice<UInt8>, _ o: Int) -> UInt16 {
        let s = b.startIndex
        return UInt16(b[s + o]) | UInt16(b[s + o + 1]) << 8
    }
    fileprivate static func le32(_ b: ArraySlice<UInt8>, _ o: Int) -> UInt32 {
        let s = b.startIndex
        return UInt32(b[s + o]) | UInt32(b[s + o + 1]) << 8 | UInt32(b[s + o + 2]) << 16
            | UInt32(b[s + o + 3]) << 24
    }
}

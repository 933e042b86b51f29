/// A zip's central directory, read straight from its bytes by Android's rules, independently of
/// libarchive.
///
/// Android's installer (libziparchive) finds the end record by scanning the last 65,535 + 22 bytes
/// backwards for the first `PK\5\6`, insists that its comment ends exactly at the end of the file,
/// and reads exactly the number of records the end record counts, from the offset and within the
/// size it gives. This scan does the same, and where a bundle strays from those rules it says so
/// (`anomalies`) and still recovers what can be read: records before the damage in a truncated
/// directory, the directory behind garbage or a long comment.
///
/// libarchive does the real reading, through `canonicalSource(over:)`: the bundle's bytes up to
/// the end of the records accepted here, followed by a fresh end record without comment. libarchive
/// then sees exactly the directory Android sees, whatever comment, trailing data or stray records
/// the bundle carries (its own search looks only 16 KiB from the end and stops at the first
/// unexpected signature).
///
/// The scan also answers what libarchive does not tell: where the first entry starts (data glued
/// in front: Janus), which entries are stored (a stored nested archive is read in place, without
/// copying), each entry's compressed size (for the ratio limit), raw names (NUL included), entries
/// that overlap, local headers that no record lists, and how many entries there are before
/// libarchive allocates memory for all of them.
struct ZipDirectory {
    /// One central-directory record.
    struct Record {
        /// Position in the central directory.
        var index: Int
        /// The name exactly as stored, NUL and control bytes included.
        var name: [UInt8]
        var flags: UInt16
        var method: UInt16
        /// The CRC-32 of the entry's uncompressed bytes.
        var crc32: UInt32 = 0
        var compressedSize: Int64
        var uncompressedSize: Int64
        /// Absolute offset of the local header in the source (already corrected for a prefix).
        var localHeaderOffset: Int64
        var versionMadeBy: UInt16
        var externalAttributes: UInt32

        var isEncrypted: Bool { flags & 0x0001 != 0 }
        var isStored: Bool { method == 0 }
        var hasDataDescriptor: Bool { flags & 0x0008 != 0 }
        var isSymlink: Bool {
            versionMadeBy >> 8 == 3 && (externalAttributes >> 16) & 0o170000 == 0o120000
        }
        /// The name as libarchive reports it: C strings end at the first NUL.
        var nameUpToNUL: ArraySlice<UInt8> {
            name.firstIndex(of: 0).map { name[..<$0] } ?? name[...]
        }
    }

    /// Why a scan failed: nothing of the directory could be used.
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

    /// Something the scan saw that strays from what Android accepts or reads, and what it means.
    struct Anomaly: Equatable {
        var kind: HazardKind
        var detail: String
    }

    var records: [Record]
    /// Offset of the end-of-central-directory record.
    var endRecordOffset: Int64
    /// Absolute offset of the central directory.
    var centralDirectoryOffset: Int64
    /// The directory offset as the end record writes it (before any prefix correction).
    var declaredDirectoryOffset: Int64
    /// Bytes of the directory holding the records kept (from `centralDirectoryOffset`).
    var recordsLength: Int64
    /// Bytes before the first local header (or before the central directory when there are no
    /// entries). Zero in a well-formed zip.
    var prefixLength: Int64
    /// The offset correction applied: nonzero when the offsets in the directory are relative to a
    /// zip that was appended to other data.
    var offsetCorrection: Int64
    /// Departures from Android's rules, in the order seen.
    var anomalies: [Anomaly] = []
    /// True when records the end record counts could not be read (the directory is truncated or
    /// damaged): what is kept is what could be recovered.
    var isSalvaged = false

    /// The longest comment an end record can have, and the record's own size: Android's window.
    static let endRecordSize = 22
    static let maxCommentLength = 65_535

    /// Reads the central directory of `source`, refusing to collect more than `maxEntries`.
    static func scan(_ source: any RandomAccessSource, maxEntries: Int) throws(Failure) -> ZipDirectory {
        let length = source.length
        guard length >= Int64(endRecordSize) else { throw .notZip }
        let tailLength = Int(min(length, Int64(endRecordSize + maxCommentLength)))
        let tailStart = length - Int64(tailLength)
        let tail = try load(source, at: tailStart, count: tailLength)
        var anomalies: [Anomaly] = []

        // Android takes the last "PK\5\6" and refuses the file unless its comment ends exactly at
        // the end. Where it does not, the last record whose comment does end there (or, failing
        // that, the last one whose comment fits) is read instead, so that a device that tolerates
        // trailing bytes is not shown more than ShelfGuard sees.
        var candidates: [Int] = []
        var i = tail.count - endRecordSize
        while i >= 0 {
            if tail[i] == 0x50 && tail[i + 1] == 0x4B && tail[i + 2] == 0x05 && tail[i + 3] == 0x06 {
                candidates.append(i)
            }
            i -= 1
        }
        func endsAtEnd(_ i: Int) -> Bool { i + endRecordSize + Int(le16(tail, i + 20)) == tail.count }
        func fits(_ i: Int) -> Bool { i + endRecordSize + Int(le16(tail, i + 20)) <= tail.count }
        guard let last = candidates.first else { throw .notZip }
        let eocdInTail: Int
        if endsAtEnd(last) {
            eocdInTail = last
            if let other = candidates.dropFirst().first(where: endsAtEnd) {
                anomalies.append(
                    Anomaly(
                        kind: .endRecordConflict,
                        detail:
                            "two end-of-central-directory records fit the file: Android reads the last (at \(tailStart + Int64(last))), which sits inside the comment of another (at \(tailStart + Int64(other))) that other zip readers may take"
                    ))
            }
        } else if let chosen = candidates.first(where: endsAtEnd) ?? candidates.first(where: fits) {
            eocdInTail = chosen
            let end = chosen + endRecordSize + Int(le16(tail, chosen + 20))
            let trailing = tail.count - end
            anomalies.append(
                Anomaly(
                    kind: .damagedDirectory,
                    detail: trailing > 0
                        ? "\(trailing) bytes follow the end of central directory and its comment: Android refuses to install such a file"
                        : "the last end-of-central-directory signature (at \(tailStart + Int64(last))) is not a record whose comment ends the file: Android refuses to install such a file; the record at \(tailStart + Int64(chosen)) was read"
                ))
        } else {
            throw .corrupt("no end-of-central-directory record whose comment fits in the file")
        }
        let eocdOffset = tailStart + Int64(eocdInTail)

        var declaredCount = Int64(le16(tail, eocdInTail + 10))
        let countOnDisk = Int64(le16(tail, eocdInTail + 8))
        var cdSize = Int64(le32(tail, eocdInTail + 12))
        var cdOffset = Int64(le32(tail, eocdInTail + 16))
        var cdEnd = eocdOffset
        if countOnDisk != declaredCount || le16(tail, eocdInTail + 4) != 0 || le16(tail, eocdInTail + 6) != 0 {
            anomalies.append(
                Anomaly(
                    kind: .damagedDirectory,
                    detail:
                        "the end record describes a multi-disk zip (\(countOnDisk) entries on this disk, \(declaredCount) in all): Android refuses such a file"
                ))
        }

        // Zip64: the 32-bit fields are saturated and a locator sits just before the end record.
        if declaredCount == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            let locatorOffset = eocdOffset - 20
            let locator = locatorOffset >= 0 ? try load(source, at: locatorOffset, count: 20) : []
            guard locator.count == 20, le32(locator, 0) == 0x0706_4B50 else {
                throw .corrupt("zip64 end record locator missing before the end of central directory")
            }
            let declaredRecordOffset = Int64(bitPattern: le64(locator, 8))
            let expectedRecordOffset = locatorOffset - 56
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
        guard declaredCount >= 0, cdSize >= 0, cdOffset >= 0 else {
            throw .corrupt("central directory size or offset out of range")
        }
        if declaredCount > Int64(maxEntries) { throw .tooManyEntries(declared: declaredCount) }

        // Offsets are normally absolute. A zip appended to other data without rewriting its
        // offsets has them relative to its own start: correct by the difference.
        var correction: Int64 = 0
        let declaredEnd = cdOffset.addingReportingOverflow(cdSize)
        guard !declaredEnd.overflow, cdOffset <= cdEnd else {
            throw .corrupt("the central directory offset (\(cdOffset)) lies past its end record (at \(cdEnd))")
        }
        var directoryEnd = declaredEnd.partialValue
        var salvaged = false
        if directoryEnd > cdEnd {
            // Android refuses; the records that fit before the end record are still read.
            anomalies.append(
                Anomaly(
                    kind: .truncated,
                    detail:
                        "the central directory (\(cdSize) bytes at \(cdOffset)) runs past its end record at \(cdEnd): Android refuses to install such a file; the records before the end record were read"
                ))
            directoryEnd = cdEnd
            salvaged = true
        } else if directoryEnd < cdEnd && declaredCount > 0 {
            let shifted = cdEnd - cdSize
            if try signature(source, at: cdOffset) != 0x0201_4B50,
                try signature(source, at: shifted) == 0x0201_4B50
            {
                correction = shifted - cdOffset
            } else {
                anomalies.append(
                    Anomaly(
                        kind: .damagedDirectory,
                        detail:
                            "\(cdEnd - directoryEnd) bytes lie between the central directory and its end record: APK signature schemes v2 and later refuse such a file (v1-only APKs still install); the directory was read as its end record describes it"
                    ))
            }
        }
        let cdStart = cdOffset + correction
        directoryEnd += correction

        var records: [Record] = []
        records.reserveCapacity(Int(min(declaredCount, 65_536)))
        var cursor = SourceCursor(source: source, position: cdStart, end: directoryEnd)
        func take(_ count: Int) -> ArraySlice<UInt8>? { try? cursor.take(count) }
        var recordsEnd = cdStart
        while Int64(records.count) < declaredCount {
            var problem: String?
            defer {
                if let problem {
                    anomalies.append(
                        Anomaly(
                            kind: .truncated,
                            detail:
                                "\(problem): the central directory holds \(records.count) readable records of the \(declaredCount) its end record counts; Android refuses to install such a file; the \(records.count) were read"
                        ))
                    salvaged = true
                }
            }
            guard let fixed = take(46) else {
                problem = "the central directory ends inside record \(records.count)"
                break
            }
            guard le32(fixed, 0) == 0x0201_4B50 else {
                problem = "record \(records.count) of the central directory has no record signature"
                break
            }
            let nameLength = Int(le16(fixed, 28))
            let extraLength = Int(le16(fixed, 30))
            let commentLength = Int(le16(fixed, 32))
            guard let variable = take(nameLength + extraLength + commentLength) else {
                problem = "record \(records.count) runs past the central directory's end"
                break
            }
            var record = Record(
                index: records.count,
                name: Array(variable.prefix(nameLength)),
                flags: le16(fixed, 8),
                method: le16(fixed, 10),
                crc32: le32(fixed, 16),
                compressedSize: Int64(le32(fixed, 20)),
                uncompressedSize: Int64(le32(fixed, 24)),
                localHeaderOffset: Int64(le32(fixed, 42)),
                versionMadeBy: le16(fixed, 4),
                externalAttributes: le32(fixed, 38)
            )
            applyZip64Extra(Array(variable.dropFirst(nameLength).prefix(extraLength)), to: &record)
            record.localHeaderOffset += correction
            records.append(record)
            recordsEnd = cursor.position
            if records.count > maxEntries { throw .tooManyEntries(declared: declaredCount) }
        }
        if !salvaged && recordsEnd < directoryEnd {
            let more = try signature(source, at: recordsEnd) == 0x0201_4B50
            anomalies.append(
                Anomaly(
                    kind: more ? .hiddenEntry : .damagedDirectory,
                    detail: more
                        ? "the central directory holds more records than the \(declaredCount) its end record counts: Android reads \(declaredCount) and never installs the rest; other tools may read them"
                        : "\(directoryEnd - recordsEnd) bytes of the central directory follow its \(declaredCount) records"
                ))
        }
        if let outside = records.first(where: { $0.localHeaderOffset >= cdStart }) {
            anomalies.append(
                Anomaly(
                    kind: .damagedDirectory,
                    detail:
                        "record \(outside.index) (\"\(EntryName.display(outside.name))\") points at a local header at or past the central directory: Android refuses to install such a file"
                ))
        }

        let firstLocal = records.map(\.localHeaderOffset).min() ?? cdStart
        return ZipDirectory(
            records: records, endRecordOffset: eocdOffset, centralDirectoryOffset: cdStart,
            declaredDirectoryOffset: cdOffset, recordsLength: recordsEnd - cdStart, prefixLength: max(0, firstLocal),
            offsetCorrection: correction, anomalies: anomalies, isSalvaged: salvaged)
    }

    /// The bytes libarchive reads: the bundle up to the end of the records kept, then a fresh
    /// end record (zip64 when the counts or offsets need it) that counts exactly those records and
    /// carries no comment. Entries keep their absolute offsets; nothing is copied.
    func canonicalSource(over source: any RandomAccessSource) -> any RandomAccessSource {
        let keep = centralDirectoryOffset + recordsLength
        let count = Int64(records.count)
        var tail = LittleEndianBuffer()
        let needsZip64 = count >= 0xFFFF || recordsLength >= 0xFFFF_FFFF || declaredDirectoryOffset >= 0xFFFF_FFFF
        if needsZip64 {
            tail.u32(0x0606_4B50)
            tail.u64(44)  // the record's size after this field
            tail.u16(45)
            tail.u16(45)
            tail.u32(0)
            tail.u32(0)
            tail.u64(UInt64(count))
            tail.u64(UInt64(count))
            tail.u64(UInt64(recordsLength))
            tail.u64(UInt64(declaredDirectoryOffset))
            tail.u32(0x0706_4B50)
            tail.u32(0)
            tail.u64(UInt64(keep))
            tail.u32(1)
        }
        tail.u32(0x0605_4B50)
        tail.u16(0)
        tail.u16(0)
        tail.u16(needsZip64 ? 0xFFFF : UInt16(count))
        tail.u16(needsZip64 ? 0xFFFF : UInt16(count))
        tail.u32(needsZip64 ? 0xFFFF_FFFF : UInt32(recordsLength))
        tail.u32(needsZip64 ? 0xFFFF_FFFF : UInt32(declaredDirectoryOffset))
        tail.u16(0)
        return SplicedSource(SliceSource(parent: source, base: 0, length: keep), then: tail.bytes)
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
        localHeader(of: record, in: source)?.dataOffset
    }

    /// An entry's local header and where its data begins; nil when the header is not there or
    /// the data would run past the source's end.
    func localHeader(
        of record: Record, in source: any RandomAccessSource
    ) -> (
        header: LocalHeader, dataOffset: Int64
    )? {
        guard let bytes = try? source.bytes(at: record.localHeaderOffset, count: 30),
            let header = bytes.withUnsafeBytes({ LocalHeader($0) })
        else { return nil }
        let start = record.localHeaderOffset + Int64(header.dataStart)
        guard start + record.compressedSize <= source.length else { return nil }
        return (header, start)
    }

    /// A local header's fixed fields: what `WholeInflater` compares with the directory, and
    /// where the entry's data starts.
    struct LocalHeader: Equatable {
        var flags: UInt16
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt32
        var uncompressedSize: UInt32
        /// Bytes from the local header's start to the entry's data.
        var dataStart: Int

        init?(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count >= 30, bytes.loadUnaligned(as: UInt32.self).littleEndian == 0x0403_4B50 else {
                return nil
            }
            func le16(_ o: Int) -> UInt16 {
                UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self))
            }
            func le32(_ o: Int) -> UInt32 {
                UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self))
            }
            flags = le16(6)
            method = le16(8)
            crc32 = le32(14)
            compressedSize = le32(18)
            uncompressedSize = le32(22)
            dataStart = 30 + Int(le16(26)) + Int(le16(28))
        }

        /// Whether libarchive would read the entry with this header without a warning and with
        /// the directory's method, CRC-32 and sizes.
        func agrees(with record: ZipDirectory.Record) -> Bool {
            method == record.method && flags & 0x41 == 0
                && (crc32 == 0 || crc32 == record.crc32)
                && (compressedSize == 0 || Int64(compressedSize) == record.compressedSize)
                && (uncompressedSize == 0 || Int64(uncompressedSize) == record.uncompressedSize)
        }
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

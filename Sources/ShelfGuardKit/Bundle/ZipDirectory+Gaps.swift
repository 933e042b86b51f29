/// The bytes between the entries the central directory lists, and the local headers hidden there.
///
/// Android installs what the directory lists and nothing else, so a local header in a gap (an
/// "orphan") never reaches a phone, while a tool that walks local headers reads it. ShelfGuard
/// reports each orphan by name; when the directory itself is damaged, the gaps are also where the
/// entries whose records were lost still lie, and they are read from there.
extension ZipDirectory {
    /// A stretch of the file that no listed entry covers.
    struct Gap: Equatable {
        var start: Int64
        var end: Int64
        var length: Int64 { end - start }
    }

    /// A local header that no record lists.
    struct Orphan: Equatable {
        var offset: Int64
        var name: [UInt8]
    }

    /// The stretches between the end of the prefix and the central directory that no listed
    /// entry's header, data or data descriptor covers. Each record's local header is read only when
    /// the next entry does not start exactly where the directory's sizes say this one ends.
    func gaps(in source: any RandomAccessSource) -> [Gap] {
        let sorted = records.sorted { ($0.localHeaderOffset, $0.index) < ($1.localHeaderOffset, $1.index) }
        var gaps: [Gap] = []
        var reach = prefixLength
        var reader = ForwardReader(source: source)
        for (i, record) in sorted.enumerated() {
            if record.localHeaderOffset > reach { gaps.append(Gap(start: reach, end: record.localHeaderOffset)) }
            // The least this entry can span: local header with the directory's name, no extra field.
            let next = i + 1 < sorted.count ? sorted[i + 1].localHeaderOffset : centralDirectoryOffset
            var end = record.localHeaderOffset + 30 + Int64(record.name.count) + record.compressedSize
            if end != next || record.hasDataDescriptor {
                end = exactEnd(of: record, reader: &reader) ?? end
            }
            reach = max(reach, end)
        }
        if centralDirectoryOffset > reach { gaps.append(Gap(start: reach, end: centralDirectoryOffset)) }
        return gaps
    }

    /// Where an entry really ends: after its local header's own name and extra field, its data,
    /// and its data descriptor if it has one. Nil when the local header is not there.
    private func exactEnd(of record: Record, reader: inout ForwardReader) -> Int64? {
        guard let header = reader.bytes(at: record.localHeaderOffset, count: 30),
            ZipDirectory.le32(header, 0) == 0x0403_4B50
        else { return nil }
        var end =
            record.localHeaderOffset + 30 + Int64(ZipDirectory.le16(header, 26)) + Int64(ZipDirectory.le16(header, 28))
            + record.compressedSize
        if record.hasDataDescriptor {
            let zip64 = record.compressedSize >= 0xFFFF_FFFF || record.uncompressedSize >= 0xFFFF_FFFF
            let signed = reader.bytes(at: end, count: 4).map { ZipDirectory.le32($0, 0) == 0x0807_4B50 } ?? false
            end += (signed ? 4 : 0) + (zip64 ? 20 : 12)
        }
        return end
    }

    /// Local headers inside `gaps`, at most `limit`. A header counts when its signature is followed
    /// by plausible fields (a known compression method, a name that fits), so that stray bytes in
    /// an APK signing block are not taken for one.
    func orphans(in gaps: [Gap], source: any RandomAccessSource, maxNameLength: Int, limit: Int) -> [Orphan] {
        var found: [Orphan] = []
        let window = 256 * 1024
        for gap in gaps {
            var position = gap.start
            while position < gap.end - 3 && found.count < limit {
                let count = Int(min(Int64(window) + 3, gap.end - position))
                guard let bytes = try? source.bytes(at: position, count: count), bytes.count >= 4 else { break }
                var i = 0
                while i + 4 <= bytes.count && found.count < limit {
                    if bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 0x03 && bytes[i + 3] == 0x04,
                        let orphan = plausibleHeader(at: position + Int64(i), in: source, maxNameLength: maxNameLength)
                    {
                        found.append(orphan)
                    }
                    i += 1
                }
                position += Int64(max(1, bytes.count - 3))
            }
        }
        return found
    }

    private func plausibleHeader(at offset: Int64, in source: any RandomAccessSource, maxNameLength: Int) -> Orphan? {
        guard let header = try? source.bytes(at: offset, count: 30), header.count == 30 else { return nil }
        let method = ZipDirectory.le16(header, 8)
        let nameLength = Int(ZipDirectory.le16(header, 26))
        guard [0, 8, 9, 12, 14, 93, 95, 98].contains(method), ZipDirectory.le16(header, 4) <= 63,
            (1...max(1, maxNameLength)).contains(nameLength),
            let name = try? source.bytes(at: offset + 30, count: nameLength), name.count == nameLength
        else { return nil }
        return Orphan(offset: offset, name: name)
    }
}

/// Reads small pieces of a source at increasing offsets through one window, so that the local
/// headers of many small entries cost one read, not one each.
struct ForwardReader {
    let source: any RandomAccessSource
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0
    private static let windowSize = 64 * 1024

    init(source: any RandomAccessSource) { self.source = source }

    /// Exactly `count` bytes at `offset`, or nil when the source ends first.
    mutating func bytes(at offset: Int64, count: Int) -> [UInt8]? {
        guard offset >= 0 else { return nil }
        if offset < windowStart || offset + Int64(count) > windowStart + Int64(window.count) {
            guard let fresh = try? source.bytes(at: offset, count: max(count, Self.windowSize)) else { return nil }
            window = fresh
            windowStart = offset
        }
        let start = Int(offset - windowStart)
        guard start + count <= window.count else { return nil }
        return Array(window[start..<(start + count)])
    }
}

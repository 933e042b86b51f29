/// `resources.arsc`, read only as far as needed to resolve a reference such as a versionName of
/// `@7F050026` to its text: table → global string pool → packages → type chunks → entries. The
/// default configuration wins; otherwise the first one that has the entry. Every offset is
/// checked, chunk counts are bounded, and references are followed at most eight hops.
struct ResourceTable {
    private let data: LittleEndianBytes
    private let globalPool: StringPool?
    /// For each package id, the offsets of its type chunks by type id.
    private let typeChunks: [UInt8: [UInt8: [Int]]]

    static let tableType: UInt16 = 0x0002
    static let packageType: UInt16 = 0x0200
    static let typeType: UInt16 = 0x0201

    init(_ bytes: [UInt8], limits: ManifestLimits) throws(ManifestError) {
        let data = LittleEndianBytes(bytes: bytes)
        guard data.u16(0) == ResourceTable.tableType, let headerSize = data.u16(2), let size = data.u32(4) else {
            throw .malformed("resources.arsc does not start with a resource table chunk")
        }
        let end = min(Int(size), bytes.count)
        var budget = NodeBudget(limits)
        var pool: StringPool?
        var chunks: [UInt8: [UInt8: [Int]]] = [:]
        var position = max(Int(headerSize), 8)
        while position + 8 <= end {
            guard let type = data.u16(position), let header = data.u16(position + 2),
                let chunkSize = data.u32(position + 4), chunkSize >= 8, Int(header) >= 8,
                position + Int(chunkSize) <= end
            else { break }
            try budget.spend()
            let chunkEnd = position + Int(chunkSize)
            if type == BinaryXML.stringPoolType && pool == nil {
                pool = try StringPool(data, at: position, headerSize: Int(header), end: chunkEnd)
            } else if type == ResourceTable.packageType, let id = data.u32(position + 8) {
                var types: [UInt8: [Int]] = chunks[UInt8(truncatingIfNeeded: id)] ?? [:]
                var inner = position + Int(header)
                while inner + 8 <= chunkEnd {
                    guard let innerType = data.u16(inner), let innerSize = data.u32(inner + 4), innerSize >= 8,
                        inner + Int(innerSize) <= chunkEnd
                    else { break }
                    try budget.spend()
                    if innerType == ResourceTable.typeType, let typeID = data.u8(inner + 8) {
                        types[typeID, default: []].append(inner)
                    }
                    inner += Int(innerSize)
                }
                chunks[UInt8(truncatingIfNeeded: id)] = types
            }
            position = chunkEnd
        }
        self.data = data
        self.globalPool = pool
        self.typeChunks = chunks
    }

    /// The text a reference resolves to, or nil when the table does not hold it as a simple value.
    func resolve(_ id: UInt32, hops: Int = 0) -> String? {
        guard hops < 8, let types = typeChunks[UInt8(id >> 24)],
            let candidates = types[UInt8((id >> 16) & 0xFF)]
        else { return nil }
        let entry = Int(id & 0xFFFF)
        var fallback: String?
        for chunk in candidates {
            guard let (value, isDefault) = lookup(chunk: chunk, entry: entry, hops: hops) else { continue }
            if isDefault { return value }
            if fallback == nil { fallback = value }
        }
        return fallback
    }

    /// The value of one entry in one type chunk, and whether the chunk's configuration is default.
    private func lookup(chunk position: Int, entry: Int, hops: Int) -> (String, Bool)? {
        guard let header = data.u16(position + 2), let size = data.u32(position + 4),
            let flags = data.u8(position + 9), let entryCount = data.u32(position + 12),
            let entriesStart = data.u32(position + 16), let configSize = data.u32(position + 20)
        else { return nil }
        let chunkEnd = position + Int(size)
        let offsetsStart = position + Int(header)
        let configEnd = max(4, min(Int(configSize), 64))
        let isDefault = (4..<configEnd).allSatisfy { data.u8(position + 20 + $0) == 0 }
        var offset: Int?
        if flags & 0x01 != 0 {  // sparse: sorted (index u16, offset/4 u16) pairs
            let pairs = min(Int(entryCount), max(0, (chunkEnd - offsetsStart) / 4))
            for k in 0..<pairs {
                guard let index = data.u16(offsetsStart + 4 * k), let quarter = data.u16(offsetsStart + 4 * k + 2)
                else { break }
                if Int(index) == entry {
                    offset = Int(quarter) * 4
                    break
                }
                if Int(index) > entry { break }
            }
        } else if flags & 0x02 != 0 {  // 16-bit offsets, in units of four bytes
            guard entry < Int(entryCount), let quarter = data.u16(offsetsStart + 2 * entry), quarter != 0xFFFF
            else { return nil }
            offset = Int(quarter) * 4
        } else {
            guard entry < Int(entryCount), let o = data.u32(offsetsStart + 4 * entry), o != 0xFFFF_FFFF
            else { return nil }
            offset = Int(o)
        }
        guard let offset else { return nil }
        let at = position + Int(entriesStart) + offset
        guard at + 8 <= chunkEnd, let entrySize = data.u16(at), let entryFlags = data.u16(at + 2) else { return nil }
        let type: UInt8
        let value: UInt32
        if entryFlags & 0x0008 != 0 {  // compact entry: type in the flags' high byte, data after
            guard let v = data.u32(at + 4) else { return nil }
            type = UInt8(entryFlags >> 8)
            value = v
        } else {
            guard entryFlags & 0x0001 == 0 else { return nil }  // a map (style, array), not a value
            let v = at + Int(entrySize)
            guard v + 8 <= chunkEnd, let t = data.u8(v + 3), let d = data.u32(v + 4) else { return nil }
            type = t
            value = d
        }
        switch type {
        case 0x03:
            return globalPool?.string(value).map { ($0, isDefault) }
        case 0x01:
            return resolve(value, hops: hops + 1).map { ($0, isDefault) }
        case 0x10:
            return (String(Int32(bitPattern: value)), isDefault)
        case 0x11:
            return ("0x" + String(value, radix: 16), isDefault)
        case 0x12:
            return (value != 0 ? "true" : "false", isDefault)
        default:
            return nil
        }
    }
}

/// Android binary XML (AXML), parsed from the AOSP structure (`ResourceTypes.h`) with no
/// external tools, and as tolerant as Android itself: a wrong outer chunk type, strings without
/// terminators or with NULs inside, unknown chunks and elements left open are all accepted.
/// Every index and offset is checked; counts and depth are bounded by `ManifestLimits`.
enum BinaryXML {
    static let stringPoolType: UInt16 = 0x0001
    static let resourceMapType: UInt16 = 0x0180
    static let startElementType: UInt16 = 0x0102
    static let endElementType: UInt16 = 0x0103

    /// Parses a whole document; returns its root element.
    static func parse(_ bytes: [UInt8], limits: ManifestLimits) throws(ManifestError) -> XMLElement {
        let data = LittleEndianBytes(bytes: bytes)
        guard let headerSize = data.u16(2), let declaredSize = data.u32(4) else {
            throw .malformed("binary XML shorter than its 8-byte header")
        }
        // The outer chunk's type is not checked: malware writes 0x0000 and Android accepts it.
        var end = bytes.count
        if declaredSize >= 8 && Int(declaredSize) < end { end = Int(declaredSize) }
        var position = Int(headerSize) >= 8 && Int(headerSize) <= end ? Int(headerSize) : 8

        var budget = NodeBudget(limits)
        var pool: StringPool?
        var resourceMap: [UInt32] = []
        var stack: [XMLElement] = []
        var root: XMLElement?

        func close() {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty {
                if root == nil { root = element }
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }

        while position + 8 <= end {
            guard let type = data.u16(position), let chunkHeader = data.u16(position + 2),
                let chunkSize32 = data.u32(position + 4)
            else { break }
            let chunkSize = Int(chunkSize32)
            guard chunkSize >= 8, Int(chunkHeader) >= 8, Int(chunkHeader) <= chunkSize,
                position + chunkSize <= end
            else {
                if root == nil && stack.isEmpty {
                    throw .malformed("chunk at offset \(position) has an impossible size (\(chunkSize) bytes)")
                }
                break  // a damaged tail after the document: keep what was read
            }
            let chunkEnd = position + chunkSize
            switch type {
            case stringPoolType where pool == nil:
                pool = try StringPool(data, at: position, headerSize: Int(chunkHeader), end: chunkEnd)
                try budget.spend()
            case resourceMapType:
                let count = (chunkSize - Int(chunkHeader)) / 4
                try budget.spend(count)
                resourceMap = (0..<count).compactMap { data.u32(position + Int(chunkHeader) + $0 * 4) }
            case startElementType:
                guard let pool else { throw .malformed("an element comes before the string pool") }
                let element = try startElement(
                    data, at: position, headerSize: Int(chunkHeader), end: chunkEnd, pool: pool,
                    resourceMap: resourceMap, budget: &budget)
                stack.append(element)
                try budget.check(depth: stack.count)
            case endElementType:
                close()
            default:
                break  // namespaces, CDATA and chunk types this reader does not need
            }
            position = chunkEnd
        }
        while !stack.isEmpty { close() }
        guard let root else { throw .malformed("binary XML without any element") }
        return root
    }

    private static func startElement(
        _ data: LittleEndianBytes, at position: Int, headerSize: Int, end: Int, pool: StringPool,
        resourceMap: [UInt32], budget: inout NodeBudget
    ) throws(ManifestError) -> XMLElement {
        let ext = position + headerSize
        guard ext + 20 <= end, let nameIndex = data.u32(ext + 4), let attributeStart = data.u16(ext + 8),
            let attributeSize = data.u16(ext + 10), let attributeCount = data.u16(ext + 12)
        else { throw .malformed("element at offset \(position) is cut short") }
        var element = XMLElement(name: pool.string(nameIndex) ?? "")
        try budget.spend(1 + Int(attributeCount))
        let stride = max(Int(attributeSize), 20)
        for i in 0..<Int(attributeCount) {
            let a = ext + Int(attributeStart) + i * stride
            guard a + 20 <= end, let ns = data.u32(a), let name = data.u32(a + 4), let raw = data.u32(a + 8),
                let type = data.u8(a + 15), let value = data.u32(a + 16)
            else { break }
            let resourceID = Int(name) < resourceMap.count ? resourceMap[Int(name)] : nil
            element.attributes.append(
                XMLAttribute(
                    namespace: pool.string(ns) ?? "", name: pool.string(name) ?? "",
                    resourceID: resourceID == 0 ? nil : resourceID,
                    value: typedValue(type: type, data: value, raw: raw, pool: pool)))
        }
        return element
    }

    /// A `Res_value` as a typed value.
    static func typedValue(type: UInt8, data: UInt32, raw: UInt32, pool: StringPool) -> XMLValue {
        switch type {
        case 0x03:
            if let s = pool.string(data) ?? pool.string(raw) { return .string(s) }
        case 0x01, 0x02:
            return .reference(data)
        case 0x10:
            return .integer(Int64(Int32(bitPattern: data)))
        case 0x11:
            return .integer(Int64(data))
        case 0x12:
            return .boolean(data != 0)
        default:
            break
        }
        if let s = pool.string(raw) { return .string(s) }
        return .other(type: type, data: data)
    }
}

/// A `ResStringPool` chunk; strings are decoded on demand and remembered.
final class StringPool {
    private let data: LittleEndianBytes
    private let count: Int
    private let utf8: Bool
    private let offsetsStart: Int
    private let stringsStart: Int
    private let end: Int
    /// Decoded strings by index; an entry stays nil until first asked for.
    private var cache: [String?]

    init(_ data: LittleEndianBytes, at position: Int, headerSize: Int, end: Int) throws(ManifestError) {
        guard headerSize >= 28, let count = data.u32(position + 8), let flags = data.u32(position + 16),
            let stringsStart = data.u32(position + 20)
        else { throw .malformed("string pool header at offset \(position) is cut short") }
        let room = (end - position - headerSize) / 4
        guard Int(count) <= room else {
            throw .malformed("string pool claims \(count) strings but has room for \(room)")
        }
        self.data = data
        self.count = Int(count)
        self.utf8 = flags & 0x100 != 0
        self.offsetsStart = position + headerSize
        self.stringsStart = position + Int(stringsStart)
        self.end = end
        self.cache = [String?](repeating: nil, count: Int(count))
    }

    /// The string at `index`, or nil for "none" (0xFFFFFFFF) and anything out of bounds.
    func string(_ index: UInt32) -> String? {
        let i = Int(index)
        guard index != 0xFFFF_FFFF, i < count else { return nil }
        if let cached = cache[i] { return cached }
        guard let offset = data.u32(offsetsStart + i * 4) else { return nil }
        let start = stringsStart + Int(offset)
        guard start >= stringsStart, start < end else { return nil }
        let decoded = utf8 ? decodeUTF8(at: start) : decodeUTF16(at: start)
        cache[i] = decoded
        return decoded
    }

    /// Two lengths (UTF-16 units, then bytes), each one byte or two with the high bit set.
    private func decodeUTF8(at start: Int) -> String? {
        var p = start
        func length() -> Int? {
            guard let b0 = data.u8(p) else { return nil }
            if b0 & 0x80 != 0 {
                guard let b1 = data.u8(p + 1) else { return nil }
                p += 2
                return Int(b0 & 0x7F) << 8 | Int(b1)
            }
            p += 1
            return Int(b0)
        }
        guard length() != nil, let byteCount = length() else { return nil }
        let stop = min(p + byteCount, end)
        guard p <= stop else { return nil }
        return StringPool.trimmed(String(decoding: data.bytes[p..<stop], as: UTF8.self))
    }

    /// A u16 length (two when the high bit is set), then UTF-16LE units. A missing terminator is
    /// tolerated.
    private func decodeUTF16(at start: Int) -> String? {
        guard var units = data.u16(start).map(Int.init) else { return nil }
        var p = start + 2
        if units & 0x8000 != 0 {
            guard let low = data.u16(p) else { return nil }
            units = (units & 0x7FFF) << 16 | Int(low)
            p += 2
        }
        let available = max(0, (end - p) / 2)
        let take = min(units, available)
        // Manifests are mostly ASCII: decode those directly, the rest through UTF-16.
        var ascii = [UInt8]()
        ascii.reserveCapacity(take)
        var isASCII = true
        for k in 0..<take {
            let unit = UInt16(data.bytes[p + 2 * k]) | UInt16(data.bytes[p + 2 * k + 1]) << 8
            if unit >= 0x80 {
                isASCII = false
                break
            }
            ascii.append(UInt8(unit))
        }
        if isASCII { return StringPool.trimmed(String(decoding: ascii, as: UTF8.self)) }
        var codeUnits = [UInt16](repeating: 0, count: take)
        for k in 0..<take { codeUnits[k] = UInt16(data.bytes[p + 2 * k]) | UInt16(data.bytes[p + 2 * k + 1]) << 8 }
        return StringPool.trimmed(String(decoding: codeUnits, as: UTF16.self))
    }

    /// Trailing NULs are padding, not text (androguard and Android's tools drop them too).
    private static func trimmed(_ s: String) -> String {
        var s = s
        while s.last == "\0" { s.removeLast() }
        return s
    }
}

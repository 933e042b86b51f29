/// Reads a DEX file's string table as the bytes stream past: the header gives the string-id table,
/// the table gives each string's offset, and each string is decoded when the stream reaches it.
/// Strings that start with `L` (type descriptors such as `Lcom/iflytek/cloud/SpeechSynthesizer;`)
/// go to `onDescriptor`. Nothing is buffered beyond the id table and one string; strings placed
/// before the id table (not where dx and d8 put them) are skipped.
struct DexStringWalker {
    private enum State {
        case header, ids, seek, length, firstByte, collect, done
    }

    private var state = State.header
    private var position = 0
    private var header: [UInt8] = []
    private var idsStart = 0
    private var idsEnd = 0
    private var idBytes: [UInt8] = []
    private var offsets: [Int] = []
    private var next = 0
    private var current: [UInt8] = []

    /// Most strings a table may list (a DEX has at most a few hundred thousand).
    let maxStrings: Int
    /// Bytes of each descriptor kept for matching and evidence.
    static let keptPrefix = 512

    init(maxStrings: Int = 4_000_000) { self.maxStrings = maxStrings }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, onDescriptor: (UnsafeRawBufferPointer) -> Void) {
        let start = position
        let n = chunk.count
        position += n
        var i = 0
        while i < n {
            switch state {
            case .done:
                return
            case .header:
                let take = min(n - i, 0x70 - header.count)
                header.append(contentsOf: chunk[i..<(i + take)])
                i += take
                if header.count == 0x70 { readHeader() }
            case .ids:
                let absolute = start + i
                if absolute < idsStart {
                    i = min(n, idsStart - start)
                    continue
                }
                let take = min(n - i, idsEnd - absolute)
                idBytes.append(contentsOf: chunk[i..<(i + take)])
                i += take
                if idBytes.count == idsEnd - idsStart { readIDs() }
            case .seek:
                guard next < offsets.count else {
                    state = .done
                    return
                }
                let target = offsets[next]
                if target < start + i {
                    next += 1  // overlaps the string before it: not a separate string
                } else if target >= start + n {
                    return
                } else {
                    i = target - start
                    next += 1
                    state = .length
                }
            case .length:
                if chunk[i] & 0x80 == 0 { state = .firstByte }
                i += 1
            case .firstByte:
                if chunk[i] == UInt8(ascii: "L") {
                    current.removeAll(keepingCapacity: true)
                    state = .collect
                } else {
                    state = .seek
                    i += 1
                }
            case .collect:
                let byte = chunk[i]
                i += 1
                if byte != 0 && current.count < DexStringWalker.keptPrefix {
                    current.append(byte)
                } else {
                    current.withUnsafeBytes { onDescriptor($0) }
                    state = .seek
                }
            }
        }
    }

    private mutating func readHeader() {
        let le = LittleEndianBytes(bytes: header)
        guard header.starts(with: Array("dex\n".utf8)), let count = le.u32(0x38), let offset = le.u32(0x3C),
            Int(count) <= maxStrings, count > 0, offset >= 0x70
        else {
            state = .done
            return
        }
        idsStart = Int(offset)
        idsEnd = idsStart + 4 * Int(count)
        state = .ids
    }

    private mutating func readIDs() {
        let le = LittleEndianBytes(bytes: idBytes)
        offsets = (0..<(idBytes.count / 4)).compactMap { le.u32($0 * 4).map(Int.init) }.filter { $0 >= idsEnd }.sorted()
        idBytes = []
        state = .seek
    }
}

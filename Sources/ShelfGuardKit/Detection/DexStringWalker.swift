/// Reads a DEX file's string table as the bytes stream past: the header gives the string-id table,
/// the table gives each string's offset, and each string's bytes are handed on when the stream
/// reaches them, in segments (a string may span chunks). This is where a DEX keeps every class
/// descriptor (`Lcom/iflytek/cloud/SpeechSynthesizer;`), host and URL; the bytecode around the
/// strings is never searched. Only the id table is held in memory. Strings placed before the id
/// table (not where dx and d8 put them) are skipped.
struct DexStringWalker {
    /// What the walker reports.
    enum Event {
        /// A string starts.
        case begin
        /// The next bytes of the current string (valid only during the call).
        case bytes(UnsafeRawBufferPointer)
        /// The current string has ended.
        case end
    }

    private enum State {
        case header, ids, seek, length, inString, done
    }

    private var state = State.header
    private var position = 0
    private var header: [UInt8] = []
    private var idsStart = 0
    private var idsEnd = 0
    private var idBytes: [UInt8] = []
    private var offsets: [Int] = []
    private var next = 0

    /// Most strings a table may list (a DEX has at most a few hundred thousand).
    let maxStrings: Int

    init(maxStrings: Int = 4_000_000) { self.maxStrings = maxStrings }

    /// True once the header shows this is not a DEX the walker can read.
    var gaveUp: Bool { state == .done && offsets.isEmpty }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (Event) -> Void) {
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
                    next += 1  // inside the string before it: not a separate string
                } else if target >= start + n {
                    return
                } else {
                    i = target - start
                    next += 1
                    state = .length
                }
            case .length:
                // ULEB128 length in UTF-16 units; the MUTF-8 bytes end with NUL.
                if chunk[i] & 0x80 == 0 {
                    state = .inString
                    handle(.begin)
                }
                i += 1
            case .inString:
                var j = i
                while j < n && chunk[j] != 0 { j += 1 }
                if j > i { handle(.bytes(UnsafeRawBufferPointer(rebasing: chunk[i..<j]))) }
                if j < n {
                    handle(.end)
                    state = .seek
                    i = j + 1
                } else {
                    i = n
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

extension DexStringWalker {
    /// A DEX with only a header and a string table: what `signatures lint` feeds the detector for
    /// an example's DEX content, so that examples go through the same string-table path.
    static func minimalDEX(strings: [String]) -> [UInt8] {
        let idsOffset = 0x70
        let dataOffset = idsOffset + 4 * strings.count
        var data: [UInt8] = []
        var offsets: [UInt32] = []
        for s in strings {
            offsets.append(UInt32(dataOffset + data.count))
            var length = UInt32(s.utf16.count)
            repeat {
                var byte = UInt8(length & 0x7F)
                length >>= 7
                if length != 0 { byte |= 0x80 }
                data.append(byte)
            } while length != 0
            data += Array(s.utf8) + [0]
        }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) } }
        var header = Array("dex\n035\0".utf8) + [UInt8](repeating: 0, count: 0x70 - 8)
        header.replaceSubrange(0x20..<0x24, with: le32(UInt32(dataOffset + data.count)))
        header.replaceSubrange(0x24..<0x28, with: le32(0x70))
        header.replaceSubrange(0x38..<0x3C, with: le32(UInt32(strings.count)))
        header.replaceSubrange(0x3C..<0x40, with: le32(UInt32(idsOffset)))
        return header + offsets.flatMap(le32) + data
    }
}

/// Reads a DEX file's string table as the bytes stream past: the header gives the string-id table,
/// the table gives each string's offset, and each string's bytes are handed on when the stream
/// reaches them, in segments (a string may span chunks). This is where a DEX keeps every class
/// descriptor (`Lcom/iflytek/cloud/SpeechSynthesizer;`), host and URL; the bytecode around the
/// strings is never searched. Only the header and the id table (as `UInt32`s) are held in memory.
///
/// Whatever a hostile layout does, no byte that a string id can reach goes unsearched. Where the
/// one forward pass cannot walk the strings, the bytes concerned are handed on as `.raw`, to be
/// searched byte by byte, and `.unwalkable` says why:
/// - strings before the end of the id table (the bytes went by before their ids were known): the
///   bytes up to the end of the id table are raw. They are given as they pass only when the id
///   table does not start right after the header (d8 and dx always put it there), and count only
///   once the ids show a string among them (`.unwalkable`), else they are dropped (`.walked`);
/// - an id table that runs past the header's `file_size`, or lists more strings than
///   `stringLimit`, or overlaps the header: the whole entry is raw;
/// - an id table that runs past the end of the entry (seen at `finish`): everything read is raw.
struct DexStringWalker: Sendable {
    /// What the walker reports.
    enum Event {
        /// A string starts.
        case begin
        /// The next bytes of the current string (valid only during the call).
        case bytes(UnsafeRawBufferPointer)
        /// The current string has ended.
        case end
        /// Bytes to search byte by byte, in stream order (valid only during the call). What they
        /// match counts once `.unwalkable` has come, before or after them; `.walked` drops it.
        case raw(UnsafeRawBufferPointer)
        /// Some strings cannot be walked: the bytes given as `.raw` hold them.
        case unwalkable(Unwalkable)
        /// The bytes given as `.raw` so far hold no string after all.
        case walked
    }

    /// Why a DEX's strings could not be walked.
    enum Unwalkable: Sendable, Equatable {
        case tooManyStrings(count: Int, limit: Int)
        case idsInsideHeader(offset: Int)
        case idsPastFileSize(idsEnd: Int, fileSize: Int)
        case stringsBeforeIDs(count: Int, idsEnd: Int)
        case idsPastEnd(idsEnd: Int, entrySize: Int)
        case shortHeader(size: Int)

        var detail: String {
            switch self {
            case .tooManyStrings(let count, let limit):
                "its header lists \(count) strings, more than the limit of \(limit)"
            case .idsInsideHeader(let offset):
                "its string-id table starts at 0x\(String(offset, radix: 16)), inside the header"
            case .idsPastFileSize(let idsEnd, let fileSize):
                "its string-id table ends at byte \(idsEnd), past the file size its header gives (\(fileSize))"
            case .stringsBeforeIDs(let count, let idsEnd):
                "\(count) string\(count == 1 ? "" : "s") lie before the end of its string-id table (byte \(idsEnd))"
            case .idsPastEnd(let idsEnd, let entrySize):
                "its string-id table ends at byte \(idsEnd), past the end of the entry (\(entrySize) bytes)"
            case .shortHeader(let size):
                "it is \(size) bytes long, shorter than a DEX header"
            }
        }

        /// Whether the reason is the entry ending early, which a read cut short also causes.
        var isEarlyEnd: Bool {
            switch self {
            case .idsPastEnd, .shortHeader: true
            default: false
            }
        }
    }

    private enum State {
        case header, gap, ids, seek, length, inString, raw, done
    }

    static let headerSize = 0x70

    private var state = State.header
    private var position = 0
    private var header: [UInt8] = []
    /// Whether the header has been handed on as `.raw`.
    private var headerGiven = false
    private var idsStart = 0
    private var idsEnd = 0
    private var count = 0
    /// The string ids, in table order until the table is complete, then sorted.
    private var offsets: [UInt32] = []
    /// An id split across chunks.
    private var partial: UInt32 = 0
    private var partialBytes = 0
    private var next = 0

    /// Most strings a table may list before the DEX is searched byte by byte instead.
    let stringLimit: Int

    init(stringLimit: Int = DetectorVisitor.defaultDexStringLimit) { self.stringLimit = max(0, stringLimit) }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (Event) -> Void) {
        let start = position
        let n = chunk.count
        position += n
        var i = 0
        while i < n {
            switch state {
            case .done:
                return
            case .raw:
                handle(.raw(UnsafeRawBufferPointer(rebasing: chunk[i..<n])))
                return
            case .header:
                let take = min(n - i, Self.headerSize - header.count)
                header.append(contentsOf: chunk[i..<(i + take)])
                i += take
                if header.count == Self.headerSize { readHeader(handle) }
            case .gap:
                let take = min(n - i, idsStart - (start + i))
                handle(.raw(UnsafeRawBufferPointer(rebasing: chunk[i..<(i + take)])))
                i += take
                if start + i == idsStart { state = .ids }
            case .ids:
                while partialBytes > 0 && i < n {
                    partial |= UInt32(chunk[i]) << (8 * UInt32(partialBytes))
                    partialBytes += 1
                    i += 1
                    if partialBytes == 4 {
                        offsets.append(partial)
                        partial = 0
                        partialBytes = 0
                    }
                }
                let whole = min((n - i) / 4, count - offsets.count)
                for k in 0..<whole {
                    offsets.append(
                        UInt32(littleEndian: chunk.loadUnaligned(fromByteOffset: i + 4 * k, as: UInt32.self)))
                }
                i += 4 * whole
                if offsets.count == count {
                    readIDs(handle)
                } else {
                    while i < n {
                        partial |= UInt32(chunk[i]) << (8 * UInt32(partialBytes))
                        partialBytes += 1
                        i += 1
                    }
                }
            case .seek:
                guard next < offsets.count else {
                    state = .done
                    return
                }
                let target = Int(offsets[next])
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

    /// The entry has ended: an id table still incomplete (or a header) makes what was read raw.
    mutating func finish(_ handle: (Event) -> Void) {
        switch state {
        case .header:
            if !header.isEmpty {
                giveHeader(handle)
                handle(.unwalkable(.shortHeader(size: header.count)))
            }
        case .gap:
            handle(.unwalkable(.idsPastEnd(idsEnd: idsEnd, entrySize: position)))
        case .ids:
            giveHeader(handle)
            giveIDs(handle)
            if partialBytes > 0 {
                withUnsafeBytes(of: partial.littleEndian) {
                    handle(.raw(UnsafeRawBufferPointer(rebasing: $0.prefix(partialBytes))))
                }
            }
            handle(.unwalkable(.idsPastEnd(idsEnd: idsEnd, entrySize: position)))
        default:
            break
        }
        state = .done
    }

    private mutating func readHeader(_ handle: (Event) -> Void) {
        let le = LittleEndianBytes(bytes: header)
        let count = Int(le.u32(0x38) ?? 0)
        let offset = Int(le.u32(0x3C) ?? 0)
        let fileSize = Int(le.u32(0x20) ?? 0)
        // No strings: no class, host or URL for the DEX to name.
        guard count > 0 else {
            state = .done
            return
        }
        idsStart = offset
        idsEnd = offset + 4 * count
        self.count = count
        if count > stringLimit {
            giveUp(.tooManyStrings(count: count, limit: stringLimit), handle)
        } else if offset < Self.headerSize {
            giveUp(.idsInsideHeader(offset: offset), handle)
        } else if idsEnd > fileSize {
            giveUp(.idsPastFileSize(idsEnd: idsEnd, fileSize: fileSize), handle)
        } else if idsStart > Self.headerSize {
            // Strings may lie between the header and the ids: search those bytes as they pass.
            giveHeader(handle)
            state = .gap
        } else {
            offsets.reserveCapacity(min(count, 1 << 16))
            state = .ids
        }
    }

    /// The whole entry is searched byte by byte.
    private mutating func giveUp(_ reason: Unwalkable, _ handle: (Event) -> Void) {
        handle(.unwalkable(reason))
        giveHeader(handle)
        state = .raw
    }

    private mutating func readIDs(_ handle: (Event) -> Void) {
        let before = offsets.reduce(0) { $0 + (Int($1) < idsEnd ? 1 : 0) }
        if before > 0 {
            giveHeader(handle)
            giveIDs(handle)
            handle(.unwalkable(.stringsBeforeIDs(count: before, idsEnd: idsEnd)))
            offsets.removeAll { Int($0) < idsEnd }
        } else if headerGiven {
            handle(.walked)
        }
        offsets.sort()
        state = .seek
    }

    private mutating func giveHeader(_ handle: (Event) -> Void) {
        guard !headerGiven else { return }
        headerGiven = true
        header.withUnsafeBytes { handle(.raw($0)) }
    }

    /// The id table's bytes as they were read (the ids are still in table order).
    private func giveIDs(_ handle: (Event) -> Void) {
        guard !offsets.isEmpty else { return }
        offsets.map(\.littleEndian).withUnsafeBytes { handle(.raw($0)) }
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

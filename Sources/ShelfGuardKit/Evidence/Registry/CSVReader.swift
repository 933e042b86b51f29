/// RFC 4180 CSV read as a stream of bytes, as the published lists come: UTF-8 (a BOM is dropped),
/// a header row, quoted fields that may hold commas, quotes (doubled) and line breaks, CRLF, LF
/// or CR line ends. Bytes are fed in chunks of any size and each row is handed over as soon as
/// it ends, with the line it starts on, so memory holds one row at most. A field or row past its
/// limit is not kept but read to its end (quotes still count), so the rows after it are found.
struct CSVReader {
    /// Why a row cannot be taken, found while reading it.
    enum Problem: Equatable {
        /// Field `index` (from 0) is longer than the field limit.
        case fieldTooLong(index: Int)
        /// The row is longer than the row limit.
        case rowTooLong
        /// A quoted field opened on `line` is never closed; `swallowed` when it ran over lines.
        case openQuote(line: Int, swallowed: Bool)
    }

    /// One row: its fields, or (with a problem) none.
    struct Row {
        var line: Int
        var fields: [String]
        var problem: Problem?
    }

    /// A field that is not UTF-8 text, in the row starting on `line`.
    struct NotUTF8: Error {
        var line: Int
    }

    let maxFieldBytes: Int
    let maxRowBytes: Int

    /// The first bytes, held until a BOM can be told.
    private var head: [UInt8] = []
    private var started = false
    private var inQuotes = false
    /// A quote seen inside quotes: it closes the field, or a second one follows (a quote).
    private var quoteInQuotes = false
    /// A row ended at a CR: a LF right after it belongs to that line end.
    private var afterCR = false
    private var line = 1
    private var rowStart = 1
    private var quoteStart = 1
    /// The row's fields, one after the other, and where each finished one ends.
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// Bytes of the field being read and of the row, kept or not.
    private var fieldLength = 0
    private var rowLength = 0
    private var problem: Problem?
    private var quotedLineBreak = false

    init(maxFieldBytes: Int, maxRowBytes: Int) {
        self.maxFieldBytes = maxFieldBytes
        self.maxRowBytes = maxRowBytes
    }

    /// Reads the next bytes of the file; `emit` gets each row that ends in them.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Row) throws -> Void) throws {
        guard started else {
            head.append(contentsOf: chunk)
            if head.count >= 3 { try start(emit) }
            return
        }
        try scan(chunk, emit)
    }

    /// The end of the file: the last row, if it has no line break, or the row a quote left open.
    mutating func finish(_ emit: (Row) throws -> Void) throws {
        if !started { try start(emit) }
        if quoteInQuotes {
            quoteInQuotes = false
            inQuotes = false
        }
        if inQuotes {
            // The open quote read the rest of the file into this row: that is its problem,
            // whatever limit the swallowed bytes went past.
            problem = .openQuote(line: quoteStart, swallowed: quotedLineBreak)
            try endRow(emit, keepBlank: true)
        } else if fieldLength > 0 || !ends.isEmpty || problem != nil {
            try endRow(emit)
        }
    }

    private mutating func start(_ emit: (Row) throws -> Void) throws {
        started = true
        var first = head
        head = []
        if first.starts(with: [0xEF, 0xBB, 0xBF]) { first.removeFirst(3) }
        try first.withUnsafeBytes { try scan($0, emit) }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private mutating func scan(_ chunk: UnsafeRawBufferPointer, _ emit: (Row) throws -> Void) throws {
        let n = chunk.count
        var i = 0
        while i < n {
            let c = chunk[i]
            if afterCR {
                afterCR = false
                if c == Self.lf {
                    i += 1
                    continue
                }
            }
            if inQuotes {
                if quoteInQuotes {
                    quoteInQuotes = false
                    if c == Self.quote {
                        append(UnsafeRawBufferPointer(rebasing: chunk[i..<i + 1]))
                        count(1)
                        i += 1
                    } else {
                        inQuotes = false  // c is read again, outside the quotes
                    }
                    continue
                }
                var j = i
                while j < n {
                    let b = chunk[j]
                    if b == Self.quote { break }
                    if b == Self.lf {
                        line += 1
                        quotedLineBreak = true
                    }
                    j += 1
                }
                append(UnsafeRawBufferPointer(rebasing: chunk[i..<j]))
                if j < n {
                    quoteInQuotes = true
                    count(1)
                    j += 1
                }
                i = j
                continue
            }
            switch c {
            case Self.quote where fieldLength == 0:
                inQuotes = true
                quoteStart = line
                count(1)
                i += 1
            case Self.comma:
                count(1)
                endField()
                i += 1
            case Self.cr, Self.lf:
                try endRow(emit)
                line += 1
                rowStart = line
                afterCR = c == Self.cr
                i += 1
            default:
                // A run of plain bytes; a quote inside a field that has begun is kept as it is.
                var j = i + 1
                while j < n {
                    let b = chunk[j]
                    if b == Self.comma || b == Self.lf || b == Self.cr { break }
                    j += 1
                }
                append(UnsafeRawBufferPointer(rebasing: chunk[i..<j]))
                i = j
            }
        }
    }

    /// Bytes of the field's content: kept while the row is within its limits.
    private mutating func append(_ run: UnsafeRawBufferPointer) {
        guard !run.isEmpty else { return }
        fieldLength += run.count
        rowLength += run.count
        guard problem == nil else { return }
        if fieldLength > maxFieldBytes {
            problem = .fieldTooLong(index: ends.count)
        } else if rowLength > maxRowBytes {
            problem = .rowTooLong
        } else {
            bytes.append(contentsOf: run)
        }
    }

    /// Quotes and commas: they count toward the row.
    private mutating func count(_ delimiters: Int) {
        rowLength += delimiters
        if problem == nil && rowLength > maxRowBytes { problem = .rowTooLong }
    }

    private mutating func endField() {
        if problem == nil { ends.append(bytes.count) }
        fieldLength = 0
    }

    private mutating func endRow(_ emit: (Row) throws -> Void, keepBlank: Bool = false) throws {
        let lastFieldLength = fieldLength
        endField()
        defer {
            bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 16)
            ends.removeAll(keepingCapacity: ends.capacity <= 1 << 10)
            rowLength = 0
            problem = nil
            quotedLineBreak = false
        }
        // A blank line (one empty field) is no row.
        if !keepBlank && problem == nil && ends.count == 1 && lastFieldLength == 0 { return }
        var fields: [String] = []
        if problem == nil {
            fields.reserveCapacity(ends.count)
            try bytes.withUnsafeBufferPointer { buffer in
                var start = 0
                for end in ends {
                    guard let field = String(exactUTF8: UnsafeBufferPointer(rebasing: buffer[start..<end])) else {
                        throw NotUTF8(line: rowStart)
                    }
                    fields.append(field)
                    start = end
                }
            }
        }
        try emit(Row(line: rowStart, fields: fields, problem: problem))
    }
}

import Foundation

/// RFC 4180 CSV, as the published lists come: UTF-8 (a BOM is dropped), a header row, quoted
/// fields that may hold commas, quotes (doubled) and line breaks, CRLF or LF line ends. Each row
/// remembers the line it starts on, for messages.
struct CSVTable {
    struct Row {
        var line: Int
        var fields: [String]
    }

    var header: [String]
    var rows: [Row]

    /// Parses `text`; a quote left open at the end is reported with the line it opened on.
    static func parse(_ text: String) -> (table: CSVTable, unterminatedQuoteLine: Int?) {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var rowStart = 1
        var quoteStart = 1
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending {
                pending = nil
                return p
            }
            return iterator.next()
        }
        func endRow() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowStart, fields: fields)) }
            fields = []
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = n
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty:
                inQuotes = true
                quoteStart = line
            case ",":
                fields.append(field)
                field = ""
            case "\r":
                if let n = next(), n != "\n" { pending = n }
                endRow()
                line += 1
                rowStart = line
            case "\n":
                endRow()
                line += 1
                rowStart = line
            default:
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        let header = rows.first?.fields.map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        return (CSVTable(header: header, rows: Array(rows.dropFirst())), inQuotes ? quoteStart : nil)
    }
}

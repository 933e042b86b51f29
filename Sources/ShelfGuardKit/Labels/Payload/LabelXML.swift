/// A small non-validating XML reader for XMP packets and `docProps/custom.xml`: elements,
/// attributes, text, CDATA, comments and processing instructions; the five predefined entities
/// and numeric character references. No DTD (XMP and OOXML forbid them), no other entity, no
/// external anything. Well-formedness is checked (tags match, one root, attribute names once).
///
/// Why not Foundation's `XMLParser`: on Linux (swift-corelibs-foundation, Swift 6.3) it traps on
/// hostile input, which would end the whole review process: a processing instruction without
/// data (`<?x?>`) makes it call `strlen(NULL)`, and an entity name with a byte that is not UTF-8
/// (`<x&\xF4u;`) crashes `_NSXMLParserGetEntity`. The label mutation tests found both.
///
/// One pass over the bytes; every search is linear; the handler bounds nodes and depth.
enum LabelXML {
    /// Why the text is not well-formed XML, with the line.
    struct Failure: Error, Equatable, CustomStringConvertible {
        var reason: String
        var line: Int
        var description: String { "\(reason) (line \(line))" }
    }

    /// One event of the walk.
    enum Event {
        case start(name: String, attributes: [(name: String, value: String)])
        case end(name: String)
        case text(String)
    }

    /// Walks `bytes`, calling `handle` for each event until it answers false. Returns why the
    /// text is not well-formed XML, or nil; a `LabelStop` from `handle` (a limit) passes through.
    static func parse(_ bytes: [UInt8], handle: (Event) throws(LabelStop) -> Bool) throws(LabelStop) -> Failure? {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return Failure(reason: "bytes that are not UTF-8", line: 1)
        }
        var reader = Reader(bytes: bytes)
        return try reader.run(handle)
    }

    struct Reader {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) {
            var body = bytes[...]
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
            self.bytes = Array(body)
        }

        func fail(_ reason: String) -> Failure {
            Failure(reason: reason, line: 1 + bytes[..<min(i, bytes.count)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
        }

        func starts(_ literal: String, at position: Int) -> Bool {
            let l = Array(literal.utf8)
            return position + l.count <= bytes.count && bytes[position..<(position + l.count)].elementsEqual(l)
        }

        func find(_ literal: String, from start: Int) -> Int? {
            let l = Array(literal.utf8)
            guard let first = l.first else { return nil }
            var p = start
            while p + l.count <= bytes.count {
                if bytes[p] == first && bytes[p..<(p + l.count)].elementsEqual(l) { return p }
                p += 1
            }
            return nil
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

        static func endsName(_ b: UInt8) -> Bool {
            isSpace(b) || b == UInt8(ascii: "/") || b == UInt8(ascii: ">") || b == UInt8(ascii: "=")
                || b == UInt8(ascii: "<") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")
        }

        mutating func skipSpace() { while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 } }

        mutating func name() -> String? {
            let start = i
            while i < bytes.count, !Self.endsName(bytes[i]) { i += 1 }
            return i > start ? String(decoding: bytes[start..<i], as: UTF8.self) : nil
        }

        /// Text with its entities decoded; nil (with the reason) for an entity XML does not define.
        func decode(_ range: Range<Int>) -> Result<String, Failure> {
            let slice = bytes[range]
            guard slice.contains(UInt8(ascii: "&")) else { return .success(String(decoding: slice, as: UTF8.self)) }
            var out = String.UnicodeScalarView()
            var p = range.lowerBound
            var run = p
            func flush(_ end: Int) {
                out.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars)
            }
            while p < range.upperBound {
                guard bytes[p] == UInt8(ascii: "&") else {
                    p += 1
                    continue
                }
                flush(p)
                let limit = min(range.upperBound, p + 12)
                guard let semicolon = bytes[p..<limit].firstIndex(of: UInt8(ascii: ";")) else {
                    return .failure(fail("a bare '&' (write &amp;)"))
                }
                let name = String(decoding: bytes[(p + 1)..<semicolon], as: UTF8.self)
                var scalar: Unicode.Scalar?
                switch name {
                case "lt": scalar = "<"
                case "gt": scalar = ">"
                case "amp": scalar = "&"
                case "quot": scalar = "\""
                case "apos": scalar = "'"
                default:
                    if name.hasPrefix("#x") {
                        scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                    } else if name.hasPrefix("#") {
                        scalar = UInt32(name.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                    }
                }
                guard let scalar, scalar.value != 0 else {
                    return .failure(
                        fail("the entity &\(EntryName.escapeControls(name)); is not defined (no DTD is read)"))
                }
                out.append(scalar)
                p = semicolon + 1
                run = p
            }
            flush(range.upperBound)
            return .success(String(out))
        }

        mutating func run(_ handle: (Event) throws(LabelStop) -> Bool) throws(LabelStop) -> Failure? {
            var open: [String] = []
            var rooted = false
            while i < bytes.count {
                if bytes[i] != UInt8(ascii: "<") {
                    let start = i
                    while i < bytes.count, bytes[i] != UInt8(ascii: "<") { i += 1 }
                    if open.isEmpty {
                        guard bytes[start..<i].allSatisfy(Self.isSpace) else {
                            return fail("text outside the root element")
                        }
                        continue
                    }
                    switch decode(start..<i) {
                    case .success(let text): if try !handle(.text(text)) { return nil }
                    case .failure(let failure): return failure
                    }
                    continue
                }
                if starts("<?", at: i) {
                    guard let end = find("?>", from: i + 2) else {
                        return fail("a processing instruction is not closed")
                    }
                    i = end + 2
                } else if starts("<!--", at: i) {
                    guard let end = find("-->", from: i + 4) else { return fail("a comment is not closed") }
                    i = end + 3
                } else if starts("<![CDATA[", at: i) {
                    guard !open.isEmpty else { return fail("CDATA outside the root element") }
                    guard let end = find("]]>", from: i + 9) else { return fail("a CDATA section is not closed") }
                    if try !handle(.text(String(decoding: bytes[(i + 9)..<end], as: UTF8.self))) { return nil }
                    i = end + 3
                } else if starts("<!", at: i) {
                    return fail("a DTD or declaration, which XMP and OOXML forbid")
                } else if starts("</", at: i) {
                    i += 2
                    guard let name = name() else { return fail("an end tag without a name") }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else {
                        return fail("the end tag </\(name) is not closed")
                    }
                    i += 1
                    guard open.last == name else {
                        return fail("</\(name)> closes " + (open.last.map { "<\($0)>" } ?? "nothing"))
                    }
                    open.removeLast()
                    if try !handle(.end(name: name)) { return nil }
                } else {
                    i += 1
                    guard let name = name() else { return fail("a '<' that starts no tag") }
                    guard !(rooted && open.isEmpty) else { return fail("a second root element <\(name)>") }
                    var attributes: [(name: String, value: String)] = []
                    var seen = Set<String>()
                    var empty = false
                    while true {
                        skipSpace()
                        guard i < bytes.count else { return fail("the tag <\(name) is not closed") }
                        if bytes[i] == UInt8(ascii: ">") {
                            i += 1
                            break
                        }
                        if starts("/>", at: i) {
                            i += 2
                            empty = true
                            break
                        }
                        guard let attribute = self.name() else { return fail("a bad attribute in <\(name)>") }
                        skipSpace()
                        guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                            return fail("the attribute \(attribute) has no value")
                        }
                        i += 1
                        skipSpace()
                        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                            return fail("the value of \(attribute) is not quoted")
                        }
                        let quote = bytes[i]
                        let start = i + 1
                        guard let end = bytes[start...].firstIndex(of: quote) else {
                            return fail("the value of \(attribute) is not closed")
                        }
                        guard !bytes[start..<end].contains(UInt8(ascii: "<")) else {
                            return fail("a '<' inside the value of \(attribute)")
                        }
                        i = end + 1
                        guard seen.insert(attribute).inserted else { return fail("the attribute \(attribute) twice") }
                        switch decode(start..<end) {
                        case .success(let value): attributes.append((attribute, value))
                        case .failure(let failure): return failure
                        }
                    }
                    if try !handle(.start(name: name, attributes: attributes)) { return nil }
                    if empty {
                        if try !handle(.end(name: name)) { return nil }
                    } else {
                        open.append(name)
                    }
                    rooted = true
                }
            }
            if let last = open.last { return fail("<\(last)> is not closed") }
            return rooted ? nil : fail("no root element")
        }
    }
}

/// Reads a declaration written in the plain YAML declarations are written in (block mappings
/// of known keys, block sequences, one-line flow sequences, one-line plain scalars, comment
/// lines), without Yams: daily management reads one declaration per shelved version, and Yams
/// (libyaml, a Node tree with a Tag object per node, a duplicate-key check that hashes every
/// key) was its largest cost.
///
/// It answers only when it is sure: for a declaration that `DeclarationReader` reads without
/// a problem, with the same `Declaration`, positions included. Anything else (quotes, tags,
/// anchors, block scalars, a value on two lines, a tab, a `#` after text, a duplicate key, an
/// unknown key, a missing or empty value, a category not in the taxonomy …) and it returns nil,
/// for `DeclarationReader` to read as it always did. `QuickDeclarationTests` compare the two on
/// the samples and on thousands of variants.
enum QuickDeclaration {
    /// A YAML node as Yams would build it: value and position (1-based line, column in
    /// Unicode scalars, as libyaml counts).
    indirect enum Node {
        case scalar(String, Mark)
        case mapping([(key: String, value: Node)], Mark)
        case sequence([Node], Mark)

        var mark: Mark {
            switch self {
            case .scalar(_, let mark), .mapping(_, let mark), .sequence(_, let mark): mark
            }
        }

        /// Nodes a `StrictYAML` walk visits: every one but the keys.
        var count: Int {
            switch self {
            case .scalar: 1
            case .mapping(let pairs, _): pairs.reduce(1) { $0 + $1.value.count }
            case .sequence(let items, _): items.reduce(1) { $0 + $1.count }
            }
        }
    }

    struct Mark {
        var line: Int
        var column: Int
    }

    static func read(_ text: String, source: String, taxonomy: FeatureTaxonomy, maxNodes: Int) -> Declaration? {
        guard var parser = LineParser(text), let root = parser.document(), root.count < maxNodes else { return nil }
        return declaration(root, source: source, taxonomy: taxonomy)
    }

    // MARK: The walk, as DeclarationReader walks a declaration it finds nothing wrong with

    static func declaration(_ root: Node, source: String, taxonomy: FeatureTaxonomy) -> Declaration? {
        var positions: [String: String] = [:]
        func mark(_ field: String, _ node: Node?) {
            guard let node else { return }
            positions[field] = "\(source):\(node.mark.line):\(node.mark.column)"
        }
        guard
            let top = mapping(
                root, allowed: DeclarationReader.topKeys, required: ["schema", "app", "developer", "features"]),
            let schema = string(top["schema"]), schema == Declaration.schemaID,
            let appFields = mapping(top["app"], allowed: ["id", "name"], required: ["id", "name"]),
            let appID = string(appFields["id"]), let appName = string(appFields["name"]),
            let developerFields = mapping(
                top["developer"], allowed: ["name", "uscc", "icp_filing"], required: ["name"]),
            let developerName = string(developerFields["name"])
        else { return nil }
        mark("app.id", appFields["id"])
        mark("app.name", appFields["name"])
        var developer = Declaration.Developer(name: developerName)
        if let node = developerFields["uscc"] {
            guard let uscc = string(node) else { return nil }
            developer.uscc = uscc
        }
        if let node = developerFields["icp_filing"] {
            guard let icp = string(node) else { return nil }
            developer.icpFiling = icp
        }
        mark("developer.name", developerFields["name"])
        mark("developer.uscc", developerFields["uscc"])
        mark("developer.icp_filing", developerFields["icp_filing"])
        var aiGeneration: Bool?
        if let node = top["ai_generation"] {
            guard case .scalar(let text, _) = node, let value = bool(text) else { return nil }
            aiGeneration = value
            mark("ai_generation", node)
        }
        guard case .sequence(let items, _) = top["features"]! else { return nil }
        var features: [Declaration.Feature] = []
        for (i, node) in items.enumerated() {
            let path = "features[\(i)]"
            mark(path, node)
            guard
                let fields = mapping(node, allowed: DeclarationReader.featureKeys, required: ["category", "role"]),
                let category = string(fields["category"]), taxonomy.features[category]?.synthesis == true,
                let roleText = string(fields["role"]), let role = Declaration.Role(rawValue: roleText)
            else { return nil }
            for key in DeclarationReader.featureKeys where fields[key] != nil { mark("\(path).\(key)", fields[key]) }
            var suppliers: [Declaration.Supplier] = []
            if let node = fields["suppliers"] {
                guard case .sequence(let supplierNodes, _) = node else { return nil }
                for (j, supplierNode) in supplierNodes.enumerated() {
                    guard
                        let s = mapping(supplierNode, allowed: ["name", "algorithm_filing"], required: ["name"]),
                        let name = string(s["name"])
                    else { return nil }
                    var supplier = Declaration.Supplier(name: name)
                    if let node = s["algorithm_filing"] {
                        guard let filing = string(node) else { return nil }
                        supplier.algorithmFiling = filing
                    }
                    mark("\(path).suppliers[\(j)]", supplierNode)
                    mark("\(path).suppliers[\(j)].algorithm_filing", s["algorithm_filing"])
                    suppliers.append(supplier)
                }
            }
            var labeling: Declaration.Labeling?
            if let node = fields["labeling"] {
                guard let l = mapping(node, allowed: ["explicit", "implicit", "materials"], required: []),
                    let explicit = strings(l["explicit"]), let implicit = strings(l["implicit"]),
                    let materials = strings(l["materials"])
                else { return nil }
                labeling = Declaration.Labeling(explicit: explicit, implicit: implicit, materials: materials)
                mark("\(path).labeling.materials", l["materials"])
                mark("\(path).labeling.implicit", l["implicit"])
            }
            var optional: [String: String] = [:]
            for key in ["algorithm_filing", "genai_filing", "security_assessment", "biometric_consent"] {
                guard let node = fields[key] else { continue }
                guard let text = string(node) else { return nil }
                optional[key] = text
            }
            features.append(
                Declaration.Feature(
                    category: category, role: role, algorithmFiling: optional["algorithm_filing"],
                    suppliers: suppliers, genaiFiling: optional["genai_filing"],
                    securityAssessment: optional["security_assessment"],
                    biometricConsent: optional["biometric_consent"], labeling: labeling))
        }
        return Declaration(
            schema: schema, app: Declaration.App(id: appID, name: appName), developer: developer,
            aiGeneration: aiGeneration, features: features, source: source, positions: positions)
    }

    /// A mapping's values by key (a handful: looked up in order, not hashed).
    struct Fields {
        var pairs: [(key: String, value: Node)]
        subscript(key: String) -> Node? { pairs.first { $0.key == key }?.value }
    }

    /// A mapping's values: nil unless every key is allowed and every required one there (the
    /// parser already refused keys written twice).
    static func mapping(_ node: Node?, allowed: [String], required: [String]) -> Fields? {
        guard case .mapping(let pairs, _) = node else { return nil }
        let fields = Fields(pairs: pairs)
        for (key, _) in pairs where !allowed.contains(key) { return nil }
        for key in required where fields[key] == nil { return nil }
        return fields
    }

    /// Non-empty text (`StrictYAML.string`).
    static func string(_ node: Node?) -> String? {
        guard case .scalar(let text, _) = node, !text.isEmpty else { return nil }
        return text
    }

    /// A list of non-empty texts, or one text as a list of one (`StrictYAML.strings`); an
    /// absent key is an empty list.
    static func strings(_ node: Node?) -> [String]? {
        switch node {
        case nil: return []
        case .scalar(let text, _): return text.isEmpty ? nil : [text]
        case .sequence(let items, _):
            var texts: [String] = []
            for item in items {
                guard let text = string(item) else { return nil }
                texts.append(text)
            }
            return texts
        case .mapping: return nil
        }
    }

    /// Yams's `Bool.construct` for an untagged plain scalar.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    // MARK: The parser

    /// The lines of a declaration, parsed by indentation, on the UTF-8 bytes (every character
    /// with a meaning here is ASCII; columns count scalars, as libyaml does). Every method
    /// returns nil for anything outside the plain subset it knows.
    struct LineParser {
        struct Line {
            var number: Int
            /// Where the line starts (columns count from here).
            var start: Int
            /// Spaces before the content, in scalars: the content starts at column indent + 1.
            var indent: Int
            /// The content, without the indentation and trailing spaces; never empty.
            var from: Int
            var to: Int
        }

        let bytes: [UInt8]
        var lines: [Line] = []
        var next = 0

        init?(_ text: String) {
            bytes = Array(text.utf8)
            let n = bytes.count
            // Only line feeds and what libyaml reads as printable text in one line: no tabs,
            // carriage returns or other controls, no NEL (C2 85) or other C1 controls, no line
            // or paragraph separators (E2 80 A8, A9), no byte-order mark (EF BB BF), no U+FFFE
            // or U+FFFF.
            var i = 0
            while i < n {
                let b = bytes[i]
                if b < 0x20 && b != 0x0A || b == 0x7F { return nil }
                if b == 0xC2 && i + 1 < n && (0x80...0x9F).contains(bytes[i + 1]) { return nil }
                if b == 0xE2 && i + 2 < n && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) {
                    return nil
                }
                if b == 0xEF && i + 2 < n
                    && (bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF
                        || bytes[i + 1] == 0xBF && (bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF))
                {
                    return nil
                }
                i += 1
            }
            var number = 0
            var start = 0
            while start <= n {
                var end = start
                while end < n && bytes[end] != 0x0A { end += 1 }
                number += 1
                var from = start
                while from < end && bytes[from] == 0x20 { from += 1 }
                var to = end
                while to > from && bytes[to - 1] == 0x20 { to -= 1 }
                if from < to && bytes[from] != 0x23 {
                    // A comment after text, quotes, tags, anchors, aliases, block scalars,
                    // directives, document markers: left to Yams.
                    for b in bytes[from..<to] where LineParser.refused[Int(b)] { return nil }
                    if to - from >= 3,
                        bytes[from] == 0x2D && bytes[from + 1] == 0x2D && bytes[from + 2] == 0x2D
                            || bytes[from] == 0x2E && bytes[from + 1] == 0x2E && bytes[from + 2] == 0x2E
                    {
                        return nil
                    }
                    lines.append(Line(number: number, start: start, indent: from - start, from: from, to: to))
                }
                start = end + 1
            }
        }

        /// `# " ' % & * > ! | @` and the backquote.
        static let refused: [Bool] = (0..<256).map { Array("#\"'%&*>!|@`".utf8).contains(UInt8($0)) }

        mutating func document() -> Node? {
            guard let first = lines.first, first.indent == 0, let root = block(indent: 0), next == lines.count else {
                return nil
            }
            return root
        }

        /// The block at `indent`, which the line at `next` starts.
        mutating func block(indent: Int) -> Node? {
            guard next < lines.count, lines[next].indent == indent else { return nil }
            if isEntry(lines[next]) { return sequence(indent: indent) }
            return mapping(indent: indent)
        }

        func isEntry(_ line: Line) -> Bool {
            bytes[line.from] == 0x2D && (line.to == line.from + 1 || bytes[line.from + 1] == 0x20)
        }

        /// `key:` and where the text after it starts; nil unless the key is a plain word.
        func pair(_ from: Int, _ to: Int) -> (key: String, rest: Int)? {
            var i = from
            while i < to && bytes[i] != 0x3A {
                let b = bytes[i]
                let letter = (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F
                guard letter || (i > from && (0x30...0x39).contains(b)) else { return nil }
                i += 1
            }
            guard i > from, i < to, i + 1 == to || bytes[i + 1] == 0x20 else { return nil }
            var rest = i + 1
            while rest < to && bytes[rest] == 0x20 { rest += 1 }
            return (text(from, i), rest)
        }

        func text(_ from: Int, _ to: Int) -> String {
            bytes.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self)
            }
        }

        /// The column of byte `at` in `line`: scalars before it, plus one.
        func column(_ line: Line, _ at: Int) -> Int {
            var scalars = 0
            for b in bytes[line.start..<at] where b & 0xC0 != 0x80 { scalars += 1 }
            return scalars + 1
        }

        mutating func mapping(indent: Int) -> Node? {
            let first = lines[next]
            var pairs: [(key: String, value: Node)] = []
            while next < lines.count, lines[next].indent == indent {
                let line = lines[next]
                guard let (key, rest) = pair(line.from, line.to), !pairs.contains(where: { $0.key == key }) else {
                    return nil
                }
                next += 1
                let value: Node
                if rest == line.to {
                    // The value is the block below, more indented (an indentless sequence, a
                    // null: left to Yams).
                    guard next < lines.count, lines[next].indent > indent,
                        let nested = block(indent: lines[next].indent)
                    else { return nil }
                    value = nested
                } else {
                    guard let inline = self.inline(line, rest) else { return nil }
                    value = inline
                }
                pairs.append((key, value))
            }
            guard next == lines.count || lines[next].indent < indent else { return nil }
            return .mapping(pairs, Mark(line: first.number, column: indent + 1))
        }

        mutating func sequence(indent: Int) -> Node? {
            let first = lines[next]
            var items: [Node] = []
            while next < lines.count, lines[next].indent == indent, isEntry(lines[next]) {
                let line = lines[next]
                var item = line.from + 1
                while item < line.to && bytes[item] == 0x20 { item += 1 }
                guard item < line.to else { return nil }  // an entry whose value is below: left to Yams
                if pair(item, line.to) != nil {
                    // `- key: value`: a mapping whose keys line up with this one.
                    let itemIndent = column(line, item) - 1
                    lines[next] = Line(
                        number: line.number, start: line.start, indent: itemIndent, from: item, to: line.to)
                    guard let nested = mapping(indent: itemIndent) else { return nil }
                    items.append(nested)
                } else {
                    next += 1
                    guard let inline = self.inline(line, item) else { return nil }
                    items.append(inline)
                }
                guard next == lines.count || lines[next].indent <= indent else { return nil }
            }
            guard next == lines.count || lines[next].indent < indent else { return nil }
            return .sequence(items, Mark(line: first.number, column: indent + 1))
        }

        /// The value on a line from byte `from` to its end: a flow sequence of plain words, or
        /// a plain scalar. (The caller refuses a next line more indented, which would continue
        /// the scalar.)
        func inline(_ line: Line, _ from: Int) -> Node? {
            let mark = Mark(line: line.number, column: column(line, from))
            let to = line.to
            guard bytes[from] == 0x5B else {
                guard plain(from, to, flow: false) else { return nil }
                return .scalar(text(from, to), mark)
            }
            guard bytes[to - 1] == 0x5D, to - from >= 2 else { return nil }
            var items: [Node] = []
            let inner = (from + 1)..<(to - 1)
            if !bytes[inner].allSatisfy({ $0 == 0x20 }) {
                var start = inner.lowerBound
                while true {
                    var end = start
                    while end < inner.upperBound && bytes[end] != 0x2C { end += 1 }
                    var a = start
                    while a < end && bytes[a] == 0x20 { a += 1 }
                    var b = end
                    while b > a && bytes[b - 1] == 0x20 { b -= 1 }
                    guard a < b, plain(a, b, flow: true) else { return nil }
                    items.append(.scalar(text(a, b), Mark(line: line.number, column: column(line, a))))
                    if end == inner.upperBound { break }
                    start = end + 1
                }
            }
            return .sequence(items, mark)
        }

        /// Whether the bytes read as one plain scalar, as written: no indicator first, no
        /// `: ` (nor, in a flow sequence, any `:` or `,`) and no brackets or braces inside, no
        /// `:` last.
        func plain(_ from: Int, _ to: Int, flow: Bool) -> Bool {
            guard from < to, !LineParser.indicators[Int(bytes[from])], bytes[to - 1] != 0x3A else { return false }
            for i in from..<to {
                let b = bytes[i]
                if b == 0x5B || b == 0x5D || b == 0x7B || b == 0x7D { return false }
                if b == 0x3A && (flow || bytes[i + 1] == 0x20) { return false }
                if flow && b == 0x2C { return false }
            }
            return true
        }

        /// What may not start a plain scalar: `- ? : , [ ] { } # & * ! | > ' " % @` and the backquote.
        static let indicators: [Bool] = (0..<256).map { Array("-?:,[]{}#&*!|>'\"%@`".utf8).contains(UInt8($0)) }
    }
}

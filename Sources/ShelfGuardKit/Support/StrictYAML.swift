import Foundation
import Yams

/// A problem in a YAML file a person wrote (feature database, policy, declaration), with where
/// it is and what was expected, printed as `file:line:column: message`.
public struct YAMLProblem: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Reads YAML strictly: every key must be known, every value of the expected type, and every
/// problem is collected with its line and column instead of stopping at the first. The walk is
/// bounded (aliases can make a small file describe an enormous tree).
struct StrictYAML {
    let file: String
    private(set) var problems: [YAMLProblem] = []
    private var budget: Int

    private let maxNodes: Int
    /// How plain scalars get their type when Yams needs it (only mapping keys, which Yams
    /// compares for duplicates): `.default` matches each against YAML's regular expressions
    /// (bool, int, float, null, timestamp …), `.basic` takes every plain scalar as text. Nil is
    /// `.default`, looked up only when a text is parsed: building its regular expressions costs
    /// about a millisecond, once per process, and a reader that only checks nodes (one for each
    /// item of a file) never needs them.
    private let resolver: Resolver?

    init(file: String, maxNodes: Int = 1_000_000, resolver: Resolver? = nil) {
        self.file = file
        self.budget = maxNodes
        self.maxNodes = maxNodes
        self.resolver = resolver
    }

    /// Built once: `Constructor.default` builds its tables again at every call.
    nonisolated(unsafe) private static let constructor = Constructor.default

    /// Parses `text`; a syntax error becomes a problem and the result is nil. The encoding is
    /// given: `Parser.Encoding.default` reads the whole process environment at every call.
    mutating func parse(_ text: String) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text, resolver ?? .default, StrictYAML.constructor, .utf8) else {
                add(line: 1, column: 1, "the document is empty")
                return nil
            }
            return node
        } catch let error as YamlError {
            switch error {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                let place = context.map { " (\($0.text))" } ?? ""
                add(line: mark.line, column: mark.column, "YAML syntax: \(problem)\(place)")
            case .reader(let problem, _, _, _):
                add(line: 1, column: 1, "not readable as YAML text: \(problem)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                // Yams points at the first of the keys; the mistake is the repetition.
                for key in duplicates {
                    let first = (line: context.mark.line, column: context.mark.column)
                    let again = StrictYAML.repetition(of: key, in: text, after: first)
                    add(
                        line: again?.line ?? first.line, column: again?.column ?? first.column,
                        "duplicate key '\(key)'"
                            + (again == nil ? "" : " (first at line \(first.line), column \(first.column))"))
                }
            default:
                add(line: 1, column: 1, "YAML: \(error)")
            }
            return nil
        } catch {
            add(line: 1, column: 1, "YAML: \(error)")
            return nil
        }
    }

    mutating func add(line: Int, column: Int, _ message: String) {
        problems.append(YAMLProblem(file: file, line: line, column: column, message: message))
    }

    /// Records a problem at a node's position.
    mutating func problem(_ node: Node?, _ message: String) {
        add(line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message)
    }

    /// Counts one visited node; false (with one problem) once the budget is spent, or when the
    /// node carries a tag YAML's core schema does not define (`!custom false`): a value must
    /// mean what it says, not what some other reader would make of it.
    private mutating func visit(_ node: Node) -> Bool {
        budget -= 1
        if budget == 0 { problem(node, "the document is too large to read (more than \(maxNodes) nodes)") }
        guard budget > 0 else { return false }
        return knownTag(node)
    }

    /// The tags a value may carry: none, the non-specific `!`, or a core-schema tag written
    /// out (`!!str`, `!!int`, …).
    static let coreTags: Set<String> = [
        Tag.Name.str.rawValue, Tag.Name.seq.rawValue, Tag.Name.map.rawValue, Tag.Name.bool.rawValue,
        Tag.Name.int.rawValue, Tag.Name.float.rawValue, Tag.Name.null.rawValue, "!", "",
    ]

    /// False, with a problem, when the node's tag, as written, is not a core-schema tag.
    mutating func knownTag(_ node: Node) -> Bool {
        let name: String
        switch node {
        case .scalar(let scalar): name = scalar.tag.description
        case .mapping(let mapping): name = mapping.tag.description
        case .sequence(let sequence): name = sequence.tag.description
        case .alias: return true
        }
        guard !StrictYAML.coreTags.contains(name) else { return true }
        problem(node, "unknown tag '\(name)': tags other than YAML's core ones (!!str, !!int, …) are not accepted")
        return false
    }

    /// Where the key `key` appears again in the block mapping whose first such key is at
    /// `first` (1-based line and column): the next line indented the same that starts with it,
    /// before the mapping ends. Nil when it cannot be found (flow mappings, quoted keys).
    static func repetition(
        of key: String, in text: String, after first: (line: Int, column: Int)
    ) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let indent = first.column - 1
        for index in first.line..<lines.count {
            let line = lines[index]
            let content = line.drop(while: { $0 == " " })
            let leading = line.count - content.count
            if content.isEmpty || content.hasPrefix("#") { continue }
            // Less indented, or a new item of the list the mapping is in: the mapping ended.
            if leading < indent || (leading == indent && content.hasPrefix("-")) { return nil }
            guard leading == indent else { continue }
            for form in [key, "\"\(key)\"", "'\(key)'"] where content.hasPrefix(form) {
                if content.dropFirst(form.count).drop(while: { $0 == " " }).hasPrefix(":") {
                    return (index + 1, indent + 1)
                }
            }
        }
        return nil
    }

    /// A mapping's values by key. Unknown keys, duplicate keys, non-string keys and missing
    /// required keys are problems; `what` names the mapping in messages ("signature").
    mutating func mapping(
        _ node: Node?, _ what: String, allowed: [String], required: [String] = []
    )
        -> [String: Node]?
    {
        guard let node, visit(node) else { return nil }
        guard case .mapping(let mapping) = node else {
            problem(node, "\(what) must be a mapping of keys to values")
            return nil
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string, knownTag(keyNode) else {
                if keyNode.scalar == nil { problem(keyNode, "keys of \(what) must be plain text") }
                continue
            }
            guard allowed.contains(key) else {
                let hint = StrictYAML.closest(to: key, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                problem(
                    keyNode,
                    "unknown key '\(key)' in \(what) (expected one of: \(allowed.joined(separator: ", ")))\(hint)")
                continue
            }
            if values[key] != nil {
                problem(keyNode, "duplicate key '\(key)' in \(what)")
                continue
            }
            values[key] = value
        }
        for key in required where values[key] == nil {
            problem(node, "\(what) is missing the required key '\(key)'")
        }
        return values
    }

    mutating func string(_ node: Node?, _ what: String) -> String? {
        guard let node, visit(node) else { return nil }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            problem(node, "\(what) must be non-empty text")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node?, _ what: String) -> Bool? {
        guard let node, visit(node) else { return nil }
        guard let value = node.bool else {
            problem(node, "\(what) must be true or false")
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node?, _ what: String) -> Int? {
        guard let node, visit(node) else { return nil }
        guard let value = node.int else {
            problem(node, "\(what) must be a whole number")
            return nil
        }
        return value
    }

    /// A sequence's elements (a single value is accepted as a one-element list when `single`).
    mutating func sequence(_ node: Node?, _ what: String, single: Bool = false) -> [Node] {
        guard let node, visit(node) else { return [] }
        switch node {
        case .sequence(let sequence): return Array(sequence)
        case .scalar where single: return [node]
        default:
            problem(node, "\(what) must be a list")
            return []
        }
    }

    /// A list of non-empty texts (or one text when `single`).
    mutating func strings(_ node: Node?, _ what: String, single: Bool = true) -> [String] {
        sequence(node, what, single: single).compactMap { string($0, "each item of \(what)") }
    }

    /// The allowed value nearest to a misspelling, when one is close enough to suggest.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, word.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}

extension Node {
    /// Where a node starts, for messages: `line:column`.
    var position: (line: Int, column: Int) { (mark?.line ?? 1, mark?.column ?? 1) }
}

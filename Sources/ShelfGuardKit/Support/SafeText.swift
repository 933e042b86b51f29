/// Text from strangers, made safe to show. Names, manifests, declarations, complaints, registry
/// rows and audit entries are written by people ShelfGuard does not trust; shown raw, an escape
/// sequence could recolour a terminal, move its cursor, set its title or fake a report line, and a
/// direction override could make a name read differently from what it is (CVE-2021-42574).
///
/// Every text output goes through here: fields with `escape(_:)`, whole outputs once more at the
/// boundary with `sweep(_:keeping:)` (keeping the line breaks and tabs the layout needs), JSON
/// with `json(_:)`. Escapes look like Swift's: `\n`, `\r`, `\t`, `\0`, `\u{1B}`.
public enum SafeText {
    /// Controls a whole output may keep as they are, because its layout needs them.
    public struct Kept: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Line feeds: the output's own lines.
        public static let newlines = Kept(rawValue: 1)
        /// Tabs.
        public static let tabs = Kept(rawValue: 2)
        /// Carriage returns: a progress line drawn again in place.
        public static let carriageReturns = Kept(rawValue: 4)
        /// Colour codes (SGR: ESC `[` digits and `;` `m`), which only colour text; every other escape
        /// sequence is still escaped.
        public static let colours = Kept(rawValue: 8)

        /// What a text output of several lines needs.
        public static let lines: Kept = [.newlines, .tabs]
    }

    /// Whether a character must not reach a terminal or a report raw: C0 controls, DEL, C1
    /// controls (U+0080–U+009F: U+009B is a CSI on some terminals) and the bidirectional
    /// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || (0x7F...0x9F).contains(v) { return true }
        return (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// One field: every unsafe character escaped, line breaks too (a field stays on its line).
    public static func escape(_ text: String) -> String { sweep(text, keeping: []) }

    /// A whole output: every unsafe character escaped except those `kept`.
    public static func sweep(_ text: String, keeping kept: Kept) -> String {
        // Most text is printable ASCII and the layout's own controls: judged byte by byte, that
        // needs no decoding at all; then character by character, without copying.
        let newlines = kept.contains(.newlines)
        let tabs = kept.contains(.tabs)
        let plain = text.utf8.allSatisfy { byte in
            (byte >= 0x20 && byte < 0x7F) || (byte == 0x0A && newlines) || (byte == 0x09 && tabs)
        }
        if plain { return text }
        let carriageReturns = kept.contains(.carriageReturns)
        let needed = text.unicodeScalars.contains { scalar in
            guard isUnsafe(scalar) else { return false }
            return !((scalar == "\n" && newlines) || (scalar == "\t" && tabs) || (scalar == "\r" && carriageReturns))
        }
        if !needed { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var changed = false
        while i < scalars.count {
            let scalar = scalars[i]
            i += 1
            guard isUnsafe(scalar) else {
                out.append(scalar)
                continue
            }
            switch scalar {
            case "\n" where kept.contains(.newlines), "\t" where kept.contains(.tabs),
                "\r" where kept.contains(.carriageReturns):
                out.append(scalar)
                continue
            case "\u{1B}" where kept.contains(.colours):
                if let end = colourEnd(scalars, from: i) {
                    out.append(scalar)
                    out.append(contentsOf: scalars[i..<end])
                    i = end
                    continue
                }
            default: break
            }
            changed = true
            out.append(contentsOf: shown(scalar).unicodeScalars)
        }
        return changed ? String(out) : text
    }

    /// JSON text with every unsafe character inside its strings written as a `\u` escape: the
    /// same JSON to a parser, nothing a terminal acts on. Encoders escape C0 controls themselves
    /// but leave DEL, C1 and direction controls raw. The line breaks of pretty printing stay.
    public static func json(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0) && $0 != "\n" && $0 != "\t" }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) && scalar != "\n" && scalar != "\t" {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// How an unsafe character is shown.
    static func shown(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        case "\0": "\\0"
        default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }

    /// The end of an SGR colour sequence whose ESC is just before `start`: `[`, digits and `;`,
    /// then `m`; nil when what follows is anything else.
    private static func colourEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start < scalars.count, scalars[start] == "[" else { return nil }
        var i = start + 1
        while i < scalars.count, i - start <= 16 {
            switch scalars[i] {
            case "0"..."9", ";": i += 1
            case "m": return i + 1
            default: return nil
            }
        }
        return nil
    }
}

import Foundation
import Testing

@testable import ShelfGuardKit

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What a stranger may write into a name, a declaration, a complaint or a registry row, and what
/// a terminal would do with it raw.
enum HostileText {
    /// Each one alone: SGR colour, an OSC window title ended by BEL, carriage return, backspace,
    /// the C1 CSI (U+009B) that clears the screen on some terminals, DEL, NUL, and the direction
    /// override and isolate that make text read backwards (CVE-2021-42574).
    static let pieces = [
        "\u{1B}[31m", "\u{1B}]0;title\u{07}", "\r", "\u{08}", "\u{9B}2J", "\u{7F}", "\u{0}", "\u{202E}", "\u{2066}",
        "\u{85}",
    ]

    /// All of them in one string, with text between, and no line break (some fields refuse one).
    static let line = "A" + pieces.joined(separator: "x") + "Z"

    /// The same with a line feed and a tab, which fields must escape too.
    static let lines = line + "\nforged line\tand tab"

    /// `lines` as a command-line argument can carry it: without NUL, which would end it.
    static let argument = lines.replacingOccurrences(of: "\u{0}", with: "")

    /// The characters of `text` no output may hold raw: C0 controls (except line feed and tab
    /// when `allowLayout`), DEL, C1 controls and the direction controls.
    static func unsafe(in text: String, allowLayout: Bool = true) -> [String] {
        text.unicodeScalars.filter { scalar in
            if allowLayout && (scalar == "\n" || scalar == "\t") { return false }
            let v = scalar.value
            return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v)
                || (0x2066...0x2069).contains(v)
        }.map { "U+" + String($0.value, radix: 16, uppercase: true) }
    }
}

@Suite("SafeText: control characters never reach an output raw")
struct SafeTextTests {
    @Test("a field: every control escaped, line breaks too, the rest untouched")
    func field() {
        #expect(SafeText.escape("com.example.app 人脸 ✓") == "com.example.app 人脸 ✓")
        #expect(SafeText.escape("a\u{1B}[31mb") == "a\\u{1B}[31mb")
        #expect(SafeText.escape("a\nb\tc\rd\u{0}") == "a\\nb\\tc\\rd\\0")
        #expect(SafeText.escape("\u{9B}\u{7F}\u{202E}\u{2069}") == "\\u{9B}\\u{7F}\\u{202E}\\u{2069}")
        #expect(HostileText.unsafe(in: SafeText.escape(HostileText.lines), allowLayout: false).isEmpty)
        // Characters near the ranges are text.
        #expect(SafeText.escape("\u{A0}\u{2029}\u{206A}\u{2010}") == "\u{A0}\u{2029}\u{206A}\u{2010}")
    }

    @Test("a whole output keeps the line breaks and tabs of its layout, and nothing else")
    func sweep() {
        let swept = SafeText.sweep("one\ttwo\nthree\u{1B}[2J\r", keeping: .lines)
        #expect(swept == "one\ttwo\nthree\\u{1B}[2J\\r")
        #expect(SafeText.sweep("50%\r", keeping: [.newlines, .carriageReturns]) == "50%\r")
        #expect(HostileText.unsafe(in: SafeText.sweep(HostileText.lines, keeping: .lines)).isEmpty)
    }

    @Test("colour codes survive only as colour: every other sequence is escaped")
    func colours() {
        let kept: SafeText.Kept = [.newlines, .colours]
        #expect(SafeText.sweep("\u{1B}[1;31mREFUSE\u{1B}[0m\n", keeping: kept) == "\u{1B}[1;31mREFUSE\u{1B}[0m\n")
        #expect(SafeText.sweep("\u{1B}[2J", keeping: kept) == "\\u{1B}[2J")
        #expect(SafeText.sweep("\u{1B}]0;title\u{07}", keeping: kept) == "\\u{1B}]0;title\\u{7}")
        #expect(SafeText.sweep("\u{1B}", keeping: kept) == "\\u{1B}")
        #expect(SafeText.sweep("\u{1B}[31", keeping: kept) == "\\u{1B}[31")
    }

    @Test("JSON: the same value to a parser, no control a terminal acts on")
    func json() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let value = ["name": HostileText.lines, "plain": "人脸"]
        let text = SafeText.json(String(decoding: try encoder.encode(value), as: UTF8.self))
        #expect(HostileText.unsafe(in: text).isEmpty, "\(HostileText.unsafe(in: text))")
        #expect(text.contains("\\u009b") && text.contains("\\u202e") && text.contains("\\u007f"))
        let back = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(back == value)
    }

    @Test("JUnit XML: DEL, C1 and direction controls as character references, read back by a parser")
    func xml() throws {
        let junit = JUnitReport(policy: DefaultPolicy.policy)
        let escaped = junit.xml(HostileText.line)
        #expect(HostileText.unsafe(in: escaped).isEmpty)
        #expect(escaped.contains("&#x9B;") && escaped.contains("&#x202E;") && escaped.contains("&#x7F;"))
        let document = "<a b=\"\(escaped)\"/>"
        let parsed = try XMLDocument(xmlString: document)
        let attribute = parsed.rootElement()?.attribute(forName: "b")?.stringValue ?? ""
        #expect(attribute.unicodeScalars.contains("\u{202E}") && attribute.unicodeScalars.contains("\u{9B}"))
    }

    @Test("GitHub annotations: a message cannot end its line or start a command of its own")
    func github() {
        let escaper = GitHubAnnotations()
        let message = escaper.data("bad\n::error file=x::forged\r%\u{1B}[31m\u{202E}")
        #expect(!message.contains("\n") && !message.contains("\r"))
        #expect(message == "bad%0A::error file=x::forged%0D%25\\u{1B}[31m\\u{202E}")
        let property = escaper.property("a:b,c\n\u{9B}")
        #expect(property == "a%3Ab%2Cc%0A\\u{9B}")
    }

    @Test("Markdown: a name stays inside its cell and its code span")
    func markdown() {
        let report = MarkdownReport()
        #expect(report.cell("a|b\nc\u{1B}[31m") == "a\\|b c\\u{1B}[31m")
        #expect(report.code("x`y\n") == "x'y\\n")
    }

    @Test("HTML: markup and controls escaped")
    func html() {
        #expect(h("<b>\u{1B}[31m\u{202E}&\"'</b>") == "&lt;b&gt;\\u{1B}[31m\\u{202E}&amp;&quot;&#39;&lt;/b&gt;")
    }

    @Test("CSV: a row stays a row, and controls are escaped")
    func csv() {
        #expect(BatchReport.csvCell("a\nb\u{1B}") == "a\\nb\\u{1B}")
        #expect(BatchReport.csvCell("=1+1") == "'=1+1")
    }
}

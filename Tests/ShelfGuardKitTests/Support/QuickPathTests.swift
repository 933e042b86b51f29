import Foundation
import Testing

@testable import ShelfGuardKit

/// The byte- and scalar-level shortcuts daily management takes for every shelved version give
/// what the Character-level code they stand in for gives: each is compared here with that code,
/// kept as it was, on edge cases and on random text of ASCII, CJK, full-width forms, spaces,
/// combining marks and the odd character that groups with its neighbours.
@Suite("Quick paths answer as the long ways do")
struct QuickPathTests {
    /// Random strings over an alphabet chosen to meet every branch of the shortcuts.
    static func randomTexts(_ count: Int, seed: UInt64) -> [String] {
        let alphabet: [String] = [
            "a", "Z", "0", "9", "-", ":", "/", ".", "(", ")", "（", "）", " ", "\t", "\n", "\r\n", "\u{3000}",
            "\u{A0}", "深", "圳", "市", "号", "备", "粤", "京", "ICP", "网信算备", "\u{301}", "\u{200D}", "\u{600}",
            "\u{FF21}", "É", "ß", "İ", "\u{1F600}", "\u{0}", "\u{1F}", "\u{85}",
        ]
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let length = Int.random(in: 0...12, using: &generator)
            return (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
        }
    }

    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
    }

    // MARK: The long ways, as they were

    static func normalisedLong(_ text: String) -> String {
        var out = ""
        for c in text where !c.isWhitespace {
            switch c {
            case "（": out.append("(")
            case "）": out.append(")")
            default: out.append(contentsOf: c.lowercased())
            }
        }
        return out
    }

    static func normalizedNameLong(_ name: String) -> String {
        String(
            name.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars.filter {
                !$0.properties.isWhitespace
            })
    }

    static func lineAndColumnLong(_ location: String) -> (String, Int, Int)? {
        let parts = location.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let l = Int(parts[parts.count - 2]), let c = Int(parts[parts.count - 1]), l > 0, c > 0
        else { return nil }
        return (parts.dropLast(2).joined(separator: ":"), l, c)
    }

    static func dayNumberLong(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 4, parts[1].count == 2,
            parts.count == 2 || parts[2].count == 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) }),
            let y = Int(parts[0]), let m = Int(parts[1]), (1...9999).contains(y), (1...12).contains(m)
        else { return nil }
        let d = parts.count == 3 ? Int(parts[2]) : 1
        guard let d, (1...CalendarDay.length(ofMonth: m, year: y)).contains(d) else { return nil }
        return CalendarDay.days(year: y, month: m, day: d)
    }

    static func usccLong(_ raw: String) -> String? {
        let code = Array(raw.trimmingCharacters(in: .whitespaces).uppercased())
        guard code.count == 18 else { return "has \(code.count) characters, not 18" }
        var values: [Int] = []
        for (i, c) in code.enumerated() {
            guard let v = USCC.alphabet.firstIndex(of: c) else {
                return "has '\(c)' at position \(i + 1), a character USCCs never use (no I, O, S, V or Z)"
            }
            values.append(v)
        }
        let sum = (0..<17).reduce(0) { $0 + values[$1] * USCC.weights[$1] }
        let expected = USCC.alphabet[(31 - sum % 31) % 31]
        guard code[17] == expected else {
            return "ends in the check character '\(code[17])' where the digits give '\(expected)'"
        }
        return nil
    }

    static func icpLong(_ raw: String) -> (String, Character, String, String, ICPFiling.Kind)? {
        let text = raw.filter { !$0.isWhitespace }
        guard let first = text.first, ICPFiling.provinces.contains(first) else { return nil }
        let afterProvince = text.dropFirst()
        guard afterProvince.hasPrefix("ICP备") else { return nil }
        let body = afterProvince.dropFirst(4)
        guard let hao = body.firstIndex(of: "号") else { return nil }
        let number = body[..<hao]
        guard number.count == 8 || number.count == 10, number.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        let after = body[body.index(after: hao)...]
        guard after.first == "-" else { return nil }
        let tail = after.dropFirst()
        let serial = tail.prefix { $0.isASCII && $0.isNumber }
        guard !serial.isEmpty else { return nil }
        guard let kind = ICPFiling.Kind(rawValue: String(tail.dropFirst(serial.count))) else { return nil }
        return (text, first, String(number), String(serial), kind)
    }

    // MARK: The comparisons

    @Test("entity names fold as Checks.normalised and LabelValidator.normalizedName fold them")
    func names() {
        let edge = [
            "深圳市示例智能科技有限公司", "北京示例（模型）科技 有限公司", "ACME Ltd. (CN)", "", " ", "a\r\nb", "Ｆｏｏ", "e\u{301}",
            "（\u{301}", "深\u{200D}圳", "\u{600}a", "İstanbul", "straße", "tab\there",
        ]
        for text in edge + Self.randomTexts(3_000, seed: 1) {
            #expect(Checks.normalised(text) == Self.normalisedLong(text), "\(text.debugDescription)")
            #expect(
                LabelValidator.normalizedName(text) == Self.normalizedNameLong(text), "\(text.debugDescription)")
            if let quick = QuickTrim.foldedName(text) {
                #expect(quick == Self.normalisedLong(text), "\(text.debugDescription)")
            }
        }
    }

    @Test("file:line:column comes apart as the Character split takes it apart")
    func lineAndColumn() {
        let edge = [
            "d.yaml:12:5", "samples/facefun.apk.declaration.yaml:17:23", "a:b:1:2", ":1:2", "1:2", "x:0:3", "x:+4:5",
            "x:-4:5", "x:4:", "x::5", "申报.yaml:3:7", "x\u{600}:17:23", "x:\u{301}17:23", "x:17:23\u{301}",
            "facefun.apk!classes.dex", "a:99999999999999999999:1", "a:1:9223372036854775807", "",
        ]
        let digits = Self.randomTexts(2_000, seed: 2).map { $0 + ":\($0.count):\($0.utf8.count % 5)" }
        for text in edge + digits + Self.randomTexts(2_000, seed: 3) {
            let quick = FindingPlace.lineAndColumn(text)
            let long = Self.lineAndColumnLong(text)
            #expect(
                quick?.file == long?.0 && quick?.line == long?.1 && quick?.column == long?.2, "\(text.debugDescription)"
            )
        }
    }

    @Test("the last path component is URL's")
    func lastPathComponent() {
        for path in [
            "samples/facefun.apk.declaration.yaml", "/abs/x.yaml", "x", "a//b", "a b/c d.yaml", "a%20b.yaml",
            "dir/申报.yaml",
            "a?b#c;d.yaml", "a/b.", "a/.b", "a/...", "a/b\u{301}", "./x", "../x", "~/x", "a:b/c:d", "/", "", "a/", ".",
            "..", "a/.", "a/..",
        ] {
            #expect(FindingPlace.lastPathComponent(path) == URL(fileURLWithPath: path).lastPathComponent, "\(path)")
        }
    }

    @Test("a bundle's display name is the last part of its path, as the Character split finds it")
    func displayName() {
        let edge = [
            "samples/facefun.apk", "facefun.apk", "/a/b/", "a//b", "", "/", "a/\u{301}b", "a\u{600}/b", "深/圳.apk",
            "a/b\u{301}", "//",
        ]
        for text in edge + Self.randomTexts(3_000, seed: 8) {
            #expect(
                BundleReader.lastComponent(of: text) == (text.split(separator: "/").last.map(String.init) ?? text),
                "\(text.debugDescription)")
        }
    }

    @Test("days read on the bytes as they read split by Characters")
    func days() {
        var texts = [
            "2026-11-26", "2026-11", "2024-02-29", "2026-02-29", "0000-01-01", "9999-12-31", "2026-1-01", "2026-01-1",
            "２０２６-11-26", "2026-11-26\u{301}", "2026\u{301}-11-26", "+026-11-26", "2026-11-26-", "2026_11_26", "",
        ]
        texts += Self.randomTexts(2_000, seed: 4)
        var generator = SeededGenerator(seed: 5)
        texts += (0..<2_000).map { _ in
            String(
                (0..<[7, 10].randomElement(using: &generator)!).map { _ in
                    "0123456789-x".randomElement(using: &generator)!
                })
        }
        for text in texts {
            #expect(CalendarDay.dayNumber(text) == Self.dayNumberLong(text), "\(text.debugDescription)")
            #expect(
                CalendarDay.isDay(text)
                    == (text.count == 10 && text.split(separator: "-", omittingEmptySubsequences: false).count == 3
                        && Self.dayNumberLong(text) != nil),
                "\(text.debugDescription)")
        }
    }

    @Test("USCCs and ICP filings parse as the Character-level code parses them")
    func identifiers() {
        var usccs = [
            "91440300MA5G0FFN02", "91440300MA5G0FFN03", "91440300ma5g0ffn02", " 91440300MA5G0FFN02",
            "91440300MA5G0FFN0",
            "91440300MA5G0FFNI2", "914403007084611360", "91440300708461136T", "９1440300MA5G0FFN02", "",
        ]
        var generator = SeededGenerator(seed: 6)
        usccs += (0..<3_000).map { _ in
            String((0..<18).map { _ in "0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZa ".randomElement(using: &generator)! })
        }
        for text in usccs {
            #expect(USCC.problem(with: text) == Self.usccLong(text), "\(text)")
        }
        var filings = [
            "粤ICP备2025012345号-3A", "陕ICP备2024026116号-1A", "黔ICP备2025044274号-1X", "京ICP备12345678号-3",
            "京ICP备12345678号-3K",
            "京ICP备1234567号-3", "京ICP备12345678号-", "京ICP备12345678号3A", "京ICP备12345678号-3B", "港ICP备12345678号-1A",
            "粤 ICP备2025012345号-3A", "粤ICP备2025012345号-3A\u{301}", "粤\u{301}ICP备2025012345号-3A", "粤ICP备", "",
            "粤ICP备２０２５012345号-3A", "粤ICP备2025012345号-3Ａ",
        ]
        let parts = [
            "粤", "京", "ICP备", "2025012345", "12345678", "号", "-", "3", "A", "X", "K", " ", "1", "\u{301}", "x",
        ]
        filings += (0..<3_000).map { _ in
            (0..<Int.random(in: 1...9, using: &generator)).map { _ in parts.randomElement(using: &generator)! }.joined()
        }
        for text in filings {
            let quick = ICPFiling(text)
            let long = Self.icpLong(text)
            #expect(
                quick?.text == long?.0 && quick?.province == long?.1 && quick?.number == long?.2
                    && quick?.serial == long?.3 && quick?.kind == long?.4, "\(text.debugDescription)")
        }
    }

    @Test("String(exactUTF8:) gives what String(validating:) gives, on random bytes, valid UTF-8 and broken")
    func exactUTF8() {
        var generator = SeededGenerator(seed: 17)
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("Z9".utf8), Array("审核".utf8), Array("\u{1F600}".utf8), Array("é".utf8), [0],
            [0x80], [0xC0, 0x80], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF0, 0x90, 0x80],
            [0xF4, 0x90, 0x80, 0x80],
            [0xFF], [0xEF, 0xBF, 0xBD], [0xF8, 0x88, 0x80, 0x80, 0x80],
        ]
        var cases: [[UInt8]] = [[]] + pieces
        for _ in 0..<3000 {
            cases.append(
                (0..<Int.random(in: 0...12, using: &generator)).flatMap { _ in pieces.randomElement(using: &generator)!
                })
        }
        for bytes in cases {
            let exact = bytes.withUnsafeBufferPointer { String(exactUTF8: $0) }
            #expect(exact == String(validating: bytes, as: UTF8.self), "\(bytes)")
        }
    }

    @Test("columns pad as Foundation's padding(toLength:withPad:startingAt:) pads them")
    func paddedQuickly() {
        let edges = [
            "", "a", "hazards", "permissions", "深圳市", "\u{1F600}x", "e\u{301}", String(repeating: "w", count: 40),
        ]
        for text in edges + Self.randomTexts(500, seed: 16) {
            for width in [0, 1, 6, 12, 34] {
                let expected = text.padding(toLength: width, withPad: " ", startingAt: 0)
                #expect(text.paddedQuickly(to: width) == expected, "\(text.debugDescription) to \(width)")
                #expect(text[...].paddedQuickly(to: width) == expected, "\(text.debugDescription) to \(width)")
            }
        }
    }
}

/// An algorithm filing number (算法备案编号, DSP Art. 19): `网信算备` + 21 digits + `号`.
///
/// Layout, derived from 271 published numbers (regulation.md §2): digits 1–6 the filer's
/// administrative division, 7–13 the filer, 14–15 the algorithm type (01 generation/synthesis),
/// 16–17 the filing year, 18–20 a sequence, 21 a check digit. The check-digit rule is derived,
/// not published: a mismatch is a warning, never a refusal.
public struct AlgorithmFilingNumber: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The canonical form: `网信算备` + digits + `号`.
    public let text: String
    /// The 21 digits.
    public let digits: String

    public var division: String { String(digits.prefix(6)) }
    public var filer: String { String(digits.dropFirst(6).prefix(7)) }
    /// `01` generation/synthesis, `02` personalised push, `03` ranking, `04` retrieval/filtering.
    public var typeCode: String { String(digits.dropFirst(13).prefix(2)) }
    /// The filing year, as 20YY.
    public var year: Int { 2000 + (Int(digits.dropFirst(15).prefix(2)) ?? 0) }
    public var sequence: String { String(digits.dropFirst(17).prefix(3)) }
    /// The first year numbers were issued (the ARP came into force on 2022-03-01).
    public static let firstYear = 2022

    public var description: String { text }

    /// Whether the last digit agrees with the derived rule: c = (1 + Σ dᵢ·wᵢ) mod 10 over the
    /// first 20 digits, weights 4, 2, 6, 8 repeating from the left.
    public var checkDigitMatches: Bool {
        let d = digits.utf8.map { Int($0) - 0x30 }  // ASCII digits, as `init` checked
        guard d.count == 21 else { return false }
        let weights = [4, 2, 6, 8]
        let sum = (0..<20).reduce(1) { $0 + d[$1] * weights[$1 % 4] }
        return sum % 10 == d[20]
    }

    /// The check digit the rule expects.
    public var expectedCheckDigit: Int {
        let d = digits.utf8.map { Int($0) - 0x30 }
        let weights = [4, 2, 6, 8]
        return (0..<20).reduce(1) { $0 + d[$1] * weights[$1 % 4] } % 10
    }

    /// Parses a number, ignoring spaces and colons (half- and full-width) as people type them.
    /// Nil when it is not one.
    public init?(_ raw: String) {
        // The canonical form, as the lists publish it: nothing to clean (a registry import
        // reads millions).
        let utf8 = raw.utf8
        if utf8.count == 36, utf8.starts(with: Self.prefixBytes), utf8.suffix(3).elementsEqual(Self.suffixBytes) {
            let digits = utf8.dropFirst(12).prefix(21)
            if digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                self.digits = String(decoding: digits, as: UTF8.self)
                self.text = raw
                return
            }
        }
        let cleaned = raw.filter { !$0.isWhitespace && $0 != ":" && $0 != "：" }
        guard cleaned.hasPrefix("网信算备"), cleaned.hasSuffix("号") else { return nil }
        let digits = cleaned.dropFirst(4).dropLast()
        guard digits.count == 21, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        self.digits = String(digits)
        self.text = "网信算备\(digits)号"
    }

    private static let prefixBytes = Array("网信算备".utf8)
    private static let suffixBytes = Array("号".utf8)

    /// Why a text is not a filing number, for findings.
    public static func problem(with raw: String) -> String {
        let cleaned = raw.filter { !$0.isWhitespace && $0 != ":" && $0 != "：" }
        if !cleaned.hasPrefix("网信算备") { return "does not start with 网信算备" }
        if !cleaned.hasSuffix("号") { return "does not end with 号" }
        let digits = cleaned.dropFirst(4).dropLast()
        if !digits.allSatisfy({ $0.isASCII && $0.isNumber }) { return "holds characters other than digits" }
        return "has \(digits.count) digits, not 21"
    }
}

/// A provider code (GB 45438, as `ContentProducer` or `ContentPropagator` when not a plain
/// name): `00` + `1` + `1` + the 18-character USCC + `1` (generation) or `2` (dissemination) + a
/// 4-character model or app code, 27 characters: `001191440300708461136T1XGW3`.
public struct ProviderCode: Sendable, Equatable {
    /// The code's length.
    public static let length = 27
    /// The four characters every code starts with.
    public static let prefix = "0011"

    /// The USCC inside (characters 5–22).
    public var uscc: String
    /// `1` generation, `2` dissemination.
    public var role: Character
    /// The model or app code (the last four characters).
    public var modelCode: String

    /// Whether a producer value is meant as a code rather than a name: printable ASCII without
    /// spaces that starts `00`, or letters and digits only (a digit among them), at least 18
    /// long. Anything else (`深圳市示例智能科技有限公司`, `Example AI Ltd.`, `OpenAI`) is a name.
    public static func looksLikeCode(_ value: String) -> Bool {
        let scalars = value.unicodeScalars
        guard !scalars.isEmpty, scalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return false }
        if value.hasPrefix("00") { return true }
        let alphanumeric = scalars.allSatisfy { $0.properties.isAlphabetic || isDigit($0) }
        return alphanumeric && scalars.contains(where: isDigit) && scalars.count >= 18
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }

    /// Parses a code strictly; the problems name the character positions that break it. The
    /// USCC is returned even when the rest is wrong, as long as its own check character holds.
    public static func parse(_ value: String) -> (code: ProviderCode?, uscc: String?, problems: [String]) {
        let chars = Array(value)
        var problems: [String] = []
        if chars.count != length {
            problems.append(
                "has \(chars.count) characters; a provider code has 27 (\"0011\", the 18-character USCC, 1 or 2, a 4-character model code)"
            )
        }
        if let lower = chars.first(where: { $0.isLowercase }) {
            problems.append("holds the lowercase letter '\(lower)'; provider codes are uppercase")
        }
        let head = String(chars.prefix(4))
        if head != prefix {
            problems.append("starts \"\(head)\" where a provider code starts \"0011\"")
        }
        var uscc: String?
        if chars.count >= 22 {
            let candidate = String(chars[4..<22])
            if let problem = USCC.problem(with: candidate) {
                problems.append("holds the USCC \(candidate) (characters 5–22), which \(problem)")
            } else if candidate == candidate.uppercased() {
                uscc = candidate
            }
        } else {
            problems.append("is too short to hold a USCC in characters 5–22")
        }
        var role: Character = "?"
        if chars.count >= 23 {
            role = chars[22]
            if role != "1" && role != "2" {
                problems.append("has '\(role)' as character 23 where 1 (generation) or 2 (dissemination) belongs")
            }
        }
        let model = chars.count >= 23 ? String(chars[23...]) : ""
        if chars.count == length,
            !model.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("A"..."Z").contains($0) })
        {
            problems.append("ends in the model code \"\(model)\", which is not 4 uppercase letters or digits")
        }
        let code = problems.isEmpty ? ProviderCode(uscc: uscc ?? "", role: role, modelCode: model) : nil
        return (code, uscc, problems)
    }
}

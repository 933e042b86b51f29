/// A Unified Social Credit Identifier (统一社会信用代码, GB 32100-2015): 18 characters over
/// `0123456789ABCDEFGHJKLMNPQRTUWXY`, the last a check character.
public enum USCC {
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The alphabet's bytes, each at its value.
    static let values: [UInt8: Int] = Dictionary(
        uniqueKeysWithValues: alphabet.enumerated().map { ($1.asciiValue!, $0) })

    /// Nil when valid; otherwise what is wrong, in words.
    public static func problem(with raw: String) -> String? {
        // 18 characters of the alphabet, as USCCs are written: nothing to trim or upper-case,
        // one byte each.
        if raw.utf8.count == 18 {
            var sum = 0
            var valid = true
            for (i, byte) in raw.utf8.enumerated() {
                guard let value = values[byte] else {
                    valid = false
                    break
                }
                if i < 17 { sum += value * weights[i] }
            }
            if valid {
                let expected = alphabet[(31 - sum % 31) % 31]
                let last = Character(Unicode.Scalar(raw.utf8.last!))
                return last == expected
                    ? nil : "ends in the check character '\(last)' where the digits give '\(expected)'"
            }
        }
        let code = Array(raw.trimmingCharacters(in: .whitespaces).uppercased())
        guard code.count == 18 else { return "has \(code.count) characters, not 18" }
        var values: [Int] = []
        for (i, c) in code.enumerated() {
            guard let v = alphabet.firstIndex(of: c) else {
                return "has '\(c)' at position \(i + 1), a character USCCs never use (no I, O, S, V or Z)"
            }
            values.append(v)
        }
        let sum = (0..<17).reduce(0) { $0 + values[$1] * weights[$1] }
        let expected = alphabet[(31 - sum % 31) % 31]
        guard code[17] == expected else {
            return "ends in the check character '\(code[17])' where the digits give '\(expected)'"
        }
        return nil
    }

    public static func isValid(_ raw: String) -> Bool { problem(with: raw) == nil }
}

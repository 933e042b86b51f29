import Foundation

/// Byte counts as people write and read them: `64MiB`, `2G`, `1048576`.
public enum ByteCount {
    /// Parses a size: a whole or decimal number with an optional unit (`B`, `K`/`KB`/`KiB`, `M`…,
    /// `G`…, `T`…). Units are binary (1K = 1024 bytes), as in `ls -h`. Returns nil for anything else.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let shift: Int
        switch unit {
        case "", "b": shift = 0
        case "k", "kb", "kib": shift = 10
        case "m", "mb", "mib": shift = 20
        case "g", "gb", "gib": shift = 30
        case "t", "tb", "tib": shift = 40
        default: return nil
        }
        let value = number * Double(Int64(1) << shift)
        guard value < Double(Int64.max) else { return nil }
        return Int64(value.rounded())
    }

    /// Formats a size for people: `812 B`, `9.7 KiB`, `1.2 GiB`.
    public static func format(_ bytes: Int64) -> String { format(bytes, separator: " ") }

    /// A size as help texts show defaults and options take them: `1MiB`, `64MiB`, `2GiB`.
    public static func compact(_ bytes: Int64) -> String { format(bytes, separator: "") }

    private static func format(_ bytes: Int64, separator: String) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes)\(separator)B" }
        let rounded = (value * 10).rounded() / 10
        let number = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return number + separator + units[unit]
    }
}

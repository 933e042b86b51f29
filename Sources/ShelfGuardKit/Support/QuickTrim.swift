import Foundation

extension StringProtocol {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, or `.whitespaces` without `newlines`,
    /// with the same result, but without Foundation's pass over the text when neither end can be
    /// white space, as is the case for nearly every field of a published list (a registry import
    /// trims millions of them).
    func trimmedQuickly(newlines: Bool = true) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return String(self) }
        guard QuickTrim.mayBeSpace(first) || QuickTrim.mayBeSpace(last) else { return String(self) }
        return trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)
    }
}

enum QuickTrim {
    /// False only for scalars in neither `.whitespaces` nor `.whitespacesAndNewlines`: every
    /// white space and line separator of Unicode (categories Zs, Zl, Zp, and the controls
    /// U+0009–U+000D, U+0085) lies in the ranges that answer true; Foundation decides for those.
    static func mayBeSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20: true
        case 0x21...0x7F: false
        case 0x80...0xA0, 0x1680, 0x180E, 0x2000...0x206F, 0x3000: true
        default: false
        }
    }

    /// A name folded as `Checks.normalised` and `LabelValidator.normalizedName` fold entity
    /// names (white space dropped, full-width brackets made ASCII, lower case), for names made
    /// of ASCII, CJK ideographs (U+4E00 to U+9FFF) and full-width brackets, as Chinese entity
    /// names are, by their scalars: in such text every scalar is a Character of its own, nothing
    /// composes or decomposes, only ASCII letters have case and only ASCII spaces are white
    /// space. Nil for any other text: the callers then fold it the long way.
    static func foldedName(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09...0x0D, 0x20: continue
            case 0x41...0x5A: out.append(UInt8(scalar.value + 0x20))
            case 0x21...0x7E: out.append(UInt8(scalar.value))
            case 0xFF08: out.append(0x28)
            case 0xFF09: out.append(0x29)
            case 0x4E00...0x9FFF: out.append(contentsOf: UTF8.encode(scalar)!)
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension StringProtocol {
    /// `padding(toLength: width, withPad: " ", startingAt: 0)`, with the same result (Foundation
    /// counts UTF-16 units), but without Foundation when the text is no longer than `width`, as
    /// every column of a report is: its first call resolved generic metadata through the runtime
    /// and bridged the text, 1.0 M instructions (about a third of a millisecond) in every
    /// `inspect` of one bundle.
    public func paddedQuickly(to width: Int) -> String {
        let length = utf16.count
        guard length <= width else { return padding(toLength: width, withPad: " ", startingAt: 0) }
        return String(self) + String(repeating: " ", count: width - length)
    }
}

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
}

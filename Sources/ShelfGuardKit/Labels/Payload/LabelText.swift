import Foundation

/// Text as containers store it: Latin-1, UTF-16 with or without a byte-order mark, UTF-8; and
/// the decodings real generators add on top (HTML entities, base64).
enum LabelText {
    /// UTF-8 when the bytes are valid UTF-8, Latin-1 otherwise (PNG `tEXt` is Latin-1 by the
    /// book; generators write UTF-8 into it anyway).
    static func utf8OrLatin1<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return latin1(bytes)
    }

    /// ISO 8859-1: each byte one scalar.
    static func latin1<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// UTF-16, big-endian unless a byte-order mark says otherwise (the mark is dropped);
    /// unpaired surrogates become U+FFFD.
    static func utf16<Bytes: Collection<UInt8>>(_ bytes: Bytes, bigEndianDefault: Bool = true) -> String {
        var raw = Array(bytes)
        var bigEndian = bigEndianDefault
        if raw.count >= 2 {
            if raw[0] == 0xFE && raw[1] == 0xFF {
                bigEndian = true
                raw.removeFirst(2)
            } else if raw[0] == 0xFF && raw[1] == 0xFE {
                bigEndian = false
                raw.removeFirst(2)
            }
        }
        var units: [UInt16] = []
        units.reserveCapacity(raw.count / 2)
        var i = 0
        while i + 1 < raw.count {
            let a = UInt16(raw[i])
            let b = UInt16(raw[i + 1])
            units.append(bigEndian ? a << 8 | b : b << 8 | a)
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Whitespace, NULs and a byte-order mark trimmed from both ends.
    static func trimmed(_ text: String) -> String {
        let drop: (Unicode.Scalar) -> Bool = { s in
            s == "\u{0}" || s == "\u{FEFF}" || s.properties.isWhitespace
        }
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, drop(first) { scalars.removeFirst() }
        while let last = scalars.last, drop(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// Whether the text holds an HTML entity (`&quot;`, `&#34;`, `&#x22;`, `&amp;`…).
    static func hasEntity(_ text: String) -> Bool {
        text.contains("&quot;") || text.contains("&#") || text.contains("&amp;") || text.contains("&lt;")
            || text.contains("&gt;") || text.contains("&apos;")
    }

    /// HTML entities decoded once: the five XML ones and numeric references. Anything else is
    /// kept as written.
    static func unescapeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        let named: [String: Unicode.Scalar] = ["quot": "\"", "amp": "&", "lt": "<", "gt": ">", "apos": "'"]
        while i < scalars.count {
            guard scalars[i] == "&", let end = scalars[i...].prefix(12).firstIndex(of: ";") else {
                out.append(scalars[i])
                i += 1
                continue
            }
            let name = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
            var replacement: Unicode.Scalar?
            if let n = named[name] {
                replacement = n
            } else if name.hasPrefix("#x") || name.hasPrefix("#X") {
                replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
            } else if name.hasPrefix("#") {
                replacement = UInt32(name.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
            }
            if let replacement {
                out.append(replacement)
                i = end + 1
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Standard or URL-safe base64, whitespace ignored, padding optional; nil when it is not.
    static func base64(_ text: String) -> [UInt8]? {
        var cleaned = String(text.unicodeScalars.filter { !$0.properties.isWhitespace })
        cleaned = cleaned.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while cleaned.count % 4 != 0 { cleaned += "=" }
        guard let data = Data(base64Encoded: cleaned) else { return nil }
        return [UInt8](data)
    }
}

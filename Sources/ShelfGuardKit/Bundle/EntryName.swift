/// Checks on entry names, made on the raw bytes as stored (so that a NUL inside a name counts).
public enum EntryName {
    /// A name problem and what to say about it.
    struct Problem: Equatable {
        var kind: HazardKind
        var detail: String
    }

    /// Every problem with one name. `leadingSlashAllowed` is for wxapkg and TPKG, whose names
    /// all start with `/` by design.
    static func problems(
        _ raw: some Collection<UInt8>, maxLength: Int, leadingSlashAllowed: Bool = false
    )
        -> [Problem]
    {
        var found: [Problem] = []
        let shown = display(raw)
        if raw.isEmpty {
            return [Problem(kind: .invalidName, detail: "entry has an empty name")]
        }
        if raw.count > maxLength {
            found.append(
                Problem(kind: .nameTooLong, detail: "name is \(raw.count) bytes; the limit is \(maxLength)"))
        }
        if let control = raw.first(where: { $0 < 0x20 || $0 == 0x7F }) {
            let what =
                switch control {
                case 0x00: "NUL"
                case 0x0D: "CR"
                case 0x0A: "LF"
                default: "control byte 0x" + String(control, radix: 16, uppercase: true)
                }
            found.append(Problem(kind: .controlCharacter, detail: "name \"\(shown)\" contains \(what)"))
        }
        var bytes = Array(raw)
        if leadingSlashAllowed, bytes.first == UInt8(ascii: "/") { bytes.removeFirst() }
        let slash = UInt8(ascii: "/")
        let backslash = UInt8(ascii: "\\")
        let isDriveLetter =
            bytes.count >= 2 && bytes[1] == UInt8(ascii: ":")
            && ((0x41...0x5A).contains(bytes[0]) || (0x61...0x7A).contains(bytes[0]))
        if bytes.first == slash || bytes.first == backslash || isDriveLetter {
            found.append(Problem(kind: .absolutePath, detail: "name \"\(shown)\" is an absolute path"))
        }
        let components = bytes.split(omittingEmptySubsequences: false) { $0 == slash || $0 == backslash }
        if components.contains(where: { $0.elementsEqual([0x2E, 0x2E]) }) {
            found.append(
                Problem(kind: .pathTraversal, detail: "name \"\(shown)\" climbs out of the bundle with \"..\""))
        }
        return found
    }

    /// A name as people may safely see it: invalid UTF-8 replaced, control characters escaped
    /// (a name must never move a terminal's cursor or fake a new report line).
    static func display(_ raw: some Collection<UInt8>) -> String {
        let decoded = String(decoding: raw, as: UTF8.self)
        return escapeControls(decoded)
    }

    /// Escapes C0 and C1 control characters and DEL as `\n`, `\r`, `\0`, `\u{1B}`.
    public static func escapeControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case _ where isControl(scalar): out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value)
    }
}

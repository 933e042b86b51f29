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
        // Displayed only when there is a problem to describe: most names have none.
        var shown: String { display(raw) }
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
        var bytes = raw[...]
        if leadingSlashAllowed, bytes.first == UInt8(ascii: "/") { bytes = bytes.dropFirst() }
        let slash = UInt8(ascii: "/")
        let backslash = UInt8(ascii: "\\")
        let second = bytes.dropFirst().first
        let isDriveLetter =
            second == UInt8(ascii: ":")
            && bytes.first.map { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) } == true
        if bytes.first == slash || bytes.first == backslash || isDriveLetter {
            found.append(Problem(kind: .absolutePath, detail: "name \"\(shown)\" is an absolute path"))
        }
        // A ".." component: two dots between separators (or the name's ends), in one pass.
        var run = 0
        var climbs = false
        for byte in bytes {
            if byte == slash || byte == backslash {
                if run == 2 { climbs = true }
                run = 0
            } else {
                run = byte == 0x2E && run >= 0 ? run + 1 : -1
            }
        }
        if run == 2 { climbs = true }
        if climbs {
            found.append(
                Problem(kind: .pathTraversal, detail: "name \"\(shown)\" climbs out of the bundle with \"..\""))
        }
        return found
    }

    /// The last path component of a name, without splitting the rest.
    static func lastComponent(_ name: String) -> Substring {
        let slash = UInt8(ascii: "/")
        let after =
            name.utf8.withContiguousStorageIfAvailable { bytes in bytes.lastIndex(of: slash).map { $0 + 1 } }
            ?? name.utf8.lastIndex(of: slash).map { name.utf8.distance(from: name.utf8.startIndex, to: $0) + 1 }
        guard let after else { return name[...] }
        return Substring(name.utf8[name.utf8.index(name.utf8.startIndex, offsetBy: after)...])
    }

    /// A name as people may safely see it: invalid UTF-8 replaced, control characters escaped
    /// (a name must never move a terminal's cursor or fake a new report line).
    static func display(_ raw: some Collection<UInt8>) -> String {
        let decoded = String(decoding: raw, as: UTF8.self)
        return escapeControls(decoded)
    }

    /// Escapes control characters and direction overrides as `\n`, `\r`, `\0`, `\u{1B}`:
    /// `SafeText.escape`, under the name the bundle reader has always used.
    public static func escapeControls(_ text: String) -> String { SafeText.escape(text) }
}

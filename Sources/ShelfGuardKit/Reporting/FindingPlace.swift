import Crypto
import Foundation

/// Where a finding points, taken apart for reporters that need a file and a line: either a place
/// inside the bundle (`facefun.apk!lib/arm64-v8a/libx.so` → the bundle file, inner path
/// `lib/arm64-v8a/libx.so`) or a position in a file (`app.declaration.yaml:12:5`).
struct FindingPlace: Equatable {
    /// A path as the user gave it: the bundle, or the declaration beside it.
    var file: String
    var line: Int?
    var column: Int?
    /// The path chain inside the bundle, when the finding is about an entry of it.
    var inner: String?

    init(file: String, line: Int? = nil, column: Int? = nil, inner: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.inner = inner
    }

    /// Reads a finding's location against the bundle it was made on.
    init(_ location: String, bundlePath: String) {
        let bundleName = BundleReader.displayName(of: bundlePath)
        var rest = location
        var line: Int?
        var column: Int?
        // `file:line:column`, as declaration findings end.
        if let (file, l, c) = FindingPlace.lineAndColumn(location) {
            line = l
            column = c
            rest = file
        }
        if rest == bundleName {
            self.init(file: bundlePath)
        } else if rest.hasPrefix(bundleName + "!") {
            let inner = String(rest.dropFirst(bundleName.count + 1))
            // A position inside an entry (an embedded declaration) stays with the entry's name.
            let shown = line.map { "\(inner):\($0):\(column ?? 1)" } ?? inner
            self.init(file: bundlePath, inner: shown)
        } else {
            self.init(file: rest, line: line, column: column)
        }
    }

    /// `file:line:column` taken apart, line and column above 0; nil when the location does not
    /// end so. Read from the end on the bytes when the text before `:line:column` ends in ASCII
    /// (then each `:` and digit there is a Character of its own); otherwise split by Characters,
    /// as a `:` may belong to the Character before it.
    static func lineAndColumn(_ location: String) -> (file: String, line: Int, column: Int)? {
        let utf8 = location.utf8
        // Fewer than two `:` bytes, fewer than two `:` Characters.
        guard let second = utf8.lastIndex(of: 0x3A), utf8[..<second].contains(0x3A) else { return nil }
        if let first = utf8[..<second].lastIndex(of: 0x3A),
            first == utf8.startIndex || utf8[utf8.index(before: first)] < 0x80
        {
            guard let line = Int(location[utf8.index(after: first)..<second]),
                let column = Int(location[utf8.index(after: second)...]), line > 0, column > 0
            else { return nil }
            return (String(location[..<first]), line, column)
        }
        let parts = location.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let l = Int(parts[parts.count - 2]), let c = Int(parts[parts.count - 1]), l > 0, c > 0
        else { return nil }
        return (parts.dropLast(2).joined(separator: ":"), l, c)
    }

    /// `URL(fileURLWithPath: path).lastPathComponent`: the text after the last `/`, except for
    /// paths where URL has more to say (empty, ending in `/`, `.` or `..`).
    static func lastPathComponent(_ path: String) -> String {
        let utf8 = path.utf8
        guard let last = utf8.last, last != 0x2F else { return URL(fileURLWithPath: path).lastPathComponent }
        let start = utf8.lastIndex(of: 0x2F).map { utf8.index(after: $0) } ?? utf8.startIndex
        let component = path[start...]
        guard component != ".", component != ".." else { return URL(fileURLWithPath: path).lastPathComponent }
        return String(component)
    }

    /// A URI reference for the file: the path percent-encoded (names may hold spaces or Chinese).
    var uri: String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        return file.addingPercentEncoding(withAllowedCharacters: allowed) ?? file
    }
}

extension Finding {
    /// The same finding on the same app gets the same fingerprint from run to run and version to
    /// version (SARIF `partialFingerprints`): the rule, the app, where it points without line
    /// numbers (they move when a declaration is edited), and its subject or message.
    func fingerprint(app: String, place: FindingPlace) -> String {
        let whereAbout =
            place.inner.map { inner in
                inner.utf8.contains(0x3A) ? inner.split(separator: ":").first.map(String.init) ?? inner : inner
            }
            ?? FindingPlace.lastPathComponent(place.file)
        let key = [rule, app, whereAbout, subject ?? message].joined(separator: "\u{0}")
        return SHA256.hash(data: Data(key.utf8)).prefix(16).hexString
    }
}

extension CheckResult {
    /// The app a report speaks of: the declared id, the manifest's, or the bundle's file name.
    var appIdentity: String {
        declaration?.app.id ?? inspection.manifest?.appId ?? BundleReader.displayName(of: inspection.bundle.path)
    }
}

import Foundation

// Writes `BuiltInPolicyFiles.swift`: the policy files given, as Swift string literals keyed by
// their path relative to the policies folder. Run by the EmbedPolicies build plugin, and by
// EmbedOpenAPI (with `--enum BuiltInOpenAPIFiles`, for the service's openapi.yaml).
// Arguments: [--enum NAME] FOLDER OUTPUT_FILE FILE…

/// A Swift string literal holding `text` exactly.
func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

var arguments = CommandLine.arguments
/// The name of the generated enum.
var enumName = "BuiltInPolicyFiles"
if arguments.count >= 3 && arguments[1] == "--enum" {
    enumName = arguments[2]
    arguments.removeSubrange(1...2)
}
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: shelfguard-embed [--enum NAME] FOLDER OUTPUT_FILE FILE…\n".utf8))
    exit(1)
}
let folder = URL(fileURLWithPath: arguments[1]).standardizedFileURL.path
var entries: [(String, String)] = []
for path in arguments.dropFirst(3) {
    let full = URL(fileURLWithPath: path).standardizedFileURL.path
    guard full.hasPrefix(folder + "/") else {
        FileHandle.standardError.write(Data("shelfguard-embed: \(path) is not in \(folder)\n".utf8))
        exit(1)
    }
    do {
        entries.append((String(full.dropFirst(folder.count + 1)), try String(contentsOfFile: full, encoding: .utf8)))
    } catch {
        FileHandle.standardError.write(Data("shelfguard-embed: cannot read \(path): \(error)\n".utf8))
        exit(1)
    }
}
entries.sort { $0.0 < $1.0 }
var source = """
    // Generated at build time by shelfguard-embed from files of the project: do not edit.

    enum \(enumName) {
        static let files: [(name: String, text: String)] = [

    """
for (name, text) in entries {
    source += "        (\(literal(name)), \(literal(text))),\n"
}
source += "    ]\n}\n"
do {
    let data = Data(source.utf8)
    // Rewritten only when it changes, so that ShelfGuardKit is not recompiled for nothing.
    if (try? Data(contentsOf: URL(fileURLWithPath: arguments[2]))) != data {
        try data.write(to: URL(fileURLWithPath: arguments[2]), options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("shelfguard-embed: cannot write \(arguments[2]): \(error)\n".utf8))
    exit(1)
}

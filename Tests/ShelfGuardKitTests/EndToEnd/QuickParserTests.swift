import ArgumentParser
import Foundation
import Testing

@testable import shelfguard

/// `check` and `inspect` are parsed first by `QuickParser`, a table of their options, without
/// ArgumentParser's reflection. The table must be ArgumentParser's, option for option, and its
/// command the one ArgumentParser builds, field for field; anything it does not take must go to
/// ArgumentParser, which then answers as it always did.
@Suite("The quick parse of check and inspect gives what ArgumentParser gives")
struct QuickParserTests {
    /// Every field's parsed value, groups opened, by name: what a command will run with. A field
    /// left unset shows as UNSET. (A group's help title is not a value, and differs: the group
    /// the quick parse sets keeps the title of its declaration.)
    static func values(_ command: Any) -> String {
        var fields: [String] = []
        for child in Mirror(reflecting: command).children {
            fields.append("\(child.label ?? "?")=\(parsedValue(child.value))")
        }
        return "\(String(reflecting: type(of: command)))(\(fields.joined(separator: ", ")))"
    }

    private static func parsedValue(_ wrapper: Any) -> String {
        guard let parsed = Mirror(reflecting: wrapper).children.first(where: { $0.label == "_parsedValue" }) else {
            return String(reflecting: wrapper)
        }
        guard let state = Mirror(reflecting: parsed.value).children.first, state.label == "value" else {
            return "UNSET"
        }
        if state.value is any ParsableArguments { return values(state.value) }
        return String(reflecting: state.value)
    }

    /// What `parse` gives: the command's values, or the message and exit code of its error.
    static func outcome(_ parse: () throws -> any ParsableCommand) -> String {
        do { return values(try parse()) } catch {
            return "\(ShelfGuard.exitCode(for: error).rawValue): \(ShelfGuard.fullMessage(for: error))"
        }
    }

    /// ArgumentParser's own account of a command's options (`--experimental-dump-help`), as the
    /// quick parse spells and kinds them; its built-in --help and --version left out.
    static func declared(_ command: any ParsableCommand.Type) throws -> [String: QuickOptionKind] {
        let dump = try #require(
            try JSONSerialization.jsonObject(with: Data(command._dumpHelp().utf8)) as? [String: Any])
        let arguments = try #require((dump["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var kinds: [String: QuickOptionKind] = [:]
        for argument in arguments {
            let kind = argument["kind"] as? String
            let repeating = argument["isRepeating"] as? Bool ?? false
            for name in argument["names"] as? [[String: Any]] ?? [] {
                let text = name["name"] as? String ?? ""
                guard text != "help", text != "version", text != "h" else { continue }
                let spelling = (name["kind"] as? String == "short" ? "-" : "--") + text
                kinds[spelling] = kind == "flag" ? .flag : repeating ? .repeatedValue : .value
            }
        }
        return kinds
    }

    @Test("the tables list every option ArgumentParser has, spelled and kinded the same, and nothing else")
    func sameOptions() throws {
        #expect(try Self.declared(Check.self) == Check.quick.kinds)
        #expect(try Self.declared(Inspect.self) == Inspect.quick.kinds)
        #expect(Check.quick.kinds.count == 38)
        #expect(Inspect.quick.kinds.count == 21)
    }

    @Test("a plain command line with no options gives every default ArgumentParser gives")
    func defaults() throws {
        for name in ["check", "inspect"] {
            let quick = try #require(ShelfGuard.quickParse([name, "app.apk"]))
            #expect(!Self.values(quick).contains("UNSET"))
            #expect(Self.values(quick) == Self.outcome { try ShelfGuard.parseAsRoot([name, "app.apk"]) })
        }
    }

    /// Values by the name ArgumentParser's help gives them, good and bad.
    static let samples: [String: [String]] = [
        "size": ["4096", "64KiB", "2G", "512M", "1", "0", "x", "1.5K", "9999999999999999999999"],
        "count": ["1", "7", "100000", "0", "abc", "3.5", "+4"],
        "levels": ["0", "1", "5", "x"],
        "bytes": ["1", "255", "0"],
        "seconds": ["1", "2.5", "0", "1e3", "inf", "nan", "soon"],
        "ratio": ["1", "100", "0.5", "1e9"],
        "hours": ["0", "1", "24", "0.5", "90000"],
        "date": ["2026-11-24", "2026-02-30", "2026-2-3", "tomorrow"],
        "format": ["text", "json", "sarif", "junit", "github", "markdown", "xml", "JSON"],
        "format=path": ["sarif=s.sarif", "junit=j.xml", "json=out/r.json", "pdf=x", "sarif=", "SARIF=s.sarif"],
        "file": ["d.yaml", "a dir/审核.yaml", "off", "help"],
    ]
    static let words = ["a.apk", "b.ipa", "x y.hap", "审核.apk", "help", "check"]
    /// Words the quick parse leaves to ArgumentParser.
    static let hostile = [
        "--", "-h", "--help", "--version", "--unknown", "-o=sarif=x", "-ojunit=x", "", "--no-color=true",
        "--entries=1", "-", "-1", "--format", "--generate-completion-script", "--max-entries=", "--as-of=-1",
    ]

    /// A command line of `name` built from its options as ArgumentParser dumps them: a few of
    /// them with sample values, given as `--x V` or `--x=V`, one to three bundles (now and then
    /// none), and now and then a word from `hostile`.
    static func commandLine(
        _ name: String, options: [String: QuickOptionKind], valueNames: [String: String],
        using generator: inout QuickPathTests.SeededGenerator
    ) -> (line: [String], clean: Bool) {
        var line: [String] = []
        var clean = true
        let spellings = options.keys.sorted()
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            let spelling = spellings.randomElement(using: &generator)!
            if options[spelling] == .flag {
                line.append(spelling)
                continue
            }
            let values = samples[valueNames[spelling] ?? ""] ?? samples["file"]!
            let value = values.randomElement(using: &generator)!
            if spelling.hasPrefix("--"), Bool.random(using: &generator) {
                line.append("\(spelling)=\(value)")
            } else {
                line += [spelling, value]
            }
        }
        let bundles = Int.random(in: 0..<10, using: &generator) == 0 ? 0 : Int.random(in: 1...3, using: &generator)
        for _ in 0..<bundles {
            line.insert(words.randomElement(using: &generator)!, at: Int.random(in: 0...line.count, using: &generator))
        }
        if Int.random(in: 0..<8, using: &generator) == 0 {
            clean = false
            line.insert(
                hostile.randomElement(using: &generator)!, at: Int.random(in: 0...line.count, using: &generator))
        }
        return ([name] + line, clean)
    }

    @Test(
        "generated command lines: the quick parse gives ArgumentParser's command, field for field, or leaves the line to it",
        arguments: [("check", 200 as UInt64), ("inspect", 100)])
    func generated(_ name: String, count: UInt64) throws {
        let command = try #require(ShelfGuard.perBundleCommand(name))
        let options = try Self.declared(command)
        let dump = try #require(
            try JSONSerialization.jsonObject(with: Data(command._dumpHelp().utf8)) as? [String: Any])
        var valueNames: [String: String] = [:]
        for argument in (dump["command"] as? [String: Any])?["arguments"] as? [[String: Any]] ?? [] {
            for entry in argument["names"] as? [[String: Any]] ?? [] {
                let spelling = (entry["kind"] as? String == "short" ? "-" : "--") + (entry["name"] as? String ?? "")
                valueNames[spelling] = argument["valueName"] as? String
            }
        }
        var generator = QuickPathTests.SeededGenerator(seed: count)
        var taken = 0
        for _ in 0..<count {
            let (line, clean) = Self.commandLine(name, options: options, valueNames: valueNames, using: &generator)
            let fromRoot = Self.outcome { try ShelfGuard.parseAsRoot(line) }
            let quick = ShelfGuard.quickParse(line)
            if let quick {
                taken += 1
                #expect(Self.values(quick) == fromRoot, "\(line)")
            }
            // What ArgumentParser takes from a line without hostile words and with every option
            // given once, the quick parse takes too: it is not a parser that gives up on all.
            let given = line.filter { $0.hasPrefix("-") }.map { String($0.prefix { $0 != "=" }) }
            let once = given.allSatisfy { name in
                options[name] == .repeatedValue || given.filter { $0 == name }.count == 1
            }
            if clean, once, fromRoot.hasPrefix("shelfguard.") {
                #expect(quick != nil, "\(line)")
            }
            #expect(Self.outcome { try ShelfGuard.parse(line) } == fromRoot, "\(line)")
        }
        #expect(taken > Int(count) / 5, "the quick parse took \(taken) of \(count) lines")
    }

    @Test(
        "lines ArgumentParser answers with help, the version, a completion script or an error are left to it",
        arguments: [
            ["check", "--help"], ["check", "-h"], ["inspect", "--help"], ["check", "--version"], ["check"],
            ["inspect"], ["check", "--declaration", "d.yaml", "a.apk", "b.apk"], ["check", "--format", "xml", "a.apk"],
            ["check", "-o", "pdf=x", "a.apk"], ["check", "-o", "sarif=x", "-o", "junit=x", "a.apk"],
            ["check", "a.apk", "--unknown"], ["inspect", "a.apk", "--max-depth", "deep"],
            ["inspect", "a.apk", "--max-depth", "-1"], ["check", "a.apk", "--as-of", "2026-02-30"],
            ["check", "a.apk", "--max-entry-size", "lots"], ["check", "a.apk", "--format"],
            ["check", "a.apk", "--format", "json", "--format", "text"], ["check", "--", "a.apk"],
            ["check", "--generate-completion-script", "bash"], ["check", "--experimental-dump-help"],
            ["inspect", "a.apk", "--entries=yes"], ["check", "a.apk", "-o=sarif=x"], ["check", ""],
        ])
    func leftToArgumentParser(_ line: [String]) {
        #expect(ShelfGuard.quickParse(line) == nil)
    }
}

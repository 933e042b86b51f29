import ArgumentParser
import Testing

@testable import shelfguard

/// `check`, `inspect` and `review` are parsed as commands of their own first, without the
/// completion-script check (a CI hook's `check` runs 10 M fewer instructions, and 6 M fewer again
/// without that check); whatever that parse does not take is parsed again from the root. Both
/// must give the same command, and every error, help text and exit code the root's parse gives.
@Suite("The command line: per-bundle commands parsed on their own, as from the root")
struct CommandLineParseTests {
    /// What the root's parse gives for `arguments`: the command's every value, or the message and
    /// exit code its error ends in.
    static func fromRoot(_ arguments: [String]) -> String {
        do { return QuickParserTests.values(try ShelfGuard.parseAsRoot(arguments)) } catch {
            return "\(ShelfGuard.exitCode(for: error).rawValue): \(ShelfGuard.fullMessage(for: error))"
        }
    }

    static func parsed(_ arguments: [String]) -> String {
        do { return QuickParserTests.values(try ShelfGuard.parse(arguments)) } catch {
            return "\(ShelfGuard.exitCode(for: error).rawValue): \(ShelfGuard.fullMessage(for: error))"
        }
    }

    @Test(
        "a command line the command takes on its own gives the command the root's parse gives",
        arguments: [
            ["check", "app.apk"],
            ["check", "--registry", "samples/registry", "--as-of", "2026-11-24", "app.apk", "--policy-cache", "c"],
            ["check", "a.apk", "b.ipa", "--format", "json", "-o", "sarif=s.sarif", "-o", "junit=j.xml", "--no-color"],
            ["check", "--declaration=d.yaml", "--format=sarif", "x.apk", "--policy-cache", "off"],
            ["check", "--", "--help"],
            ["check", "help"],
            ["inspect", "app.apk", "--format", "json", "--entries", "--max-depth", "0", "--timeout", "2.5"],
            ["inspect", "a.apk", "--max-entries=10", "--max-entry-size", "100"],
            ["review", "samples", "--jobs", "2", "--as-of", "2026-11-24", "--no-progress", "--db", "x.db"],
            ["review", "a", "b", "--enqueue", "--format", "json", "--operator", "审核员"],
        ])
    func same(_ arguments: [String]) {
        let parsed = Self.parsed(arguments)
        #expect(!parsed.hasPrefix("1: ") && !parsed.hasPrefix("0: "), "\(parsed)")
        #expect(parsed == Self.fromRoot(arguments))
        // The command line was the command's own: its own parse gives the command itself, so
        // `ShelfGuard.parse` takes that value and never builds the root's tree.
        let command = ShelfGuard.perBundleCommand(arguments[0])!
        let own = try? command.parseAsRoot(Array(arguments.dropFirst()))
        #expect(own.map { type(of: $0) == command } == true)
        #expect(own.map { QuickParserTests.values($0) } == parsed)
    }

    @Test(
        "help, the version, completion scripts and errors come from the root's parse, word for word",
        arguments: [
            ["check", "--help"], ["check", "-h"], ["inspect", "--help"], ["review", "--help"],
            ["check", "--version"], ["check"], ["inspect"], ["review"],
            ["check", "--declaration", "d.yaml", "a.apk", "b.apk"],
            ["check", "--format", "xml", "a.apk"], ["check", "-o", "pdf=x", "a.apk"],
            ["check", "-o", "sarif=x", "-o", "junit=x", "a.apk"],
            ["check", "a.apk", "--unknown"], ["inspect", "a.apk", "--max-depth", "deep"],
            ["review", "a", "--jobs", "0"], ["review", "a", "--jobs=-1"],
            ["inspect", "--generate-completion-script", "bash"], ["check", "--generate-completion-script"],
            ["review", "a", "--generate-completion-script=fish"], ["check", "--experimental-dump-help"],
            ["help", "check"], ["--version"], ["--help"],
        ])
    func fallsBack(_ arguments: [String]) {
        let parsed = Self.parsed(arguments)
        #expect(parsed == Self.fromRoot(arguments))
        #expect(!parsed.hasPrefix("shelfguard."), "\(parsed): an error or help was expected")
    }

    @Test(
        "each per-bundle command is the root's subcommand of that name, has none of its own, and names shelfguard as its super-command"
    )
    func table() throws {
        let subcommands = ShelfGuard.configuration.subcommands
        let names = subcommands.map { $0.configuration.commandName ?? "" }
        #expect(names.filter { ShelfGuard.perBundleCommand($0) != nil } == ["inspect", "check", "review"])
        for name in ["check", "inspect", "review"] {
            let command = try #require(ShelfGuard.perBundleCommand(name))
            #expect(command.configuration.commandName == name)
            #expect(subcommands.contains { $0 == command })
            #expect(command.configuration.subcommands.isEmpty)
            // Parsed on its own, ArgumentParser skips the completion-script check only for a
            // command with a super-command; under the root only the root's is read.
            #expect(command.configuration._superCommandName == "shelfguard")
        }
        #expect(ShelfGuard.configuration._superCommandName == nil)
    }
}

/// glibc's allocator settings for the commands a CI hook or a batch starts once per bundle.
@Suite("allocator settings")
struct MallocTuningTests {
    @Test("check and inspect set them; other commands, or GLIBC_TUNABLES set, keep glibc's")
    func settings() {
        for command in ["check", "inspect"] {
            let settings = MallocTuning.settings(arguments: [command, "app.apk"], tunables: nil)
            #if os(Linux)
                #expect(settings.count == 3)
            #endif
            #expect(
                MallocTuning.settings(arguments: [command, "app.apk"], tunables: "glibc.malloc.arena_max=1").isEmpty)
        }
        for arguments in [["review", "a.apk"], ["serve"], ["worker"], ["daily"], [], ["--version"]] {
            #expect(MallocTuning.settings(arguments: arguments, tunables: nil).isEmpty)
        }
        #if os(Linux)
            let threshold = MallocTuning.settings(arguments: ["check"], tunables: nil)[0]
            #expect(threshold.value == MallocTuning.mmapThreshold)
        #endif
    }
}

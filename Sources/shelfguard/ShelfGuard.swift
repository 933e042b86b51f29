import ArgumentParser
import Foundation
import ShelfGuardKit

/// The `shelfguard` command: shelf review, daily management and emergency response for app
/// stores and mini-program platforms that distribute deep-synthesis apps.
@main
struct ShelfGuard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shelfguard",
        abstract: "The shelf-review gatekeeper for apps and mini-programs that offer deep synthesis.",
        discussion: """
            ShelfGuard reads submitted bundles (APK, AAB, IPA, HAP, .app, XAPK, wxapkg, rpk, TPKG, tar), finds the deep-synthesis features inside them, and checks them against what the app declares and against the published filing lists (DSP Art. 13, LM Art. 7).

            Exit codes, for every command:
              0  pass / done
              1  the tool could not do its job (bad arguments, a missing file, a broken policy)
              2  refused, or the bundle could not be read completely
              3  passed with warnings, or needs manual review

            Environment: SHELFGUARD_DB (the shelf database), SHELFGUARD_POLICIES (a policies folder instead of the one built into shelfguard; the working folder is never searched), SHELFGUARD_NOW (the wall clock, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ: for rehearsals and tests; business days come from --as-of).
            """,
        version: ShelfGuardVersion.current,
        subcommands: [
            Inspect.self, Check.self, Review.self, ShelfCommand.self, Daily.self, Takedown.self, Suspend.self,
            Warn.self, Reinstate.self, Feed.self, ComplaintCommand.self, Worker.self, QueueCommand.self, Serve.self,
            RegistryCommand.self, AuditCommand.self, KeysCommand.self,
            Signatures.self, PolicyCommand.self, Labels.self,
        ]
    )

    /// Runs the command with the contract's exit codes: argument errors exit 1 (not
    /// ArgumentParser's 64), and with `--format json` even they print a JSON object with `error`.
    static func main() {
        // Arguments byte for byte: a bundle named in GBK must still be found (see RawPath).
        let arguments = Array(RawPath.arguments().dropFirst())
        MallocTuning.apply(
            MallocTuning.settings(arguments: arguments, tunables: ProcessEnvironment.value("GLIBC_TUNABLES")))
        do {
            if let problem = WallClock.environmentProblem() { throw ToolError(problem) }
            EnginePrefetch.start(arguments: arguments)
            var command = try parse(arguments)
            try command.run()
        } catch let exit as ExitCode {
            finish(exit.rawValue)
        } catch let error as ToolError {
            if wantsJSON(arguments) { printError(error.description) }
            Output.error("shelfguard: " + error.description)
            finish(ExitStatus.toolError.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Output.text(fullMessage(for: error))
                finish(0)
            }
            let message = fullMessage(for: error)
            if wantsJSON(arguments) { printError(message) }
            Output.error(message)
            finish(ExitStatus.toolError.rawValue)
        }
        finish(0)
    }

    /// Exits with `status` once the loads `EnginePrefetch` started and no command took (the
    /// feature database's, the policy's) have ended.
    private static func finish(_ status: Int32) -> Never {
        EnginePrefetch.settle()
        Output.exit(status)
    }

    /// The commands a CI hook or a batch starts once per bundle: parsed on their own when the
    /// command line is theirs, without building the whole command tree first.
    /// (A switch, not a dictionary: building a `[String: any ParsableCommand.Type]` instantiated
    /// its generic metadata, 0.15 ms of every start, before the feature database's load began.)
    static func perBundleCommand(_ name: String) -> (any ParsableCommand.Type)? {
        switch name {
        case "check": Check.self
        case "inspect": Inspect.self
        case "review": Review.self
        default: nil
        }
    }

    /// The per-bundle commands a CI hook starts for one bundle, with a `QuickParser` that takes
    /// their usual command lines without ArgumentParser's reflection (31 M of a `check`'s 193 M
    /// instructions); what it does not take is parsed as below.
    static func quickParse(_ arguments: [String]) -> (any ParsableCommand)? {
        switch arguments.first {
        case "check": Check.quick.parse(Array(arguments.dropFirst()))
        case "inspect": Inspect.quick.parse(Array(arguments.dropFirst()))
        default: nil
        }
    }

    /// The name the per-bundle commands give as their super-command (ArgumentParser's
    /// `_superCommandName`), which matters only when one of them is parsed on its own, as `parse`
    /// does. ArgumentParser then skips its completion-script check, which parses the command line
    /// as two more commands, by reflection, to see whether it asks for a completion script: 13.8 M
    /// of the 37 M instructions of `check`'s parse, of which 5.7 M go (the rest are first lookups the
    /// command's own parse then makes). A line that does ask for one fails that parse
    /// (`--generate-completion-script` is none of `check`'s options) and is parsed again from the
    /// root, which answers it as before. Under the root, only the root's super-command name is read,
    /// and it has none: help and usage are unchanged.
    static let perBundleSuperCommand = "shelfguard"

    /// Parses the command line. `check` and `inspect` lines are first offered to their
    /// `QuickParser` (no reflection; see `quickParse`). ArgumentParser's parse from the root builds every command's
    /// configuration, looks for a completion-script request by parsing the line as two more
    /// commands, and builds the chosen command's arguments three times by reflection: 52 M of the
    /// 279 M instructions of a `check` of a 2 MB APK, paid once per bundle by a CI hook (41.7 M
    /// this way, most of it the runtime's first conformance lookups). So `check`, `inspect` and
    /// `review` are parsed first as commands of their own, with the same definitions, which gives
    /// the same value, and without the completion-script check (`perBundleSuperCommand`).
    /// Anything else that parse gives is parsed again from the root, which gives every
    /// message and help text exactly as before: an error (`--version`, an unknown option, a
    /// failed validation, a completion request), and help, which ArgumentParser answers with a
    /// command of its own rather than an error (its usage would name the command without
    /// `shelfguard`).
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        if let parsed = quickParse(arguments) { return parsed }
        if let name = arguments.first, let command = perBundleCommand(name),
            let parsed = try? command.parseAsRoot(Array(arguments.dropFirst())), type(of: parsed) == command
        {
            return parsed
        }
        return try parseAsRoot(arguments)
    }

    /// `{"error": …}` on standard output, for callers that read JSON.
    private static func printError(_ message: String) {
        if let data = try? JSONSerialization.data(withJSONObject: ["error": message], options: [.sortedKeys]) {
            Output.json(String(decoding: data, as: UTF8.self))
        }
    }

    private static func wantsJSON(_ arguments: [String]) -> Bool {
        for (i, argument) in arguments.enumerated() {
            if argument == "--format=json" { return true }
            if argument == "--format", i + 1 < arguments.count, arguments[i + 1] == "json" { return true }
        }
        return false
    }
}

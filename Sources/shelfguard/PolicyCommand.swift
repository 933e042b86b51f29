import ArgumentParser
import Foundation
import ShelfGuardKit

/// `shelfguard policy …`: the review policies.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Check review policies and list the checks they can use.",
        subcommands: [Lint.self, Checks.self])

    /// `shelfguard policy lint [FILE…]`
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Validate review policies.",
            discussion: """
                Reads each policy strictly: unknown keys, unknown checks, outcomes or hazard kinds, parameters a check does not take, missing basis or remedy, duplicate or non-snake_case rule ids are errors, each printed as file:line:column: message.

                Exit status: 0 when every policy is sound; 1 when one is not.
                """)

        @Argument(
            help: ArgumentHelp("Policy files (default: review-policy.yaml in the policies folder).", valueName: "file"))
        var files: [String] = []

        @OptionGroup var policyOptions: PolicyOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let source = policyOptions.source
            let targets: [(path: String, load: () throws -> Policy)] =
                files.isEmpty
                ? [
                    (
                        source.origin.path.map {
                            URL(fileURLWithPath: $0).appendingPathComponent(PolicyLoader.defaultFileName).path
                        } ?? BuiltInPolicies.displayPath(PolicyLoader.defaultFileName),
                        { try PolicyLoader.load(source: source) }
                    )
                ]
                : files.map { path in (path, { try PolicyLoader.load(file: URL(fileURLWithPath: path)) }) }
            var reports: [[String: Any]] = []
            var failed = false
            for (path, load) in targets {
                do {
                    let policy = try load()
                    reports.append([
                        "file": path, "ok": true, "name": policy.name, "rules": policy.rules.count,
                        "sha256": policy.digest, "problems": [String](),
                    ])
                    if format == .text {
                        let outcomes = Severity.allCases.reversed().map { s in
                            "\(policy.rules.filter { $0.outcome == s }.count) \(s.rawValue)"
                        }
                        Output.text(
                            "\(path): policy '\(policy.name)', \(policy.rules.count) rules (\(outcomes.joined(separator: ", "))), sha256 \(policy.digest)"
                        )
                    }
                } catch {
                    failed = true
                    let problems = error.problems.map(\.description)
                    reports.append(["file": path, "ok": false, "problems": problems])
                    if format == .text {
                        for problem in problems { Output.text(problem) }
                        Output.text("\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(path)")
                    }
                }
            }
            if format == .json {
                let object: Any = reports.count == 1 ? reports[0] : reports
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                Output.json(String(decoding: data, as: UTF8.self))
            }
            if failed { throw ExitCode(ExitStatus.toolError.rawValue) }
        }
    }

    /// `shelfguard policy checks`
    struct Checks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checks",
            abstract: "List the checks a policy rule can run, with what each verifies and the keys it takes.")

        func run() {
            for check in PolicyCheck.allCases {
                let parameters =
                    check.parameters.isEmpty ? "" : "  (takes: \(check.parameters.joined(separator: ", ")))"
                Output.text("\(check.rawValue)\(parameters)")
                Output.text("    \(check.summary)")
            }
        }
    }
}

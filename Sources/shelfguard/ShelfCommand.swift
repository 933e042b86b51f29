import ArgumentParser
import Foundation
import ShelfGuardKit

/// `shelfguard shelf …`: what is on the shelf, each app's history, reviewers' decisions.
struct ShelfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shelf",
        abstract: "List and show apps, versions, shelf states and history; decide manual-review cases.",
        subcommands: [List.self, Show.self, Decide.self])

    /// `shelfguard shelf list`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List app versions with their shelf state and latest verdict.",
            discussion: """
                States: submitted, approved (on the shelf), warned, suspended, taken_down, refused, manual_review.
                """)

        @Option(
            parsing: .upToNextOption,
            help: ArgumentHelp("Only versions in these states (e.g. --state manual_review).", valueName: "state"))
        var state: [String] = []

        @Option(
            help: ArgumentHelp(
                "Only this platform: android, ios, harmony, wechat-mini, quickapp…", valueName: "platform"))
        var platform: String?

        @Option(help: ArgumentHelp("Only this developer: legal name or USCC.", valueName: "name-or-uscc"))
        var developer: String?

        @Option(help: ArgumentHelp("Only the versions of this app (package name, bundle id, appid).", valueName: "app"))
        var app: String?

        @Option(help: ArgumentHelp("At most this many versions.", valueName: "count"))
        var limit: Int = 1_000

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var database: DatabaseOptions

        /// The filter, checked as `GET /v1/shelf` checks it.
        func filter() throws(UseCaseError) -> ShelfFilter {
            try ShelfFilter.parse(
                states: state, platform: platform, developer: developer, app: app, limit: limit, naming: .options)
        }

        func validate() throws {
            do { _ = try filter() } catch { throw ValidationError(error.message) }
        }

        func run() throws {
            let versions = try database.openForReading().versions(try filter())
            if format == .json {
                try printJSON(versions)
                return
            }
            if versions.isEmpty {
                Output.text("no app versions match")
                return
            }
            let rows = versions.map { v in
                [
                    v.appID, v.versionName ?? v.versionCode ?? "?", v.platform, v.state.rawValue,
                    v.verdict?.rawValue ?? "-", String(v.stateSince.prefix(19)), v.developer,
                ].map { SafeText.escape($0) }
            }
            Output.text(
                Table.render(
                    header: ["app", "version", "platform", "state", "verdict", "since", "developer"], rows: rows))
        }
    }

    /// `shelfguard shelf show APP`
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show an app: every version, its reviews with findings, state changes and decisions.")

        @Argument(help: ArgumentHelp("The app id (package name, bundle id, appid).", valueName: "app"))
        var app: String

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let ledger = try database.openForReading()
            guard let history = try ledger.history(app: app) else {
                let near = Vocabulary.nearest(to: app, in: (try? ledger.recordedIDs().apps) ?? [])
                throw ToolError(
                    "no app '\(app)' in \(ledger.location)"
                        + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?"))
            }
            if format == .json {
                try printJSON(history)
                return
            }
            let e = SafeText.escape
            Output.text("\(e(history.appID))  \(e(history.name))  \(history.platform)")
            Output.text(
                "  developer \(e(history.developer.isEmpty ? "(not declared)" : history.developer))\(history.uscc.isEmpty ? "" : "  USCC \(history.uscc)")"
            )
            for v in history.versions {
                let version = v.version
                Output.text("")
                Output.text(
                    "  version \(e(version.versionName ?? version.versionCode ?? "?"))  \(version.state.rawValue) since \(version.stateSince)"
                )
                Output.text(
                    "    bundle sha256 \(version.bundleSHA256) (\(version.format), \(ByteCount.format(version.size)))")
                for review in v.reviews {
                    Output.text(
                        "    review \(review.reviewID) at \(review.reviewedAt): \(review.verdict.rawValue) (as of \(review.asOf), policy \(review.policySHA256.prefix(12)), \(e(review.bundlePath)))"
                    )
                    for f in review.findings {
                        Output.text("      \(f.severity.rawValue)  \(f.rule)  \(e(f.message))")
                        Output.text("        at \(e(f.location)) [\(f.basis)]")
                    }
                }
                for change in v.changes {
                    Output.text(
                        "    \(change.at)  \(change.from.rawValue) → \(change.to.rawValue)  by \(e(change.actor)) (\(change.cause.rawValue)): \(e(change.reason))  [audit \(change.auditSeq)]"
                    )
                }
                for d in v.decisions {
                    Output.text("    decision \(d.outcome.rawValue) by \(e(d.reviewer)) at \(d.at): \(e(d.reason))")
                }
            }
        }
    }

    /// `shelfguard shelf decide APP`
    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decide",
            abstract: "Record a reviewer's decision on a version in manual review: approve or refuse.",
            discussion: """
                The version moves from manual_review to approved or refused in one transaction with one audit entry naming the reviewer and the reason. When the app has several versions in manual review, name one with --version (version name, version code, or the start of the bundle's SHA-256).
                """)

        @Argument(help: ArgumentHelp("The app id.", valueName: "app"))
        var app: String

        @Option(help: ArgumentHelp("Which version: its name, code, or a SHA-256 prefix.", valueName: "version"))
        var version: String?

        @Flag(help: "Put the version on the shelf.")
        var approve = false

        @Flag(help: "Refuse the version (不予上架).")
        var refuse = false

        @Option(help: "Why: recorded in the audit log.")
        var reason: String

        @Option(help: "Who decides: recorded in the audit log.")
        var reviewer: String

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard approve != refuse else { throw ValidationError("give exactly one of --approve and --refuse") }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--reason is empty")
            }
            guard !reviewer.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--reviewer is empty")
            }
        }

        func run() throws {
            let ledger = try database.openForWriting()
            let target: ShelfVersion
            let change: StateChange
            do {
                (target, change) = try ReviewerDecisions.decide(
                    app: app, version: version, outcome: approve ? .approve : .refuse, reviewer: reviewer,
                    reason: reason, on: ledger, naming: .options)
            } catch let error as UseCaseError {
                throw ToolError(error.message)
            } catch let error as LedgerError {
                throw ToolError(error.description)
            }
            Output.text(
                "\(SafeText.escape(app)) \(SafeText.escape(target.versionName ?? "?")): \(change.from.rawValue) → \(change.to.rawValue), by \(SafeText.escape(reviewer)) (audit entry \(change.auditSeq))"
            )
        }
    }
}

/// Plain aligned columns for terminals.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.paddedQuickly(to: widths[i])
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

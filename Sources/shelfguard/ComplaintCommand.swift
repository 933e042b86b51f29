import ArgumentParser
import Foundation
import ShelfGuardKit

/// `shelfguard complaint …`: public complaints and reports (DSP Art. 12).
struct ComplaintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complaint",
        abstract: "Take, list and resolve public complaints (DSP Art. 12); open ones feed the daily run.",
        discussion: """
            Every complaint is kept. The daily run counts them by the review policy's `complaints:` section: the same text from the same source counts once; only complaints about an app on the shelf count; the threshold counts distinct complainants (one per contact; anonymous complaints together as one, unless the policy says `anonymous: each`). Reaching it opens a reviewer's task and an alert; it takes the app off the shelf only if the policy's category of the complaints says so. Each complaint is due an answer within the policy's published handling time.
            """,
        subcommands: [Add.self, List.self, Resolve.self, Tasks.self])

    /// The review policy the complaint rules come from.
    struct PolicyChoice: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The review policy file whose `complaints:` section applies (default: review-policy.yaml of the built-in policies or --policies).",
                valueName: "file"))
        var policy: String?

        @OptionGroup var policyOptions: PolicyOptions

        func load() throws -> Policy {
            try ReviewOptions.loadPolicy(file: policy, source: policyOptions.source, cache: policyOptions.cache)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Record a complaint about an app. Open to anyone: a contact is optional.",
            discussion: """
                The complaint is kept whatever it is about, and its due day is set from the policy's published handling time (its category's, if the category sets one), counted from --as-of. A complaint about an app with no version on the shelf is kept and said so: it does not count toward the threshold. The same text from the same source as an open complaint is kept and counts once.
                """)

        @Option(help: "The app id the complaint is about.")
        var app: String
        @Option(help: "What the complaint says.")
        var text: String
        @Option(
            help:
                "How to reach the person, if they want an answer (optional). Complaints with the same contact count as one complainant."
        )
        var contact: String = ""
        @Option(
            help: ArgumentHelp(
                "The complaint's category, one of the policy's `complaints.categories` (default: the policy's default_category).",
                valueName: "id"))
        var category: String?
        @Option(
            help: ArgumentHelp(
                "The day the complaint was received, YYYY-MM-DD: its due day counts from it (default: today in China).",
                valueName: "date"))
        var asOf: String?
        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var operatorOption: OperatorOption
        @OptionGroup var policyChoice: PolicyChoice

        func validate() throws {
            do { try ComplaintDesk.check(app: app, text: text, naming: .options) } catch {
                throw ValidationError(error.message)
            }
            if let asOf, let problem = CalendarDay.problem(asOf) {
                throw ValidationError("--as-of \(problem)")
            }
        }

        func run() throws {
            let rules = try policyChoice.load().complaints
            let intake: ComplaintIntake
            do {
                intake = try ComplaintDesk.intake(
                    app: app, text: text, contact: contact, category: category,
                    receivedOn: asOf ?? CalendarDay.today(), policy: rules)
            } catch { throw ToolError(error.message) }
            let ledger = try database.openForWriting()
            let answer: ComplaintDesk.Receipt
            do {
                answer = try ComplaintDesk.receive(
                    intake, actor: operatorOption.name ?? "public", policy: rules, on: ledger)
            } catch let error as LedgerError {
                throw ToolError(error.description)
            }
            if format == .json {
                try printJSON(answer)
                return
            }
            let c = answer.complaint
            let e = SafeText.escape
            Output.text(
                "complaint \(c.id) about \(e(app)) (\(c.category)) received \(c.receivedOn); an answer is due by \(c.dueOn)"
            )
            if let first = answer.duplicateOf {
                Output.text("  the same text from the same source as complaint \(first): kept, counted once")
            }
            if answer.standing == "app_not_on_shelf" {
                Output.text(
                    answer.appKnown
                        ? "  no version of \(e(app)) is on the shelf: kept, not counted toward the threshold"
                        : "  \(e(app)) is not an app the store knows: kept, not counted toward the threshold")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List complaints, oldest first (most overdue first with --overdue), with their due days.")

        @Option(help: "Only complaints about this app.")
        var app: String?
        @Flag(help: "Only open complaints.")
        var open = false
        @Flag(help: "Only open complaints past their due day on --as-of (the published handling time).")
        var overdue = false
        @Option(
            help: ArgumentHelp(
                "With --overdue: the day to count to, YYYY-MM-DD (default: today in China).", valueName: "date"))
        var asOf: String?
        @Option(help: "At most this many.")
        var limit = 1_000
        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var policyChoice: PolicyChoice

        func validate() throws {
            if let asOf, let problem = CalendarDay.problem(asOf) {
                throw ValidationError("--as-of \(problem)")
            }
            if asOf != nil && !overdue { throw ValidationError("--as-of goes with --overdue") }
        }

        func run() throws {
            let ledger = try database.openForReading()
            var complaints = try ledger.complaints(
                app: app, openOnly: open || overdue, limit: overdue ? Int.max : max(1, limit))
            if overdue {
                // Complaints from before due days were kept take theirs from the policy.
                let late = ComplaintRules.overdue(
                    complaints, asOf: asOf ?? CalendarDay.today(), policy: try policyChoice.load().complaints)
                let byID = Dictionary(uniqueKeysWithValues: complaints.map { ($0.id, $0) })
                complaints = Array(late.compactMap { byID[$0.complaint] }.prefix(max(1, limit)))
            }
            if format == .json {
                try printJSON(complaints)
                return
            }
            if complaints.isEmpty { Output.text("no complaints") }
            let e = SafeText.escape
            for c in complaints {
                let category = c.category.isEmpty ? "" : "  \(e(c.category))"
                let due = c.dueOn.isEmpty ? "" : "  due \(c.dueOn)"
                Output.text(
                    "\(c.id)  \(c.receivedAt)  \(e(c.app))  \(c.status)\(category)\(due)\(c.contact.isEmpty ? "" : "  contact: \(e(c.contact))")"
                )
                Output.text("    \(e(c.text))")
                if let resolution = c.resolution {
                    Output.text("    resolved by \(e(c.resolvedBy ?? "?")) at \(c.resolvedAt ?? "?"): \(e(resolution))")
                }
            }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve", abstract: "Resolve a complaint, with what was done.")

        @Argument(help: "The complaint's number.")
        var id: Int64
        @Option(help: "What was done about it.")
        var resolution: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var operatorOption: OperatorOption

        func run() throws {
            do {
                let c = try database.openForWriting().resolveComplaint(
                    id: id, resolution: resolution, actor: operatorOption.actor)
                Output.text(
                    "complaint \(c.id) about \(SafeText.escape(c.app)) resolved by \(SafeText.escape(c.resolvedBy ?? "?"))"
                )
            } catch let error as LedgerError {
                throw ToolError(error.description)
            }
        }
    }

    struct Tasks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tasks",
            abstract: "List the reviewers' tasks complaints opened (open ones unless --all).",
            discussion: """
                The daily run opens a task when the distinct complainants about an app on the shelf reach the policy's threshold, and closes it when the app is under the threshold again (its complaints were resolved). A task takes nothing off the shelf by itself.
                """)

        @Flag(help: "Closed tasks too.")
        var all = false
        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let tasks = try database.openForReading().complaintTasks(openOnly: !all)
            if format == .json {
                try printJSON(tasks)
                return
            }
            if tasks.isEmpty { Output.text(all ? "no tasks" : "no open tasks") }
            let e = SafeText.escape
            for task in tasks {
                let state = task.closedOn.map { "closed \($0)" } ?? "open"
                Output.text("\(task.id)  \(e(task.app))  opened \(task.openedOn)  \(state)")
                Output.text("    \(e(task.reason))")
            }
        }
    }
}

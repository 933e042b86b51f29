import ArgumentParser
import Foundation
import ShelfGuardKit

/// The selectors and the record every emergency measure takes.
struct MeasureOptions: ParsableArguments {
    @Option(help: "Versions of this app (package name, bundle id, appid).")
    var app: String?
    @Option(
        help: "This version: its name, code, or 12+ hex digits of its bundle's SHA-256 (with --app, unless a digest).")
    var version: String?
    @Option(help: ArgumentHelp("Versions of this developer: legal name or USCC.", valueName: "name-or-uscc"))
    var developer: String?
    @Option(help: "Versions whose declaration cites this algorithm filing number.")
    var filing: String?
    @Option(help: "Versions in which this feature-database signature was detected.")
    var signature: String?
    @Option(help: "Versions in which this taxonomy feature was detected.")
    var feature: String?

    @Option(help: "Why: recorded in every audit entry and in the feed.")
    var reason: String
    @Option(help: "The instruction's reference: a regulator's notice, an incident ticket.")
    var order: String = ""

    @Flag(help: "List exactly what would change, and change nothing.")
    var dryRun = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var operatorOption: OperatorOption
    @OptionGroup var policyOptions: PolicyOptions

    var selector: MeasureSelector {
        MeasureSelector(
            app: app, version: version, developer: developer, filing: filing, signature: signature, feature: feature)
    }

    func validate(requireOrder: Bool) throws {
        do {
            try EmergencyMeasures.check(
                selector: selector, reason: reason, order: order, requireOrder: requireOrder, naming: .options)
        } catch { throw ValidationError(error.message) }
        guard operatorOption.name.map({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) == true else {
            throw ValidationError("--operator is required: who takes this measure")
        }
    }

    /// A feature or signature id that is neither in the feature database used nor recorded for
    /// any version is a mistake (exit 1), named with the nearest known ids: an order must not
    /// silently select nothing because of a typing error.
    func checkIDs() throws {
        guard selector.feature != nil || selector.signature != nil else { return }
        let features: SignatureDatabase
        do { features = try SignatureDatabase.load(source: policyOptions.source) } catch {
            throw ToolError("the feature database (\(policyOptions.source.origin)) is broken:\n" + error.description)
        }
        // Read-only, before the database is opened for writing: a mistake touches nothing.
        var recorded: (features: [String], signatures: [String], apps: [String]) = ([], [], [])
        if try database.exists() {
            do { recorded = try database.openForReading().recordedIDs() } catch let error as LedgerError {
                throw ToolError(error.description)
            }
        }
        do { try EmergencyMeasures.checkIDs(selector, features: features, recorded: recorded) } catch {
            throw ToolError(error.message)
        }
    }

    func run(_ measure: Measure) throws {
        try checkIDs()
        let ledger = dryRun ? try database.openForReading() : try database.openForWriting()
        let result: MeasureResult
        do {
            result = try EmergencyMeasures.apply(
                MeasureOrder(
                    measure: measure, selector: selector, reason: reason, order: order, actor: operatorOption.actor),
                dryRun: dryRun, on: ledger)
        } catch let error as LedgerError {
            throw ToolError(error.description)
        }
        if let warning = result.warning {
            Output.error("shelfguard: warning: \(SafeText.escape(warning)) (in \(ledger.location))")
        }
        if format == .json {
            try printJSON(result)
        } else {
            let verb = dryRun ? "would move" : "moved"
            Output.text(
                "\(measure.rawValue) (\(selector.summary)): \(verb) \(result.changes.count) version\(result.changes.count == 1 ? "" : "s"), \(result.unchanged) selected left as they are"
            )
            let e = SafeText.escape
            for c in result.changes.prefix(200) {
                Output.text(
                    "  \(e(c.appID)) \(e(c.versionName ?? "?")) (\(c.bundleSHA256.prefix(12))): \(c.from.rawValue) → \(c.to.rawValue)"
                )
            }
            if result.changes.count > 200 {
                Output.text("  … and \(result.changes.count - 200) more (--format json lists all)")
            }
            if let range = result.auditRange { Output.text("  audit entries \(range.lowerBound)–\(range.upperBound)") }
            if dryRun { Output.text("  dry run: nothing was changed") }
            if let warning = result.warning { Output.text("  warning: \(SafeText.escape(warning))") }
        }
        // Done, but the order did nothing at all: exit 3 (done with a warning), not 0.
        if result.warning != nil { throw ExitCode(ExitStatus.warn.rawValue) }
    }
}

/// `shelfguard takedown`: 下架.
struct Takedown: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takedown",
        abstract:
            "Take versions off the shelf (下架), at once, by app, version, developer, filing, signature or feature.",
        discussion: """
            All selected versions that are listed, suspended or waiting for review move to taken_down in one transaction, with one audit entry each; versions already taken down are left as they are, so running the same order twice changes nothing the second time. A version taken down stays down: a later review cannot list it, nor another version of the same app, until it is reinstated. Storefronts learn of it through `shelfguard feed`.

            A feature or signature that is neither in the feature database nor recorded for any version is an error naming the nearest known ids (exit 1). A selection that matches no version at all is reported on standard error and in the JSON (`warning`) and exits 3; use --dry-run to check a selection first.

            Exit status: 0 done (versions already in the measure's state count as done); 3 the selection matched no version, nothing was changed; 1 bad arguments, an unknown feature or signature, or a database error.
            """)

    @OptionGroup var options: MeasureOptions

    func validate() throws { try options.validate(requireOrder: EmergencyMeasures.requiresOrder(.takeDown)) }
    func run() throws { try options.run(.takeDown) }
}

/// `shelfguard suspend`: 暂停服务.
struct Suspend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend",
        abstract: "Suspend versions (暂停服务): off the shelf until reinstated or taken down.",
        discussion: "Selects as `takedown` does; listed versions and versions waiting for review move to suspended.")

    @OptionGroup var options: MeasureOptions

    func validate() throws { try options.validate(requireOrder: EmergencyMeasures.requiresOrder(.suspend)) }
    func run() throws { try options.run(.suspend) }
}

/// `shelfguard warn`: 警示.
struct Warn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warn",
        abstract: "Warn listed versions (警示): they stay on the shelf, marked.",
        discussion: "Selects as `takedown` does; only approved versions move to warned.")

    @OptionGroup var options: MeasureOptions

    func validate() throws { try options.validate(requireOrder: EmergencyMeasures.requiresOrder(.warn)) }
    func run() throws { try options.run(.warn) }
}

/// `shelfguard reinstate`.
struct Reinstate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reinstate",
        abstract: "Lift a warning, suspension or takedown: the versions go back on the shelf.",
        discussion: "Selects as `takedown` does; needs --reason (the order reference is optional).")

    @OptionGroup var options: MeasureOptions

    func validate() throws { try options.validate(requireOrder: EmergencyMeasures.requiresOrder(.reinstate)) }
    func run() throws { try options.run(.reinstate) }
}

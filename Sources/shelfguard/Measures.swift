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

    var selector: MeasureSelector {
        MeasureSelector(
            app: app, version: version, developer: developer, filing: filing, signature: signature, feature: feature)
    }

    func validate(requireOrder: Bool) throws {
        guard !selector.isEmpty else {
            throw ValidationError(
                "select the versions: --app, --version, --developer, --filing, --signature or --feature")
        }
        if let version, app == nil, !(version.count >= 12 && version.allSatisfy(\.isHexDigit)) {
            throw ValidationError("--version \(version) needs --app (or give 12+ hex digits of the bundle's SHA-256)")
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason is empty") }
        if requireOrder && order.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--order is required: the reference of the instruction this measure follows")
        }
        guard operatorOption.name.map({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) == true else {
            throw ValidationError("--operator is required: who takes this measure")
        }
    }

    func run(_ measure: Measure) throws {
        let ledger = dryRun ? try database.openForReading() : try database.openForWriting()
        let result: MeasureResult
        do {
            result = try ledger.apply(
                MeasureOrder(
                    measure: measure, selector: selector, reason: reason, order: order, actor: operatorOption.actor),
                dryRun: dryRun)
        } catch let error as LedgerError {
            throw ToolError(error.description)
        }
        if format == .json {
            try printJSON(result)
        } else {
            let verb = dryRun ? "would move" : "moved"
            print(
                "\(measure.rawValue) (\(selector.summary)): \(verb) \(result.changes.count) version\(result.changes.count == 1 ? "" : "s"), \(result.unchanged) selected left as they are"
            )
            let e = EntryName.escapeControls
            for c in result.changes.prefix(200) {
                print(
                    "  \(e(c.appID)) \(e(c.versionName ?? "?")) (\(c.bundleSHA256.prefix(12))): \(c.from.rawValue) → \(c.to.rawValue)"
                )
            }
            if result.changes.count > 200 {
                print("  … and \(result.changes.count - 200) more (--format json lists all)")
            }
            if let range = result.auditRange { print("  audit entries \(range.lowerBound)–\(range.upperBound)") }
            if dryRun { print("  dry run: nothing was changed") }
        }
    }
}

/// `shelfguard takedown`: 下架.
struct Takedown: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Take versions off the shelf (下架), at once, by app, version, developer, filing, signature or feature.",
        discussion: """
            All selected versions that are listed, suspended or waiting for review move to taken_down in one transaction, with one audit entry each; versions already taken down are left as they are, so running the same order twice changes nothing the second time. A version taken down stays down: a later review cannot list it, nor another version of the same app, until it is reinstated. Storefronts learn of it through `shelfguard feed`.

            Exit status: 0 done (even when nothing matched); 1 bad arguments or a database error.
            """)

    @OptionGroup var options: MeasureOptions

    func validate() throws { try options.validate(requireOrder: true) }
    func run() throws { try options.run(.takeDown) }
}

/// `shelfguard suspend`: 暂停服务.
struct Suspend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Suspend versions (暂停服务): off the shelf until reinstated or taken down.",
        discussion: "Selects as `takedown` does; listed versions and versions waiting for review move to suspended.")

    @OptionGroup var options: MeasureOptions

    func validate() throws { try options.validate(requireOrder: true) }
    func run() throws { try options.run(.suspend) }
}

/// `shelfguard warn`: 警示.
struct Warn: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Warn listed versions (警示): they stay on the shelf, marked.",
        discussion: "Selects as `takedown` does; only approved versions move to warned.")

    @OptionGroup var options: MeasureOptions

    func validate() throws { try options.validate(requireOrder: true) }
    func run() throws { try options.run(.warn) }
}

/// `shelfguard reinstate`.
struct Reinstate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lift a warning, suspension or takedown: the versions go back on the shelf.",
        discussion: "Selects as `takedown` does; needs --reason (the order reference is optional).")

    @OptionGroup var options: MeasureOptions

    func validate() throws { try options.validate(requireOrder: false) }
    func run() throws { try options.run(.reinstate) }
}

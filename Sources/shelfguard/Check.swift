import ArgumentParser
import Foundation
import ShelfGuardKit

extension ReportFormat: ExpressibleByArgument {}

/// A report written to a file: `-o FORMAT=PATH`.
struct ReportTarget: ExpressibleByArgument {
    var format: ReportFormat
    var path: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="),
            let format = ReportFormat(rawValue: String(argument[..<equals]).lowercased())
        else { return nil }
        let path = String(argument[argument.index(after: equals)...])
        guard !path.isEmpty else { return nil }
        self.format = format
        self.path = path
    }

    /// Two reports written to one file (`-o sarif=X -o junit=X`, also through `./X` or a
    /// symbolic link): the second would silently replace the first. The message names both.
    static func clash(_ targets: [ReportTarget]) -> String? {
        var seen: [String: ReportTarget] = [:]
        for target in targets {
            let key = URL(fileURLWithPath: target.path).standardizedFileURL.resolvingSymlinksInPath().path
            if let first = seen[key] {
                return
                    "-o \(first.format.rawValue)=\(first.path) and -o \(target.format.rawValue)=\(target.path) name the same file: give each report its own path"
            }
            seen[key] = target
        }
        return nil
    }
}

/// `shelfguard check BUNDLE…`: the CI hook and the single-bundle shelf review.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        _superCommandName: ShelfGuard.perBundleSuperCommand,
        abstract: "Review bundles against their declarations, the evidence registry and the policy: a verdict.",
        discussion: """
            For each bundle: inspect it (manifest, deep-synthesis features, hazards), find its declaration (--declaration, else <bundle>.declaration.yaml or <name>.declaration.yaml beside it, else META-INF/deep-synthesis.yaml or deep-synthesis.yaml inside it), check filings, assessments, labels and identity against the registry (--registry files; no database needed) under the review policy (the implicit labels inside the sample outputs listed as labeling materials are read and verified too, within the --label-* limits and --max-material-size), and decide: approve, warn, manual_review or refuse (DSP Art. 13, LM Art. 7).

            A defective submission (an unreadable bundle, a malformed or missing declaration) is refused with findings that say exactly what is wrong; it is not a tool error.

            Reports: --format for standard output; -o FORMAT=PATH (repeatable) writes more at once, e.g. -o sarif=shelfguard.sarif -o junit=shelfguard.xml. Formats: text, json, sarif, junit, github, markdown.

            Exit status: 0 every bundle approved; 2 at least one refused; 3 warnings or manual review (and none refused); 1 the tool could not do its job (bad arguments, a missing file, a broken policy, feature database or registry file, a report that could not be written).
            """)

    @Argument(help: ArgumentHelp("Bundle files to check.", valueName: "bundle"))
    var bundles: [String]

    @Option(help: ArgumentHelp("The declaration to check the bundle against (one bundle only).", valueName: "file"))
    var declaration: String?

    @Option(help: "Format on standard output: text, json, sarif, junit, github or markdown.")
    var format: ReportFormat = .text

    @Option(
        name: .customShort("o"),
        help: ArgumentHelp("Also write a report to a file, FORMAT=PATH (repeatable).", valueName: "format=path"))
    var outputs: [ReportTarget] = []

    @Option(
        name: .customLong("appid"),
        help: ArgumentHelp("Mini-program appid that decrypts PC-client wxapkg files (V1MMWX).", valueName: "appid"))
    var appID: String?

    @Flag(help: "Never colour the text report (colour is used only on a terminal, and never when NO_COLOR is set).")
    var noColor = false

    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup(title: "Evidence and policy") var reviewOptions: ReviewOptions
    @OptionGroup(title: "Evidence and policy") var database: DatabaseOptions
    @OptionGroup(title: "Limits") var limitOptions: ReadLimitOptions
    @OptionGroup(title: "Labeling materials") var materialOptions: MaterialLimitOptions

    func validate() throws {
        if declaration != nil && bundles.count > 1 {
            throw ValidationError("--declaration names the declaration of one bundle; give one bundle with it")
        }
        if let clash = ReportTarget.clash(outputs) { throw ValidationError(clash) }
    }

    func run() throws {
        // The feature database and the policy load on the second core (started while the
        // command line was parsed, see EnginePrefetch) while the evidence is read here. The
        // bundle is read once the database is (its taxonomy reads the declaration beside the
        // bundle), while its engine is still being compiled: the detector's thread waits for it.
        // A failure is reported in the same order as before: the feature database's, the
        // policy's, the evidence's (rows the evidence files reject may be reported before them).
        let loads = policyOptions.signatureLoadsInBackground()
        let evidenceRead = Result { try registry() }
        let database = try loads.database.wait().get()
        let policy = try reviewOptions.loadPolicy(policyOptions)
        let (evidence, evidenceDatabase) = try evidenceRead.get()
        var inspectOptions = limitOptions.inspectOptions(wechatAppID: appID)
        // Of check's reports only the JSON and SARIF show the bundle's SHA-256: for the others it
        // is not worked out (a second pass over the bundle's bytes, as much CPU as inflating it).
        inspectOptions.read.computeDigest = ([format] + outputs.map(\.format)).contains { $0 == .json || $0 == .sarif }
        var checker = ShelfCheck(
            inspector: Inspector(options: inspectOptions, loadingSignatures: loads.engine),
            policy: policy, taxonomy: database.taxonomy, registry: evidence, asOf: reviewOptions.asOf)
        checker.declarationLimits = reviewOptions.declarationLimits
        checker.materialLimits = materialOptions.limits
        checker.evidenceDatabase = evidenceDatabase
        var results: [CheckOutput] = []
        for path in bundles {
            do {
                results.append(CheckOutput(path: path, result: try checker.check(path: path, declaration: declaration)))
            } catch {
                Output.error("shelfguard: \(error.description)")
                results.append(CheckOutput(path: path, error: error.description))
            }
        }
        // Freeing the feature database's tables is work no one waits for.
        if let engine = checker.inspector.engine { Output.keepUntilExit(engine) }
        // Every report that can be written is; one that cannot is named, and the command exits 1.
        var unwritten = false
        for target in outputs {
            let text = try target.format.render(results, policy: policy)
            do {
                try OutputFile.write(text, to: target.path)
            } catch {
                Output.error(
                    "shelfguard: cannot write the \(target.format.rawValue) report to \(RawPath.display(target.path)): \(error.reason)"
                )
                unwritten = true
            }
        }
        let color = format == .text && !noColor && Terminal.wantsColor
        let report = try format.render(results, policy: policy, color: color)
        switch format {
        case .json, .sarif: Output.json(report, terminator: "")
        default: Output.text(report, terminator: "", keeping: color ? [.newlines, .tabs, .colours] : .lines)
        }
        let status = unwritten ? .toolError : results.map(\.status).max() ?? .pass
        if status != .pass { throw ExitCode(status.rawValue) }
    }
}

extension Check {
    /// These options for `QuickParser`, with the option groups', as declared above.
    static var quick: QuickParser<Self> {
        var parser = QuickParser(Self())
        parser.words { $0.bundles = $1 }
        parser.option("--declaration") { $0.declaration = $1 }
        parser.option("--format", default: .text) { $0.format = $1 }
        parser.repeated("-o") { $0.outputs = $1 }
        parser.option("--appid") { $0.appID = $1 }
        parser.flag("--no-color") { $0.noColor = $1 }
        parser.group(PolicyOptions.quick) { $0.policyOptions = $1 }
        parser.group(ReviewOptions.quick) { $0.reviewOptions = $1 }
        parser.group(DatabaseOptions.quick) { $0.database = $1 }
        parser.group(ReadLimitOptions.quick) { $0.limitOptions = $1 }
        parser.group(MaterialLimitOptions.quick) { $0.materialOptions = $1 }
        return parser
    }

    /// The evidence: the --registry files, then the shelf database (read-only) when one is named
    /// with --db or $SHELFGUARD_DB. A shelfguard.db in the working folder is not read: evidence
    /// is chosen explicitly, and the report names it.
    func registry() throws -> (any EvidenceRegistry, ConfigSource?) {
        let files = try reviewOptions.loadRegistry()
        guard let source = database.explicitSource else { return (files, nil) }
        return (LayeredRegistry([files, try database.openForReading()]), source)
    }
}

/// Whether standard output is a terminal that should get colour (https://no-color.org).
enum Terminal {
    static var wantsColor: Bool {
        if let noColor = ProcessEnvironment.value("NO_COLOR"), !noColor.isEmpty { return false }
        if ProcessEnvironment.value("TERM") == "dumb" { return false }
        return isatty(STDOUT_FILENO) != 0
    }
}

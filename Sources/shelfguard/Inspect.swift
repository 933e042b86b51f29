import ArgumentParser
import Foundation
import ShelfGuardKit

/// `shelfguard inspect BUNDLE…`: facts only, no verdict and no database.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        _superCommandName: ShelfGuard.perBundleSuperCommand,
        abstract: "Read bundles and report what they are made of and what is wrong with their structure.",
        discussion: """
            Identifies each bundle by its content (zip-based APK, AAB, IPA, HAP, .app, XAPK and rpk; tar with gzip, xz or zstd; WeChat wxapkg; Douyin TPKG), reads every entry including nested archives, and reports the bundle's facts and its hazards: path traversal, duplicate names, Janus data, encrypted entries, zip bombs, limits reached. Nothing is extracted to disk and no database is touched.

            Exit status: 0 read completely with no hazards; 3 hazards found; 2 some content could not be read (damage, encryption, a limit); 1 a file could not be opened at all.
            """)

    @Argument(help: ArgumentHelp("Bundle files to inspect.", valueName: "bundle"))
    var bundles: [String]

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "List every entry with its path chain, size and content kind.")
    var entries = false

    @Option(
        name: .customLong("appid"),
        help: ArgumentHelp("Mini-program appid that decrypts PC-client wxapkg files (V1MMWX).", valueName: "appid"))
    var appID: String?

    @OptionGroup
    var policyOptions: PolicyOptions

    @OptionGroup(title: "Limits")
    var limitOptions: ReadLimitOptions

    func run() throws {
        // The first bundle is read while the feature database is still loading (EnginePrefetch
        // started it as the command line was parsed); the detector's thread takes it when it is
        // ready. A broken feature database is still the command's error, whatever the bundles hold.
        let loading = policyOptions.signatureEngineInBackground()
        var inspector = Inspector(
            options: limitOptions.inspectOptions(wechatAppID: appID), loadingSignatures: loading)
        var outputs: [InspectionOutput] = []
        for path in bundles {
            let inspection = Result { () throws(BundleReadError) in try inspector.inspect(path: path) }
            let engine = try loading.wait().get()
            inspector.signatures = engine
            switch inspection {
            case .success(let inspection):
                var output = InspectionOutput(inspection: inspection, includeEntries: entries)
                output.signatureDatabase = InspectionOutput.DatabaseStamp(engine.database)
                outputs.append(output)
            case .failure(let error):
                outputs.append(InspectionOutput(path: path, error: error.description))
            }
        }
        // Freeing the feature database's tables is work no one waits for.
        if let engine = inspector.signatures { Output.keepUntilExit(engine) }
        switch format {
        case .json: Output.json(try InspectionRenderer.json(outputs))
        case .text: Output.text(InspectionRenderer.text(outputs), terminator: "")
        }
        let status = outputs.map(\.status).max() ?? .pass
        if status != .pass { throw ExitCode(status.rawValue) }
    }
}

extension Inspect {
    /// These options for `QuickParser`, with the option groups', as declared above.
    static var quick: QuickParser<Self> {
        var parser = QuickParser(Self())
        parser.words { $0.bundles = $1 }
        parser.option("--format", default: .text) { $0.format = $1 }
        parser.flag("--entries") { $0.entries = $1 }
        parser.option("--appid") { $0.appID = $1 }
        parser.group(PolicyOptions.quick) { $0.policyOptions = $1 }
        parser.group(ReadLimitOptions.quick) { $0.limitOptions = $1 }
        return parser
    }
}

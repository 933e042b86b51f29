import ArgumentParser
import Foundation
import ShelfGuardKit

/// `shelfguard signatures …`: the feature database (特征库, DSP Art. 10).
struct Signatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signatures",
        abstract: "Check and list the feature database of deep-synthesis signatures.",
        subcommands: [Lint.self, List.self])

    /// `shelfguard signatures lint [DIR]`
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Validate the feature database and run every signature's examples.",
            discussion: """
                Reads every .yaml file in the signature folder strictly: unknown keys, values of the wrong type, bad or over-broad patterns (fewer than 4 significant characters), duplicate ids and feature ids missing from taxonomy.yaml are errors, each printed as file:line:column: message. Then every signature's positive examples must match it and its negative examples must not.

                Exit status: 0 when the database is sound; 1 when it is not (a broken database is a tool error: nothing can be judged with it).
                """)

        @Argument(
            help: ArgumentHelp("The signature folder (default: signatures/ in the policies folder).", valueName: "dir"))
        var directory: String?

        @OptionGroup var policyOptions: PolicyOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            // A folder given: its signatures, with the taxonomy beside it (else the policies'
            // one); none given: the policies' own database (built in unless --policies is given).
            let source = policyOptions.source
            let shown: String
            var problems: [String] = []
            var count = 0
            var digest = ""
            do {
                let database: SignatureDatabase
                if let directory {
                    let folder = URL(fileURLWithPath: directory)
                    shown = folder.path
                    let sibling = folder.deletingLastPathComponent().appendingPathComponent("taxonomy.yaml")
                    let taxonomy =
                        policyOptions.policies == nil && FileManager.default.fileExists(atPath: sibling.path)
                        ? try FeatureTaxonomy.load(file: sibling) : try FeatureTaxonomy.load(source: source)
                    database = try SignatureDatabase.load(signatures: folder, taxonomy: taxonomy)
                } else {
                    shown = source.signaturesPath
                    database = try SignatureDatabase.load(source: source)
                }
                count = database.signatures.count
                digest = database.digest
                problems = SignatureExamples.check(SignatureEngine(database)).map(\.description)
            } catch {
                problems = error.problems.map(\.description)
            }
            switch format {
            case .json:
                let object: [String: Any] = [
                    "directory": shown, "signatures": count, "digest": digest, "problems": problems,
                    "ok": problems.isEmpty,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                Output.json(String(decoding: data, as: UTF8.self))
            case .text:
                for problem in problems { Output.text(problem) }
                if problems.isEmpty {
                    Output.text("\(shown): \(count) signatures, all examples behave (sha256 \(digest))")
                } else {
                    Output.text("\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(shown)")
                }
            }
            if !problems.isEmpty { throw ExitCode(ExitStatus.toolError.rawValue) }
        }
    }

    /// `shelfguard signatures list`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the signatures of the feature database.")

        @OptionGroup var policyOptions: PolicyOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let database = try policyOptions.signatureEngine().database
            switch format {
            case .json:
                let rows = database.signatures.map {
                    [
                        "id": $0.id, "vendor": $0.vendor, "product": $0.product, "category": $0.category.rawValue,
                        "confidence": $0.confidence.rawValue, "features": $0.features, "definedAt": $0.definedAt,
                        "possibleFeatures": $0.possibleFeatures, "platforms": $0.platforms.map(\.rawValue),
                    ] as [String: Any]
                }
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                Output.json(String(decoding: data, as: UTF8.self))
            case .text:
                let width = database.signatures.map(\.id.count).max() ?? 0
                for s in database.signatures {
                    let id = s.id.paddedQuickly(to: width)
                    let category = s.category.rawValue.paddedQuickly(to: 11)
                    let confidence = s.confidence.rawValue.paddedQuickly(to: 7)
                    Output.text(
                        "\(id)  \(category) \(confidence) \(s.features.joined(separator: ",").paddedQuickly(to: 34)) \(s.vendor): \(s.product)"
                    )
                }
                Output.text("\(database.signatures.count) signatures (sha256 \(database.digest))")
            }
        }
    }
}

extension Error {
    /// The positioned problems of a database load error, or the error itself as one problem.
    var problems: [YAMLProblem] {
        (self as? SignatureDatabase.LoadError)?.problems
            ?? [YAMLProblem(file: "?", line: 1, column: 1, message: String(describing: self))]
    }
}

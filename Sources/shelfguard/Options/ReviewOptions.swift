import ArgumentParser
import Foundation
import ShelfGuardKit

/// What a verdict is judged against: the review policy, the evidence registry, and the day.
struct ReviewOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The review policy file (default: review-policy.yaml in the policies folder).", valueName: "file"))
    var policy: String?

    @Option(
        name: .customLong("registry"),
        help: ArgumentHelp(
            "Evidence: a published filing list, cancellation list or gen-AI list (CSV, as CAC publishes them), the store's assessments and waivers (YAML), or a folder of them. Repeatable; later files win for the same number.",
            valueName: "path"))
    var registryFiles: [String] = []

    @Option(
        help: ArgumentHelp(
            "Judge as of this day, YYYY-MM-DD: assessment ages and waiver expiries are counted to it (default: today in China).",
            valueName: "date"))
    var asOf: String?

    @Option(
        help: ArgumentHelp(
            "Bytes of a declaration file read from beside the bundle. (default: 1MiB)", valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxDeclarationSize: Int64 = Int64(DeclarationLimits.standard.maxFileBytes)

    @Option(
        help: ArgumentHelp(
            "YAML nodes walked in one declaration, aliases counted each time they are used.", valueName: "count"))
    var maxDeclarationNodes: Int = DeclarationLimits.standard.maxNodes

    func validate() throws {
        if let asOf, let problem = CalendarDay.problem(asOf) {
            throw ValidationError("--as-of \(problem)")
        }
        guard maxDeclarationSize > 0, maxDeclarationSize <= Int64(Int32.max), maxDeclarationNodes > 0 else {
            throw ValidationError("declaration limits must be positive (and the size below 2GiB)")
        }
    }

    var declarationLimits: DeclarationLimits {
        var limits = DeclarationLimits()
        limits.maxFileBytes = Int(maxDeclarationSize)
        limits.maxNodes = maxDeclarationNodes
        return limits
    }

    /// The review policy: --policy, else review-policy.yaml of the policies source; a broken one
    /// is a tool error listing every problem. The load `EnginePrefetch` started while the command
    /// line was parsed is taken when it was for this file, folder and cache; else it is loaded now.
    func loadPolicy(_ options: PolicyOptions) throws -> Policy {
        let (source, cache) = (options.source, options.cache)
        if let started = EnginePrefetch.takePolicy(file: policy, source: source, cache: cache) {
            return try started.wait().get()
        }
        return try Self.loadPolicy(file: policy, source: source, cache: cache)
    }

    /// The policy file `policy` if one is named, else review-policy.yaml of `source`; through its
    /// snapshot in `cache` when there is one (the same policy).
    static func loadPolicy(file policy: String?, source: PolicySource, cache: SignatureSnapshotCache?) throws -> Policy
    {
        do {
            guard let policy else { return try PolicyLoader.load(source: source, cache: cache) }
            var loaded = try PolicyLoader.load(file: URL(fileURLWithPath: policy), cache: cache)
            loaded.origin = ConfigSource(chosenBy: "--policy", path: PolicySource.absolute(policy))
            return loaded
        } catch {
            throw ToolError(
                "the review policy (\(policy ?? source.origin.description)) is broken:\n" + error.description)
        }
    }

    /// The registry built from `--registry` files. A file that is not evidence at all is a tool
    /// error; rows it rejects are reported on standard error and the good rows kept.
    func loadRegistry() throws -> InMemoryRegistry {
        var files: [RegistryFile] = []
        for path in try RegistryFile.expand(registryFiles) {
            do {
                let file = try RegistryFile.read(URL(fileURLWithPath: path))
                for problem in file.rejected {
                    Output.error("shelfguard: registry: \(problem) (row skipped)")
                }
                if file.rejectedCount > file.rejected.count {
                    Output.error(
                        "shelfguard: registry: \(path): \(file.rejectedCount - file.rejected.count) more rows skipped, not listed"
                    )
                }
                files.append(file)
            } catch {
                throw ToolError("cannot use \(path) as evidence: \(error.description)")
            }
        }
        return InMemoryRegistry(files: files)
    }
}

extension ReviewOptions {
    /// These options for `QuickParser`: the names, defaults and transforms declared above.
    static var quick: QuickParser<Self> {
        var parser = QuickParser(Self())
        parser.option("--policy") { $0.policy = $1 }
        parser.repeated("--registry") { $0.registryFiles = $1 }
        parser.option("--as-of") { $0.asOf = $1 }
        parser.size("--max-declaration-size", default: Int64(DeclarationLimits.standard.maxFileBytes)) {
            $0.maxDeclarationSize = $1
        }
        parser.option("--max-declaration-nodes", default: DeclarationLimits.standard.maxNodes) {
            $0.maxDeclarationNodes = $1
        }
        return parser
    }
}

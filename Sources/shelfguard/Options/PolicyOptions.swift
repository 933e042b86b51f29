import ArgumentParser
import Foundation
import ShelfGuardKit

/// Where the feature database and the review policies are: built into the binary unless a
/// folder is chosen explicitly. The working folder is never searched.
struct PolicyOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The policies folder: taxonomy.yaml, signatures/ and the review policies. Default: $SHELFGUARD_POLICIES, else the policies built into shelfguard (never a folder in the working folder). Reports name the folder used and its hashes.",
            valueName: "dir"))
    var policies: String?

    @Option(
        help: ArgumentHelp(
            "Where the feature database and the review policy are kept compiled between runs (a snapshot per set of YAML files and per policy, used only while they and shelfguard are unchanged), or 'off'. Default: $SHELFGUARD_CACHE, else $XDG_CACHE_HOME/shelfguard, else ~/.cache/shelfguard. A folder that cannot be written only means the YAML is read each time.",
            valueName: "dir"))
    var policyCache: String?

    /// The built-in policies, or the folder chosen with --policies or $SHELFGUARD_POLICIES.
    var source: PolicySource { PolicySource.choose(explicit: policies) }

    /// The snapshot cache chosen with --policy-cache, $SHELFGUARD_CACHE or the default; nil for off.
    var cache: SignatureSnapshotCache? { SignatureSnapshotCache.choose(explicit: policyCache) }

    /// The feature database, compiled; a broken one is a tool error listing every problem.
    func signatureEngine() throws -> SignatureEngine {
        try signatureLoadsInBackground().engine.wait().get()
    }

    /// The feature database's load, going on on another core: the one `EnginePrefetch` started
    /// while the command line was parsed, when it was for these policies and this cache, else one
    /// started now (`check` reads its evidence meanwhile). The errors are the same
    /// either way.
    func signatureEngineInBackground() -> BackgroundResult<SignatureEngine, any Error> {
        signatureLoadsInBackground().engine
    }

    /// The feature database's load and its engine's build, as `signatureEngineInBackground`:
    /// the database (and its taxonomy) is handed over before the engine is built from it.
    func signatureLoadsInBackground() -> SignatureLoads {
        let (source, cache) = (self.source, self.cache)
        return EnginePrefetch.take(source: source, cache: cache) ?? SignatureLoads.start(source: source, cache: cache)
    }

    static func signatureDatabase(source: PolicySource, cache: SignatureSnapshotCache?) throws -> SignatureDatabase {
        do {
            return try SignatureDatabase.load(source: source, cache: cache)
        } catch {
            throw ToolError("the feature database (\(source.origin)) is broken:\n" + error.description)
        }
    }
}

/// The feature database read and compiled on a thread of its own: `database` is ready as soon as
/// it is read (`check` needs its taxonomy for the declaration beside the bundle before reading
/// the bundle), `engine` once it is compiled. A broken database fails both with the same error.
struct SignatureLoads: Sendable {
    let database: BackgroundResult<SignatureDatabase, any Error>
    let engine: BackgroundResult<SignatureEngine, any Error>

    static func start(source: PolicySource, cache: SignatureSnapshotCache?) -> SignatureLoads {
        let (database, fulfil) = BackgroundResult<SignatureDatabase, any Error>.promised()
        let engine = BackgroundResult<SignatureEngine, any Error>.onNewThread {
            let loaded = Result { try PolicyOptions.signatureDatabase(source: source, cache: cache) }
            fulfil(loaded)
            return SignatureEngine(try loaded.get())
        }
        return SignatureLoads(database: database, engine: engine)
    }
}

/// A failure of the tool itself (exit 1), with a message for people.
struct ToolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension PolicyOptions {
    /// These options for `QuickParser`, as declared above.
    static var quick: QuickParser<Self> {
        var parser = QuickParser(Self())
        parser.option("--policies") { $0.policies = $1 }
        parser.option("--policy-cache") { $0.policyCache = $1 }
        return parser
    }
}

import Foundation
import ShelfGuardKit
import Testing

@testable import shelfguard

/// `check`, `inspect` and `review` start loading the feature database while their command line is
/// parsed, for the policies folder and cache the line seems to name; the command takes that load
/// only when the folder and cache it chose after the real parse are the same.
@Suite("The feature database loaded while the command line is parsed")
struct EnginePrefetchTests {
    @Test(
        "the values of --policies, --policy-cache and --policy are read in both spellings, the last one kept, none after --",
        arguments: [
            (["a.apk"], nil, nil, nil),
            (["--policies", "p", "a.apk"], "p", nil, nil),
            (["--policies=p", "--policy-cache=c", "--policy=r.yaml", "a.apk"], "p", "c", "r.yaml"),
            (["a.apk", "--policy-cache", "off", "--policy", "r.yaml"], nil, "off", "r.yaml"),
            (["--policies", "p", "--policies", "q", "a.apk"], "q", nil, nil),
            (["a.apk", "--", "--policies", "p"], nil, nil, nil),
            (["a.apk", "--policies"], nil, nil, nil),
            (["--policies-x", "p", "--policy-cachex=c", "--policyx", "r"], nil, nil, nil),
        ] as [([String], String?, String?, String?)])
    func optionValues(words: [String], policies: String?, policyCache: String?, policy: String?) {
        let guess = EnginePrefetch.optionValues(words[...])
        #expect(guess.policies == policies && guess.policyCache == policyCache && guess.policy == policy)
    }

    /// The guess meets the parse on the command lines a CI hook or a batch writes: the load
    /// started early is the one used.
    @Test(
        "the guess names the folder and cache the parsed command chooses",
        arguments: [
            ["check", "app.apk"],
            ["check", "--registry", "samples/registry", "--as-of", "2026-11-24", "app.apk", "--policy-cache", "c"],
            ["check", "--policies=/srv/policies", "--policy-cache=off", "app.apk"],
            ["check", "--policy", "store-policy.yaml", "--declaration", "d.yaml", "app.apk"],
            ["inspect", "--policies", "relative/policies", "--format", "json", "a.apk", "b.apk"],
            ["inspect", "--policy-cache", "/tmp/c", "a.apk"],
            ["review", "--db", "shelf.db", "--policies", "p", "--jobs", "2", "a.apk"],
        ])
    func guessMeetsParse(arguments: [String]) throws {
        let parsed = try ShelfGuard.parse(arguments)
        let options: PolicyOptions
        switch parsed {
        case let check as Check:
            options = check.policyOptions
            #expect(EnginePrefetch.optionValues(arguments.dropFirst()).policy == check.reviewOptions.policy)
        case let inspect as Inspect: options = inspect.policyOptions
        case let review as Review: options = review.policyOptions
        default: Issue.record("\(arguments) is not a per-bundle command"); return
        }
        let guess = EnginePrefetch.optionValues(arguments.dropFirst())
        #expect(PolicySource.choose(explicit: guess.policies) == options.source)
        #expect(SignatureSnapshotCache.choose(explicit: guess.policyCache) == options.cache)
    }

    @Test("a load started early is taken once, and only for the folder, cache and policy file it was started for")
    func takenOnlyWhenTheSame() throws {
        // A cache folder and a policy file of this test's own: no other load in this process
        // could be taken for them.
        let folder = try TestFiles.directory("prefetch-cache")
        let cacheFolder = folder.path
        let policyFile = folder.appendingPathComponent("store-policy.yaml").path
        try FileManager.default.copyItem(
            atPath: TestFiles.packageRoot.appendingPathComponent("policies/review-policy.yaml").path,
            toPath: policyFile)
        let environment = ["HOME": "/nonexistent"]
        EnginePrefetch.start(
            arguments: ["check", "--policy-cache", cacheFolder, "--policy", policyFile, "a.apk"],
            environment: environment)
        let source = PolicySource.choose(explicit: nil, environment: environment)
        let cache = SignatureSnapshotCache.choose(explicit: cacheFolder)
        #expect(EnginePrefetch.take(source: source, cache: nil) == nil, "another cache (off) is not this load")
        let elsewhere = PolicySource.choose(explicit: "policies")
        #expect(EnginePrefetch.take(source: elsewhere, cache: cache) == nil, "another policies folder is not")
        let load = try #require(EnginePrefetch.take(source: source, cache: cache))
        #expect(EnginePrefetch.take(source: source, cache: cache) == nil, "it is taken once")
        let database = try load.database.wait().get()
        let engine = try load.engine.wait().get()
        let direct = try PolicyOptions.signatureDatabase(source: source, cache: nil)
        #expect(engine.database.digest == direct.digest && database.digest == direct.digest)
        #expect(
            EnginePrefetch.takePolicy(file: nil, source: source, cache: cache) == nil, "the folder's own policy is not")
        #expect(
            EnginePrefetch.takePolicy(file: policyFile, source: elsewhere, cache: cache) == nil, "nor another folder")
        #expect(EnginePrefetch.takePolicy(file: policyFile, source: source, cache: nil) == nil, "nor another cache")
        let policy = try #require(EnginePrefetch.takePolicy(file: policyFile, source: source, cache: cache)).wait()
            .get()
        #expect(
            EnginePrefetch.takePolicy(file: policyFile, source: source, cache: cache) == nil, "it is taken once")
        let loaded = try ReviewOptions.loadPolicy(file: policyFile, source: source, cache: nil)
        #expect(policy == loaded)
        EnginePrefetch.settle()
    }

    @Test("nothing is started for a command that does not read bundles")
    func onlyPerBundleCommands() {
        for arguments in [["daily", "--policy-cache", "c"], ["--version"], [], ["signatures", "lint"]] {
            EnginePrefetch.start(arguments: arguments, environment: [:])
            #expect(
                EnginePrefetch.take(
                    source: PolicySource.choose(explicit: nil, environment: [:]),
                    cache: SignatureSnapshotCache.choose(explicit: "c")) == nil, "\(arguments)")
        }
    }
}

import Foundation
import ShelfGuardKit

/// The feature database of `check`, `inspect` and `review`, and the review policy of `check` and
/// `review`, loaded on threads of their own while the command line is parsed and the evidence read.
/// In a CI hook's `check` the parse and the evidence are 38 M instructions, the feature database
/// 35 M and the policy 12 M: with the two loads one after the other, the command waited for them;
/// side by side, the three share the two cores until each is done.
///
/// It is a guess, never trusted as one: the policies folder, the snapshot cache and the policy
/// file are guessed from the words of the command line (`--policies`, `--policy-cache`,
/// `--policy`, with the environment and the defaults as the options apply them), and a command
/// takes a load only when what it chose after the real parse is the same. Otherwise the load is
/// left unused and a new one started: the same result and the same errors either way.
enum EnginePrefetch {
    /// A load, and what it was started for.
    private struct Started<Key: Equatable, Value: Sendable> {
        var key: Key
        var load: BackgroundResult<Value, any Error>
    }

    private struct EngineKey: Equatable {
        var source: PolicySource
        var cache: SignatureSnapshotCache?
    }

    private struct PolicyKey: Equatable {
        var file: String?
        var source: PolicySource
        var cache: SignatureSnapshotCache?
    }

    private final class Slot: @unchecked Sendable {
        let lock = NSLock()
        var engine: (key: EngineKey, loads: SignatureLoads)?
        var policy: Started<PolicyKey, Policy>?
    }
    private static let slot = Slot()

    /// Starts the loads for `arguments` (the command line after `shelfguard`) when its command is
    /// one that checks bundles, each on a thread of its own, started at once
    /// (`BackgroundResult.onNewThread`): on libdispatch's queues the first block began about 2 ms
    /// after it was given, time a CI hook's `check` spent waiting for the feature database.
    static func start(
        arguments: [String],
        environment: [String: String] = ProcessEnvironment.values(
            [PolicySource.environmentVariable] + SignatureSnapshotCache.variables)
    ) {
        guard let command = arguments.first, ShelfGuard.perBundleCommand(command) != nil else { return }
        let guess = optionValues(arguments.dropFirst())
        let source = PolicySource.choose(explicit: guess.policies, environment: environment)
        let cache = SignatureSnapshotCache.choose(explicit: guess.policyCache, environment: environment)
        let engine = (
            key: EngineKey(source: source, cache: cache), loads: SignatureLoads.start(source: source, cache: cache)
        )
        let policy =
            command == "inspect"
            ? nil
            : Started(
                key: PolicyKey(file: guess.policy, source: source, cache: cache),
                load: BackgroundResult.onNewThread {
                    try ReviewOptions.loadPolicy(file: guess.policy, source: source, cache: cache)
                })
        slot.lock.withLock { (slot.engine, slot.policy) = (engine, policy) }
    }

    /// The feature database load started for exactly these policies and this cache, once; nil
    /// when none was.
    static func take(source: PolicySource, cache: SignatureSnapshotCache?) -> SignatureLoads? {
        slot.lock.withLock {
            guard let started = slot.engine, started.key == EngineKey(source: source, cache: cache) else { return nil }
            slot.engine = nil
            return started.loads
        }
    }

    /// The policy load started for exactly this `--policy` file, policies folder and cache, once;
    /// nil when none was.
    static func takePolicy(
        file: String?, source: PolicySource, cache: SignatureSnapshotCache?
    ) -> BackgroundResult<Policy, any Error>? {
        slot.lock.withLock {
            guard let started = slot.policy, started.key == PolicyKey(file: file, source: source, cache: cache)
            else { return nil }
            slot.policy = nil
            return started.load
        }
    }

    /// Waits for the loads that were started and not taken (the command line was help, or
    /// wrong): the process then exits without leaving a snapshot half written in the cache folder.
    static func settle() {
        let untaken = slot.lock.withLock {
            defer { (slot.engine, slot.policy) = (nil, nil) }
            return (slot.engine?.loads.engine, slot.policy?.load)
        }
        _ = untaken.0?.wait()
        _ = untaken.1?.wait()
    }

    /// The last values given to `--policies`, `--policy-cache` and `--policy` (`--name value` or
    /// `--name=value`) before a `--`. A word that only looks like one of them (the value of
    /// another option) makes a wrong guess, which `take` then refuses.
    static func optionValues(
        _ words: ArraySlice<String>
    ) -> (policies: String?, policyCache: String?, policy: String?) {
        var values: [String: String] = [:]
        var index = words.startIndex
        while index < words.endIndex, words[index] != "--" {
            let word = words[index]
            for name in ["--policies", "--policy-cache", "--policy"] {
                if word == name, index + 1 < words.endIndex {
                    values[name] = words[index + 1]
                } else if word.hasPrefix(name + "=") {
                    values[name] = String(word.dropFirst(name.count + 1))
                }
            }
            index += 1
        }
        return (values["--policies"], values["--policy-cache"], values["--policy"])
    }
}

import Foundation
import ShelfGuardKit

/// The feature database of `check`, `inspect` and `review`, loaded on the second core while the
/// command line is parsed: both take about 6 ms of a CI hook's start-up, and one no longer waits
/// for the other.
///
/// It is a guess, never trusted as one: the policies folder and the snapshot cache are guessed
/// from the words of the command line (`--policies`, `--policy-cache`, with the environment and
/// the defaults as `PolicyOptions` applies them), and `PolicyOptions` takes the load only when
/// the folder and cache it chose after the real parse are the same values. Otherwise the load is
/// left unused and a new one started: the same feature database and the same errors either way.
enum EnginePrefetch {
    private final class Slot: @unchecked Sendable {
        let lock = NSLock()
        var started:
            (source: PolicySource, cache: SignatureSnapshotCache?, load: BackgroundResult<SignatureEngine, any Error>)?
    }
    private static let slot = Slot()

    /// Starts the load for `arguments` (the command line after `shelfguard`) when its command is
    /// one that checks bundles.
    static func start(arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let command = arguments.first, ShelfGuard.perBundleCommands[command] != nil else { return }
        let guess = optionValues(arguments.dropFirst())
        let source = PolicySource.choose(explicit: guess.policies, environment: environment)
        let cache = SignatureSnapshotCache.choose(explicit: guess.policyCache, environment: environment)
        let load = BackgroundResult<SignatureEngine, any Error> {
            try PolicyOptions.signatureEngine(source: source, cache: cache)
        }
        slot.lock.withLock { slot.started = (source, cache, load) }
    }

    /// The load started for exactly these policies and this cache, once; nil when none was.
    static func take(
        source: PolicySource, cache: SignatureSnapshotCache?
    ) -> BackgroundResult<SignatureEngine, any Error>? {
        slot.lock.withLock {
            guard let started = slot.started, started.source == source, started.cache == cache else { return nil }
            slot.started = nil
            return started.load
        }
    }

    /// Waits for a load that was started and not taken (the command line was help, or wrong):
    /// the process then exits without leaving a snapshot half written in the cache folder.
    static func settle() {
        let untaken = slot.lock.withLock { () -> BackgroundResult<SignatureEngine, any Error>? in
            defer { slot.started = nil }
            return slot.started?.load
        }
        _ = untaken?.wait()
    }

    /// The last values given to `--policies` and `--policy-cache` (`--name value` or
    /// `--name=value`) before a `--`. A word that only looks like one of them (the value of
    /// another option) makes a wrong guess, which `take` then refuses.
    static func optionValues(_ words: ArraySlice<String>) -> (policies: String?, policyCache: String?) {
        var values: [String: String] = [:]
        var index = words.startIndex
        while index < words.endIndex, words[index] != "--" {
            let word = words[index]
            for name in ["--policies", "--policy-cache"] {
                if word == name, index + 1 < words.endIndex {
                    values[name] = words[index + 1]
                } else if word.hasPrefix(name + "=") {
                    values[name] = String(word.dropFirst(name.count + 1))
                }
            }
            index += 1
        }
        return (values["--policies"], values["--policy-cache"])
    }
}

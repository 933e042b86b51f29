import Foundation

/// Finds the `policies/` folder (feature database, taxonomy, review policies) when the user does
/// not name one: `$SHELFGUARD_POLICIES`, then `./policies`, then a `policies/` folder above the
/// running executable (how a build inside the project finds the project's own).
public enum PolicyLocator {
    public static func find(explicit: String?, executable: String = CommandLine.arguments[0]) -> URL? {
        if let explicit { return URL(fileURLWithPath: explicit) }
        let fileManager = FileManager.default
        func isPolicies(_ url: URL) -> Bool {
            fileManager.fileExists(atPath: url.appendingPathComponent("taxonomy.yaml").path)
        }
        if let environment = ProcessInfo.processInfo.environment["SHELFGUARD_POLICIES"], !environment.isEmpty {
            return URL(fileURLWithPath: environment)
        }
        let local = URL(fileURLWithPath: fileManager.currentDirectoryPath).appendingPathComponent("policies")
        if isPolicies(local) { return local }
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("policies")
            if isPolicies(candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}

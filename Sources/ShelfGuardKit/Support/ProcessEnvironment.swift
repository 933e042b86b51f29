import Foundation

/// Variables of the process's environment, read one at a time with `getenv`.
/// `ProcessInfo.processInfo.environment` builds a dictionary of every variable on each call:
/// 0.34 M instructions a time, eight times in a CI hook's start-up, to look up one name each.
public enum ProcessEnvironment {
    /// The variable's value, or nil when it is not set.
    public static func value(_ name: String) -> String? {
        guard let pointer = getenv(name) else { return nil }
        return String(cString: pointer)
    }

    /// The named variables that are set, by name: what a function taking an environment
    /// dictionary (for its tests) reads of the process's own.
    public static func values(_ names: String...) -> [String: String] { values(names) }

    public static func values(_ names: [String]) -> [String: String] {
        var found: [String: String] = [:]
        for name in names {
            if let value = value(name) { found[name] = value }
        }
        return found
    }
}

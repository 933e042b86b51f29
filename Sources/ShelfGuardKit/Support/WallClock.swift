import Foundation

/// The one wall clock ShelfGuard reads: when something was written (audit entries, state
/// changes, imports) and, when no `--as-of` is given, which day it is.
///
/// Business dates never come from here when a command names its day: the day a measure took
/// effect, the end of a grace period and an assessment's age all count from the `--as-of` day.
/// `SHELFGUARD_NOW` overrides the clock for a whole process (`2031-06-01` or
/// `2031-06-01T08:30:00Z`): the test suite runs every command with the clock years ahead this way
/// and under libfaketime, so that no test passes only in the month it was written.
public enum WallClock {
    /// The environment variable that sets "now" for a process.
    public static let overrideVariable = "SHELFGUARD_NOW"

    /// Now, or the override's instant.
    public static func now() -> Date {
        override ?? Date()
    }

    /// The override read once from the environment, if it is set and valid. An invalid value is
    /// ignored here; `validateEnvironment()` lets commands refuse it with a clear message.
    static let override: Date? = ProcessEnvironment.value(overrideVariable).flatMap(parse)

    /// An error message when `SHELFGUARD_NOW` is set but is not a date, else nil.
    public static func environmentProblem(
        _ environment: [String: String] = ProcessEnvironment.values(WallClock.overrideVariable)
    ) -> String? {
        guard let text = environment[overrideVariable], !text.isEmpty, parse(text) == nil else { return nil }
        return "\(overrideVariable)='\(text)' is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, or unset it"
    }

    /// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
    public static func parse(_ text: String) -> Date? {
        let day = text.prefix(10)
        guard let number = CalendarDay.dayNumber(String(day)), day.count == 10 else { return nil }
        var seconds = Double(number) * 86_400
        let rest = text.dropFirst(10)
        if !rest.isEmpty {
            let parts = rest.dropFirst().dropLast().split(separator: ":")
            guard rest.first == "T", rest.last == "Z", parts.count == 3, let h = Int(parts[0]), let m = Int(parts[1]),
                let s = Double(parts[2]), (0..<24).contains(h), (0..<60).contains(m), (0..<61).contains(s)
            else { return nil }
            seconds += Double(h * 3600 + m * 60) + s
        }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// The exit codes every `shelfguard` command uses (product contract). Tool errors never share a
/// code with verdicts.
public enum ExitStatus: Int32, Sendable, Comparable {
    /// Pass, or done.
    case pass = 0
    /// The tool could not do its job: bad arguments, a missing file, a broken policy or database.
    case toolError = 1
    /// Refused (不予上架); for `inspect`, a bundle that could not be read completely.
    case refused = 2
    /// Passed with warnings, or needs manual review; for `inspect`, hazards were found.
    case warn = 3

    /// How bad a status is, for combining several: tool error, then refused, warn, pass.
    private var severity: Int {
        switch self {
        case .pass: 0
        case .warn: 1
        case .refused: 2
        case .toolError: 3
        }
    }

    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool { lhs.severity < rhs.severity }
}

extension BundleReport {
    /// The exit status of `inspect` for this bundle: 2 when anything was left unread, 3 when there
    /// are hazards, 0 otherwise.
    public var inspectStatus: ExitStatus {
        if !bundle.complete { return .refused }
        return hazards.isEmpty ? .pass : .warn
    }
}

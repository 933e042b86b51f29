/// Where the shelf ledger lives, from `--db` or `SHELFGUARD_DB`: a path or `sqlite:PATH` is a
/// SQLite file; `postgres://…` or `postgresql://…` names a PostgreSQL server. Anything else with
/// a scheme is refused rather than taken for a file name.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public static func parse(_ text: String) -> Result<StoreLocation, LedgerError> {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            return .success(.postgres(url: text))
        }
        if lowered.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            // sqlite:///srv/shelf.db and sqlite://./shelf.db name the path after the slashes.
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { return .failure(LedgerError("'\(text)' names no SQLite file")) }
            return .success(.sqlite(path: path))
        }
        if let scheme = text.range(of: "://"), !text[..<scheme.lowerBound].contains("/") {
            return .failure(
                LedgerError(
                    "'\(text)' is not a shelf database: use a file path, sqlite:PATH, or postgres://USER@HOST/DATABASE"
                ))
        }
        guard !text.isEmpty else { return .failure(LedgerError("the shelf database path is empty")) }
        return .success(.sqlite(path: text))
    }

    /// A database URL fit for messages and reports: the user and password left out.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "…@" + String(rest[rest.index(after: at)...])
    }
}

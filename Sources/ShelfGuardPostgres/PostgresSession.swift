import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import ShelfGuardKit

/// A value bound to a statement's `$n` placeholder: the few types the ledger stores.
public protocol SQLBindable: Sendable {
    func bind(into bindings: inout PostgresBindings)
}

extension String: SQLBindable {
    public func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Int64: SQLBindable {
    public func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Int: SQLBindable {
    public func bind(into bindings: inout PostgresBindings) { bindings.append(Int64(self)) }
}
extension Double: SQLBindable {
    public func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Bool: SQLBindable {
    public func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Array: SQLBindable where Element: PostgresArrayEncodable & PostgresNonThrowingEncodable & SQLBindable {
    /// A `text[]` or `bigint[]`, for `= ANY($1)` and `unnest($1, $2, …)`: many rows in one statement.
    public func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public func bind(into bindings: inout PostgresBindings) {
        switch self {
        case .some(let value): value.bind(into: &bindings)
        case .none: bindings.appendNull()
        }
    }
}

/// One row of a result, read by column name.
public struct SQLRow: Sendable {
    let row: PostgresRandomAccessRow

    /// The column's value; a NULL reads as nil only when `T` is optional.
    public func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try row[column].decode(T.self, context: .default)
    }

    /// The first column's value.
    public func first<T: PostgresDecodable>(as type: T.Type = T.self) throws -> T {
        try row[0].decode(T.self, context: .default)
    }
}

/// One connection taken from the pool for the length of a read or a write transaction. Its
/// calls block the calling thread until the server answers: ShelfGuard's callers are command
/// threads and review workers, never an event loop, and the pipeline around them is synchronous.
public struct SQLSession {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ binds: [any SQLBindable] = []) throws -> [SQLRow] {
        let result = try run(sql, binds)
        return result.rows.map { SQLRow(row: $0.makeRandomAccess()) }
    }

    /// Runs one statement and returns how many rows it inserted, updated or deleted.
    @discardableResult
    public func execute(_ sql: String, _ binds: [any SQLBindable] = []) throws -> Int {
        try run(sql, binds).metadata.rows ?? 0
    }

    /// The first row, if any.
    public func one(_ sql: String, _ binds: [any SQLBindable] = []) throws -> SQLRow? {
        try query(sql, binds).first
    }

    /// The first column of the first row (nil when there is no row).
    public func scalar<T: PostgresDecodable>(
        _ sql: String, _ binds: [any SQLBindable] = [], as type: T.Type = T.self
    ) throws -> T? {
        try one(sql, binds).map { try $0.first(as: T.self) }
    }

    /// Hands each row to `body` as it arrives, without collecting them: for reads of the whole
    /// ledger (the audit log, a daily run's shelf).
    public func forEach(
        _ sql: String, _ binds: [any SQLBindable] = [], _ body: @escaping @Sendable (SQLRow) throws -> Void
    )
        throws
    {
        _ = try connection.query(query(sql, binds), logger: logger) { row in
            try body(SQLRow(row: row.makeRandomAccess()))
        }.wait()
    }

    private func run(_ sql: String, _ binds: [any SQLBindable]) throws -> PostgresQueryResult {
        try connection.query(query(sql, binds), logger: logger).wait()
    }

    private func query(_ sql: String, _ binds: [any SQLBindable]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds { value.bind(into: &bindings) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

/// A small pool of connections to one database: a connection is taken for one transaction and
/// given back; a broken one is dropped, and a new one opened when none is idle.
final class ConnectionPool: Sendable {
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    private let state = NIOLockedValueBox<(idle: [PostgresConnection], nextID: Int, closed: Bool)>(([], 1, false))
    /// Idle connections kept; more may be open while in use.
    let keepIdle: Int

    init(configuration: PostgresConnection.Configuration, keepIdle: Int = 4, logger: Logger) {
        self.configuration = configuration
        self.keepIdle = keepIdle
        self.logger = logger
    }

    func withSession<T>(_ body: (SQLSession) throws -> T) throws -> T {
        let connection = try take()
        do {
            let result = try body(SQLSession(connection: connection, logger: logger))
            give(connection)
            return result
        } catch {
            give(connection)
            throw error
        }
    }

    private func take() throws -> PostgresConnection {
        let (idle, id) = state.withLockedValue { state -> (PostgresConnection?, Int) in
            while let connection = state.idle.popLast() {
                if !connection.isClosed { return (connection, 0) }
            }
            state.nextID += 1
            return (nil, state.nextID)
        }
        if let idle { return idle }
        return try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger
        ).wait()
    }

    private func give(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let surplus = state.withLockedValue { state -> Bool in
            if state.closed || state.idle.count >= keepIdle { return true }
            state.idle.append(connection)
            return false
        }
        if surplus { try? connection.close().wait() }
    }

    /// Closes every idle connection; connections in use close when given back.
    func close() {
        let idle = state.withLockedValue { state -> [PostgresConnection] in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { try? connection.close().wait() }
    }
}

/// What the server said, in words: postgres-nio's own description of an error hides the
/// server's message (it may quote data), so the message, detail and SQLSTATE are picked out here.
func describe(_ error: any Error) -> String {
    if let error = error as? PSQLError {
        if let info = error.serverInfo {
            var text = info[.message] ?? "server error"
            if let detail = info[.detail] { text += " (\(detail))" }
            if let code = info[.sqlState] { text += " [SQLSTATE \(code)]" }
            return text
        }
        switch error.code {
        case .connectionError:
            let underlying = error.underlying.map { String(describing: $0) } ?? ""
            if underlying.contains("Connection refused") {
                return
                    "cannot connect to the server: connection refused (is it running, and listening on that host and port?)"
            }
            return "cannot connect to the server" + (underlying.isEmpty ? "" : ": \(underlying)")
        case .serverClosedConnection, .clientClosedConnection: return "the connection to the server was closed"
        default: return String(describing: error.code) + (error.underlying.map { ": \($0)" } ?? "")
        }
    }
    return String(describing: error)
}

/// The SQLSTATE of a server error, if it is one.
func sqlState(_ error: any Error) -> String? {
    (error as? PSQLError)?.serverInfo?[.sqlState]
}

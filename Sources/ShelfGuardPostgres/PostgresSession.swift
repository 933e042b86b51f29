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

/// How many connections a ledger opens to its server, and how long a transaction waits for one
/// when all are busy. Set in the URL, as pgx and others do: `?pool_max_conns=16&pool_wait=30`.
struct PoolSettings: Sendable, Equatable {
    /// Connections open at once, at most: a `serve` answering a hundred pollers, or a `review
    /// --jobs 8`, shares these (the server's own `max_connections` is 100 by default).
    var maxOpen = 16
    /// Seconds a transaction waits for a connection before it fails with a clear message.
    var wait = 30.0

    static let maxOpenRange = 1...1000
    static let waitRange = 0.001...3600.0

    init() {}

    /// Reads `pool_max_conns` and `pool_wait` from a URL's query; anything out of range is an
    /// error that names the range.
    init(query: [String: String]) throws(LedgerError) {
        if let text = query["pool_max_conns"] {
            guard let value = Int(text), Self.maxOpenRange.contains(value) else {
                throw LedgerError("pool_max_conns must be a whole number from 1 to 1000, not '\(text)'")
            }
            maxOpen = value
        }
        if let text = query["pool_wait"] {
            guard let value = Double(text), Self.waitRange.contains(value) else {
                throw LedgerError("pool_wait must be a number of seconds from 0.001 to 3600, not '\(text)'")
            }
            wait = value
        }
    }
}

/// A small pool of connections to one database: a connection is taken for one transaction and
/// given back; a broken one is dropped. At most `settings.maxOpen` are in use at once (a slot
/// each, and a connection is only opened when no idle one is left, so no more are ever open): a
/// caller finding every slot taken waits up to `settings.wait` seconds for one, then fails. The
/// wait runs on the monotonic clock, so a wall clock set far ahead or back changes nothing.
final class ConnectionPool: @unchecked Sendable {
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    let settings: PoolSettings
    /// One permit per connection that may be in use.
    private let slots: DispatchSemaphore
    /// Guards the fields below.
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 1
    private var closed = false
    /// Idle connections kept; the others are closed when given back.
    let keepIdle: Int

    init(configuration: PostgresConnection.Configuration, settings: PoolSettings = PoolSettings(), logger: Logger) {
        self.configuration = configuration
        self.settings = settings
        self.slots = DispatchSemaphore(value: settings.maxOpen)
        self.keepIdle = min(4, settings.maxOpen)
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

    /// Connections open now (in use or idle), for tests.
    var openCount: Int { lock.withLock { open } }

    private func take() throws -> PostgresConnection {
        guard slots.wait(timeout: .now() + settings.wait) == .success else {
            throw LedgerError(
                "all \(settings.maxOpen) connections to the shelf database were busy for \(settings.wait) s (raise pool_max_conns or pool_wait in the database URL)"
            )
        }
        let (reused, id) = lock.withLock { () -> (PostgresConnection?, Int) in
            while let connection = idle.popLast() {
                if !connection.isClosed { return (connection, 0) }
                open -= 1
            }
            open += 1
            nextID += 1
            return (nil, nextID)
        }
        if let reused { return reused }
        do {
            return try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            lock.withLock { open -= 1 }
            slots.signal()
            throw error
        }
    }

    private func give(_ connection: PostgresConnection) {
        defer { slots.signal() }
        guard !connection.isClosed else {
            lock.withLock { open -= 1 }
            return
        }
        let surplus = lock.withLock { () -> Bool in
            if closed || idle.count >= keepIdle { return true }
            idle.append(connection)
            return false
        }
        if surplus {
            try? connection.close().wait()
            lock.withLock { open -= 1 }
        }
    }

    /// Closes every idle connection; connections in use close when given back.
    func close() {
        let idle = lock.withLock { () -> [PostgresConnection] in
            closed = true
            defer {
                open -= self.idle.count
                self.idle = []
            }
            return self.idle
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

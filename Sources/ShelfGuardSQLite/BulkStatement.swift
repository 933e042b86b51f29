import GRDB
import GRDBSQLite
import ShelfGuardKit

/// A prepared statement run many times inside one transaction, binding text and integers
/// straight through SQLite's C API. An emergency order writes three rows for each of up to
/// hundreds of thousands of versions, a registry import one or two for each of up to millions of
/// rows; GRDB's general argument binding (each value boxed as a
/// `DatabaseValue`, then checked) costs more than SQLite's own work there. Everything else in
/// the ledger goes through GRDB.
struct BulkStatement {
    /// A value to bind.
    enum Value {
        case text(String)
        case int(Int64)
    }

    let statement: Statement
    let connection: OpaquePointer?

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        connection = db.sqliteConnection
    }

    /// Binds `values` to the parameters in order and runs the statement once.
    func execute(_ values: Value...) throws { try execute(values) }

    func execute(_ values: [Value]) throws {
        let handle = try bind(values)
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Binds `values` and runs the statement once: the text of the first column of its first
    /// row, or nil when it returns no row (or NULL).
    func fetchText(_ values: [Value]) throws -> String? {
        let handle = try bind(values)
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW:
            guard let text = sqlite3_column_text(handle, 0) else { return nil }
            let count = Int(sqlite3_column_bytes(handle, 0))
            return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
        case SQLITE_DONE: return nil
        default: throw error(code)
        }
    }

    private func bind(_ values: [Value]) throws -> OpaquePointer? {
        let handle = statement.sqliteStatement
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let code: Int32
            switch value {
            case .int(let number):
                code = sqlite3_bind_int64(handle, index, number)
            case .text(var text):
                // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns. An empty
                // buffer may have no address, which SQLite would bind as NULL; bind "" instead.
                code = text.withUTF8 { bytes in
                    sqlite3_bind_text(
                        handle, index,
                        bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
                            ?? BulkStatement.empty, Int32(bytes.count), BulkStatement.transient)
                }
            }
            guard code == SQLITE_OK else { throw error(code) }
        }
        return handle
    }

    func error(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) },
            sql: statement.sql)
    }

    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    nonisolated(unsafe) static let empty: UnsafePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()
}

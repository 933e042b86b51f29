import Dispatch

/// The stores' calls block their thread until the database answers (SQLite's file locks,
/// PostgreSQL's round trips, waited on): right for the command line's and the workers' own
/// threads, wrong on Swift concurrency's cooperative threads, which a blocked call would take
/// from every other task. Async code (a server's handlers) calls the store through `perform`,
/// which runs the call on a Dispatch thread and resumes the task with its result.
extension LedgerStore {
    /// Runs `body` with this store off the cooperative thread pool: e.g.
    /// `try await store.perform { try $0.feed(since: cursor, limit: 100) }`.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (Self) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body(self) })
            }
        }
    }
}

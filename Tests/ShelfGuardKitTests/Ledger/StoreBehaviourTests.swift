import Foundation
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardPostgres

/// What every store must do when several writers share it: each review recorded once, one
/// unbroken audit chain whose replay gives the shelf's states, an emergency order that races a
/// batch of reviews leaving nothing half done.
@Suite("Ledger stores: concurrent writers")
struct StoreConcurrencyTests {
    /// Submissions of `count` different apps of one developer, starting at app number `from`.
    static func submissions(_ count: Int, from: Int = 0) throws -> [ReviewSubmission] {
        try (from..<(from + count)).map { i in
            var scenario = ReviewScenario()
            scenario.inspection.bundle.sha256 = String(repeating: String(format: "%02x", i % 256), count: 31) + "ab"
            scenario.inspection.manifest?.appId = "com.example.app\(i)"
            scenario.declaration.app.id = "com.example.app\(i)"
            return ReviewSubmission(
                result: try scenario.result(), bundlePath: "app\(i).apk", batchID: nil, actor: "worker", extractor: "x")
        }
    }

    /// Runs each body on its own thread at once and waits for all of them; the first error is thrown.
    static func together(_ bodies: [@Sendable () throws -> Void]) throws {
        let errors = ErrorBox()
        let group = DispatchGroup()
        for body in bodies {
            group.enter()
            Thread {
                defer { group.leave() }
                do { try body() } catch { errors.add(error) }
            }.start()
        }
        group.wait()
        if let error = errors.first { throw error }
    }

    @Test("two writers record reviews at once: each once, one intact chain", arguments: StoreKind.available)
    func twoWriters(_ kind: StoreKind) throws {
        let (first, second) = try TestStores.pair(kind, "writers")
        let batches = [try Self.submissions(15), try Self.submissions(15, from: 15)]
        // Both writers also submit the other's first five: recorded once, whoever comes first.
        let shared = Array(batches[0].prefix(5))
        try Self.together([
            { for submission in batches[0] { _ = try first.recordReview(submission) } },
            { for submission in batches[1] + shared { _ = try second.recordReview(submission) } },
        ])
        #expect(try TestStores.count(first, "review") == 30)
        #expect(try TestStores.count(first, "version") == 30)
        let verification = try second.verifyAudit()
        #expect(verification.intact, "\(verification.problems)")
        #expect(verification.entries == 30)
    }

    @Test(
        "a takedown racing a batch of reviews leaves one intact chain and every version accounted for",
        arguments: StoreKind.available)
    func takedownRacesReviews(_ kind: StoreKind) throws {
        let (reviewer, officer) = try TestStores.pair(kind, "race")
        for submission in try Self.submissions(10) { _ = try reviewer.recordReview(submission) }
        let more = try Self.submissions(20, from: 10)
        let order = MeasureOrder(
            measure: .takeDown, selector: MeasureSelector(developer: ReviewScenario.developer), reason: "incident",
            order: "CAC-2026-99", actor: "officer")
        let taken = ValueBox<MeasureResult>()
        try Self.together([
            { for submission in more { _ = try reviewer.recordReview(submission) } },
            { taken.set(try officer.apply(order, dryRun: false)) },
        ])
        let result = try #require(taken.value)
        #expect(result.changes.count >= 10, "at least every version on the shelf before the order")
        let verification = try reviewer.verifyAudit()
        #expect(verification.intact, "\(verification.problems)")
        #expect(verification.entries == 30 + result.changes.count)
        let versions = try officer.versions(ShelfFilter())
        #expect(versions.count == 30)
        let takenIDs = Set(result.changes.map(\.versionID))
        for version in versions where takenIDs.contains(version.versionID) { #expect(version.state == .takenDown) }
    }
}

/// PostgreSQL's own side of the store: its schema guard, its append-only log, tampering found.
@Suite(
    "PostgreSQL ledger", .enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresAbsent)))
struct PostgresLedgerTests {
    @Test("a schema from a newer ShelfGuard is refused for writing and reading; an empty database is not read")
    func newerSchema() throws {
        let url = try TestStores.freshDatabase("newer")
        #expect(throws: LedgerError.self) { try PostgresLedger(url: url, readOnly: true) }
        let store = try PostgresLedger(url: url)
        try TestStores.tamper(
            store, "INSERT INTO shelfguard_migration (name, applied_at) VALUES ('pg99: from the future', 'x')")
        for readOnly in [false, true] {
            let error = #expect(throws: LedgerError.self) { try PostgresLedger(url: url, readOnly: readOnly) }
            #expect(error?.description.contains("newer ShelfGuard") == true)
            #expect(error?.description.contains("pg99: from the future") == true)
        }
        let error = #expect(throws: LedgerError.self) {
            try store.record(
                Waiver(app: "a", rule: "r", reason: "r", expires: "2027-01-01", grantedBy: "b", source: "t"), actor: "x"
            )
        }
        #expect(error?.description.contains("newer ShelfGuard") == true, "an open store stops writing too")
    }

    @Test("the audit log refuses UPDATE, DELETE and TRUNCATE while its triggers stand")
    func appendOnly() throws {
        let store = try TestStores.make(.postgres, "appendonly")
        _ = try store.record(
            Waiver(app: "a", rule: "r", reason: "r", expires: "2027-01-01", grantedBy: "b", source: "t"), actor: "x")
        for sql in ["UPDATE audit_log SET actor = 'y'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
            #expect(throws: (any Error).self, "\(sql)") { try TestStores.tamper(store, sql) }
        }
        #expect(try store.verifyAudit().intact)
    }

    @Test("tampering by someone who may write the database is found: an edited entry, a deleted head, a state")
    func tampering() throws {
        let store = try TestStores.make(.postgres, "tamper")
        for submission in try StoreConcurrencyTests.submissions(3) { _ = try store.recordReview(submission) }
        #expect(try store.verifyAudit().intact)
        try TestStores.tamper(store, "UPDATE shelf_state SET state = 'approved' WHERE version_id = 1")
        try TestStores.tamper(store, "UPDATE shelf_state SET state = 'taken_down' WHERE version_id = 2")
        #expect(try store.verifyAudit().problems.map(\.kind).contains(.stateMismatch))
        try TestStores.tamper(store, "ALTER TABLE audit_log DISABLE TRIGGER USER")
        try TestStores.tamper(store, "UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 2")
        try TestStores.tamper(store, "DELETE FROM audit_head")
        let problems = try store.verifyAudit().problems
        #expect(problems.count >= 2, "\(problems)")
        #expect(problems.contains { $0.seq == 2 })
    }

    @Test("database URLs: user, password, port, database, socket folder, TLS modes; bad ones refused")
    func urls() throws {
        let plain = try PostgresLedger.configuration(url: "postgres://shelf:s%40cret@db.example:6543/ledger")
        #expect(plain.username == "shelf" && plain.password == "s@cret" && plain.database == "ledger")
        #expect(plain.host == "db.example" && plain.port == 6543)
        let socket = try PostgresLedger.configuration(url: "postgresql://shelf@/ledger?host=/run/postgresql")
        #expect(socket.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        let error = #expect(throws: LedgerError.self) {
            try PostgresLedger.configuration(url: "postgres://shelf:secret@db/ledger?sslmode=sometimes")
        }
        #expect(error?.description.contains("sslmode") == true)
        #expect(error?.description.contains("secret") == false)
        let closed = #expect(throws: LedgerError.self) { try PostgresLedger(url: "postgres://shelf:pw@127.0.0.1:1/x") }
        #expect(closed?.description.contains("pw") == false, "no password in messages")
    }

    @Test("the connection pool: pool_max_conns bounds the connections; a caller waits pool_wait, then is told why")
    func pool() throws {
        #expect(try PostgresLedger.poolSettings(url: "postgres://db/x") == PoolSettings())
        let set = try PostgresLedger.poolSettings(url: "postgres://db/x?sslmode=disable&pool_max_conns=3&pool_wait=0.5")
        #expect(set.maxOpen == 3 && set.wait == 0.5)
        for bad in ["pool_max_conns=0", "pool_max_conns=1001", "pool_max_conns=many", "pool_wait=0", "pool_wait=3601"] {
            let error = #expect(throws: LedgerError.self) {
                try PostgresLedger.poolSettings(url: "postgres://db/x?\(bad)")
            }
            #expect(error?.description.contains("from ") == true, "\(bad): the message names the range")
        }
        let store = try PostgresLedger(url: try TestStores.freshDatabase("pool") + "?pool_max_conns=1&pool_wait=0.3")
        // Eight threads at once share the one connection.
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { for _ in 0..<10 { _ = try store.auditHead() } } catch { errors.add(error) }
        }
        #expect(errors.first == nil, "\(String(describing: errors.first))")
        #expect(store.pool.openCount <= 1)
        // While it is held, another caller waits 0.3 s and fails with a message that says what to change.
        let waited = ValueBox<String>()
        try store.pool.withSession { _ in
            let done = DispatchSemaphore(value: 0)
            Thread {
                do { _ = try store.auditHead() } catch { waited.set("\(error)") }
                done.signal()
            }.start()
            done.wait()
        }
        #expect(waited.value?.contains("pool_max_conns") == true, "\(String(describing: waited.value))")
        #expect(try store.auditHead() == nil, "the pool works again once the connection is given back")
    }
}

/// Errors from several threads, first one kept.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func add(_ error: any Error) { lock.withLock { errors.append(error) } }
    var first: (any Error)? { lock.withLock { errors.first } }
}

/// A value set by another thread.
final class ValueBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    func set(_ value: T) { lock.withLock { stored = value } }
    var value: T? { lock.withLock { stored } }
}

import Testing

@testable import ShelfGuardKit

/// `--db` and `SHELFGUARD_DB`: which store a location names, and messages that never show a
/// password.
@Suite("Store locations")
struct StoreLocationTests {
    @Test(
        "paths and sqlite: name SQLite files; postgres URLs PostgreSQL; other schemes are refused",
        arguments: [
            ("shelf.db", StoreLocation.sqlite(path: "shelf.db")),
            ("/srv/shelf/shelf.db", .sqlite(path: "/srv/shelf/shelf.db")),
            ("./a:b.db", .sqlite(path: "./a:b.db")),
            ("sqlite:shelf.db", .sqlite(path: "shelf.db")),
            ("sqlite:///srv/shelf.db", .sqlite(path: "/srv/shelf.db")),
            ("SQLITE:x.db", .sqlite(path: "x.db")),
            ("postgres://shelf@db.internal/shelf", .postgres(url: "postgres://shelf@db.internal/shelf")),
            ("postgresql://db.internal:5433/shelf", .postgres(url: "postgresql://db.internal:5433/shelf")),
        ])
    func parse(text: String, expected: StoreLocation) throws {
        #expect(try StoreLocation.parse(text).get() == expected)
    }

    @Test("unknown schemes and empty locations are errors, not file names")
    func refused() {
        for text in ["mysql://h/db", "file://x.db", "sqlite:", ""] {
            #expect(throws: LedgerError.self, "\(text)") { try StoreLocation.parse(text).get() }
        }
    }

    @Test("the user and password never reach a message")
    func redacted() {
        #expect(
            StoreLocation.redacted("postgres://u:secret@h:5432/db?sslmode=require")
                == "postgres://…@h:5432/db?sslmode=require")
        #expect(StoreLocation.redacted("postgres://h/db") == "postgres://h/db")
        #expect(!StoreLocation.redacted("postgresql://a:p%40ss@h/db").contains("p%40ss"))
    }

    @Test("a PostgreSQL server that does not answer is a clear tool error that leaves out the password")
    func cli() throws {
        let run = try ShelfGuardBinary.run(["shelf", "list", "--db", "postgres://shelf:hunter2@127.0.0.1:1/shelf"])
        #expect(run.status == 1)
        #expect(
            run.stderr.contains("cannot open the shelf database postgres://…@127.0.0.1:1/shelf: cannot connect")
                && !run.stderr.contains("hunter2"), "\(run.stderr)")
        let unknown = try ShelfGuardBinary.run(["shelf", "list", "--db", "mysql://h/db"])
        #expect(unknown.status == 1 && unknown.stderr.contains("is not a shelf database"))
    }
}

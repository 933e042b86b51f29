import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit

/// An emergency order whose selector selects nothing must not look like success: an unknown
/// feature or signature is a tool error naming the nearest ids; a known one that matches no
/// version says so on standard error and in the JSON, and exits 3.
@Suite("emergency measures: selectors that select nothing, end to end", .serialized)
struct MeasureSelectorCommandTests {
    static let order = ["--reason", "CAC order", "--order", "网信办〔2026〕99号", "--operator", "应急 王五"]

    static func recorded(_ db: String, _ table: String, _ column: String) throws -> Set<String> {
        try DatabaseQueue(path: db).read { Set(try String.fetchAll($0, sql: "SELECT \(column) FROM \(table)")) }
    }

    @Test(
        "a misspelt feature or signature is a tool error naming the nearest ids, for every measure",
        arguments: [
            ("takedown", "--feature", "face_swapp", "face_swap"),
            ("suspend", "--feature", "face_swapp", "face_swap"),
            ("warn", "--feature", "faceswap", "face_swap"),
            ("reinstate", "--feature", "face_swapp", "face_swap"),
            ("takedown", "--signature", "nope", ""),
        ])
    func unknownID(command: String, option: String, value: String, nearest: String) throws {
        let (_, db) = try DailyCommandTests.shelf("selector-unknown-\(command)")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let result = try ShelfGuardBinary.run([command, "--db", db, option, value] + Self.order)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stderr.contains("'\(value)' is not a known"), "\(result.stderr)")
        if !nearest.isEmpty { #expect(result.stderr.contains("did you mean \(nearest)")) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "nothing was written")
        let json = try ShelfGuardBinary.run([command, "--db", db, option, value, "--format", "json"] + Self.order)
        let error = try json.json()["error"] as? String
        #expect(json.status == 1 && error?.contains(value) == true)
    }

    @Test("a signature recorded for a version is known, even if the feature database no longer has it")
    func recordedSignature() throws {
        let (_, db) = try DailyCommandTests.shelf("selector-recorded")
        let signature = try #require(try Self.recorded(db, "version_signature", "signature").sorted().first)
        let result = try ShelfGuardBinary.run(
            ["takedown", "--db", db, "--signature", signature, "--dry-run"] + Self.order)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("a known feature no version shows: loud on standard error and in the JSON, exit 3; a dry run first")
    func knownButEmpty() throws {
        let (_, db) = try DailyCommandTests.shelf("selector-empty")
        let detected = try Self.recorded(db, "version_feature", "feature")
        let taxonomy = try SignatureDatabase.load(source: .builtIn).taxonomy
        let absent = try #require(taxonomy.ids.first { !detected.contains($0) })
        let dry = try ShelfGuardBinary.run(
            ["takedown", "--db", db, "--feature", absent, "--dry-run", "--format", "json"] + Self.order)
        #expect(dry.status == 3, "\(dry.stderr)")
        #expect((try dry.json()["warning"] as? String)?.contains("matches no version") == true)
        #expect(dry.stderr.contains("warning: the selection (feature \(absent)) matches no version"))
        let real = try ShelfGuardBinary.run(["takedown", "--db", db, "--feature", absent] + Self.order)
        #expect(real.status == 3 && real.stdout.contains("moved 0 versions") && real.stdout.contains("warning:"))
        let app = try ShelfGuardBinary.run(
            ["suspend", "--db", db, "--app", "com.example.facefunn", "--dry-run"] + Self.order)
        #expect(app.status == 3 && app.stderr.contains("apps with a near id: com.example.facefun"), "\(app.stderr)")
        // A selection that matches versions all already in the measure's state is done: exit 0.
        let selected = try ShelfGuardBinary.run(["takedown", "--db", db, "--feature", "face_swap"] + Self.order)
        #expect(selected.status == 0, "\(selected.stderr)")
        let again = try ShelfGuardBinary.run(["takedown", "--db", db, "--feature", "face_swap"] + Self.order)
        #expect(again.status == 0 && again.stdout.contains("moved 0 versions") && !again.stdout.contains("warning"))
    }
}

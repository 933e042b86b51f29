import Foundation
import Testing

@testable import ShelfGuardKit

/// Smaller behaviours of the command line: impossible dates, reports that would overwrite each
/// other, the feed as text, `shelf list --app`, and a missing declaration that does not hide
/// the other findings.
@Suite("command details, end to end")
struct CommandDetailTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")

    @Test(
        "impossible dates are refused with a clear message",
        arguments: [
            ("2026-02-30", "February 2026 has 28 days"), ("0000-01-01", "there is no year 0000"),
            ("2026-13-01", "months run from 01 to 12"), ("2027-02-29", "February 2027 has 28 days"),
            ("2026-4-01", "write YYYY-MM-DD"),
        ])
    func impossibleDates(date: String, message: String) throws {
        let bundle = Self.samples.appendingPathComponent("calculator.apk").path
        let check = try ShelfGuardBinary.run(["check", "--as-of", date, bundle])
        #expect(check.status == 1 && check.stderr.contains(message), "\(check.stderr)")
        let folder = try TestFiles.directory("dates")
        let db = folder.appendingPathComponent("shelf.db").path
        let waive = try ShelfGuardBinary.run([
            "registry", "waive", "--db", db, "--app", "x", "--rule", "declaration_missing", "--reason", "r",
            "--expires", date,
        ])
        #expect(waive.status == 1 && waive.stderr.contains(message), "\(waive.stderr)")
        let clock = try ShelfGuardBinary.run(
            ["check", bundle], environment: [WallClock.overrideVariable: date])
        #expect(clock.status == 1 && clock.stderr.contains("is not a date"))
    }

    @Test("a waiver for a rule the policy does not have names the nearest rules")
    func waiverRule() throws {
        let folder = try TestFiles.directory("waiver-rule")
        let result = try ShelfGuardBinary.run([
            "registry", "waive", "--db", folder.appendingPathComponent("shelf.db").path, "--app", "com.x", "--rule",
            "declaration_mising", "--reason", "r", "--expires", "2027-01-31",
        ])
        #expect(result.status == 1 && result.stderr.contains("did you mean declaration_missing?"), "\(result.stderr)")
    }

    @Test("a leap day is a day")
    func leapDay() throws {
        let bundle = Self.samples.appendingPathComponent("calculator.apk").path
        let check = try ShelfGuardBinary.run(["check", "--as-of", "2028-02-29", "--format", "json", bundle])
        #expect(check.status != 1, "\(check.stderr)")
        #expect(try check.json()["asOf"] as? String == "2028-02-29")
    }

    @Test("two reports written to one file are refused before anything is written")
    func sameOutputPath() throws {
        let folder = try TestFiles.directory("same-output")
        let target = folder.appendingPathComponent("report.out").path
        let bundle = Self.samples.appendingPathComponent("calculator.apk").path
        for second in [target, folder.path + "/./report.out"] {
            let result = try ShelfGuardBinary.run(["check", "-o", "sarif=\(target)", "-o", "junit=\(second)", bundle])
            #expect(result.status == 1, "\(result.stdout)")
            #expect(result.stderr.contains("name the same file"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    @Test("a missing declaration does not hide the undeclared features the bundle shows")
    func missingDeclarationShowsFeatures() throws {
        let folder = try TestFiles.directory("no-declaration")
        let bundle = folder.appendingPathComponent("portrait.hap")
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("portrait.hap"), to: bundle)
        let result = try ShelfGuardBinary.run(["check", "--as-of", "2026-11-24", "--format", "json", bundle.path])
        #expect(result.status == 2)
        let findings = try #require(try result.json()["findings"] as? [[String: Any]])
        let undeclared = findings.filter { $0["rule"] as? String == "undeclared_feature_strong" }
        #expect(findings.contains { $0["rule"] as? String == "declaration_missing" })
        #expect(!undeclared.isEmpty, "the strong features are reported with the missing declaration")
        #expect(undeclared.allSatisfy { ($0["message"] as? String)?.contains("there is no declaration") == true })
    }

    @Test("the feed as text, shelf list --app")
    func feedTextAndShelfListApp() throws {
        let (_, db) = try DailyCommandTests.shelf("feed-text")
        let takedown = try ShelfGuardBinary.run([
            "takedown", "--db", db, "--app", "com.example.facefun", "--reason", "CAC order", "--order", "ORD-7",
            "--operator", "应急",
        ])
        #expect(takedown.status == 0, "\(takedown.stderr)")
        let json = try ShelfGuardBinary.run(["feed", "--db", db, "--format", "json"]).json()
        let events = try #require(json["events"] as? [[String: Any]])
        let text = try ShelfGuardBinary.run(["feed", "--db", db, "--format", "text"])
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == events.count + 1 && lines.last == "cursor \(json["cursor"] as? String ?? "?")")
        #expect(
            lines.contains { $0.contains("take_down") && $0.contains("com.example.facefun") && $0.contains("[ORD-7]") })
        #expect(
            try ShelfGuardBinary.run(["feed", "--db", db]).json()["cursor"] as? String == json["cursor"] as? String)
        #expect(try ShelfGuardBinary.run(["feed", "--db", db, "--format", "xml"]).status == 1)

        let listed = try ShelfGuardBinary.run([
            "shelf", "list", "--db", db, "--app", "com.example.facefun", "--format", "json",
        ])
        let versions = try #require(
            try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(versions.count == 2 && versions.allSatisfy { $0["appID"] as? String == "com.example.facefun" })
        let none = try ShelfGuardBinary.run(["shelf", "list", "--db", db, "--app", "com.example.nothing"])
        #expect(none.stdout.contains("no app versions match"))
        let platform = try ShelfGuardBinary.run(["shelf", "list", "--db", db, "--platform", "andriod"])
        #expect(platform.status == 1 && platform.stderr.contains("did you mean android?"), "\(platform.stderr)")
        let show = try ShelfGuardBinary.run(["shelf", "show", "--db", db, "com.example.facefunn"])
        #expect(show.status == 1 && show.stderr.contains("did you mean com.example.facefun?"), "\(show.stderr)")
    }
}

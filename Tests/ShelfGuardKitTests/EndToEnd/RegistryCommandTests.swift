import Foundation
import Testing

@testable import ShelfGuardKit

/// `shelfguard registry …` and `check --db` through the built binary.
@Suite("registry, end to end")
struct RegistryCommandTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")

    @Test("import reports counts and is idempotent; check --db judges as check --registry does")
    func importAndCheck() throws {
        let db = try TestFiles.directory("registry-e2e").appendingPathComponent("shelf.db").path
        let registry = Self.samples.appendingPathComponent("registry").path
        let first = try ShelfGuardBinary.run(["registry", "import", "--db", db, "--format", "json", registry])
        #expect(first.status == 0, "\(first.stderr)")
        let imports = try #require(try first.json()["imports"] as? [[String: Any]])
        #expect(imports.count == 5)
        #expect(imports.allSatisfy { ($0["added"] as? Int ?? 0) == ($0["rows"] as? Int ?? -1) })
        let second = try ShelfGuardBinary.run(["registry", "import", "--db", db, registry])
        #expect(second.status == 0)
        #expect(second.stdout.contains("0 added, 0 updated, 5 unchanged"), "\(second.stdout)")

        for (name, verdict, _) in CheckCommandTests.expected {
            let bundle = Self.samples.appendingPathComponent(name).path
            let viaDB = try ShelfGuardBinary.run([
                "check", "--db", db, "--as-of", "2026-11-24", "--format", "json", bundle,
            ])
            #expect(viaDB.status == verdict.exitStatus.rawValue, "\(name): \(viaDB.stderr)")
            #expect(try viaDB.json()["verdict"] as? String == verdict.rawValue, "\(name)")
        }
        let lookup = try ShelfGuardBinary.run(["registry", "lookup", "--db", db, "网信算备310104900000401240025号"])
        #expect(lookup.status == 3)
        #expect(lookup.stdout.contains("CANCELLED"))
        let audit = try ShelfGuardBinary.run(["audit", "verify", "--db", db])
        #expect(audit.status == 0)
        #expect(audit.stdout.contains("10 entries"))
    }

    @Test("rejected rows exit 3 and are listed; a file that is no list exits 1; good rows are kept")
    func rejectedRows() throws {
        let folder = try TestFiles.directory("registry-bad")
        let db = folder.appendingPathComponent("shelf.db").path
        let csv = folder.appendingPathComponent("batch.csv")
        try """
        序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注
        1,好,服务提供者,甲,甲（APP）,生成,网信算备110108823483901230031号,
        2,坏,服务提供者,乙,乙（APP）,生成,网信算备1101088234839012300号,

        """.write(to: csv, atomically: true, encoding: .utf8)
        let result = try ShelfGuardBinary.run(["registry", "import", "--db", db, csv.path])
        #expect(result.status == 3)
        #expect(result.stdout.contains("batch.csv:3: 备案编号"), "\(result.stdout)")
        #expect(result.stdout.contains("1 added"))
        let notAList = folder.appendingPathComponent("other.csv")
        try "a,b\n1,2\n".write(to: notAList, atomically: true, encoding: .utf8)
        let refused = try ShelfGuardBinary.run(["registry", "import", "--db", db, notAList.path])
        #expect(refused.status == 1)
        let found = try ShelfGuardBinary.run(["registry", "lookup", "--db", db, "网信算备110108823483901230031号"])
        #expect(found.status == 0, "the good row stayed: \(found.stdout)")
    }

    @Test("the import's limits are flags with their defaults in the help; a row or file past them is refused")
    func importLimits() throws {
        let help = try ShelfGuardBinary.run(["registry", "import", "--help"])
        for flag in ["--max-field-size <size>", "--max-row-size <size>", "--max-file-size <size>"] {
            #expect(help.stdout.contains(flag), "\(help.stdout)")
        }
        for shown in ["(default: 64KiB)", "(default: 1MiB)", "(default: 1GiB)"] {
            #expect(help.stdout.contains(shown), "\(help.stdout)")
        }
        let folder = try TestFiles.directory("registry-limits")
        let db = folder.appendingPathComponent("shelf.db").path
        let csv = folder.appendingPathComponent("batch.csv")
        try """
        序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注
        1,好,服务提供者,甲,甲（APP）,生成,网信算备110108823483901230031号,
        2,\(String(repeating: "长", count: 100)),服务提供者,乙,乙（APP）,生成,网信算备440305295988701230013号,

        """.write(to: csv, atomically: true, encoding: .utf8)
        let bounded = try ShelfGuardBinary.run(["registry", "import", "--db", db, "--max-field-size", "256", csv.path])
        #expect(bounded.status == 3, "\(bounded.stdout)\(bounded.stderr)")
        #expect(bounded.stdout.contains("batch.csv:3: 算法名称 is longer than 256 B"), "\(bounded.stdout)")
        #expect(bounded.stdout.contains("1 added"))
        let whole = try ShelfGuardBinary.run(["registry", "import", "--db", db, csv.path])
        #expect(whole.status == 0, "\(whole.stdout)")
        #expect(whole.stdout.contains("1 added, 0 updated, 1 unchanged"), "\(whole.stdout)")
        let refused = try ShelfGuardBinary.run(["registry", "import", "--db", db, "--max-file-size", "256B", csv.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the limit for one evidence file (--max-file-size)"), "\(refused.stderr)")
        let badSize = try ShelfGuardBinary.run(["registry", "import", "--db", db, "--max-row-size", "lots", csv.path])
        #expect(badSize.status != 0 && badSize.status != 3)
        let audit = try ShelfGuardBinary.run(["audit", "verify", "--db", db])
        #expect(audit.stdout.contains("2 entries"), "the refused file left no audit entry: \(audit.stdout)")
    }

    @Test("assess and waive record evidence with the operator in the audit log")
    func assessAndWaive() throws {
        let folder = try TestFiles.directory("registry-record")
        let db = folder.appendingPathComponent("shelf.db").path
        let document = folder.appendingPathComponent("report.pdf")
        try Data("assessment report".utf8).write(to: document)
        let assess = try ShelfGuardBinary.run([
            "registry", "assess", "--db", db, "--operator", "审核员 王五", "--id", "SA-1", "--entity", "甲公司",
            "--features", "face_swap", "voice_cloning", "--date", "2026-05-01", "--assessor", "中心", "--document",
            document.path,
        ])
        #expect(assess.status == 0, "\(assess.stderr)")
        let badFeature = try ShelfGuardBinary.run([
            "registry", "assess", "--db", db, "--id", "SA-2", "--entity", "甲", "--features", "face_swapping", "--date",
            "2026-05-01", "--assessor", "中心", "--document", document.path,
        ])
        #expect(badFeature.status == 1)
        let waive = try ShelfGuardBinary.run([
            "registry", "waive", "--db", db, "--operator", "审核员 王五", "--app", "com.x", "--rule",
            "filing_product_unlisted", "--reason", "change filed", "--expires", "2027-01-31",
        ])
        #expect(waive.status == 0, "\(waive.stderr)")
        let unknownRule = try ShelfGuardBinary.run([
            "registry", "waive", "--db", db, "--app", "com.x", "--rule", "no_such_rule", "--reason", "x", "--expires",
            "2027-01-31",
        ])
        #expect(unknownRule.status == 1)
        let log = try ShelfGuardBinary.run(["audit", "log", "--db", db, "--format", "json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["actor"] as? String } == ["审核员 王五", "审核员 王五"])
        #expect(entries.first?["details"] as? String != nil)
    }
}

import Crypto
import Foundation
import Testing

@testable import ShelfGuardKit

/// The defaults cannot be hijacked: a `policies/` folder or a `shelfguard.db` in the working
/// folder changes nothing; what is chosen explicitly is named in every report with its hashes.
@Suite("configuration chosen explicitly and named, end to end")
struct ConfigurationCommandTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    static let day = "2026-11-24"
    static let app = "com.example.portrait"

    /// A policies folder that would approve anything: a sound taxonomy and feature database
    /// (copies of the project's) and a policy whose only rule is information.
    static func plantPolicies(in folder: URL) throws -> URL {
        let policies = folder.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        let project = TestFiles.packageRoot.appendingPathComponent("policies")
        for name in ["taxonomy.yaml", "signatures"] {
            try FileManager.default.copyItem(
                at: project.appendingPathComponent(name), to: policies.appendingPathComponent(name))
        }
        try """
        policy: shelfguard/policy/v1
        name: planted
        rules:
          - id: anything_goes
            check: declared_not_detected
            basis: none
            outcome: info
            description: Nothing is checked.
            remedy: Nothing.

        """.write(to: policies.appendingPathComponent("review-policy.yaml"), atomically: true, encoding: .utf8)
        return policies
    }

    /// A working folder holding a face-swap-and-generation bundle without a declaration (refused
    /// under the built-in policy), a planted `policies/` and a planted `shelfguard.db` whose
    /// waivers would turn every refusal into information.
    static func hostileFolder() throws -> URL {
        let folder = try TestFiles.directory("config-hostile")
        try FileManager.default.copyItem(
            at: samples.appendingPathComponent("portrait.hap"), to: folder.appendingPathComponent("portrait.hap"))
        _ = try plantPolicies(in: folder)
        for rule in ["declaration_missing", "undeclared_feature_strong"] {
            let waived = try ShelfGuardBinary.run([
                "registry", "waive", "--db", folder.appendingPathComponent("shelfguard.db").path, "--operator", "x",
                "--app", app, "--rule", rule, "--reason", "planted", "--expires", "2099-12-31",
            ])
            #expect(waived.status == 0, "\(waived.stderr)")
        }
        return folder
    }

    static func rules(_ json: [String: Any]) -> Set<String> {
        Set((json["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String })
    }

    @Test("a policies/ folder and a shelfguard.db in the working folder change nothing")
    func plantedFilesChangeNothing() throws {
        let hostile = try Self.hostileFolder()
        let elsewhere = try TestFiles.directory("config-clean")
        let bundle = hostile.appendingPathComponent("portrait.hap").path
        let clean = try ShelfGuardBinary.run(
            ["check", "--as-of", Self.day, "--format", "json", bundle], in: elsewhere)
        let planted = try ShelfGuardBinary.run(
            ["check", "--as-of", Self.day, "--format", "json", "portrait.hap"], in: hostile)
        #expect(clean.status == 2, "\(clean.stderr)")
        #expect(planted.status == 2, "refused whatever the working folder holds: \(planted.stdout)")
        let cleanJSON = try clean.json()
        let plantedJSON = try planted.json()
        #expect(Self.rules(plantedJSON) == Self.rules(cleanJSON))
        #expect(Self.rules(plantedJSON).contains("declaration_missing"))
        let policy = try #require(plantedJSON["policy"] as? [String: Any])
        #expect(policy["source"] as? String == "built-in" && policy["chosenBy"] as? String == "built-in")
        #expect(policy["sha256"] as? String == (cleanJSON["policy"] as? [String: Any])?["sha256"] as? String)
        let database = try #require(plantedJSON["signatureDatabase"] as? [String: Any])
        #expect(database["source"] as? String == "built-in")
        #expect(plantedJSON["evidenceDatabase"] == nil, "the planted shelfguard.db was not read")
        #expect((plantedJSON["registry"] as? [String: Any])?["waivers"] as? Int == 0)

        // inspect, signatures lint and policy lint use the built-in policies too.
        let inspect = try ShelfGuardBinary.run(["inspect", "--format", "json", "portrait.hap"], in: hostile)
        #expect((try inspect.json()["signatureDatabase"] as? [String: Any])?["source"] as? String == "built-in")
        let lint = try ShelfGuardBinary.run(["policy", "lint", "--format", "json"], in: hostile)
        let name = try lint.json()["name"] as? String
        #expect(lint.status == 0 && name == "default", "\(lint.stdout)")
        let signatures = try ShelfGuardBinary.run(["signatures", "lint"], in: hostile)
        #expect(signatures.status == 0 && signatures.stdout.contains("built-in:policies/signatures"))
    }

    @Test("the same planted files, chosen explicitly, are used and named with their hashes")
    func explicitChoicesAreNamed() throws {
        let hostile = try Self.hostileFolder()
        let withDB = try ShelfGuardBinary.run(
            ["check", "--as-of", Self.day, "--format", "json", "--db", "shelfguard.db", "portrait.hap"], in: hostile)
        #expect(withDB.status != 2, "the waivers apply once the database is chosen: \(withDB.stdout)")
        let evidence = try #require(try withDB.json()["evidenceDatabase"] as? [String: Any])
        #expect(evidence["source"] as? String == "shelfguard.db" && evidence["chosenBy"] as? String == "--db")
        let fromEnvironment = try ShelfGuardBinary.run(
            ["check", "--as-of", Self.day, "--format", "json", "portrait.hap"], in: hostile,
            environment: ["SHELFGUARD_DB": "shelfguard.db"])
        let named = try #require(try fromEnvironment.json()["evidenceDatabase"] as? [String: Any])
        #expect(named["chosenBy"] as? String == "SHELFGUARD_DB" && fromEnvironment.status != 2)
        let github = try ShelfGuardBinary.run(
            ["check", "--as-of", Self.day, "--format", "github", "--db", "shelfguard.db", "portrait.hap"], in: hostile)
        #expect(github.stdout.contains("title=ShelfGuard configuration::policy default: built-in sha256"))
        #expect(github.stdout.contains("evidence database: shelfguard.db (--db)"))

        let policies = hostile.appendingPathComponent("policies")
        let policyFile = policies.appendingPathComponent("review-policy.yaml")
        let policyHash = SHA256.hash(data: try Data(contentsOf: policyFile)).hexString
        let reports = try TestFiles.directory("config-reports")
        let sarif = reports.appendingPathComponent("out.sarif")
        let junit = reports.appendingPathComponent("out.xml")
        let markdown = reports.appendingPathComponent("out.md")
        let explicit = try ShelfGuardBinary.run(
            [
                "check", "--as-of", Self.day, "--policies", policies.path, "-o", "sarif=\(sarif.path)", "-o",
                "junit=\(junit.path)", "-o", "markdown=\(markdown.path)", "portrait.hap",
            ], in: hostile)
        #expect(explicit.status == 0, "the toothless policy approves: \(explicit.stdout)")
        #expect(explicit.stdout.contains("policy planted: \(policyFile.path) (--policies) sha256 \(policyHash)"))
        #expect(explicit.stdout.contains("feature database: \(policies.path)/signatures (--policies) sha256"))
        for file in [sarif, junit, markdown] {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.contains(policyFile.path), "\(file.lastPathComponent) names the policy")
            #expect(text.contains(policyHash) || text.contains(policyHash.prefix(12)), "and its hash")
        }
        let json = try ShelfGuardBinary.run(
            ["check", "--as-of", Self.day, "--format", "json", "portrait.hap"], in: hostile,
            environment: [PolicySource.environmentVariable: policies.path])
        let policy = try #require(try json.json()["policy"] as? [String: Any])
        #expect(policy["chosenBy"] as? String == "SHELFGUARD_POLICIES")
        #expect(policy["source"] as? String == policyFile.path && policy["sha256"] as? String == policyHash)
    }

    @Test("an explicit policies folder that is not one is a tool error")
    func brokenExplicitFolder() throws {
        let empty = try TestFiles.directory("config-empty")
        let result = try ShelfGuardBinary.run(
            [
                "check", "--as-of", Self.day, "--policies", empty.path,
                Self.samples.appendingPathComponent("calculator.apk").path,
            ])
        #expect(result.status == 1 && result.stderr.contains("taxonomy.yaml"), "\(result.stderr)")
    }

    /// `check` loads the feature database on a second core while it reads the policy and the
    /// evidence; whichever finishes first, the failure reported is the first in that order.
    @Test("check reports the first of its start-up failures: feature database, then policy, then evidence")
    func startUpFailuresInOrder() throws {
        let folder = try TestFiles.directory("config-start-up")
        let policies = try Self.plantPolicies(in: folder)
        let taxonomy = policies.appendingPathComponent("taxonomy.yaml")
        let soundTaxonomy = try Data(contentsOf: taxonomy)
        let policyFile = policies.appendingPathComponent("review-policy.yaml")
        let soundPolicy = try Data(contentsOf: policyFile)
        try Data("taxonomy: [unclosed\n".utf8).write(to: taxonomy)
        try Data("policy: shelfguard/policy/v1\nrules: 7\n".utf8).write(to: policyFile)
        let bundle = Self.samples.appendingPathComponent("calculator.apk").path
        let arguments = [
            "check", "--as-of", Self.day, "--policies", policies.path, "--policy-cache", "off",
            "--registry", folder.appendingPathComponent("no-such-evidence.csv").path, bundle,
        ]
        let all = try ShelfGuardBinary.run(arguments)
        #expect(all.status == 1 && all.stderr.contains("the feature database"), "\(all.stderr)")
        #expect(!all.stderr.contains("review policy") && !all.stderr.contains("no-such-evidence"), "\(all.stderr)")
        try soundTaxonomy.write(to: taxonomy)
        let policyAndEvidence = try ShelfGuardBinary.run(arguments)
        #expect(policyAndEvidence.status == 1 && policyAndEvidence.stderr.contains("the review policy"))
        #expect(!policyAndEvidence.stderr.contains("no-such-evidence"), "\(policyAndEvidence.stderr)")
        try soundPolicy.write(to: policyFile)
        let evidence = try ShelfGuardBinary.run(arguments)
        #expect(evidence.status == 1 && evidence.stderr.contains("no-such-evidence"), "\(evidence.stderr)")
        #expect(!evidence.stderr.contains("is broken"), "\(evidence.stderr)")
        let sound = try ShelfGuardBinary.run(Array(arguments.dropLast(3)) + [bundle])
        #expect(sound.status == 0, "the planted policy approves once everything loads: \(sound.stderr)")
    }

    @Test("review and daily reports name the policies used")
    func shelfReportsNameThePolicies() throws {
        let (folder, db) = try ReviewCommandTests.shelf("config-review")
        let review = try ShelfGuardBinary.run(
            [
                "review", "--db", db, "--as-of", Self.day, "--format", "json", "--report-dir",
                folder.appendingPathComponent("batch").path, Self.samples.appendingPathComponent("calculator.apk").path,
            ])
        let batch = try review.json()
        #expect(batch["policySource"] as? String == "built-in" && batch["signatureSource"] as? String == "built-in")
        let html = try String(
            contentsOf: folder.appendingPathComponent("batch/report.html"), encoding: .utf8)
        #expect(html.contains("from built-in"))
        let again = try ShelfGuardBinary.run(
            [
                "review", "--db", db, "--as-of", Self.day, "--report-dir", folder.appendingPathComponent("again").path,
                Self.samples.appendingPathComponent("calculator.apk").path,
            ])
        #expect(again.stdout.contains("policy default: built-in sha256 \(batch["policySHA256"] as? String ?? "?")"))
        #expect(again.stdout.contains("feature database: built-in sha256"))
        let daily = try ShelfGuardBinary.run(
            ["daily", "--db", db, "--as-of", Self.day, "--report-dir", folder.appendingPathComponent("daily").path])
        #expect(daily.stdout.contains("policy: built-in sha256") && daily.stdout.contains("shelf database: \(db)"))
    }
}

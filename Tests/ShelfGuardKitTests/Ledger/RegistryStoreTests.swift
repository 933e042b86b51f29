import Foundation
import Testing

@testable import ShelfGuardKit

/// The evidence registry in every store: idempotent imports, the same answers as the files.
@Suite("Ledger stores: the evidence registry")
struct RegistryStoreTests {
    @Test("importing is idempotent: added, then unchanged; a changed row is updated", arguments: StoreKind.available)
    func idempotent(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "registry")
        let files = try SQLiteLedgerTests.sampleFiles()
        let first = try files.map { try ledger.importEvidence($0, fileSHA256: "x", actor: "tester") }
        #expect(first.map(\.added).reduce(0, +) == files.map(\.acceptedCount).reduce(0, +))
        #expect(first.allSatisfy { $0.updated == 0 && $0.unchanged == 0 })
        let countsAfterFirst = try ledger.counts()
        let second = try files.map { try ledger.importEvidence($0, fileSHA256: "x", actor: "tester") }
        #expect(second.allSatisfy { $0.added == 0 && $0.updated == 0 && $0.unchanged == $0.rows - $0.rejected })
        #expect(try ledger.counts() == countsAfterFirst)

        var changed = try #require(files.first { $0.kind == .filings })
        changed.filings[0].note = "2026年11月更新应用产品"
        changed.path = "renamed.csv"
        let third = try ledger.importEvidence(changed, fileSHA256: "y", actor: "tester")
        #expect(third.updated == 1 && third.unchanged == changed.filings.count - 1 && third.added == 0)
        #expect(try ledger.filing(changed.filings[0].number)?.note == "2026年11月更新应用产品")
        #expect(try ledger.registryImports().count == files.count * 2 + 1)
        #expect(try ledger.verifyAudit().entries == files.count * 2 + 1)
    }

    @Test(
        "the ledger and its in-memory snapshot answer as the files do, for every record", arguments: StoreKind.available
    )
    func sameAnswers(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "registry")
        let files = try SQLiteLedgerTests.sampleFiles()
        for file in files { _ = try ledger.importEvidence(file, fileSHA256: "x", actor: "t") }
        let memory = InMemoryRegistry(files: files)
        let snapshot = try ledger.registrySnapshot()
        for file in files {
            for f in file.filings {
                #expect(try ledger.filing(f.number) == memory.filing(f.number))
                #expect(snapshot.filing(f.number) == memory.filing(f.number))
            }
            for c in file.cancellations {
                #expect(try ledger.cancellation(c.number) == memory.cancellation(c.number))
                #expect(snapshot.cancellation(c.number) == memory.cancellation(c.number))
            }
            for g in file.genai {
                #expect(try ledger.genai(g.number) == memory.genai(g.number))
                #expect(snapshot.genai(g.number) == memory.genai(g.number))
            }
            for a in file.assessments {
                #expect(try ledger.assessment(a.id) == memory.assessment(a.id))
                #expect(snapshot.assessment(a.id) == memory.assessment(a.id))
            }
            for w in file.waivers {
                #expect(try ledger.waivers(app: w.app) == memory.waivers(app: w.app))
                #expect(snapshot.waivers(app: w.app) == memory.waivers(app: w.app))
            }
        }
        #expect(try ledger.counts() == memory.counts())
        #expect(snapshot.counts() == memory.counts())
        #expect(snapshot.hasFilingLists())
        #expect(try ledger.hasFilingLists())
        #expect(try ledger.filing("网信算备000000000000000000000号") == nil)
    }

    @Test("the published lists import whole into the ledger", arguments: StoreKind.available)
    func publishedLists(_ kind: StoreKind) throws {
        guard PublishedLists.isPresent else {
            Issue.record(PublishedLists.absenceNote)
            return
        }
        let ledger = try TestStores.make(kind, "registry")
        var total = 0
        for path in try RegistryFile.expand([PublishedLists.directory.path]) {
            let file = try RegistryFile.read(URL(fileURLWithPath: path))
            let result = try ledger.importEvidence(file, fileSHA256: "x", actor: "t")
            #expect(result.rejected == 0 && result.added == result.rows, "\(path)")
            total += result.added
        }
        #expect(total == 41 + 110 + 57 + 188 + 26)
        let counts = try ledger.counts()
        #expect(counts.filings == 151 && counts.cancellations == 57 && counts.genai == 214)
    }

    @Test("assessments and waivers are recorded once, with audit entries", arguments: StoreKind.available)
    func recordEvidence(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "registry")
        let assessment = SecurityAssessment(
            id: "SA-9", entity: "甲公司", features: ["face_swap"], date: "2026-01-01", assessor: "中心",
            documentSHA256: String(repeating: "c", count: 64), source: "cli")
        #expect(try ledger.record(assessment, actor: "a") == .added)
        #expect(try ledger.record(assessment, actor: "a") == .unchanged)
        var renewed = assessment
        renewed.date = "2026-06-01"
        #expect(try ledger.record(renewed, actor: "a") == .updated)
        let waiver = Waiver(
            app: "com.x", rule: "filing_product_unlisted", reason: "r", expires: "2027-01-01", grantedBy: "b",
            source: "cli")
        #expect(try ledger.record(waiver, actor: "b") == .added)
        let entries = try ledger.auditEntries(after: 0, limit: 10)
        #expect(entries.map(\.action) == ["assessment_recorded", "assessment_recorded", "waiver_granted"])
        #expect(try ledger.assessment("SA-9")?.date == "2026-06-01")
    }
}

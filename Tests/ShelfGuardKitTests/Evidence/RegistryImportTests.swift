import Foundation
import Testing

@testable import ShelfGuardKit

/// Reading evidence files: the real published lists row for row, and broken files row by row —
/// a bad row is rejected with its line and the good rows are kept.
@Suite("Evidence files")
struct RegistryImportTests {
    static let published: [(String, RegistryFile.Kind, Int)] = [
        ("deepfake_batch01_2023-06.csv", .filings, 41),
        ("deepfake_batch02_2023-09.csv", .filings, 110),
        ("cancellations.csv", .cancellations, 57),
        ("genai.csv", .genaiFilings, 188),
        ("genai_registrations.csv", .genaiRegistrations, 26),
    ]

    @Test("every published list is read whole, its kind recognised from the header", arguments: published)
    func publishedList(name: String, kind: RegistryFile.Kind, rows: Int) throws {
        guard PublishedLists.isPresent else {
            Issue.record(PublishedLists.absenceNote)
            return
        }
        let file = try RegistryFile.read(PublishedLists.url(name))
        #expect(file.kind == kind)
        #expect(file.rowCount == rows)
        #expect(file.acceptedCount == rows, "rejected: \(file.rejected.map(\.description))")
        #expect(file.rejected.isEmpty)
    }

    @Test("the published quirks are taken and noted, not dropped")
    func quirks() throws {
        guard PublishedLists.isPresent else {
            Issue.record(PublishedLists.absenceNote)
            return
        }
        let cancellations = try RegistryFile.read(PublishedLists.url("cancellations.csv"))
        let monthOnly = try #require(cancellations.cancellations.first { $0.cancelledOnText == "2025年7月" })
        #expect(monthOnly.cancelledOn == "2025-07")
        #expect(cancellations.cancellations.contains { if case .other = $0.role { true } else { false } })
        let genai = try RegistryFile.read(PublishedLists.url("genai.csv"))
        let registrations = try RegistryFile.read(PublishedLists.url("genai_registrations.csv"))
        #expect(registrations.notes.contains { $0.message.contains("'Shinghai'") })
        #expect((genai.notes + registrations.notes).contains { $0.message.contains("differs from 属地") })
        #expect(genai.genai.allSatisfy { $0.date.count == 10 })
        let batch = try RegistryFile.read(PublishedLists.url("deepfake_batch02_2023-09.csv"))
        let qihoo = try #require(batch.filings.first { $0.number == "网信算备110105199127801230013号" })
        #expect(qihoo.products.contains(AlgorithmFilingRecord.Product(name: "360极速浏览器", channel: "APP")))
        #expect(batch.filings.contains { $0.role == .technicalSupporter && $0.products.isEmpty })
    }

    @Test("a broken CSV: each bad row rejected with its line, every good row kept")
    func brokenCSV() throws {
        let text = """
            序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注
            1,好算法,服务提供者,甲公司,甲（APP）,生成,网信算备110108823483901230031号,
            2,坏编号,服务提供者,乙公司,乙（APP）,生成,网信算备1101088234839号,
            3,少一列,服务提供者,丙公司,丙（APP）,网信算备440305295988701230013号
            4,"多行
            名称",服务技术支持者,丁公司,--,"生成,含逗号",网信算备440305295988701230013号,
            5,空主体,服务提供者,,戊（APP）,生成,网信算备110108823483901230031号,
            6,"未闭合,服务提供者,己公司,己（APP）,生成,网信算备110108823483901230031号,

            """
        let file = try RegistryFile.csv(text, path: "batch.csv")
        #expect(file.filings.map(\.entity) == ["甲公司", "丁公司"])
        #expect(file.filings[1].algorithmName == "多行\n名称")
        #expect(file.filings[1].purpose == "生成,含逗号")
        let lines = file.rejected.map(\.line)
        #expect(lines == [3, 4, 7, 8], "\(file.rejected.map(\.description))")
        #expect(file.rejected[0].description.hasPrefix("batch.csv:3: 备案编号 '网信算备1101088234839号'"))
        #expect(file.rejected[1].message.contains("6 columns where the header has 8"))
        #expect(file.rejected.last?.message.contains("never closed") == true)
    }

    @Test("a file that is no published list is refused as a whole, saying which headers are known")
    func unknownHeader() throws {
        #expect(throws: RegistryFile.FileError.self) { try RegistryFile.csv("a,b,c\n1,2,3\n", path: "x.csv") }
        do {
            _ = try RegistryFile.csv("a,b,c\n1,2,3\n", path: "x.csv")
        } catch {
            #expect(error.description.contains("序号,算法名称,角色"))
        }
        let bytes = Data([0xFF, 0xFE, 0x00, 0x41])
        let url = try TestFiles.directory().appendingPathComponent("utf16.csv")
        try bytes.write(to: url)
        #expect(throws: RegistryFile.FileError.self) { try RegistryFile.read(url) }
    }

    @Test("a BOM and CRLF line ends are read as the published files may come")
    func bomAndCRLF() throws {
        let text = "\u{FEFF}序号,属地,模型名称,备案单位,备案号,备案时间\r\n1,北京市,模型,甲公司,Beijing-Moxing-202404280001,2024/4/28\r\n"
        let file = try RegistryFile.csv(text, path: "g.csv")
        #expect(file.kind == .genaiFilings)
        #expect(file.genai.first?.date == "2024-04-28")
    }

    @Test("evidence YAML: a bad assessment or waiver is rejected at its line, the rest kept")
    func evidenceYAML() throws {
        let text = """
            evidence: shelfguard/evidence/v1
            assessments:
              - id: SA-1
                entity: 甲公司
                features: [face_swap]
                date: 2026-01-05
                assessor: 评估中心
                document_sha256: \(String(repeating: "a", count: 64))
              - id: SA-2
                entity: 乙公司
                features: [face_swap]
                date: yesterday
                assessor: 评估中心
                document_sha256: abc
            waivers:
              - app: com.example.a
                rule: filing_product_unlisted
                reason: change filed
                expires: 2027-01-01
                granted_by: reviewer
              - app: com.example.b
                rule: x
                reason: y
                expiry: 2027-01-01
                granted_by: z

            """
        let file = try RegistryFile.evidence(text, path: "e.yaml")
        #expect(file.assessments.map(\.id) == ["SA-1"])
        #expect(file.waivers.map(\.app) == ["com.example.a"])
        #expect(file.rejected.map(\.line).sorted() == [12, 14, 21, 24], "\(file.rejected.map(\.description))")
        #expect(throws: RegistryFile.FileError.self) {
            try RegistryFile.evidence("evidence: other/v9\n", path: "e.yaml")
        }
    }

    @Test("later files win for the same number; counts are per kind")
    func inMemoryRegistry() throws {
        let header = "序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注\n"
        let first = try RegistryFile.csv(header + "1,旧名,服务提供者,甲公司,,,网信算备110108823483901230031号,\n", path: "a.csv")
        let second = try RegistryFile.csv(header + "1,新名,服务提供者,甲公司,,,网信算备110108823483901230031号,\n", path: "b.csv")
        let registry = InMemoryRegistry(files: [first, second])
        #expect(registry.filing("网信算备110108823483901230031号")?.algorithmName == "新名")
        #expect(registry.counts().filings == 1)
        #expect(registry.hasFilingLists())
        #expect(!InMemoryRegistry().hasFilingLists())
    }
}

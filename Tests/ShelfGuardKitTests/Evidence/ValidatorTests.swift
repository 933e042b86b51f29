import Foundation
import Testing

@testable import ShelfGuardKit

/// The evidence validators: algorithm filing numbers, gen-AI numbers, ICP filings and USCCs.
@Suite("Evidence validators")
struct ValidatorTests {
    @Test("algorithm filing numbers: layout, spaces and colons, what is wrong")
    func filingNumbers() throws {
        let number = try #require(AlgorithmFilingNumber(" 网信算备：440305295988701230013号 "))
        #expect(number.text == "网信算备440305295988701230013号")
        #expect(number.division == "440305")
        #expect(number.filer == "2959887")
        #expect(number.typeCode == "01")
        #expect(number.year == 2023)
        #expect(number.sequence == "001")
        #expect(number.checkDigitMatches)
        #expect(AlgorithmFilingNumber("网信算备110108823483901230031号")?.checkDigitMatches == true)
        #expect(AlgorithmFilingNumber("网信算备110108823483901230032号")?.checkDigitMatches == false)
        #expect(AlgorithmFilingNumber("网信算备110108823483901230032号")?.expectedCheckDigit == 1)
        #expect(AlgorithmFilingNumber("网信算备11010882348390123003号") == nil)
        #expect(AlgorithmFilingNumber("网信备案110108823483901230031号") == nil)
        #expect(AlgorithmFilingNumber("网信算备1101088234839012300３1号") == nil)
        #expect(AlgorithmFilingNumber.problem(with: "网信算备123号").contains("3 digits"))
        #expect(AlgorithmFilingNumber.problem(with: "算备110108823483901230031号").contains("网信算备"))
        #expect(AlgorithmFilingNumber.problem(with: "网信算备110108823483901230031").contains("号"))
        #expect(AlgorithmFilingNumber.problem(with: "网信算备1101088234839012300a1号").contains("other than digits"))
    }

    @Test("the derived check-digit rule holds for every published number")
    func checkDigitOnPublishedNumbers() throws {
        guard PublishedLists.isPresent else {
            Issue.record(PublishedLists.absenceNote)
            return
        }
        var numbers = Set<String>()
        for name in ["deepfake_batch01_2023-06.csv", "deepfake_batch02_2023-09.csv", "cancellations.csv"] {
            let file = try RegistryFile.read(PublishedLists.url(name))
            numbers.formUnion(file.filings.map(\.number) + file.cancellations.map(\.number))
        }
        #expect(numbers.count == 207)
        let failing = numbers.filter { AlgorithmFilingNumber($0)?.checkDigitMatches != true }
        #expect(failing.isEmpty, "\(failing.sorted())")
    }

    @Test("gen-AI filing and registration numbers, read from the right")
    func genai() throws {
        let filing2023 = try #require(GenAINumber("Beijing-WenXinYiYan-20230821"))
        #expect(filing2023.kind == .filing && filing2023.sequence == nil && filing2023.date == "2023-08-21")
        let filing = try #require(GenAINumber("Beijing-DeepseekChat-202404280016"))
        #expect(filing.kind == .filing && filing.sequence == "0016" && filing.name == "DeepseekChat")
        let registration = try #require(GenAINumber("Beijing-BianYing-20240428S0001"))
        #expect(registration.kind == .registration && registration.sequence == "0001")
        let dashed = try #require(GenAINumber("ZhongYangQiYe-Xin-Chat-202408010001"))
        #expect(dashed.province == "ZhongYangQiYe" && dashed.name == "Xin-Chat" && dashed.knownProvince)
        #expect(GenAINumber("ZheJiang-X-20240101")?.knownProvince == true)
        #expect(GenAINumber("Shinghai-X-20240101")?.knownProvince == false)
        for bad in [
            "Beijing-20240428", "Beijing-X-2024042", "Beijing-X-20241328", "Beijing-X-20240428T0001", "", "-X-20240428",
        ] {
            #expect(GenAINumber(bad) == nil, "\(bad)")
        }
    }

    @Test("ICP filings: A for apps, X for mini-programs, none for websites")
    func icp() throws {
        let app = try #require(ICPFiling("陕ICP备2024026116号-1A"))
        #expect(app.kind == .app && app.province == "陕" && app.serial == "1")
        #expect(ICPFiling("黔ICP备2025044274号-1X")?.kind == .miniProgram)
        #expect(ICPFiling("京ICP备12345678号-3")?.kind == .website)
        #expect(ICPFiling("粤ICP备2024012345号-12A")?.serial == "12")
        for bad in [
            "ICP备2024026116号-1A", "陕ICP备20240261号1A", "陕ICP备202402611号-1A", "陕ICP备2024026116号-A", "陕ICP备2024026116号-1Q",
        ] {
            #expect(ICPFiling(bad) == nil, "\(bad)")
        }
        #expect(ICPFiling.expectedKinds(for: .android) == [.app])
        #expect(ICPFiling.expectedKinds(for: .wechatMini) == [.miniProgram])
        #expect(ICPFiling.expectedKinds(for: .quickapp).contains(.app))
    }

    @Test("USCC check characters")
    func uscc() {
        #expect(USCC.isValid("91440300708461136T"))
        #expect(USCC.isValid("91110108MA01KP2T5U"))
        #expect(USCC.problem(with: "91440300708461136X")?.contains("check character") == true)
        #expect(USCC.problem(with: "9144030070846113")?.contains("16 characters") == true)
        #expect(USCC.problem(with: "91440300708461I36T")?.contains("'I'") == true)
    }
}

import Foundation
import Testing
import Yams

@testable import ShelfGuardKit

/// The store's evidence file is read with Yams's basic resolver first and kept only when that
/// reading had no problem: compared with the default resolver's reading on the sample file and on
/// thousands of variants of it, every outcome (records, rejected items, the error) is the same.
@Suite("Evidence files read as the default resolver reads them")
struct EvidenceResolverTests {
    /// What a reading gives: the records and rejections, or the error's words.
    struct Outcome: Equatable {
        var assessments: [SecurityAssessment] = []
        var waivers: [Waiver] = []
        var rejected: [RegistryFile.RowProblem] = []
        var rejectedCount = 0
        var error: String?

        init(_ read: () throws(RegistryFile.FileError) -> RegistryFile) {
            do {
                let file = try read()
                assessments = file.assessments
                waivers = file.waivers
                rejected = file.rejected
                rejectedCount = file.rejectedCount
            } catch { self.error = error.description }
        }
    }

    static func outcomes(_ text: String) -> (read: Outcome, yams: Outcome) {
        (
            Outcome { () throws(RegistryFile.FileError) in try RegistryFile.evidence(text, path: "e.yaml") },
            Outcome { () throws(RegistryFile.FileError) in
                try RegistryFile.evidence(text, path: "e.yaml", limits: .standard, resolver: .default)
            }
        )
    }

    static var sample: String {
        get throws {
            try String(
                contentsOf: TestFiles.packageRoot.appendingPathComponent("samples/registry/evidence.yaml"),
                encoding: .utf8)
        }
    }

    @Test("the sample file is read whole on the basic resolver's first reading")
    func sampleFile() throws {
        let text = try Self.sample
        let basic = try RegistryFile.evidence(text, path: "e.yaml", limits: .standard, resolver: .basic)
        #expect(basic.rejectedCount == 0)
        #expect(basic.assessments.count == 3 && basic.waivers.count >= 1)
        let (read, yams) = Self.outcomes(text)
        #expect(read == yams)
    }

    @Test(
        "keys the two resolvers compare differently give the default resolver's outcome",
        arguments: [
            // Equal as text, different to the default resolver (an int and a string): a duplicate
            // only for the basic one.
            "evidence: shelfguard/evidence/v1\n1: a\n\"1\": b\n",
            "evidence: shelfguard/evidence/v1\ntrue: a\n\"true\": b\n",
            "evidence: shelfguard/evidence/v1\nwaivers:\n  - {app: a, rule: r, reason: x, expires: 2027-01-01, granted_by: b, null: 1, \"null\": 2}\n",
            // A duplicate to both.
            "evidence: shelfguard/evidence/v1\nevidence: shelfguard/evidence/v1\n",
            // A rejected item: read again, with the same rejection.
            "evidence: shelfguard/evidence/v1\nwaivers:\n  - {app: a, rule: r, reason: x, expires: soon, granted_by: b}\n",
        ])
    func keys(_ text: String) {
        let (read, yams) = Self.outcomes(text)
        #expect(read == yams)
    }

    @Test("variants of the sample file read as the default resolver reads them")
    func variants() throws {
        let pieces = [
            " ", "  ", "-", "- ", ":", ": ", "#", "\n", "\n  ", "[", "]", ",", "'", "\"", "x", "中", "&a ", "*a",
            "!!str ", "!!int ", "~", "yes", "null", "1", "01", "0x1", "true", "True", "2026-01-01", "1e3", ".inf",
        ]
        let lines = try Self.sample.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var generator = QuickPathTests.SeededGenerator(seed: 16)
        var same = 0
        var read = 0
        for _ in 0..<1_500 {
            var variant = lines
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let i = Int.random(in: 0..<variant.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0:
                    var line = Array(variant[i])
                    line.insert(
                        contentsOf: pieces.randomElement(using: &generator)!,
                        at: Int.random(in: 0...line.count, using: &generator))
                    variant[i] = String(line)
                case 1: variant.insert(variant[i], at: Int.random(in: 0...variant.count, using: &generator))
                case 2:
                    // A key of the item made a scalar the default resolver types: `1:`, `true:`.
                    let key = ["1", "true", "null", "2026-01-01", "0o7"].randomElement(using: &generator)!
                    variant[i] = variant[i].replacingOccurrences(of: "date", with: key)
                default: variant[i] = " " + variant[i]
                }
            }
            let (basicFirst, yams) = Self.outcomes(variant.joined(separator: "\n"))
            #expect(basicFirst == yams, "\(variant.joined(separator: "\n"))")
            if basicFirst == yams { same += 1 }
            if basicFirst.error == nil && basicFirst.rejectedCount == 0 { read += 1 }
        }
        // Both kinds were met: files read whole and files with problems.
        #expect(same == 1_500)
        #expect(read > 50 && read < 1_450)
    }
}

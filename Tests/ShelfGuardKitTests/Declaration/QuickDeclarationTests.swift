import Foundation
import Testing

@testable import ShelfGuardKit

/// `QuickDeclaration` reads a declaration without Yams only when Yams would read it the same:
/// compared with `DeclarationReader`'s Yams reading on every sample and on thousands of
/// variants of them (characters YAML gives meaning to put in, taken out, lines moved).
@Suite("Quick declarations read as Yams reads them")
struct QuickDeclarationTests {
    static let taxonomy = SeedDatabase.database.taxonomy

    static var samples: [String] {
        let folder = TestFiles.packageRoot.appendingPathComponent("samples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return [DeclarationTests.example]
            + names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap {
                try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
            }
    }

    /// The Yams reading, as DeclarationReader did it before QuickDeclaration.
    static func yams(_ text: String, maxNodes: Int = DeclarationLimits.standard.maxNodes) -> Declaration? {
        if case .success(let declaration) = DeclarationReader.read(
            text, source: "d.yaml", taxonomy: taxonomy, maxNodes: maxNodes, resolver: .default)
        {
            return declaration
        }
        return nil
    }

    @Test("every valid sample declaration is read without Yams, as Yams reads it, positions included")
    func samples() throws {
        var valid = 0
        for text in Self.samples {
            guard let expected = Self.yams(text) else { continue }
            valid += 1
            let quick = QuickDeclaration.read(
                text, source: "d.yaml", taxonomy: Self.taxonomy, maxNodes: DeclarationLimits.standard.maxNodes)
            #expect(quick == expected, "\(text)")
        }
        #expect(valid >= 10)
    }

    @Test("a variant is read without Yams only when Yams reads it the same")
    func variants() {
        let pieces = [
            " ", "  ", "-", "- ", ":", ": ", "#", " #", "\n", "\n  ", "[", "]", ",", "'", "\"", "\t", "x", "中", "&a ",
            "*a", "!!str ", "|", ">", "{", "}", "?", "~", "yes", "null", "\r", "\u{85}", "\u{FEFF}", "...", "---", "%",
            "@", "`", "\\", "\u{301}", "é", "(", "）", "0", "true", "True", "no",
        ]
        var generator = QuickPathTests.SeededGenerator(seed: 7)
        var accepted = 0
        var compared = 0
        for text in Self.samples {
            for _ in 0..<1_000 {
                var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let i = Int.random(in: 0..<lines.count, using: &generator)
                    switch Int.random(in: 0..<6, using: &generator) {
                    case 0:  // put something in
                        var line = Array(lines[i])
                        line.insert(
                            contentsOf: pieces.randomElement(using: &generator)!,
                            at: Int.random(in: 0...line.count, using: &generator))
                        lines[i] = String(line)
                    case 1:  // take a character out
                        var line = Array(lines[i])
                        if !line.isEmpty { line.remove(at: Int.random(in: 0..<line.count, using: &generator)) }
                        lines[i] = String(line)
                    case 2: lines.swapAt(i, Int.random(in: 0..<lines.count, using: &generator))
                    case 3: lines.insert(lines[i], at: Int.random(in: 0...lines.count, using: &generator))
                    case 4: lines[i] = " " + lines[i]
                    default: lines[i] = String(lines[i].drop { $0 == " " })
                    }
                }
                let variant = lines.joined(separator: "\n")
                guard
                    let quick = QuickDeclaration.read(
                        variant, source: "d.yaml", taxonomy: Self.taxonomy,
                        maxNodes: DeclarationLimits.standard.maxNodes)
                else { continue }
                accepted += 1
                let expected = Self.yams(variant)
                if expected != nil { compared += 1 }
                #expect(quick == expected, "\(variant)")
            }
        }
        // Enough variants read without Yams for the comparison to mean something.
        #expect(accepted > 1_000 && compared == accepted, "\(accepted) read, \(compared) compared")
    }

    @Test("a declaration over the node limit is left to Yams, which refuses it")
    func nodeLimit() {
        #expect(
            QuickDeclaration.read(DeclarationTests.example, source: "d.yaml", taxonomy: Self.taxonomy, maxNodes: 20)
                == nil)
        #expect(Self.yams(DeclarationTests.example, maxNodes: 20) == nil)
    }
}

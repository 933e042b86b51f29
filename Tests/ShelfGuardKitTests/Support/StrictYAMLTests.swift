import Foundation
import Testing

@testable import ShelfGuardKit

/// Strict YAML reading shared by declarations, policies, the feature database and evidence
/// files: duplicate keys where they are, unknown tags refused.
@Suite("strict YAML")
struct StrictYAMLTests {
    static func declarationProblems(_ text: String) -> [YAMLProblem] {
        DeclarationTests.problems(text)
    }

    static func policyProblems(_ text: String) -> [YAMLProblem] {
        do {
            _ = try PolicyLoader.parse(text, source: "p.yaml")
            return []
        } catch { return error.problems }
    }

    @Test("a duplicate key is reported where it is repeated, with where it first was")
    func duplicateKeyInDeclaration() throws {
        // ai_generation is on line 9; the repetition goes on line 10.
        let text = DeclarationTests.example.replacingOccurrences(
            of: "ai_generation: true\n", with: "ai_generation: true\nai_generation: false\n")
        let problems = Self.declarationProblems(text)
        let problem = try #require(problems.first { $0.message.contains("duplicate key 'ai_generation'") })
        #expect(problem.line == 10 && problem.column == 1, "\(problems)")
        #expect(problem.message.contains("first at line 9, column 1"))
        #expect(problem.file == "d.yaml")
    }

    @Test("nested and list-item duplicates are found in their own mapping")
    func duplicateKeyNested() throws {
        let text = DeclarationTests.example.replacingOccurrences(
            of: "    role: service_provider\n", with: "    role: service_provider\n    role: technical_supporter\n")
        let problems = Self.declarationProblems(text)
        let problem = try #require(problems.first { $0.message.contains("duplicate key 'role'") })
        #expect(problem.line == 13 && problem.column == 5, "\(problems)")
        let policy = """
            policy: shelfguard/policy/v1
            name: p
            rules:
              - id: a
                check: declaration_present
                basis: b
                outcome: refuse
                description: d
                remedy: r
              - id: b
                check: declaration_valid
                basis: b
                basis: c
                outcome: refuse
                description: d
                remedy: r

            """
        let policyProblem = try #require(
            Self.policyProblems(policy).first { $0.message.contains("duplicate key 'basis'") })
        #expect(policyProblem.line == 13 && policyProblem.column == 5, "\(policyProblem)")
    }

    @Test("a key repeated in a flow mapping is still reported, at the first of the two")
    func duplicateKeyFlow() {
        let problems = Self.declarationProblems(
            "schema: shelfguard/declaration/v1\napp: {id: a, id: b, name: c}\ndeveloper: {name: c}\nfeatures: []\n")
        #expect(problems.contains { $0.message.contains("duplicate key 'id'") && $0.line == 2 }, "\(problems)")
    }

    @Test(
        "values with tags YAML's core schema does not define are refused",
        arguments: [
            ("ai_generation: true", "ai_generation: !custom false", 9, 16),
            ("  id: com.example.facefun", "  id: !!binary Y29tLmV4YW1wbGU=", 3, 7),
            ("  - category: face_swap", "  - category: !face face_swap", 11, 15),
        ])
    func unknownTags(old: String, new: String, line: Int, column: Int) throws {
        let problems = Self.declarationProblems(DeclarationTests.example.replacingOccurrences(of: old, with: new))
        let problem = try #require(problems.first { $0.message.contains("unknown tag") }, "\(problems)")
        #expect(problem.line == line && problem.column == column, "\(problem)")
    }

    @Test("core tags written out are accepted")
    func coreTags() throws {
        let text = DeclarationTests.example.replacingOccurrences(
            of: "ai_generation: true", with: "ai_generation: !!bool true"
        )
        .replacingOccurrences(of: "  name: FaceFun", with: "  name: !!str FaceFun")
        let declaration = try DeclarationReader.read(text, source: "d.yaml", taxonomy: DeclarationTests.taxonomy).get()
        #expect(declaration.aiGeneration == true && declaration.app.name == "FaceFun")
    }

    @Test("evidence files refuse tags and report duplicates where they are")
    func evidenceFiles() throws {
        let folder = try TestFiles.directory("yaml-evidence")
        let file = folder.appendingPathComponent("evidence.yaml")
        try """
        evidence: shelfguard/evidence/v1
        waivers:
          - app: com.x
            rule: filing_product_unlisted
            rule: declaration_missing
            reason: r
            expires: 2027-01-31

        """.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: RegistryFile.FileError.self) { try RegistryFile.read(file) }
        do {
            _ = try RegistryFile.read(file)
        } catch {
            #expect(error.description.contains(":5:5: duplicate key 'rule'"), "\(error.description)")
        }
    }
}

import Foundation
import Testing

@testable import ShelfGuardKit

/// The policies built into the binary are the project's `policies/` folder, byte for byte.
@Suite("built-in policies")
struct BuiltInPoliciesTests {
    static let folder = TestFiles.packageRoot.appendingPathComponent("policies")

    @Test("every policy file of the project is built in, with the same text")
    func sameFiles() throws {
        var names: [String] = []
        for subfolder in ["", "signatures"] {
            let directory = subfolder.isEmpty ? Self.folder : Self.folder.appendingPathComponent(subfolder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
            where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                names.append(subfolder.isEmpty ? name : "\(subfolder)/\(name)")
            }
        }
        #expect(Set(BuiltInPolicies.files.map(\.name)) == Set(names))
        for name in names {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
            #expect(BuiltInPolicies.text(of: name) == text, "\(name) differs from the built-in copy")
        }
    }

    @Test("the built-in feature database and policy hash as the folder's do, and say where they are from")
    func sameHashes() throws {
        let builtIn = try SignatureDatabase.load(source: .builtIn)
        let fromFolder = try SignatureDatabase.load(policies: Self.folder)
        #expect(builtIn.digest == fromFolder.digest)
        #expect(builtIn.signatures.map(\.id) == fromFolder.signatures.map(\.id))
        #expect(builtIn.origin == .builtIn && fromFolder.origin.path?.hasSuffix("policies/signatures") == true)
        let policy = try PolicyLoader.load(source: .builtIn)
        let policyFromFolder = try PolicyLoader.load(
            file: Self.folder.appendingPathComponent(PolicyLoader.defaultFileName))
        #expect(policy.digest == policyFromFolder.digest && policy.origin == .builtIn)
    }

    @Test("the choice: --policies, else SHELFGUARD_POLICIES, else built in; never the working folder")
    func choice() {
        #expect(PolicySource.choose(explicit: nil, environment: [:]) == .builtIn)
        #expect(PolicySource.choose(explicit: nil, environment: ["SHELFGUARD_POLICIES": ""]) == .builtIn)
        let fromEnvironment = PolicySource.choose(explicit: nil, environment: ["SHELFGUARD_POLICIES": "/p"])
        #expect(fromEnvironment.origin == ConfigSource(chosenBy: "SHELFGUARD_POLICIES", path: "/p"))
        let explicit = PolicySource.choose(explicit: "/q", environment: ["SHELFGUARD_POLICIES": "/p"])
        #expect(explicit.origin == ConfigSource(chosenBy: "--policies", path: "/q"))
        #expect(explicit.origin.description == "/q (--policies)" && ConfigSource.builtIn.description == "built-in")
    }

    @Test("a built-in file that does not exist is reported against its built-in name")
    func missingFile() {
        #expect(throws: PolicySource.ReadError.self) { try PolicySource.builtIn.file("nope.yaml") }
        #expect(BuiltInPolicies.displayPath("taxonomy.yaml") == "built-in:policies/taxonomy.yaml")
    }
}

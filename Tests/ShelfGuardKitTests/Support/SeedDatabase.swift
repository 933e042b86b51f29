import Foundation
import Testing

@testable import ShelfGuardKit

/// The project's own feature database (`policies/`), loaded once for all tests.
enum SeedDatabase {
    static let policies = TestFiles.packageRoot.appendingPathComponent("policies")

    static let database: SignatureDatabase = {
        do { return try SignatureDatabase.load(policies: policies) } catch {
            fatalError("the seed feature database does not load:\n\(error)")
        }
    }()

    static let engine = SignatureEngine(database)

    /// Every signature id, for parameterized tests generated from the database.
    static var ids: [String] { database.signatures.map(\.id) }

    static func signature(_ id: String) -> Signature { database.signatures.first { $0.id == id }! }

    /// Inspects generated bundle bytes with the seed database.
    static func inspect(_ bytes: [UInt8], name: String) throws -> Inspection {
        let path = try TestFiles.write(bytes, name: name)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        return try Inspector(signatures: engine).inspect(path: path)
    }
}

import ArgumentParser
import Foundation
import ShelfGuardKit

/// Where the feature database and the review policies are.
struct PolicyOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The policies folder: taxonomy.yaml, signatures/ and the review policies. Default: $SHELFGUARD_POLICIES, ./policies, or the project's policies/ beside the executable.",
            valueName: "dir"))
    var policies: String?

    /// The policies folder, or a tool error saying how to name one.
    func directory() throws -> URL {
        guard let url = PolicyLocator.find(explicit: policies) else {
            throw ToolError(
                "no policies folder found: give --policies DIR (a folder with taxonomy.yaml and signatures/)")
        }
        return url
    }

    /// The feature database, compiled; a broken one is a tool error listing every problem.
    func signatureEngine() throws -> SignatureEngine {
        let folder = try directory()
        do {
            return SignatureEngine(try SignatureDatabase.load(policies: folder))
        } catch {
            throw ToolError("the feature database in \(folder.path) is broken:\n" + error.description)
        }
    }
}

/// A failure of the tool itself (exit 1), with a message for people.
struct ToolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

import Foundation
import PackagePlugin

/// Builds the project's `policies/` folder into ShelfGuardKit: every `.yaml` file at its top
/// and in `signatures/` becomes a string in a generated `BuiltInPolicyFiles.swift`, rewritten
/// whenever one of them changes.
@main
struct EmbedPolicies: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = context.package.directoryURL.appendingPathComponent("policies")
        let fileManager = FileManager.default
        var inputs: [URL] = []
        for subfolder in ["", "signatures"] {
            let directory = subfolder.isEmpty ? folder : folder.appendingPathComponent(subfolder)
            let names = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                inputs.append(directory.appendingPathComponent(name))
            }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuiltInPolicyFiles.swift")
        return [
            .buildCommand(
                displayName: "Building policies/ into \(target.name)",
                executable: try context.tool(named: "shelfguard-embed").url,
                arguments: [folder.path, output.path] + inputs.map(\.path),
                inputFiles: inputs, outputFiles: [output])
        ]
    }
}

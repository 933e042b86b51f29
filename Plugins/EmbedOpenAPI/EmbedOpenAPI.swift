import Foundation
import PackagePlugin

/// Builds the repository's `openapi.yaml` into the service as a string
/// (`BuiltInOpenAPIFiles.files`), so that `shelfguard serve` answers `/openapi.yaml` with the very
/// bytes its handlers were generated from, wherever the binary is installed.
@main
struct EmbedOpenAPI: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = context.package.directoryURL
        let input = folder.appendingPathComponent("openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuiltInOpenAPIFiles.swift")
        return [
            .buildCommand(
                displayName: "Building openapi.yaml into \(target.name)",
                executable: try context.tool(named: "shelfguard-embed").url,
                arguments: ["--enum", "BuiltInOpenAPIFiles", folder.path, output.path, input.path],
                inputFiles: [input], outputFiles: [output])
        ]
    }
}

import Foundation
import PackagePlugin

/// Compiles the target's `Vocabulary/*.yaml` into its code at build time, as string literals
/// (`BuiltinVocabulary.texts`), so the binary knows them wherever it is installed and no
/// generated code is kept in the repository.
@main struct EmbedVocabularyPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = target.directoryURL.appending(path: "Vocabulary")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedVocabulary.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) vocabulary files in \(target.name)",
                executable: try context.tool(named: "EmbedVocabulary").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            ),
        ]
    }
}

import PharosCore

/// Reads items printed by a program (in progress).
public struct ExecSource: Source {
    public static let typeName = "exec"

    public init(configuration: PluginConfiguration) throws {
        try configuration.options.validate()
    }

    public func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        PollResult(items: [])
    }
}

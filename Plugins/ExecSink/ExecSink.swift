import PharosCore

/// Hands alerts to a program on its standard input (in progress).
public struct ExecSink: Sink {
    public static let typeName = "exec"

    public init(configuration: PluginConfiguration) throws {
        try configuration.options.validate()
    }

    public func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        throw .permanent("the exec sink is not finished")
    }
}

import PharosCore

/// Emails alerts over SMTP (in progress).
public struct EmailSink: Sink {
    public static let typeName = "email"

    public init(configuration: PluginConfiguration) throws {
        try configuration.options.validate()
    }

    public func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        throw .permanent("the email sink is not finished")
    }
}

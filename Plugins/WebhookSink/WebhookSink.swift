import Foundation
import Logging
import PharosCore

/// POSTs each alert document as JSON to a URL, signed per Standard Webhooks so receivers
/// can verify it came from Pharos with the public libraries.
public struct WebhookSink: Sink {
    public static let typeName = "webhook"

    public let url: String
    public let headers: [(name: String, value: String)]
    public let timeout: Duration
    /// The decoded `whsec_` key; never logged.
    let signingKey: [UInt8]?

    public var destination: String { URL(string: url).map { "\($0.scheme ?? "http")://\($0.host ?? "")\($0.path)" } ?? url }

    public init(configuration: PluginConfiguration) throws {
        try self.init(configuration: configuration, environment: ProcessInfo.processInfo.environment)
    }

    /// - Parameter environment: where `secret_env` and `$CREDENTIALS_DIRECTORY` are looked up.
    public init(configuration: PluginConfiguration, environment: [String: String]) throws {
        let options = configuration.options
        url = options.requiredString("url")
        if !url.isEmpty, !["http", "https"].contains(URL(string: url)?.scheme?.lowercased() ?? "") {
            options.problem("must be an http:// or https:// URL, found '\(url)'", key: "url")
        }
        headers = (options.stringMap("headers") ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        timeout = options.duration("timeout", default: .seconds(15), minimum: .milliseconds(100))
        var secret: String?
        if let file = options.path("secret_file") {
            // Under systemd, a relative name is looked up among the unit's credentials first.
            let credential = environment["CREDENTIALS_DIRECTORY"].map { URL(fileURLWithPath: $0).appendingPathComponent(file.lastPathComponent) }
            let candidates = [credential, file].compactMap { $0 }
            if let readable = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }),
               let text = try? String(contentsOf: readable, encoding: .utf8) {
                secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                options.problem("cannot read \(file.path)", key: "secret_file")
            }
        }
        if let variable = options.string("secret_env") {
            if secret != nil { options.problem("give either secret_file or secret_env, not both", key: "secret_env") }
            if let value = environment[variable], !value.isEmpty {
                secret = value.trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                options.problem("environment variable \(variable) is not set", key: "secret_env")
            }
        }
        if options.raw("secret") != nil {
            options.problem("secrets never go in the config file: use secret_file or secret_env", key: "secret")
        }
        if let secret {
            let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : ""
            if let key = Data(base64Encoded: encoded), !key.isEmpty {
                signingKey = Array(key)
            } else {
                options.problem("the secret must be whsec_ followed by base64", key: options.node["secret_file"] != nil ? "secret_file" : "secret_env")
                signingKey = nil
            }
        } else {
            signingKey = nil
        }
        try options.validate()
    }

    /// The Standard Webhooks headers for `body` sent as message `id` at `timestamp`.
    public func signatureHeaders(id: String, timestamp: Int, body: String) -> [(name: String, value: String)] {
        var result = [(name: "webhook-id", value: id), (name: "webhook-timestamp", value: String(timestamp))]
        if let signingKey {
            let code = HMACSHA256.authenticationCode(key: signingKey, message: Array("\(id).\(timestamp).\(body)".utf8))
            result.append((name: "webhook-signature", value: "v1," + Data(code).base64EncodedString()))
        }
        return result
    }

    public func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        let timestamp = Int(context.now().timeIntervalSince1970)
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [("Content-Type", "application/json")] + headers
                + signatureHeaders(id: delivery.alert.id, timestamp: timestamp, body: delivery.json),
            body: Array(delivery.json.utf8), timeout: timeout, maxResponseBytes: 1_000_000, maxRedirects: 0)
        let response: HTTPResponse
        do {
            response = try await context.http.send(request)
        } catch let error as TransferError {
            throw error.isRetryable ? .retryable("\(destination): \(error)") : .permanent("\(destination): \(error)")
        } catch {
            throw .retryable("\(destination): \(error)")
        }
        switch response.status {
        case 200..<300:
            return
        case 408, 429, 500..<600:
            throw .retryable("\(destination) answered HTTP \(response.status)", retryAfter: response.retryAfter(now: context.now()))
        default:
            throw .permanent("\(destination) answered HTTP \(response.status)")
        }
    }
}

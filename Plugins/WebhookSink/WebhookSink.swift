import Foundation
import Logging
import PharosCore
import PharosSupport
import PharosText

/// POSTs each alert document as JSON to a URL, signed per Standard Webhooks so receivers
/// can verify it came from Pharos with the public libraries.
public struct WebhookSink: Sink {
    public static let typeName = "webhook"

    /// Where alerts go: `url:`, or read whole from `url_file:` (a credential) or `url_env:`,
    /// since for Slack, Teams or Discord the URL is the secret. Shown only as ``destination``.
    public let url: String
    public let headers: [(name: String, value: String)]
    public let timeout: Duration
    /// `template:` — renders the request body from the alert instead of sending the alert document.
    public let template: Template?
    /// `content_type:` — of the body (JSON unless a template says otherwise).
    public let contentType: String
    /// `group:` — one request per alert (the default), or per item carrying all its alerts.
    public let grouping: AlertGrouping
    public var groupsByItem: Bool { grouping == .item }
    /// The decoded `whsec_` key; never logged.
    let signingKey: [UInt8]?

    /// The URL with its path redacted (`https://hooks.slack.com/…(redacted)`): what logs,
    /// errors, `pharos status` and the outbox show.
    public let destination: String

    public init(configuration: PluginConfiguration) throws {
        try self.init(configuration: configuration, environment: ProcessInfo.processInfo.environment)
    }

    /// - Parameter environment: where `secret_env` and `$CREDENTIALS_DIRECTORY` are looked up.
    public init(configuration: PluginConfiguration, environment: [String: String]) throws {
        let options = configuration.options
        let fromSecret = options.secret("url", environment: environment, inline: true)
        url = fromSecret?.value ?? (options.raw("url_file") == nil && options.raw("url_env") == nil ? options.requiredString("url") : "")
        destination = Redaction.url(url)
        if !url.isEmpty, !["http", "https"].contains(URL(string: url)?.scheme?.lowercased() ?? "") {
            options.problem("must be an http:// or https:// URL, found '\(destination)'", key: fromSecret?.key ?? "url")
        }
        headers = (options.stringMap("headers") ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        timeout = options.duration("timeout", default: .seconds(15), minimum: .milliseconds(100))
        contentType = options.string("content_type") ?? "application/json"
        grouping = AlertGrouping.read(options, default: .alert)
        template = Self.loadTemplate(options, contentType: contentType, grouping: grouping)
        let secret = options.secret("secret", environment: environment)
        if let secret {
            let text = secret.value.trimmingCharacters(in: .whitespaces)
            let encoded = text.hasPrefix("whsec_") ? String(text.dropFirst(6)) : ""
            if let key = Data(base64Encoded: encoded), !key.isEmpty {
                signingKey = Array(key)
            } else {
                options.problem("the secret must be whsec_ followed by base64", key: secret.key)
                signingKey = nil
            }
        } else {
            signingKey = nil
        }
        try options.validate()
    }

    /// Reads and checks `template:`: it must parse, and for a JSON body render a sample alert
    /// into valid JSON, so a broken template fails `pharos check` rather than every delivery.
    private static func loadTemplate(_ options: OptionReader, contentType: String, grouping: AlertGrouping) -> Template? {
        guard let file = options.path("template") else { return nil }
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            options.problem("cannot read \(file.path)", key: "template")
            return nil
        }
        let isJSON = contentType.lowercased().contains("json")
        let template: Template
        do {
            template = try Template(text, escaping: isJSON ? .json : .none)
        } catch {
            options.problem("\(file.path): \(error)", key: "template")
            return nil
        }
        if isJSON {
            let sample = template.render(grouping == .item ? Alert.groupDocument([Alert.sample, Alert.sample]) : Alert.sample.jsonValue)
            if (try? JSONSerialization.jsonObject(with: Data(sample.utf8), options: [.fragmentsAllowed])) == nil {
                let what = grouping == .item ? "the alerts of a sample item" : "a sample alert"
                options.problem("\(file.path) does not render valid JSON for \(what) (set content_type if the body is not JSON)", key: "template")
            }
        }
        return template
    }

    /// The request body for `delivery`: the alert document, or the template filled in from it.
    /// Without a template the stored JSON goes out as it is, never decoded.
    public func body(for delivery: Delivery) throws(DeliveryError) -> String {
        guard let template else { return delivery.json }
        return template.render(try delivery.alert.jsonValue)
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

    /// The request body for the alerts of one item with `group: item`: their group document
    /// (`Alert.groupDocument`), or the template filled in from it.
    public func body(forItem alerts: [Alert]) -> String {
        let document = Alert.groupDocument(alerts)
        return template?.render(document) ?? JSONWriter.encode(document)
    }

    public func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        try await post(try body(for: delivery), id: delivery.alertID, context: context)
    }

    /// With `group: item`, one request per item carrying all its alerts (`webhook-id` is the
    /// group's id); otherwise one per alert.
    public func deliver(batch: [Delivery], context: PluginContext) async -> [Result<Void, DeliveryError>] {
        guard grouping == .item else { return await deliverOneByOne(batch, context: context) }
        return await deliverInGroups(batch, key: AlertGrouping.itemKey) { group throws(DeliveryError) in
            let alerts = group.map(\.alert)
            try await post(body(forItem: alerts), id: Alert.groupID(alerts), context: context)
        }
    }

    /// POSTs `body` signed as message `id`; returns when the receiver accepted it.
    private func post(_ body: String, id: String, context: PluginContext) async throws(DeliveryError) {
        let timestamp = Int(context.now().timeIntervalSince1970)
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [("Content-Type", contentType)] + headers
                + signatureHeaders(id: id, timestamp: timestamp, body: body),
            body: Array(body.utf8), timeout: timeout, maxResponseBytes: 1_000_000, maxRedirects: 0)
        let response: HTTPResponse
        do {
            response = try await context.http.send(request)
        } catch let error as TransferError {
            let reason = "\(destination): " + Redaction.urls(in: "\(error)")
            throw .failure(reason, retryable: error.isRetryable)
        } catch {
            throw .retryable("\(destination): " + Redaction.urls(in: "\(error)"))
        }
        if let failure: DeliveryError = response.failure(from: destination, now: context.now()) { throw failure }
    }
}

import Foundation
import PharosCore
import PharosText

/// Emails alerts over SMTP: one message per item with every rule it matched (or with
/// `group: alert` one per alert), or with `digest:` one message per period listing every
/// alert that came due. STARTTLS is required unless the config says otherwise.
public struct EmailSink: Sink {
    public static let typeName = "email"

    /// The subject of a single alert unless `subject:` says otherwise: the event's headline for
    /// rules decided by regulatory events ("[Pharos] FDA RMAT designation: NXC-201 (Immix
    /// Biopharma), relapsed/refractory AL amyloidosis"), else the rule and the item's title.
    public static let defaultSubject = "[Pharos] {{#headline}}{{headline}}{{/headline}}{{^headline}}{{rule}}: {{item.title}}{{/headline}}"
    /// The subject of a digest unless `digest_subject:` says otherwise.
    public static let defaultDigestSubject = "[Pharos] {{count}} alerts: {{rules}}"

    /// Where and how messages are submitted (holds the password; never logged).
    public let server: MailServer
    /// Headers and bodies.
    public let composer: MailComposer
    /// `digest:` — alerts come in batches at most once per period and go out as one message.
    public let digestPeriod: Duration?
    /// `group:` — one message per item (the default) or per alert.
    public let grouping: AlertGrouping
    public var groupsByItem: Bool { grouping == .item }

    public var destination: String { server.hostAndPort }

    public init(configuration: PluginConfiguration) throws {
        try self.init(configuration: configuration, environment: ProcessInfo.processInfo.environment)
    }

    /// - Parameter environment: where `password_env` and `$CREDENTIALS_DIRECTORY` are looked up.
    public init(configuration: PluginConfiguration, environment: [String: String]) throws {
        let options = configuration.options
        let url = options.requiredString("server")
        let components = URLComponents(string: url)
        let scheme = components?.scheme?.lowercased()
        if !url.isEmpty {
            if !["smtp", "smtps"].contains(scheme ?? "") || (components?.host ?? "").isEmpty {
                options.problem("must be an smtp:// or smtps:// URL with a host, found '\(url)'", key: "server")
            } else if components?.user != nil || components?.password != nil {
                options.problem("no credentials in the URL: use 'username' and password_file or password_env", key: "server")
            } else if let path = components?.path, !path.isEmpty, path != "/" {
                options.problem("must be scheme://host[:port] only, found path '\(path)'", key: "server")
            }
        }
        var security: MailSecurity = scheme == "smtps" ? .implicitTLS : .startTLS
        if let text = options.string("tls") {
            if let chosen = MailSecurity(rawValue: text.lowercased()) {
                security = chosen
                if scheme == "smtps", chosen != .implicitTLS {
                    options.problem("an smtps:// server speaks TLS from the start: use tls: implicit, or an smtp:// URL for \(chosen.rawValue)", key: "tls")
                } else if scheme == "smtp", chosen == .implicitTLS {
                    options.problem("implicit TLS needs an smtps:// server URL", key: "tls")
                }
            } else {
                options.problem("must be starttls, implicit or none, found '\(text)'", key: "tls")
            }
        }
        let username = options.string("username")
        let password = options.secret("password", environment: environment)
        if let username, username.isEmpty { options.problem("must not be empty", key: "username") }
        if username != nil, password == nil, options.raw("password_file") == nil, options.raw("password_env") == nil {
            options.problem("needs a password: give password_file or password_env", key: "username")
        }
        if let password, username == nil { options.problem("needs 'username'", key: password.key) }
        if security == .none, username != nil {
            options.problem("none would send the password in clear text: use starttls or implicit", key: "tls")
        }

        let from = Self.address(options, "from", required: true).first
        let to = Self.address(options, "to", required: true)
        let cc = Self.address(options, "cc", required: false)
        let subject = Self.template(options, "subject", default: Self.defaultSubject, sample: Alert.sample.jsonValue)
        let digestSubject = Self.template(options, "digest_subject", default: Self.defaultDigestSubject,
                                          sample: MailComposer.digestContext([Alert.sample, Alert.sample]))
        let timeout = options.duration("timeout", default: .seconds(60), minimum: .seconds(1))
        var caFile: String?
        if let file = options.path("ca_file") {
            if FileManager.default.isReadableFile(atPath: file.path) {
                caFile = file.path
            } else {
                options.problem("cannot read \(file.path)", key: "ca_file")
            }
        }
        digestPeriod = options.raw("digest") == nil ? nil : options.duration("digest", default: .seconds(3600), minimum: .seconds(60))
        grouping = AlertGrouping.read(options, default: .item)
        try options.validate()

        server = MailServer(
            url: url, security: security,
            credentials: username.flatMap { name in password.map { MailCredentials(username: name, password: $0.value) } },
            caFile: caFile, timeout: timeout, connectTimeout: min(timeout, .seconds(15)))
        composer = MailComposer(from: from ?? MailAddress(address: "invalid@invalid"), to: to, cc: cc,
                                subject: subject, digestSubject: digestSubject)
    }

    private static func address(_ options: OptionReader, _ key: String, required: Bool) -> [MailAddress] {
        guard let values = key == "from" ? options.string(key).map({ [$0] }) : options.stringList(key) else {
            // Missing: say so once (a value of the wrong type was reported already).
            if required, options.raw(key) == nil { _ = options.requiredString(key) }
            return []
        }
        if required, values.isEmpty { options.problem("needs at least one address", key: key) }
        if key == "from", values.first?.isEmpty == true {
            options.problem("must not be empty", key: key)
            return []
        }
        return values.compactMap { value in
            guard let address = MailAddress(parsing: value) else {
                options.problem("'\(value)' is not an address like name@example.org or Name <name@example.org>", key: key)
                return nil
            }
            return address
        }
    }

    /// Reads a subject template: it must parse and give a non-empty subject for a sample.
    private static func template(_ options: OptionReader, _ key: String, default fallback: String,
                                 sample: JSONWriter.Value) -> Template {
        // The defaults are constants that parse.
        let fallbackTemplate = try! Template(fallback, escaping: .none)
        guard let text = options.string(key) else { return fallbackTemplate }
        do throws(TemplateError) {
            let template = try Template(text, escaping: .none)
            if MIME.cleanHeaderText(template.render(sample)).isEmpty {
                options.problem("gives an empty subject for a sample alert", key: key)
            }
            return template
        } catch {
            options.problem("\(error)", key: key)
            return fallbackTemplate
        }
    }

    // MARK: Delivery

    public func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        try await submit(composer.message(for: try delivery.alert, date: context.now()), context: context)
    }

    /// With `digest:`, the whole batch as one message; otherwise one message per item (the
    /// alerts of one item together, as the engine hands them over) or, with `group: alert`,
    /// per alert. Every alert of a message gets its result; one whose stored document cannot
    /// be decoded fails alone.
    public func deliver(batch: [Delivery], context: PluginContext) async -> [Result<Void, DeliveryError>] {
        if digestPeriod != nil, batch.count > 1 {
            return await deliverInGroups(batch, key: { _ in "" }) { group throws(DeliveryError) in
                try await submit(composer.digest(group.map(\.alert), date: context.now()), context: context)
            }
        }
        guard grouping == .item else { return await deliverOneByOne(batch, context: context) }
        return await deliverInGroups(batch, key: AlertGrouping.itemKey) { group throws(DeliveryError) in
            try await submit(composer.message(for: group.map(\.alert), date: context.now()), context: context)
        }
    }

    private func submit(_ data: [UInt8], context: PluginContext) async throws(DeliveryError) {
        let message = MailMessage(sender: composer.from.address, recipients: composer.recipients, data: data)
        do throws(MailFailure) {
            try await context.mail.send(message, via: server)
        } catch {
            throw .failure(error.message, retryable: error.isRetryable)
        }
    }
}

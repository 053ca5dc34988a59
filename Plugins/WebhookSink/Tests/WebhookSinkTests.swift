import Foundation
import Logging
import PharosCore
import PharosTestKit
import PharosHTTP
import PharosSupport
import TestSupport
import Testing
import WebhookSink

let secret = "whsec_" + Data("pharos test signing key 0123456".utf8).base64EncodedString()
let otherSecret = "whsec_" + Data("somebody else's key 9876543210".utf8).base64EncodedString()
/// The engine `.runningCurl` runs for the suite.
var curl: CurlEngine { RunningCurl.engine }

func webhookDelivery(_ id: String) -> Delivery {
    let alert = Alert(id: id, rule: "bcma-rmat", source: "wire",
                      item: .init(id: "i", title: "RMAT for a BCMA CAR-T", link: nil, published: nil, summary: nil),
                      matches: Matches(), evidence: [], detectedAt: Date(timeIntervalSince1970: 1_795_424_400))
    return Delivery(alert: alert)
}

/// Whether the Python peers' packages are installed (`.ci/run` puts them in `.venv`).
let peersInstalled: Bool = {
    FileManager.default.isExecutableFile(atPath: packageRoot.appendingPathComponent(".venv/bin/python3").path)
}()

@Suite(.runningCurl(maxConcurrent: 4)) struct Signing {
    /// RFC 4231's HMAC-SHA256 test cases 1-4, 6 and 7 (case 5 truncates the code), and an empty key.
    @Test(arguments: [
        ([UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), [UInt8](repeating: 0xCD, count: 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xAA, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xAA, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ([], [], "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
    ] as [([UInt8], [UInt8], String)])
    func hmacMatchesRFC4231(key: [UInt8], message: [UInt8], expected: String) {
        let code = HMACSHA256.authenticationCode(key: key, message: message)
        #expect(code.map { String(format: "%02x", $0) }.joined() == expected)
    }

    @Test func secretsNeverComeFromTheYAML() {
        let error = #expect(throws: ConfigErrors.self) {
            try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
                [("url", "https://x.example/hook"), ("secret", secret)], what: "webhook sink 'team'")), environment: [:])
        }
        #expect(error?.diagnostics.map(\.message) == ["'secret': secrets never go in the config file: use secret_file or secret_env"])
    }

    @Test func secretsComeFromSystemdCredentialsFirst() throws {
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-credentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        // As the shipped unit's `LoadCredential=pharos:/etc/pharos/credentials` names them.
        try Data((secret + "\n").utf8).write(to: credentials.appendingPathComponent("pharos_webhook.secret"))
        let sink = try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
            [("url", "https://x.example/hook"), ("secret_file", "/etc/pharos/credentials/webhook.secret")], what: "webhook sink 'team'")),
            environment: ["CREDENTIALS_DIRECTORY": credentials.path])
        let headers = sink.signatureHeaders(id: "a", timestamp: 1, body: "{}")
        #expect(headers.contains { $0.name == "webhook-signature" })
    }

    @Test func theURLCanBeACredentialAndIsShownRedacted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-url-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("team.url")
        try Data("http://127.0.0.1:9/services/T0/B0/SECRETTOKEN\n".utf8).write(to: file)
        func build() throws -> WebhookSink {
            try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
                [("url_file", file.path)], what: "webhook sink 'team'")), environment: [:])
        }
        let exposed = #expect(throws: ConfigErrors.self) { try build() }
        #expect(exposed?.diagnostics.map(\.message) == [
            "'url_file': \(file.path) may be read or written by other users (mode 644); chmod 600 it (or 400): like ssh, Pharos refuses such secret files",
        ])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let sink = try build()
        #expect(sink.url == "http://127.0.0.1:9/services/T0/B0/SECRETTOKEN")
        #expect(sink.destination == "http://127.0.0.1:9/…(redacted)")
        let context = PluginContext(logger: Logger(label: "test"), http: CurlHTTPTransport(engine: curl))
        let failure = await sink.deliver(batch: [webhookDelivery("a")], context: context).first
        guard case .failure(let error) = failure else { Issue.record("port 9 refuses"); return }
        #expect("\(error)".hasPrefix("http://127.0.0.1:9/…(redacted): ") && !"\(error)".contains("SECRETTOKEN"), "\(error)")
        let both = #expect(throws: ConfigErrors.self) {
            try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
                [("url", "https://x.example/hook"), ("url_file", file.path)], what: "webhook sink 'team'")), environment: [:])
        }
        #expect(both?.diagnostics.map(\.message) == ["'url': give one of url, url_file or url_env"])
    }

    @Test func missingOrMalformedSecretsAreReported() {
        let missing = #expect(throws: ConfigErrors.self) {
            try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
                [("url", "https://x.example/hook"), ("secret_env", "PHAROS_NO_SUCH_VAR")], what: "webhook sink 'team'")), environment: [:])
        }
        #expect(missing?.diagnostics.map(\.message) == ["'secret_env': environment variable PHAROS_NO_SUCH_VAR is not set"])
        let malformed = #expect(throws: ConfigErrors.self) {
            try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
                [("url", "https://x.example/hook"), ("secret_env", "S")], what: "webhook sink 'team'")), environment: ["S": "hunter2"])
        }
        #expect(malformed?.diagnostics.map(\.message) == ["'secret_env': the secret must be whsec_ followed by base64"])
    }
}

@Suite struct ExampleTemplates {
    let examples = packageRoot.appendingPathComponent("Plugins/WebhookSink/examples")

    func render(_ name: String, _ alert: Alert) throws -> [String: Any] {
        let sink = try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
            [("url", "https://x.example/hook"), ("template", name)], base: examples, what: "webhook sink 'team'")), environment: [:])
        let body = try sink.body(for: Delivery(alert: alert))
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)")
    }

    /// Issue 16, finding 9: the Teams example was a MessageCard, a format Microsoft retires
    /// with Office 365 connectors; Workflows webhooks take an Adaptive Card in a message.
    @Test func theTeamsExampleIsAnAdaptiveCardForAWorkflowsWebhook() throws {
        var alert = Alert.sample
        alert.events = [RegulatoryEvent(
            agency: "FDA", action: "fda-rmat", label: "RMAT designation", text: "RMAT designation", product: "CEL-01", productID: nil,
            companies: ["Example Bio"], targets: [], modality: nil, indication: nil, status: .announced, cues: [],
            evidence: alert.evidence[0])]
        let message = try render("teams.mustache", alert)
        #expect(message["type"] as? String == "message")
        let attachment = try #require((message["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
        let texts = (card["body"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(texts.first == alert.headline, "the headline leads when the alert has events")
        #expect(texts.contains(alert.item.title))
        #expect(texts.contains { $0.contains("RMAT designation for a BCMA-directed therapy") }, "the rule's description")
        #expect((card["actions"] as? [[String: Any]])?.first?["url"] as? String == alert.item.link)
        #expect(!String(decoding: try Data(contentsOf: examples.appendingPathComponent("teams.mustache")), as: UTF8.self).contains("MessageCard"))

        var plain = Alert.sample
        plain.item.link = nil
        let card2 = try #require(((try render("teams.mustache", plain))["attachments"] as? [[String: Any]])?.first?["content"] as? [String: Any])
        #expect((card2["body"] as? [[String: Any]])?.first?["text"] as? String == plain.item.title, "no headline without events")
        #expect(card2["actions"] == nil, "no Read button without a link")
        #expect(try render("slack.mustache", alert)["text"] != nil)
    }
}

@Suite(.serialized, .runningCurl(maxConcurrent: 4), .enabled(if: peersInstalled, "needs .venv with Tests/peers/requirements.txt (.ci/run creates it)"))
struct WebhookDelivery {
    func sink(_ peer: PythonPeer, secret: String = secret) throws -> WebhookSink {
        try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
            [("url", "\(peer.base)/hook"), ("secret_env", "SECRET")], what: "webhook sink 'team'")), environment: ["SECRET": secret])
    }

    var context: PluginContext { PluginContext(logger: Logger(label: "test"), http: CurlHTTPTransport(engine: curl)) }

    struct Received: Decodable {
        var id: String?
        var verified: Bool
        var status: Int
        var rule: String?
        var body: String
        var content_type: String?
    }

    func received(_ peer: PythonPeer) async throws -> [Received] {
        let response = try await CurlHTTPTransport(engine: curl).send(HTTPRequest(url: "\(peer.base)/_log"))
        return try JSONDecoder().decode([Received].self, from: Data(response.body))
    }

    @Test func deliveriesVerifyWithTheStandardWebhooksPackage() async throws {
        let peer = try PythonPeer("webhook_peer.py", arguments: [secret])
        try await sink(peer).deliver(webhookDelivery("alert-1"), context: context)
        let log = try await received(peer)
        #expect(log.count == 1)
        #expect(log.first?.verified == true)
        #expect(log.first?.id == "alert-1")
        #expect(log.first?.rule == "bcma-rmat")
    }

    @Test func aWrongSignatureIsRejectedAndPermanent() async throws {
        let peer = try PythonPeer("webhook_peer.py", arguments: [secret])
        let error = await #expect(throws: DeliveryError.self) {
            try await sink(peer, secret: otherSecret).deliver(webhookDelivery("alert-2"), context: context)
        }
        guard case .permanent(let reason) = error else {
            Issue.record("expected a permanent failure, got \(String(describing: error))")
            return
        }
        #expect(reason.hasSuffix("answered HTTP 401"))
        #expect(try await received(peer).first?.verified == false)
    }

    @Test func serverErrorsAndThrottlingAreRetryableWithTheSameID() async throws {
        let peer = try PythonPeer("webhook_peer.py", arguments: [secret, "500,429"])
        let sink = try sink(peer)
        let first = await #expect(throws: DeliveryError.self) { try await sink.deliver(webhookDelivery("alert-3"), context: context) }
        #expect(first == .retryable("\(sink.destination) answered HTTP 500", retryAfter: nil))
        let second = await #expect(throws: DeliveryError.self) { try await sink.deliver(webhookDelivery("alert-3"), context: context) }
        #expect(second == .retryable("\(sink.destination) answered HTTP 429", retryAfter: .seconds(3)))
        try await sink.deliver(webhookDelivery("alert-3"), context: context)
        let log = try await received(peer)
        #expect(log.map(\.status) == [500, 429, 200])
        #expect(Set(log.compactMap(\.id)) == ["alert-3"], "webhook-id is stable across retries")
        #expect(log.allSatisfy { $0.verified })
    }

    @Test func aTemplateShapesTheSignedBody() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{"text": "*{{rule}}*: <{{item.link}}|{{item.title}}>{{#matches.targets}} · {{label}}{{/matches.targets}}"}"#.utf8)
            .write(to: folder.appendingPathComponent("slack.mustache"))
        let peer = try PythonPeer("webhook_peer.py", arguments: [secret])
        let sink = try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
            [("url", "\(peer.base)/hook"), ("secret_env", "SECRET"), ("template", "slack.mustache")],
            base: folder, what: "webhook sink 'team'")), environment: ["SECRET": secret])
        try await sink.deliver(Delivery(alert: .sample), context: context)
        let entry = try #require(try await received(peer).first)
        #expect(entry.verified, "the signature covers the rendered body")
        #expect(entry.id == Alert.sample.id)
        let payload = try JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: String]
        #expect(payload == ["text": "*bcma-rmat*: <https://example.org/news/1|\(Alert.sample.item.title)> · BCMA"])
    }

    /// `group: item`: the alerts of one item (every rule it matched) in one signed request.
    @Test func groupItemSendsOneRequestPerItemCarryingItsAlerts() async throws {
        let peer = try PythonPeer("webhook_peer.py", arguments: [secret])
        let sink = try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
            [("url", "\(peer.base)/hook"), ("secret_env", "SECRET"), ("group", "item")], what: "webhook sink 'team'")),
            environment: ["SECRET": secret])
        #expect(sink.groupsByItem)
        var first = Alert.sample, second = Alert.sample, elsewhere = Alert.sample
        first.id = "alert-a"
        second.id = "alert-b"
        second.rule = "example-bio-news"
        second.ruleDescription = nil
        elsewhere.id = "alert-c"
        elsewhere.item.id = "https://example.org/news/2"
        let results = await sink.deliver(batch: [first, elsewhere, second].map(Delivery.init(alert:)), context: context)
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        let log = try await received(peer)
        #expect(log.count == 2 && log.allSatisfy(\.verified))
        #expect(log.map(\.id) == [Alert.groupID([first, second]), Alert.groupID([elsewhere])], "webhook-id is the group's id")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(log[0].body.utf8)) as? [String: Any])
        #expect(body["id"] as? String == Alert.groupID([first, second]))
        #expect(body["source"] as? String == "fda-press")
        #expect((body["item"] as? [String: Any])?["id"] as? String == "https://example.org/news/1")
        #expect(body["rules"] as? [String] == ["bcma-rmat", "example-bio-news"])
        #expect(body["count"] as? Int == 2)
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect(alerts.map { $0["id"] as? String } == ["alert-a", "alert-b"])
        #expect(alerts[0]["rule_description"] as? String == "RMAT designation for a BCMA-directed therapy")
        #expect(alerts[1]["rule_description"] == nil)
    }

    @Test func aGroupTemplateIsCheckedAgainstASampleItem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{"text": "{{count}} rules: {{#alerts}}{{rule}} {{/alerts}}"}"#.utf8).write(to: folder.appendingPathComponent("group.mustache"))
        let sink = try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
            [("url", "https://x.example/hook"), ("template", "group.mustache"), ("group", "item")],
            base: folder, what: "webhook sink 'team'")), environment: [:])
        #expect(sink.body(forItem: [.sample, .sample]) == #"{"text": "2 rules: bcma-rmat bcma-rmat "}"#)
        let wrong = #expect(throws: ConfigErrors.self) {
            try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
                [("url", "https://x.example/hook"), ("group", "rule")], what: "webhook sink 'team'")), environment: [:])
        }
        #expect(wrong?.diagnostics.map(\.message) == ["'group': must be alert or item, found 'rule'"])
    }

    @Test func aTemplateThatCannotRenderJSONFailsAtLoad() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{"text": {{item.title}}}"#.utf8).write(to: folder.appendingPathComponent("bad.mustache"))
        try Data("{{#matches}}never closed".utf8).write(to: folder.appendingPathComponent("unclosed.mustache"))
        for (file, expected) in [("bad.mustache", "does not render valid JSON"), ("unclosed.mustache", "line 1, column 1: section 'matches' is never closed")] {
            let error = #expect(throws: ConfigErrors.self) {
                try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
                    [("url", "https://x.example/hook"), ("template", file)], base: folder, what: "webhook sink 'team'")), environment: [:])
            }
            #expect(error?.diagnostics.first?.message.contains(expected) == true, "\(String(describing: error))")
        }
    }

    @Test func anUnreachableReceiverIsRetryable() async throws {
        let sink = try WebhookSink(configuration: PluginConfiguration(name: "team", options: optionReader(
            [("url", "http://127.0.0.1:9/hook")], what: "webhook sink 'team'")), environment: [:])
        let error = await #expect(throws: DeliveryError.self) { try await sink.deliver(webhookDelivery("alert-4"), context: context) }
        guard case .retryable = error else {
            Issue.record("expected a retryable failure, got \(String(describing: error))")
            return
        }
    }
}

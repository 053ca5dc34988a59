import EmailSink
import Foundation
import Logging
import PharosCore
import PharosHTTP
import PharosTestKit
import TestSupport
import Testing

/// The engine `.runningCurl` runs for the suite.
var curl: CurlEngine { RunningCurl.engine }
let password = "correct horse battery staple"

/// Delivery through libcurl to a real SMTP server (aiosmtpd), which parses every message
/// with Python's `email` package.
@Suite(.serialized, .runningCurl(maxConcurrent: 4), .enabled(if: smtpPeerAvailable, "needs .venv with aiosmtpd: run `make .venv/installed`"))
struct SMTPDelivery {
    var context: PluginContext {
        PluginContext(logger: Logger(label: "test"), now: { fixedDate }, mail: CurlMailTransport(engine: curl))
    }

    func sink(_ peer: SMTPPeer, scheme: String = "smtp", password given: String = password, extra: [(String, OptionValue)] = [],
              credentials: Bool = true, caFile: Bool = true) throws -> EmailSink {
        var pairs: [(String, OptionValue)] = [
            ("server", .text("\(scheme)://127.0.0.1:\(peer.port)")), ("from", "Pharos Alerts <pharos@example.org>"),
            ("to", ["ops@example.org", "Zoë Ärztin <zoe@example.org>"]), ("cc", ["\"Lab, Team\" <lab@example.org>"]),
            ("timeout", "20s"),
        ]
        if credentials { pairs += [("username", "alice"), ("password_env", "PHAROS_MAIL_PASSWORD")] }
        if caFile { pairs.append(("ca_file", .text(peer.caFile))) }
        return try emailSink(pairs + extra, environment: ["PHAROS_MAIL_PASSWORD": given])
    }

    func failure(_ body: () async throws -> Void) async -> DeliveryError? {
        do {
            try await body()
            return nil
        } catch let error as DeliveryError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func deliveredOverSTARTTLSWithAuthAndParsedBack() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let alert = sampleAlert()
        try await sink(peer).deliver(delivery(alert), context: context)

        let events = try peer.events()
        let starttls = try #require(events.firstIndex { $0.command == "STARTTLS" })
        #expect(events[..<starttls].allSatisfy { $0.command == "EHLO" }, "nothing but EHLO before STARTTLS")
        #expect(events.filter { ["AUTH", "MAIL", "RCPT", "DATA"].contains($0.command) }.allSatisfy { $0.tls })
        #expect(events.contains { $0.command == "AUTH-RESULT" && $0.ok == true })

        let messages = try peer.messages()
        try #require(messages.count == 1)
        let message = messages[0]
        #expect(message.tls)
        #expect(message.login == "alice")
        #expect(message.mail_from == "pharos@example.org")
        #expect(message.rcpt_tos == ["ops@example.org", "zoe@example.org", "lab@example.org"])
        #expect(message.headers["From"] == "Pharos Alerts <pharos@example.org>")
        #expect(message.headers["To"] == "ops@example.org, Zoë Ärztin <zoe@example.org>")
        #expect(message.headers["Cc"] == "\"Lab, Team\" <lab@example.org>")
        #expect(message.headers["Subject"] == "[Pharos] bcma-rmat: Zöllner Bio gets RMAT for BCMA <script>alert(1)</script> & more")
        #expect(message.raw_headers.contains { $0.hasPrefix("Subject: =?UTF-8?B?") }, "the non-ASCII subject is encoded")
        #expect(message.headers["Message-ID"] == "<\(alert.id)@pharos>")
        #expect(message.headers["Date"] == "Mon, 23 Nov 2026 09:00:00 +0000")
        #expect(message.headers["MIME-Version"] == "1.0")
        #expect(message.headers["X-Pharos-Rule"] == "bcma-rmat")
        #expect(message.headers["X-Pharos-Source"] == "fda-press")
        #expect(message.headers["X-Pharos-Alert-ID"] == alert.id)
        #expect(message.headers["Auto-Submitted"] == "auto-generated")
        #expect(message.content_type == "multipart/alternative")
        #expect(message.parts.map(\.type) == ["text/plain", "text/html"])
        #expect(message.parts.allSatisfy { $0.charset == "utf-8" && $0.encoding == "quoted-printable" })
        #expect(message.max_line <= 78)
        #expect(message.ascii)
        #expect(!message.bare_lf)
        #expect(message.defects.isEmpty)

        let text = message.part("text/plain")
        #expect(text.contains("Zöllner Bio gets RMAT for BCMA <script>alert(1)</script> & more"))
        #expect(text.contains("https://example.org/news?id=7&lang=en"))
        #expect(text.contains("Rule bcma-rmat matched an item from fda-press."))
        #expect(text.contains("BCMA (TNFRSF17)"))
        #expect(text.contains("> The FDA granted RMAT designation to ZB-101"))

        let html = message.part("text/html")
        #expect(!html.contains("<script>"), "feed text is escaped")
        #expect(html.contains("Zöllner Bio gets RMAT for BCMA &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        #expect(html.contains("granted <mark>RMAT designation</mark> to ZB-101, a <mark>BCMA</mark>-directed CAR-T &lt;b&gt;therapy&lt;/b&gt; &amp; more."))
        #expect(html.contains("<a href=\"https://example.org/news?id=7&amp;lang=en\">"))
        #expect(html.contains("Rule <b>bcma-rmat</b>") && html.contains("source <b>fda-press</b>"))
    }

    @Test func aServerWithoutSTARTTLSIsRefusedBeforeAnythingIsSent() async throws {
        let peer = try SMTPPeer(["--tls", "none"])
        let sink = try sink(peer, credentials: false, caFile: false)
        let error = await failure { try await sink.deliver(delivery(sampleAlert()), context: context) }
        guard case .permanent(let reason) = error else {
            Issue.record("expected a permanent failure, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("does not offer STARTTLS"))
        #expect(try peer.events().map(\.command).allSatisfy { $0 == "EHLO" }, "no AUTH, MAIL, RCPT or DATA in clear text")
        #expect(try peer.messages().isEmpty)
    }

    @Test func explicitTLSNoneDeliversInClearText() async throws {
        let peer = try SMTPPeer(["--tls", "none"])
        try await sink(peer, extra: [("tls", "none")], credentials: false, caFile: false).deliver(delivery(sampleAlert()), context: context)
        let messages = try peer.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.tls == false)
    }

    @Test func implicitTLSOnSMTPS() async throws {
        let peer = try SMTPPeer(["--tls", "implicit", "--auth", "alice:\(password)"])
        try await sink(peer, scheme: "smtps").deliver(delivery(sampleAlert()), context: context)
        let messages = try peer.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.tls == true)
        #expect(messages.first?.login == "alice")
    }

    @Test func authLoginWorksWhenItIsTheOnlyMechanism() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)", "--mechanisms", "LOGIN"])
        try await sink(peer).deliver(delivery(sampleAlert()), context: context)
        #expect(try peer.events().contains { $0.command == "AUTH-RESULT" && $0.mechanism == "LOGIN" && $0.ok == true })
        #expect(try peer.messages().count == 1)
    }

    @Test func anUntrustedCertificateIsRefusedAndRetryable() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let sink = try sink(peer, caFile: false)
        let error = await failure { try await sink.deliver(delivery(sampleAlert()), context: context) }
        guard case .retryable = error else {
            Issue.record("expected a retryable failure, got \(String(describing: error))")
            return
        }
        #expect(try !peer.events().contains { ["AUTH", "MAIL"].contains($0.command) })
    }

    @Test func temporaryRepliesAreRetryableAndTheRetryCarriesTheSameMessageID() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)", "--reply", "DATA=451", "--reply", "MAIL=421"])
        let sink = try sink(peer)
        let alert = sampleAlert()
        let first = await failure { try await sink.deliver(delivery(alert), context: context) }
        #expect(first == .retryable("127.0.0.1:\(peer.port) answered 421 4.3.0 try again later"))
        let second = await failure { try await sink.deliver(delivery(alert), context: context) }
        #expect(second == .retryable("127.0.0.1:\(peer.port) answered 451 4.3.0 local problem, try later"))
        try await sink.deliver(delivery(alert), context: context)
        let messages = try peer.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.headers["Message-ID"] == "<\(alert.id)@pharos>")
    }

    @Test func permanentRepliesArePermanent() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)", "--reply", "RCPT=550*"])
        let sink = try sink(peer)
        let error = await failure { try await sink.deliver(delivery(sampleAlert()), context: context) }
        #expect(error == .permanent("127.0.0.1:\(peer.port) answered 550 5.1.1 no such mailbox"))
        #expect(try peer.messages().isEmpty)
    }

    @Test func aWrongPasswordIsPermanentAndNeverInTheError() async throws {
        let wrong = "wrong-Pa55word-xyz"
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let sink = try sink(peer, password: wrong)
        let error = await failure { try await sink.deliver(delivery(sampleAlert()), context: context) }
        guard case .permanent(let reason) = error else {
            Issue.record("expected a permanent failure, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("refused the login"))
        #expect(reason.contains("535"))
        for secret in [wrong, password, Data(wrong.utf8).base64EncodedString(), Data("\0alice\0\(wrong)".utf8).base64EncodedString()] {
            #expect(!reason.contains(secret))
            #expect(!"\(String(describing: error))".contains(secret))
        }
        #expect(try peer.events().contains { $0.command == "AUTH-RESULT" && $0.ok == false })
        #expect(try peer.messages().isEmpty)
    }

    @Test func anUnreachableServerIsRetryable() async throws {
        let sink = try emailSink([("server", "smtp://127.0.0.1:9"), ("from", "pharos@example.org"), ("to", ["ops@example.org"])])
        let error = await failure { try await sink.deliver(delivery(sampleAlert()), context: context) }
        guard case .retryable(let reason, _) = error else {
            Issue.record("expected a retryable failure, got \(String(describing: error))")
            return
        }
        #expect(reason.hasPrefix("127.0.0.1:9: "))
    }

    @Test func aDigestOfSeveralAlertsIsOneMessage() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let sink = try sink(peer, extra: [("digest", "1h")])
        #expect(sink.digestPeriod == .seconds(3600))
        let alerts = [
            sampleAlert(id: "alert1", rule: "bcma-rmat", title: "First <one>"),
            sampleAlert(id: "alert2", rule: "pd-l1", title: "Second & two"),
            sampleAlert(id: "alert3", rule: "bcma-rmat", title: "Third: drei — ü"),
        ]
        let results = await sink.deliver(batch: alerts.map(delivery), context: context)
        #expect(results.count == 3)
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        let messages = try peer.messages()
        try #require(messages.count == 1)
        let message = messages[0]
        #expect(message.headers["Subject"] == "[Pharos] 3 alerts: bcma-rmat, pd-l1")
        #expect(message.headers["X-Pharos-Rule"] == "bcma-rmat, pd-l1")
        #expect(message.headers["Message-ID"] == MailComposer.digestMessageID(for: alerts))
        #expect(message.max_line <= 78)
        let text = message.part("text/plain"), html = message.part("text/html")
        for title in ["First <one>", "Second & two", "Third: drei — ü"] { #expect(text.contains(title)) }
        for title in ["First &lt;one&gt;", "Second &amp; two", "Third: drei — ü"] { #expect(html.contains(title)) }
        #expect(html.components(separatedBy: "<mark>BCMA</mark>").count == 4, "each alert's evidence is marked")
    }

    /// Issue 16, finding 10: one item matching two rules sent two emails, and rule
    /// descriptions never reached the reader.
    @Test func theAlertsOfOneItemAreOneMessageWithEveryRuleDescribed() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let sink = try sink(peer)
        #expect(sink.groupsByItem, "one message per item is the default")
        var rmat = sampleAlert(id: "alert1", rule: "bcma-rmat")
        rmat.ruleDescription = "RMAT designation for a BCMA-directed therapy"
        rmat.events = [RegulatoryEvent(
            agency: "FDA", action: "fda-rmat", label: "RMAT designation", text: "RMAT designation", product: "ZB-101", productID: nil,
            companies: ["Zöllner Bio"], targets: [], modality: nil, indication: nil, status: .announced, cues: [],
            evidence: rmat.evidence[0])]
        var zoellner = sampleAlert(id: "alert2", rule: "zoellner-news")
        zoellner.ruleDescription = "Anything from Zöllner <Bio>"
        zoellner.item = rmat.item
        let other = sampleAlert(id: "alert3", rule: "bcma-rmat", title: "Another item")
        let results = await sink.deliver(batch: [rmat, other, zoellner].map(delivery), context: context)
        #expect(results.allSatisfy { (try? $0.get()) != nil })

        let messages = try peer.messages()
        try #require(messages.count == 2)
        let message = try #require(messages.first { $0.headers["X-Pharos-Rule"] == "bcma-rmat, zoellner-news" })
        #expect(message.headers["Subject"] == "[Pharos] \(rmat.headline) (and 1 more rule)", "the first alert's subject")
        #expect(message.headers["Message-ID"] == "<item-\(Alert.groupID([rmat, zoellner]))@pharos>")
        #expect(message.headers["X-Pharos-Alert-ID"] == "alert1, alert2")
        #expect(message.max_line <= 78 && message.ascii && message.defects.isEmpty)
        let text = message.part("text/plain"), html = message.part("text/html")
        #expect(text.contains("2 rules matched an item from fda-press."))
        #expect(text.contains("1. Rule bcma-rmat (RMAT designation for a BCMA-directed therapy)"))
        #expect(text.contains("2. Rule zoellner-news (Anything from Zöllner <Bio>)"))
        #expect(text.components(separatedBy: rmat.item.title).count == 2, "the item is shown once")
        #expect(html.contains("Rule <b>zoellner-news</b> (Anything from Zöllner &lt;Bio&gt;)"))
        let single = try #require(messages.first { $0.headers["X-Pharos-Rule"] == "bcma-rmat" })
        #expect(single.headers["Message-ID"] == "<alert3@pharos>", "an item with one alert gets the single-alert message")
    }

    @Test func groupAlertSendsOneMessagePerAlert() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let sink = try sink(peer, extra: [("group", "alert")])
        #expect(!sink.groupsByItem)
        var second = sampleAlert(id: "alert2", rule: "pd-l1")
        second.item = sampleAlert(id: "alert1").item
        _ = await sink.deliver(batch: [sampleAlert(id: "alert1"), second].map(delivery), context: context)
        #expect(try peer.messages().map { $0.headers["Message-ID"] } == ["<alert1@pharos>", "<alert2@pharos>"])
    }

    @Test func aStoredDocumentThatNoLongerDecodesFailsAloneAndTheDigestGoesOut() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let sink = try sink(peer, extra: [("digest", "1h")])
        let alerts = [sampleAlert(id: "alert1"), sampleAlert(id: "alert2")]
        let damaged = Delivery(alertID: "alert9", rule: "bcma-rmat", json: #"{"id":"alert9","rule":"#)
        let results = await sink.deliver(batch: [delivery(alerts[0]), damaged, delivery(alerts[1])], context: context)
        #expect((try? results[0].get()) != nil && (try? results[2].get()) != nil)
        guard case .failure(.permanent(let reason)) = results[1] else {
            Issue.record("expected a permanent failure, got \(results[1])")
            return
        }
        #expect(reason.hasPrefix("stored alert alert9 cannot be decoded"))
        let messages = try peer.messages()
        try #require(messages.count == 1)
        #expect(messages[0].headers["Message-ID"] == MailComposer.digestMessageID(for: alerts))
    }

    @Test func theSameAlertTwiceHasTheSameMessageID() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let sink = try sink(peer)
        try await sink.deliver(delivery(sampleAlert()), context: context)
        try await sink.deliver(delivery(sampleAlert()), context: PluginContext(
            logger: Logger(label: "test"), now: { fixedDate.addingTimeInterval(300) }, mail: CurlMailTransport(engine: curl)))
        try await sink.deliver(delivery(sampleAlert(id: "another")), context: context)
        let ids = try peer.messages().map { $0.headers["Message-ID"] }
        #expect(ids == ["<\(sampleAlert().id)@pharos>", "<\(sampleAlert().id)@pharos>", "<another@pharos>"])
    }
}

/// The libcurl transport on its own: what each failure carries.
@Suite(.serialized, .runningCurl(maxConcurrent: 4), .enabled(if: smtpPeerAvailable, "needs .venv with aiosmtpd: run `make .venv/installed`"))
struct CurlMailTransportFailures {
    let transport = CurlMailTransport(engine: curl)
    let message = MailMessage(sender: "pharos@example.org", recipients: ["ops@example.org"],
                              data: Array("From: pharos@example.org\r\nTo: ops@example.org\r\nSubject: t\r\n\r\nbody\r\n".utf8))

    func server(_ peer: SMTPPeer, scheme: String = "smtp", security: MailSecurity = .startTLS, password: String? = password,
                timeout: Duration = .seconds(20)) -> MailServer {
        MailServer(url: "\(scheme)://127.0.0.1:\(peer.port)", security: security,
                   credentials: password.map { MailCredentials(username: "alice", password: $0) }, caFile: peer.caFile, timeout: timeout)
    }

    func failure(_ server: MailServer) async -> MailFailure? {
        do {
            try await transport.send(message, via: server)
            return nil
        } catch {
            return error
        }
    }

    @Test func aRejectedRecipientCarriesItsReplyCode() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)", "--reply", "RCPT=550*"])
        let failure = await failure(server(peer))
        #expect(failure?.kind == .rejected)
        #expect(failure?.replyCode == 550)
        #expect(failure?.isRetryable == false)
    }

    @Test func aBusyServerIsRetryableWithItsCode() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)", "--reply", "MAIL=452"])
        let failure = await failure(server(peer))
        #expect(failure?.kind == .rejected)
        #expect(failure?.replyCode == 452)
        #expect(failure?.isRetryable == true)
    }

    @Test func aRefusedLoginIsAnAuthenticationFailureWith535() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let failure = await failure(server(peer, password: "not it"))
        #expect(failure?.kind == .authentication)
        #expect(failure?.replyCode == 535)
        #expect(failure?.isRetryable == false)
        #expect(failure?.message.contains("not it") == false)
    }

    @Test func noSTARTTLSOnOfferIsItsOwnKindAndPermanent() async throws {
        let peer = try SMTPPeer(["--tls", "none"])
        let failure = await failure(server(peer, password: nil))
        #expect(failure?.kind == .startTLSUnavailable)
        #expect(failure?.replyCode == nil)
        #expect(failure?.isRetryable == false)
    }

    @Test func aServerThatNeverAnswersTimesOutRetryably() async throws {
        let peer = try SMTPPeer(["--mute"])
        let failure = await failure(server(peer, timeout: .seconds(1)))
        #expect(failure?.kind == .timeout)
        #expect(failure?.isRetryable == true)
    }

    @Test func aSchemeThatContradictsTheSecurityIsRefusedBeforeConnecting() async throws {
        let peer = try SMTPPeer(["--tls", "implicit"])
        let failure = await failure(server(peer, scheme: "smtp", security: .implicitTLS))
        #expect(failure?.kind == .invalid)
        let plain = await self.failure(server(peer, scheme: "smtps", security: .none))
        #expect(plain?.kind == .invalid)
    }

    @Test func linesStartingWithDotsSurviveTheTrip() async throws {
        let peer = try SMTPPeer(["--auth", "alice:\(password)"])
        let body = "From: pharos@example.org\r\nTo: ops@example.org\r\nSubject: dots\r\n\r\nline one\r\n.\r\n..two\r\n.end\r\n"
        try await transport.send(MailMessage(sender: "pharos@example.org", recipients: ["ops@example.org"], data: Array(body.utf8)),
                                 via: server(peer))
        let stored = try peer.messages()
        #expect(stored.first?.parts.first?.content == "line one\r\n.\r\n..two\r\n.end\r\n")
    }
}

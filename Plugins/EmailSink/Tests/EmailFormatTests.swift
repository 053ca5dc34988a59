import EmailSink
import Foundation
import Logging
import PharosCore
import PharosTestKit
import PharosText
import TestSupport
import Testing

@Test func emailTypeName() { #expect(EmailSink.typeName == "email") }

@Suite struct HeaderEncoding {
    @Test func plainASCIISubjectsStayReadableAndFoldAt78() {
        let subject = (1...30).map { "word\($0)" }.joined(separator: " ")
        let header = MIME.header("Subject", subject)
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(!header.contains("=?"))
        #expect(decodeHeaderValue(String(header.dropFirst("Subject: ".count))) == subject)
    }

    @Test func nonASCIISubjectsBecomeEncodedWordsThatSplitNoCharacter() {
        let subject = "Zöllner Bio: FDA-Zulassung für BCMA-Therapie 🎉 — 日本語のタイトルも含む長い件名です。" + String(repeating: "ä", count: 40)
        let header = MIME.header("Subject", subject)
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 && $0.allSatisfy(\.isASCII) })
        let words = header.dropFirst("Subject: ".count).replacingOccurrences(of: "\r\n", with: "").split(separator: " ")
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        for word in words {
            // Each word decodes on its own: no character's bytes are split between two words.
            let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
            #expect(data.flatMap { String(data: $0, encoding: .utf8) } != nil)
        }
        #expect(decodeHeaderValue(String(header.dropFirst("Subject: ".count))) == subject)
    }

    @Test func lineBreaksInFeedTextCannotInjectHeaders() {
        let header = MIME.header("Subject", "Title\r\nBcc: victim@example.org\nX-Evil: 1")
        #expect(!header.contains("\r\nBcc"))
        #expect(!header.contains("\nX-Evil"))
        #expect(header == "Subject: Title Bcc: victim@example.org X-Evil: 1")
    }

    @Test func textThatLooksLikeAnEncodedWordIsEncoded() {
        let header = MIME.header("Subject", "=?UTF-8?B?aGk=?= tricks")
        #expect(decodeHeaderValue(String(header.dropFirst("Subject: ".count))) == "=?UTF-8?B?aGk=?= tricks")
        #expect(header.hasPrefix("Subject: =?UTF-8?B?PT9"))
    }

    @Test func addressHeadersQuoteOrEncodeDisplayNames() {
        let header = MIME.addressHeader("To", [
            MailAddress(address: "ops@example.org"),
            MailAddress(name: "Doe, Jane", address: "jane@example.org"),
            MailAddress(name: "Zoë Ärztin", address: "zoe@example.org"),
        ])
        #expect(header.contains("ops@example.org,"))
        #expect(header.contains("\"Doe, Jane\" <jane@example.org>,"))
        #expect(header.contains("=?UTF-8?B?\(Data("Zoë Ärztin".utf8).base64EncodedString())?= <zoe@example.org>"))
        #expect(header.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
    }

    @Test func manyRecipientsFoldBetweenAddresses() {
        let header = MIME.addressHeader("Cc", (1...12).map { MailAddress(address: "person\($0)@research.example.org") })
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.count > 3)
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix(",") })
    }

    @Test func datesAreRFC5322InUTC() {
        #expect(MIME.date(fixedDate) == "Mon, 23 Nov 2026 09:00:00 +0000")
        #expect(MIME.date(Date(timeIntervalSince1970: 0)) == "Thu, 1 Jan 1970 00:00:00 +0000")
    }

    @Test func addressesAreParsedAndChecked() {
        #expect(MailAddress(parsing: "pharos@example.org") == MailAddress(address: "pharos@example.org"))
        #expect(MailAddress(parsing: "Pharos Alerts <pharos@example.org>") == MailAddress(name: "Pharos Alerts", address: "pharos@example.org"))
        #expect(MailAddress(parsing: "\"Doe, Jane\" <jane@example.org>") == MailAddress(name: "Doe, Jane", address: "jane@example.org"))
        #expect(MailAddress(parsing: "<ops@example.org>") == MailAddress(address: "ops@example.org"))
        for bad in ["", "no-at-sign", "a@", "@b", "two words@example.org", "x@exa mple.org", "x@example..org",
                    "x@example.org>\r\nRCPT TO:<y@z.org", "jörg@example.org", "a@b@c", "Name <x@y.org"] {
            #expect(MailAddress(parsing: bad) == nil, "\(bad.debugDescription) should be refused")
        }
    }
}

@Suite struct QuotedPrintable {
    @Test func longLinesGetSoftBreaksAndDecodeBack() {
        let text = String(repeating: "BCMA-directed CAR-T therapy with RMAT designation. ", count: 20) + "\nshort line\n"
        let encoded = MIME.quotedPrintable(text)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.count > 10)
        #expect(decodeQuotedPrintable(encoded) == Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    @Test func escapesEqualsTrailingSpaceNonASCIIAndControls() {
        #expect(MIME.quotedPrintable("a=b") == "a=3Db")
        #expect(MIME.quotedPrintable("trailing \nnext") == "trailing=20\r\nnext")
        #expect(MIME.quotedPrintable("tab\t") == "tab=09")
        #expect(MIME.quotedPrintable("Zö") == "Z=C3=B6")
        #expect(MIME.quotedPrintable("bell\u{07}") == "bell=07")
        #expect(MIME.quotedPrintable(".\n") == "=2E\r\n")
    }

    @Test func anEscapeIsNeverSplitAcrossASoftBreak() {
        let text = String(repeating: "x", count: 74) + "ööö"
        let encoded = MIME.quotedPrintable(text)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 && !$0.dropLast().hasSuffix("=") })
        #expect(decodeQuotedPrintable(encoded) == Array(text.utf8))
    }

    @Test func randomTextRoundTrips() {
        var generator = SeededGenerator(state: 2026)
        let alphabet = Array("abc XYZ=\t.-_<>&ÄöüßÅ€🎉日本\u{1}")
        for _ in 0..<200 {
            let length = Int.random(in: 0...400, using: &generator)
            var text = ""
            for _ in 0..<length {
                text.append(Int.random(in: 0..<30, using: &generator) == 0 ? "\n" : alphabet.randomElement(using: &generator)!)
            }
            let encoded = MIME.quotedPrintable(text)
            #expect(encoded.allSatisfy { $0.isASCII })
            #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 && !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
            #expect(decodeQuotedPrintable(encoded) == Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        }
    }
}

@Suite struct Composition {
    let composer = MailComposer(
        from: MailAddress(name: "Pharos", address: "pharos@example.org"), to: [MailAddress(address: "ops@example.org")], cc: [],
        subject: try! Template(EmailSink.defaultSubject, escaping: .none),
        digestSubject: try! Template(EmailSink.defaultDigestSubject, escaping: .none))

    @Test func messageIDsComeFromAlertIDs() {
        #expect(MailComposer.messageID(for: sampleAlert()) == "<0123456789abcdef0123456789abcdef@pharos>")
        let odd = MailComposer.messageID(for: sampleAlert(id: "a b>c"))
        #expect(odd.hasPrefix("<") && odd.hasSuffix("@pharos>") && !odd.contains(" "))
        #expect(odd == MailComposer.messageID(for: sampleAlert(id: "a b>c")))
        let a = sampleAlert(id: "aaaa"), b = sampleAlert(id: "bbbb"), c = sampleAlert(id: "cccc")
        #expect(MailComposer.digestMessageID(for: [a, b, c]) == MailComposer.digestMessageID(for: [c, a, b]))
        #expect(MailComposer.digestMessageID(for: [a, b]) != MailComposer.digestMessageID(for: [a, b, c]))
    }

    @Test func everyLineIsShortASCIIAndCRLF() {
        let long = String(repeating: "Ünïcödé BCMA RMAT ", count: 60)
        let bytes = composer.message(for: sampleAlert(title: long), date: fixedDate)
        #expect(bytes.allSatisfy { $0 < 128 })
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
        #expect(text.contains("Message-ID: <0123456789abcdef0123456789abcdef@pharos>\r\n"))
        #expect(text.contains("MIME-Version: 1.0\r\n"))
    }

    /// The decoded HTML part of a composed message.
    func htmlPart(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let start = text.range(of: "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"),
              let end = text.range(of: "\r\n--=_pharos_", range: start.upperBound..<text.endIndex) else { return "" }
        return String(decoding: decodeQuotedPrintable(String(text[start.upperBound..<end.lowerBound])), as: UTF8.self)
    }

    @Test func onlyWebLinksBecomeLinksAndFeedTextIsEscaped() {
        var alert = sampleAlert()
        alert.item.link = "javascript:alert(document.cookie)"
        let html = htmlPart(composer.message(for: alert, date: fixedDate))
        #expect(html.contains("<h2"))
        #expect(!html.contains("href=\"javascript"))
        #expect(html.contains("CAR-T &lt;b&gt;therapy&lt;/b&gt;."), "the summary is escaped")
        #expect(!html.contains("<script>") && !html.contains("<b>therapy"))
        let web = htmlPart(composer.message(for: sampleAlert(), date: fixedDate))
        #expect(web.contains("<a href=\"https://example.org/news?id=7&amp;lang=en\">"))
    }

    @Test func theSameAlertGivesTheSameMessageAtTheSameTime() {
        #expect(composer.message(for: sampleAlert(), date: fixedDate) == composer.message(for: sampleAlert(), date: fixedDate))
    }

    @Test func matchedTermsAreMarkedAsWholeWordsInEscapedText() {
        let html = MailComposer.highlight("Until TIL data & <BCMA> results; bcma too", terms: ["TIL", "BCMA"])
        #expect(html == "Until <mark>TIL</mark> data &amp; &lt;<mark>BCMA</mark>&gt; results; bcma too")
        #expect(MailComposer.highlight("the rmat designation", terms: ["RMAT designation"]) == "the <mark>rmat designation</mark>")
        #expect(MailComposer.highlight("information", terms: ["RMAT"]) == "information")
    }

    @Test func subjectsAreFilledInFromTheAlertDocumentAndNeverHTMLEscaped() throws {
        let custom = try emailSink([
            ("server", "smtp://127.0.0.1:2525"), ("from", "pharos@example.org"), ("to", ["ops@example.org"]),
            ("subject", "{{source}}/{{rule}}: {{item.title}}{{#matches.designations}} [{{label}}]{{/matches.designations}}"),
            ("digest_subject", "Pharos digest, {{count}} from {{sources}}: {{#alerts}}{{item.id}} {{/alerts}}"),
        ])
        let single = String(decoding: custom.composer.message(for: sampleAlert(), date: fixedDate), as: UTF8.self)
        let subject = try #require(single.components(separatedBy: "\r\n\r\n").first?.components(separatedBy: "\r\nSubject: ").last?
            .components(separatedBy: "\r\nMessage-ID").first)
        #expect(decodeHeaderValue(subject) == "fda-press/bcma-rmat: Zöllner Bio gets RMAT for BCMA <script>alert(1)</script> & more [RMAT]")
        let digest = String(decoding: custom.composer.digest([sampleAlert(id: "a1"), sampleAlert(id: "a2")], date: fixedDate), as: UTF8.self)
        #expect(digest.contains("\r\nSubject: Pharos digest, 2 from fda-press: item-a1 item-a2\r\n"))
    }
}

@Suite struct Options {
    let base: [(String, OptionValue)] = [("server", "smtp://mail.example.org:587"), ("from", "pharos@example.org"), ("to", ["ops@example.org"])]

    @Test func theMinimumIsServerFromAndTo() throws {
        let sink = try emailSink(base)
        #expect(sink.server.security == .startTLS)
        #expect(sink.destination == "mail.example.org:587")
        #expect(sink.digestPeriod == nil)
        #expect(sink.server.credentials == nil)
        #expect(try emailSink([("server", .text("smtps://mail.example.org"))] + base.dropFirst()).server.security == .implicitTLS)
        #expect(try emailSink([("server", .text("smtps://mail.example.org"))] + base.dropFirst()).destination == "mail.example.org:465")
        #expect(try emailSink([("server", .text("smtp://mail.example.org"))] + base.dropFirst()).destination == "mail.example.org:25")
        #expect(try emailSink(base + [("digest", "1h")]).digestPeriod == .seconds(3600))
    }

    @Test func missingRequiredKeysAreNamed() {
        #expect(problems([]) == [
            "sink 'mail' is missing required key 'server'", "sink 'mail' is missing required key 'from'",
            "sink 'mail' is missing required key 'to'",
        ])
        #expect(problems(Array(base.dropLast()) + [("to", [])]) == ["'to': needs at least one address"])
        #expect(problems([("from", ["a@example.org"])] + base.filter { $0.0 != "from" }) == ["'from' must be a string, found a list"])
    }

    @Test func passwordsNeverComeFromTheYAML() {
        #expect(problems(base + [("username", "alice"), ("password", "hunter2")]) == [
            "'password': secrets never go in the config file: use password_file or password_env",
            "'username': needs a password: give password_file or password_env",
        ])
    }

    @Test func passwordsComeFromTheEnvironmentOrAFileOrACredential() throws {
        let fromEnv = try emailSink(base + [("username", "alice"), ("password_env", "MAIL_PW")], environment: ["MAIL_PW": "s3cret\n"])
        #expect(fromEnv.server.credentials == MailCredentials(username: "alice", password: "s3cret"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "from a credential\n".write(to: directory.appendingPathComponent("mail.password"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory.appendingPathComponent("mail.password").path)
        // Under systemd the credential of that name wins, even though the path itself does not exist.
        let fromCredential = try emailSink(base + [("username", "alice"), ("password_file", "/etc/pharos/mail.password")],
                                           environment: ["CREDENTIALS_DIRECTORY": directory.path])
        #expect(fromCredential.server.credentials?.password == "from a credential")
        #expect(problems(base + [("username", "alice"), ("password_file", "/nonexistent/pw")]) == ["'password_file': cannot read /nonexistent/pw"])
        #expect(problems(base + [("password_env", "PW")], environment: ["PW": "x"]) == ["'password_env': needs 'username'"])
        #expect(problems(base + [("username", "a"), ("password_env", "PW"), ("password_file", .text(directory.appendingPathComponent("mail.password").path))],
                         environment: ["PW": "x"]) == ["'password_env': give either password_file or password_env, not both"])
    }

    @Test func theDescriptionOfCredentialsHidesThePassword() throws {
        let sink = try emailSink(base + [("username", "alice"), ("password_env", "MAIL_PW")], environment: ["MAIL_PW": "s3cretPW"])
        #expect(!"\(sink.server)".contains("s3cretPW"))
        #expect(!String(reflecting: sink).contains("s3cretPW"))
        var dumped = ""
        dump(sink, to: &dumped)
        #expect(!dumped.contains("s3cretPW"))
    }

    @Test func tlsMustAgreeWithTheSchemeAndNoneMustBeExplicit() {
        #expect(problems([("server", .text("smtps://mail.example.org")), ("tls", "starttls")] + base.dropFirst()) == [
            "'tls': an smtps:// server speaks TLS from the start: use tls: implicit, or an smtp:// URL for starttls",
        ])
        #expect(problems(base + [("tls", "implicit")]) == ["'tls': implicit TLS needs an smtps:// server URL"])
        #expect(problems(base + [("tls", "sometimes")]) == ["'tls': must be starttls, implicit or none, found 'sometimes'"])
        #expect(problems(base + [("tls", "none"), ("username", "a"), ("password_env", "PW")], environment: ["PW": "x"]) == [
            "'tls': none would send the password in clear text: use starttls or implicit",
        ])
        #expect((try? emailSink(base + [("tls", "none")]))?.server.security == MailSecurity.none)
    }

    @Test func groupIsAlertOrItem() {
        #expect(problems(base + [("group", "rule")]) == ["'group': must be alert or item, found 'rule'"])
    }

    @Test func brokenTemplatesAreReportedWithTheirKey() {
        #expect(problems(base + [("subject", "{{#rule}}unclosed")]).first?.hasPrefix("'subject': line 1, column ") == true)
        #expect(problems(base + [("digest_subject", "{{/alerts}}")]).first?.hasPrefix("'digest_subject': line 1, column ") == true)
    }

    @Test func badValuesNameTheirKey() {
        let found = problems([
            ("server", "http://mail.example.org"), ("from", "not an address"), ("to", ["ops@example.org", "bad"]),
            ("cc", ["x@y@z"]), ("subject", "{{title}}"), ("timeout", "soon"), ("ca_file", "/nonexistent/ca.pem"), ("digest", "10s"),
            ("sever", "typo"),
        ])
        #expect(found == [
            "'server': must be an smtp:// or smtps:// URL with a host, found 'http://mail.example.org'",
            "'from': 'not an address' is not an address like name@example.org or Name <name@example.org>",
            "'to': 'bad' is not an address like name@example.org or Name <name@example.org>",
            "'cc': 'x@y@z' is not an address like name@example.org or Name <name@example.org>",
            "'subject': gives an empty subject for a sample alert",
            "'timeout' must be a duration like 30s, 10m or 1h, found a string",
            "'ca_file': cannot read /nonexistent/ca.pem",
            "'digest': must be at least 1m, found 10s",
            "unknown key 'sever' in sink 'mail'; did you mean 'server'?",
        ])
        #expect(problems([("server", .text("smtp://alice:pw@mail.example.org"))] + base.dropFirst()) == [
            "'server': no credentials in the URL: use 'username' and password_file or password_env",
        ])
    }
}

@Suite struct FailureMapping {
    let sink = try! emailSink([("server", "smtp://127.0.0.1:2525"), ("from", "pharos@example.org"), ("to", ["ops@example.org"]),
                               ("cc", ["ops@example.org", "lab@example.org"])])

    @Test func replyCodesDecideRetryableOrPermanent() async {
        let transport = ScriptedMailTransport(failures: [
            MailFailure(kind: .rejected, replyCode: 451, message: "127.0.0.1:2525 answered 451 4.3.0 later"),
            MailFailure(kind: .rejected, replyCode: 550, message: "127.0.0.1:2525 answered 550 5.1.1 no"),
            MailFailure(kind: .connection, message: "127.0.0.1:2525: connection refused"),
            MailFailure(kind: .startTLSUnavailable, message: "no STARTTLS"),
            MailFailure(kind: .authentication, replyCode: 454, message: "auth later"),
        ])
        let context = PluginContext(logger: .init(label: "test"), now: { fixedDate }, mail: transport)
        var outcomes: [DeliveryError] = []
        for _ in 0..<5 {
            do {
                try await sink.deliver(delivery(sampleAlert()), context: context)
            } catch {
                outcomes.append(error)
            }
        }
        #expect(outcomes == [
            .retryable("127.0.0.1:2525 answered 451 4.3.0 later"), .permanent("127.0.0.1:2525 answered 550 5.1.1 no"),
            .retryable("127.0.0.1:2525: connection refused"), .permanent("no STARTTLS"), .retryable("auth later"),
        ])
        #expect(transport.messages.first?.recipients == ["ops@example.org", "lab@example.org"], "each recipient once")
        #expect(transport.messages.first?.sender == "pharos@example.org")
    }

    @Test func withoutAMailTransportDeliveryFailsPermanentlySayingWhy() async {
        let error = await #expect(throws: DeliveryError.self) {
            try await sink.deliver(delivery(sampleAlert()), context: PluginContext(logger: .init(label: "test")))
        }
        #expect(error == .permanent("no mail transport is configured"))
    }

    @Test func withoutDigestABatchIsOneMessagePerAlert() async {
        let transport = ScriptedMailTransport()
        let results = await sink.deliver(batch: [delivery(sampleAlert(id: "a1")), delivery(sampleAlert(id: "a2"))],
                                         context: PluginContext(logger: .init(label: "test"), mail: transport))
        #expect(results.count == 2)
        #expect(transport.messages.count == 2)
    }

    @Test func aDigestBatchIsOneMessageAndOneSharedResult() async throws {
        let digest = try emailSink([("server", "smtp://127.0.0.1:2525"), ("from", "pharos@example.org"), ("to", ["ops@example.org"]),
                                    ("digest", "1h")])
        let transport = ScriptedMailTransport(failures: [MailFailure(kind: .rejected, replyCode: 452, message: "full")])
        let context = PluginContext(logger: .init(label: "test"), now: { fixedDate }, mail: transport)
        let batch = (1...4).map { delivery(sampleAlert(id: "alert\($0)")) }
        let failed = await digest.deliver(batch: batch, context: context)
        #expect(failed.map { (try? $0.get()) == nil } == [true, true, true, true])
        let delivered = await digest.deliver(batch: batch, context: context)
        #expect(delivered.allSatisfy { (try? $0.get()) != nil })
        #expect(transport.messages.count == 2)
        #expect(transport.messages[0].data == transport.messages[1].data, "a retried digest is the same message")
        #expect(await digest.deliver(batch: [], context: context).isEmpty)
    }
}

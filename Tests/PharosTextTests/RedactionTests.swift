import PharosCore
import PharosText
import Testing

@Suite struct URLRedaction {
    @Test func onlySchemeHostAndPortAreShown() {
        #expect(Redaction.url("https://hooks.slack.com/services/T000/B000/XXXXSECRET") == "https://hooks.slack.com/…(redacted)")
        #expect(Redaction.url("https://example.webhook.office.com:8443/webhookb2/abc@def/IncomingWebhook/TOKEN")
            == "https://example.webhook.office.com:8443/…(redacted)")
        #expect(Redaction.url("http://user:pw@hooks.example.org:8080/") == "http://hooks.example.org:8080/")
        #expect(Redaction.url("https://discord.com?token=SECRET") == "https://discord.com/…(redacted)")
        #expect(Redaction.url("http://[::1]:9464") == "http://[::1]:9464")
        #expect(Redaction.url("not a url SECRET") == "(URL)…(redacted)")
    }

    @Test func urlsInsideTextAreRedacted() {
        #expect(Redaction.urls(in: "Failed to connect to https://h.example/a/TOKEN port 443: refused; see http://x.example/")
            == "Failed to connect to https://h.example/…(redacted) port 443: refused; see http://x.example/")
        #expect(Redaction.urls(in: "no url here: a://") == "no url here: a://")
        let once = Redaction.urls(in: "https://h.example:9/hook/TOKEN: Failed to connect to h.example port 9.")
        #expect(once == "https://h.example:9/…(redacted): Failed to connect to h.example port 9.")
        #expect(Redaction.urls(in: once) == once, "redacting twice changes nothing")
        #expect(Redaction.urls(in: "see https://h.example/a/b.") == "see https://h.example/…(redacted).")
    }
}

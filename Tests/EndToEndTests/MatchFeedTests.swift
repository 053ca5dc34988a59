import Foundation
import Testing

/// `pharos match` over feeds: each item is matched on its own (issue 18, item 3).
@Suite struct MatchFeedTests {
    /// BCMA in one item and RMAT in another: read as one document they made a false match.
    static let rule = "- name: bcma-and-rmat\n  targets: [BCMA]\n  keywords: [RMAT]\n"

    static let rss = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
        <item><title>BCMA bispecific shows responses</title><link>https://news.example/1</link>
          <description>Data for a BCMA-directed bispecific antibody.</description></item>
        <item><title>Gene therapy wins RMAT</title><link>https://news.example/2</link>
          <description>The FDA granted RMAT designation to a gene therapy for hemophilia.</description></item>
        <item><title>Both in one</title><link>https://news.example/3</link>
          <description>A BCMA CAR-T received RMAT designation.</description></item>
        </channel></rss>
        """

    static let atom = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><id>urn:x</id><updated>2026-12-01T00:00:00Z</updated>
        <entry><title>BCMA bispecific shows responses</title><id>urn:1</id><updated>2026-12-01T00:00:00Z</updated>
          <link href="https://news.example/1"/><summary>A BCMA-directed antibody.</summary></entry>
        <entry><title>Gene therapy wins RMAT</title><id>urn:2</id><updated>2026-12-01T00:00:00Z</updated>
          <link href="https://news.example/2"/><summary>RMAT designation granted.</summary></entry>
        </feed>
        """

    static let jsonFeed = """
        {"version": "https://jsonfeed.org/version/1.1", "title": "News", "items": [
          {"id": "1", "title": "BCMA bispecific shows responses", "url": "https://news.example/1", "content_text": "A BCMA antibody."},
          {"id": "2", "title": "Gene therapy wins RMAT", "url": "https://news.example/2", "content_text": "RMAT designation granted."}]}
        """

    private func deployment(_ files: [String: String]) throws -> Deployment {
        let deployment = try Deployment(copyExamples: false)
        try deployment.useOnlyRules(Self.rule)
        for (name, text) in files { try Data(text.utf8).write(to: deployment.root.appendingPathComponent(name)) }
        return deployment
    }

    @Test func termsFromTwoItemsOfAFeedAreNeverJoined() throws {
        let deployment = try deployment(["news.xml": Self.rss, "news.atom": Self.atom, "news.json": Self.jsonFeed])
        for name in ["news.atom", "news.json"] {
            let outcome = try pharos(["match", "--config", deployment.config.path, deployment.root.appendingPathComponent(name).path], in: deployment.root)
            #expect(outcome.status == 1, "BCMA and RMAT are in different items of \(name): nothing matches; \(outcome.stdout)")
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.stderr.contains("(2 feed items)"), "\(outcome.stderr)")
        }
        let rss = deployment.root.appendingPathComponent("news.xml").path
        let text = try pharos(["match", "--config", deployment.config.path, rss], in: deployment.root)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("\(rss) item 3 \"Both in one\" <https://news.example/3>: bcma-and-rmat\n"), "\(text.stdout)")
        #expect(!text.stdout.contains("item 1") && !text.stdout.contains("item 2"), "\(text.stdout)")

        let json = try pharos(["match", "--json", "--config", deployment.config.path, rss], in: deployment.root)
        let lines = json.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 1)
        let item = lines.first??["item"] as? [String: Any]
        #expect(item?["index"] as? Int == 3 && item?["title"] as? String == "Both in one" && item?["link"] as? String == "https://news.example/3", "\(json.stdout)")
        #expect(lines.first??["document"] as? String == rss && lines.first??["rule"] as? String == "bcma-and-rmat")

        let count = try pharos(["match", "--count", "--config", deployment.config.path, rss], in: deployment.root)
        #expect(count.stdout == "1\n")
        let explain = try pharos(["match", "--explain", "--rule", "bcma-and-rmat", "--config", deployment.config.path, rss], in: deployment.root)
        #expect(explain.status == 0 && explain.stdout.contains("item 3 \"Both in one\""), "\(explain.stdout)\(explain.stderr)")
    }

    @Test func standardInputIsReadAsAFeedWhenItIsOne() throws {
        let deployment = try deployment(["news.xml": Self.rss, "both.txt": "Plain text\n\nBCMA here, RMAT there.\n"])
        let feed = try command("/bin/sh", ["-c", "exec \"$0\" match --config \"$1\" - < news.xml", pharosBinary.path, deployment.config.path], in: deployment.root)
        #expect(feed.status == 0, "\(feed.stderr)")
        #expect(feed.stdout == "- item 3 \"Both in one\" <https://news.example/3>: bcma-and-rmat\n" + "    targets: \"BCMA\" = BCMA (TNFRSF17)\n"
                + "    keywords: \"RMAT\"\n" + "    summary 0-39: A «BCMA» CAR-T received «RMAT» designation.\n", "\(feed.stdout)")
        let text = try command("/bin/sh", ["-c", "exec \"$0\" match --config \"$1\" - < both.txt", pharosBinary.path, deployment.config.path], in: deployment.root)
        #expect(text.status == 0 && text.stdout.hasPrefix("-: bcma-and-rmat\n"), "plain text on stdin is one document, as before: \(text.stdout)")
    }

    @Test func documentsAndFoldersAreReadWholeAsBefore() throws {
        let page = "<!DOCTYPE html><html><head><title>Page</title></head><body><p>BCMA news.</p><p>RMAT news.</p></body></html>"
        let deployment = try deployment([:])
        try Data(page.utf8).write(to: deployment.inbox.appendingPathComponent("page.html"))
        try Data("Notes\n\nBCMA first.\n\nRMAT later.\n".utf8).write(to: deployment.inbox.appendingPathComponent("notes.md"))
        // A JSON document that is no JSON Feed (no jsonfeed.org version) stays one document.
        try Data(#"{"title": "Doc", "items": [], "content": "BCMA and RMAT"}"#.utf8).write(to: deployment.root.appendingPathComponent("doc.json"))
        let folder = try pharos(["match", "--config", deployment.config.path, deployment.inbox.path], in: deployment.root)
        #expect(folder.status == 0)
        #expect(folder.stdout.contains("page.html: bcma-and-rmat") && folder.stdout.contains("notes.md: bcma-and-rmat"), "\(folder.stdout)")
        #expect(!folder.stdout.contains(" item "), "\(folder.stdout)")
        let document = deployment.root.appendingPathComponent("doc.json").path
        let json = try pharos(["match", "--config", deployment.config.path, document], in: deployment.root)
        #expect(json.stdout.hasPrefix("\(document): bcma-and-rmat\n"), "\(json.stdout)\(json.stderr)")
    }

    @Test func hostileItemTitlesAndLinksAreEscaped() throws {
        let rss = """
            <rss version="2.0"><channel><title>x</title>
            <item><title>BCMA &#x1B;[2J RMAT</title><link>https://x.example/a&#x0D;b</link></item></channel></rss>
            """
        let deployment = try deployment(["evil.rss": rss])
        let outcome = try pharos(["match", "--config", deployment.config.path, deployment.root.appendingPathComponent("evil.rss").path], in: deployment.root)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("\u{1B}") && !outcome.stdout.contains("\r"), "\(outcome.stdout)")
    }
}

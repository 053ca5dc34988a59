import Foundation
import PharosCore
import PharosFeeds
import Testing

private func parse(_ text: String, url: String? = "https://news.example.org/feed.xml") -> ParsedFeed {
    FeedParser.parse(Data(text.utf8), url: url.flatMap(URL.init(string:)))
}

private func iso(_ date: Date?) -> String? { date.map(ISO8601.string) }

@Suite struct FormatTests {
    @Test func rss20() {
        let feed = parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
            <channel>
              <title>Acme Bio &amp; Co — News</title>
              <link>https://acme.example/news</link>
              <image><title>Not the title</title><url>https://acme.example/logo.png</url></image>
              <item>
                <title>FDA grants &lt;b&gt;RMAT&lt;/b&gt; designation</title>
                <link>https://acme.example/news/1</link>
                <guid isPermaLink="false">acme-0001</guid>
                <pubDate>Mon, 10 Feb 2025 17:35:00 EST</pubDate>
                <description><![CDATA[<p>First paragraph &amp; more.</p><p>Second.</p>]]></description>
                <content:encoded><![CDATA[<div>Full <b>text</b> of the release.</div>]]></content:encoded>
                <dc:creator>Jane Doe</dc:creator>
                <author>press@acme.example (Press Office)</author>
                <category>Oncology</category>
                <category domain="NASDAQ">ACME</category>
                <dc:contributor>Acme Bio, Inc.</dc:contributor>
                <comments>https://acme.example/news/1#comments</comments>
              </item>
            </channel>
            </rss>
            """)
        #expect(feed.wellFormed)
        #expect(feed.warnings.isEmpty)
        #expect(feed.title == "Acme Bio & Co — News")
        #expect(feed.link == "https://acme.example/news")
        let item = feed.items[0]
        #expect(item.id == "acme-0001")
        #expect(item.title == "FDA grants RMAT designation")
        #expect(item.link == "https://acme.example/news/1")
        #expect(iso(item.published) == "2025-02-10T22:35:00Z")
        #expect(item.updated == nil)
        #expect(item.summary == "First paragraph & more.\n\nSecond.")
        #expect(item.content == "Full text of the release.")
        #expect(item.authors == ["Jane Doe", "Press Office"])
        #expect(item.categories == ["Oncology", "ACME", "NASDAQ:ACME"])
        #expect(item.fields["dc:contributor"] == "Acme Bio, Inc.")
        #expect(item.fields["comments"] == "https://acme.example/news/1#comments")
    }

    @Test func rss091WithNetscapeDoctypeAndHTMLEntities() {
        let feed = parse("""
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
            <rss version="0.91"><channel><title>Caf&eacute; news</title><link>http://cafe.example/</link>
            <item><title>Cr&egrave;me&nbsp;br&ucirc;l&eacute;e</title><link>http://cafe.example/1</link>
            <description>Tr&egrave;s bon</description></item></channel></rss>
            """)
        // Entities of an external DTD that is (deliberately) not read are not an error.
        #expect(feed.wellFormed)
        #expect(feed.title == "Café news")
        #expect(feed.items[0].title == "Crème brûlée")
        #expect(feed.items[0].summary == "Très bon")
        #expect(feed.items[0].id == "http://cafe.example/1")
    }

    @Test func rss10RDF() {
        let feed = parse("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                     xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="http://rdf.example/"><title>RDF feed</title><link>http://rdf.example/</link></channel>
              <item rdf:about="http://rdf.example/a"><title>A</title><link>http://rdf.example/a</link>
                <dc:date>2003-12-13T18:30:02Z</dc:date><dc:subject>Biology</dc:subject><dc:creator>Hines, P. J.</dc:creator></item>
              <item rdf:about="http://rdf.example/b"><title>B</title><link>http://rdf.example/b</link></item>
            </rdf:RDF>
            """)
        #expect(feed.wellFormed)
        #expect(feed.title == "RDF feed")
        #expect(feed.items.map(\.id) == ["http://rdf.example/a", "http://rdf.example/b"])
        #expect(iso(feed.items[0].published) == "2003-12-13T18:30:02Z")
        #expect(feed.items[0].categories == ["Biology"])
        #expect(feed.items[0].authors == ["Hines, P. J."])
    }

    @Test func rss090() {
        let feed = parse("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
              <channel><title>Old</title><link>http://old.example/</link></channel>
              <item><title>One</title><link>http://old.example/1</link></item>
            </rdf:RDF>
            """)
        #expect(feed.title == "Old")
        #expect(feed.items.map(\.title) == ["One"])
        #expect(feed.items[0].id == "http://old.example/1")
    }

    @Test func atom10() {
        let feed = parse("""
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <title type="html">Acme &amp;amp;amp; Partners</title>
              <link rel="self" href="https://acme.example/atom.xml"/>
              <link rel="alternate" type="text/html" href="https://acme.example/"/>
              <author><name>Acme Press</name><email>press@acme.example</email></author>
              <entry>
                <title>Breakthrough Therapy for ACM-1</title>
                <link rel="edit" href="https://acme.example/edit/1"/>
                <link rel="alternate" type="application/pdf" href="https://acme.example/1.pdf"/>
                <link href="https://acme.example/1"/>
                <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
                <published>2025-02-10T22:35:00Z</published>
                <updated>2025-02-11T08:00:00+01:00</updated>
                <summary>Short &lt;b&gt;summary&lt;/b&gt;</summary>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Full <em>story</em> &amp; more.</p></div></content>
                <category term="oncology" label="Oncology"/>
                <contributor><name>Dr. Who</name></contributor>
                <source><title>Other feed</title><id>urn:other</id><updated>2000-01-01T00:00:00Z</updated></source>
              </entry>
              <entry>
                <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <b>XHTML</b> title</div></title>
                <id>tag:acme.example,2025:2</id>
                <updated>2025-03-01T00:00:00Z</updated>
                <author><name>Item Author</name></author>
              </entry>
            </feed>
            """)
        #expect(feed.wellFormed)
        // HTML escaped twice: `&amp;amp;` in the HTML is an escaped `&`.
        #expect(feed.title == "Acme & Partners")
        #expect(feed.link == "https://acme.example/")
        let first = feed.items[0]
        #expect(first.title == "Breakthrough Therapy for ACM-1")
        #expect(first.link == "https://acme.example/1")
        #expect(first.id == "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6")
        #expect(iso(first.published) == "2025-02-10T22:35:00Z")
        #expect(iso(first.updated) == "2025-02-11T07:00:00Z")
        // Atom text constructs default to text: the escaped tags are the text.
        #expect(first.summary == "Short <b>summary</b>")
        #expect(first.content == "Full story & more.")
        #expect(first.categories == ["oncology"])
        #expect(first.authors == ["Acme Press"])
        #expect(first.fields["contributor"] == "Dr. Who")
        let second = feed.items[1]
        #expect(second.title == "An XHTML title")
        #expect(second.authors == ["Item Author"])
        // Only an update date: it stands for the publication date too.
        #expect(iso(second.published) == "2025-03-01T00:00:00Z")
    }

    @Test func atom03() {
        let feed = parse("""
            <feed version="0.3" xmlns="http://purl.org/atom/ns#">
              <title mode="escaped" type="text/html">Old &amp;amp; Atom</title>
              <link rel="alternate" type="text/html" href="http://old-atom.example/"/>
              <entry>
                <title mode="base64">RW50cnkgVGl0bGU=</title>
                <link rel="alternate" type="text/html" href="http://old-atom.example/1"/>
                <id>tag:old-atom.example,2004:1</id>
                <issued>2004-01-01T19:48:21Z</issued>
                <modified>2004-01-02T19:48:21Z</modified>
                <summary type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Entry Summary</p></div></summary>
                <content type="text/html" mode="escaped">&lt;p&gt;Entry &lt;i&gt;Content&lt;/i&gt;&lt;/p&gt;</content>
              </entry>
            </feed>
            """)
        #expect(feed.title == "Old & Atom")
        #expect(feed.link == "http://old-atom.example/")
        let item = feed.items[0]
        #expect(item.title == "Entry Title")
        #expect(item.link == "http://old-atom.example/1")
        #expect(iso(item.published) == "2004-01-01T19:48:21Z")
        #expect(iso(item.updated) == "2004-01-02T19:48:21Z")
        #expect(item.summary == "Entry Summary")
        #expect(item.content == "Entry Content")
    }

    @Test func atomEntryDocument() {
        let feed = parse("""
            <entry xmlns="http://www.w3.org/2005/Atom"><title>Alone</title><id>urn:x:1</id>
            <updated>2025-01-01T00:00:00Z</updated><link href="/alone"/></entry>
            """)
        #expect(feed.items.map(\.title) == ["Alone"])
        #expect(feed.items[0].link == "https://news.example.org/alone")
    }

    @Test func jsonFeed11() {
        let feed = parse("""
            {"version": "https://jsonfeed.org/version/1.1", "title": "JSON News", "home_page_url": "https://json.example/",
             "authors": [{"name": "Desk"}],
             "items": [
               {"id": "1", "url": "/posts/1", "title": "  First  post ", "content_html": "<p>Hello &amp; <b>welcome</b></p>",
                "summary": "Hi", "date_published": "2025-02-10T22:35:00Z", "date_modified": "2025-02-11T00:00:00Z",
                "tags": ["FDA", "RMAT"], "attachments": [{"url": "https://json.example/a.mp3", "mime_type": "audio/mpeg"}]},
               {"id": 2, "content_text": "Plain text", "authors": [{"name": "Ann"}], "external_url": "https://elsewhere.example/x"}
             ]}
            """)
        #expect(feed.wellFormed)
        #expect(feed.title == "JSON News")
        #expect(feed.link == "https://json.example/")
        #expect(feed.items[0].link == "https://news.example.org/posts/1")
        #expect(feed.items[0].title == "First post")
        #expect(feed.items[0].content == "Hello & welcome")
        #expect(feed.items[0].summary == "Hi")
        #expect(feed.items[0].categories == ["FDA", "RMAT"])
        #expect(feed.items[0].authors == ["Desk"])
        #expect(feed.items[0].fields["enclosure"] == "https://json.example/a.mp3")
        #expect(iso(feed.items[0].updated) == "2025-02-11T00:00:00Z")
        #expect(feed.items[1].id == "2")
        #expect(feed.items[1].content == "Plain text")
        #expect(feed.items[1].authors == ["Ann"])
        #expect(feed.items[1].link == "https://elsewhere.example/x")
    }

    @Test func jsonFeed10AndBrokenJSON() {
        let old = parse("""
            {"version": "https://jsonfeed.org/version/1", "title": "Old JSON", "author": {"name": "Solo"},
             "items": [{"id": "a", "title": "T", "content_text": "x"}]}
            """)
        #expect(old.items[0].authors == ["Solo"])
        let broken = parse(##"{"version": "https://jsonfeed.org/version/1.1", "items": [ {"id": "#"##)
        let notAFeed = parse(#"{"hello": "world"}"#)
        #expect(!notAFeed.wellFormed)
        #expect(notAFeed.warnings.first == "not a JSON Feed: no items array")
        #expect(!broken.wellFormed)
        #expect(broken.items.isEmpty)
        #expect(broken.warnings.first?.hasPrefix("not valid JSON") == true)
    }

    @Test func jsonOutputFollowsDesign() {
        let feed = parse("""
            <rss version="2.0"><channel><title>T</title><link>https://t.example/</link>
            <item><title>A "quoted" title</title><link>https://t.example/a</link><pubDate>Mon, 10 Feb 2025 22:35:00 GMT</pubDate></item>
            </channel></rss>
            """)
        let json = JSONWriter.encode(feed.jsonValue)
        #expect(json == #"{"title":"T","link":"https://t.example/","well_formed":true,"warnings":[],"items":[{"id":"https://t.example/a","title":"A \"quoted\" title","link":"https://t.example/a","published":"2025-02-10T22:35:00Z","updated":null,"summary":null,"content":null,"authors":[],"categories":[]}]}"#)
    }
}

@Suite struct PressReleaseFeedTests {
    /// FDA press releases: http links, xml:base, EDT/EST, entities escaped twice.
    @Test func fdaStyle() {
        let feed = parse("""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xml:base="http://www.fda.gov/" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel><title>FDA Press Releases</title><link>http://www.fda.gov/news-events/press-announcements</link>
            <item><title>FDA Approves Drug for Patients&amp;#8217; Rare &amp;amp;amp; Serious Disease</title>
              <link>/news-events/press-announcements/fda-approves-1</link>
              <description>&lt;p&gt;The U.S. Food and Drug Administration today granted &amp;lt;i&amp;gt;accelerated approval&amp;lt;/i&amp;gt;&amp;nbsp;to&amp;hellip;&lt;/p&gt;</description>
              <pubDate>Mon, 14 Jul 2025 16:05:00 EDT</pubDate>
              <dc:creator>FDA</dc:creator>
            </item></channel></rss>
            """, url: "https://www.fda.gov/about-fda/contact-fda/stay-informed/rss-feeds/press-releases/rss.xml")
        let item = feed.items[0]
        #expect(item.title == "FDA Approves Drug for Patients’ Rare & Serious Disease")
        #expect(item.link == "http://www.fda.gov/news-events/press-announcements/fda-approves-1")
        #expect(item.summary == "The U.S. Food and Drug Administration today granted accelerated approval\u{A0}to…")
        #expect(iso(item.published) == "2025-07-14T20:05:00Z")
    }

    /// GlobeNewswire: the company in dc:contributor, tickers and ISINs as categories with a domain,
    /// dates without seconds.
    @Test func globeNewswireStyle() {
        let feed = parse("""
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>GlobeNewswire</title>
            <item><guid isPermaLink="false">2211234</guid><link>https://www.globenewswire.com/news-release/2021/02/20/1/0/en/x.html</link>
              <title>ImmunityBio Announces RMAT Designation</title>
              <category domain="https://www.globenewswire.com/rss/keyword">Gene Therapy</category>
              <category domain="https://www.globenewswire.com/rss/stock">Nasdaq:IBRX</category>
              <category domain="https://www.globenewswire.com/rss/ISIN">US45256X1037</category>
              <dc:contributor>ImmunityBio, Inc.</dc:contributor>
              <pubDate>Sat, 20 Feb 2021 02:44 GMT</pubDate></item></channel></rss>
            """)
        let item = feed.items[0]
        #expect(item.id == "2211234")
        #expect(item.categories == ["Gene Therapy", "Nasdaq:IBRX", "US45256X1037"])
        #expect(item.fields["dc:contributor"] == "ImmunityBio, Inc.")
        #expect(iso(item.published) == "2021-02-20T02:44:00Z")
    }

    /// SEC EDGAR: Atom in ISO-8859-1 with accession-number ids.
    @Test func secEdgarStyle() {
        var bytes = Array("""
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Latest Filings</title>
            <entry><title>8-K - Soci\u{E9}t\u{E9} Pharma (0001234567) (Filer)</title>
            <link rel="alternate" type="text/html" href="https://www.sec.gov/Archives/edgar/data/1234567/x-index.htm"/>
            <summary type="html"> &lt;b&gt;Filed:&lt;/b&gt; 2025-02-10 &lt;b&gt;AccNo:&lt;/b&gt; 0001234567-25-000001</summary>
            <updated>2025-02-10T17:30:12-05:00</updated>
            <id>urn:tag:sec.gov,2008:accession-number=0001234567-25-000001</id></entry></feed>
            """.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        bytes.append(0x0A)
        let feed = FeedParser.parse(Data(bytes), url: URL(string: "https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent"))
        #expect(feed.wellFormed)
        let item = feed.items[0]
        #expect(item.title == "8-K - Société Pharma (0001234567) (Filer)")
        #expect(item.id == "urn:tag:sec.gov,2008:accession-number=0001234567-25-000001")
        #expect(item.summary == "Filed: 2025-02-10 AccNo: 0001234567-25-000001")
        #expect(iso(item.published) == "2025-02-10T22:30:12Z")
    }
}

@Suite struct EncodingTests {
    static let body = "<rss version=\"2.0\"><channel><title>Caf\u{E9} \u{201C}quoted\u{201D}</title><item><title>\u{C9}t\u{E9} \u{2014} \u{20AC}5</title><link>http://x.example/1</link></item></channel></rss>"

    @Test func utf16WithAndWithoutBOM() {
        let declared = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + Self.body
        for data in [declared.data(using: .utf16)!, declared.data(using: .utf16LittleEndian)!, declared.data(using: .utf16BigEndian)!] {
            let feed = FeedParser.parse(data, url: nil)
            #expect(feed.title == "Café “quoted”")
            #expect(feed.items.first?.title == "Été — €5")
            #expect(feed.wellFormed)
        }
    }

    @Test func windows1252Declared() {
        let data = ("<?xml version=\"1.0\" encoding=\"windows-1252\"?>" + Self.body).data(using: .windowsCP1252)!
        let feed = FeedParser.parse(data, url: nil)
        #expect(feed.title == "Café “quoted”")
        #expect(feed.items.first?.title == "Été — €5")
    }

    @Test func latin1DeclaredButWindows1252Bytes() {
        // Curly quotes are 0x93/0x94 in Windows-1252, control characters in ISO-8859-1.
        let data = ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + Self.body).data(using: .windowsCP1252)!
        let feed = FeedParser.parse(data, url: nil)
        #expect(feed.title == "Café “quoted”")
        #expect(feed.wellFormed)
    }

    @Test func latin1WithoutDeclaration() {
        let data = ("<rss version=\"2.0\"><channel><title>Not\u{ED}cias</title><item><title>M\u{E3}e</title></item></channel></rss>").data(using: .isoLatin1)!
        let feed = FeedParser.parse(data, url: nil)
        #expect(feed.title == "Notícias")
        #expect(feed.items.first?.title == "Mãe")
        #expect(feed.warnings.contains { $0.contains("Windows-1252") })
        // Without a declaration the document had to be UTF-8: readable, but not well-formed.
        #expect(!feed.wellFormed)
    }

    @Test func utf8BOMAndLeadingWhitespace() {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("\n\n  <?xml version=\"1.0\" encoding=\"utf-8\"?>\(Self.body)".utf8)
        let feed = FeedParser.parse(data, url: nil)
        #expect(feed.items.first?.title == "Été — €5")
        #expect(feed.warnings.contains { $0.contains("white space before the XML declaration") })
    }

    @Test func declaredLatin1ButUTF8Bytes() {
        let feed = FeedParser.parse(Data(("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>" + Self.body).utf8), url: nil)
        #expect(feed.items.first?.title == "Été — €5")
    }

    @Test func gb2312Declared() {
        // 中文新闻 and 药品审批 in GB2312.
        let title: [UInt8] = [214, 208, 206, 196, 208, 194, 206, 197], item: [UInt8] = [210, 169, 198, 183, 201, 243, 197, 250]
        let data = Data("<?xml version=\"1.0\" encoding=\"gb2312\"?><rss version=\"2.0\"><channel><title>".utf8) + Data(title)
            + Data("</title><item><title>".utf8) + Data(item) + Data("</title></item></channel></rss>".utf8)
        let feed = FeedParser.parse(data, url: nil)
        #expect(feed.title == "中文新闻")
        #expect(feed.items.first?.title == "药品审批")
        #expect(feed.wellFormed)
    }
}

@Suite struct LinkAndIdentityTests {
    @Test func xmlBaseResolution() {
        let feed = parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.com/parent/">
              <link href="index.html"/>
              <entry xml:base="entries/"><title>a</title><link href="one.html"/><id>relative/id</id></entry>
              <entry><title>b</title><link xml:base="http://other.example/dir/" href="../two.html"/><id>urn:b</id></entry>
              <entry><title>c</title><link href="/root.html"/><id>urn:c</id></entry>
            </feed>
            """)
        #expect(feed.link == "http://example.com/parent/index.html")
        #expect(feed.items[0].link == "http://example.com/parent/entries/one.html")
        #expect(feed.items[0].id == "http://example.com/parent/entries/relative/id")
        #expect(feed.items[1].link == "http://other.example/two.html")
        #expect(feed.items[2].link == "http://example.com/root.html")
    }

    @Test func relativeLinksUseTheFeedURL() {
        let feed = parse("<rss version=\"2.0\"><channel><link>/</link><item><title>x</title><link>news/1.html</link></item></channel></rss>",
                         url: "https://press.example/feeds/rss.xml")
        #expect(feed.link == "https://press.example/")
        #expect(feed.items[0].link == "https://press.example/feeds/news/1.html")
        let unresolved = parse("<rss version=\"2.0\"><channel><item><title>x</title><link>/a</link></item></channel></rss>", url: nil)
        #expect(unresolved.items[0].link == "/a")
    }

    @Test func permalinkGuidIsTheLink() {
        let feed = parse("<rss version=\"2.0\"><channel><item><title>x</title><guid>https://p.example/1</guid></item><item><title>y</title><guid isPermaLink=\"false\">https://p.example/2</guid></item></channel></rss>")
        #expect(feed.items[0].link == "https://p.example/1")
        #expect(feed.items[1].link == nil)
        #expect(feed.items[1].id == "https://p.example/2")
    }

    @Test func idFallbackIsStable() {
        let text = """
            <rss version="2.0"><channel>
            <item><title>No id or link</title><description>Body one</description><pubDate>Mon, 10 Feb 2025 22:35:00 GMT</pubDate></item>
            <item><title>No id or link</title><description>Body two</description></item>
            <item><title>Link only</title><link>https://x.example/only</link></item>
            </channel></rss>
            """
        let first = parse(text), second = parse(text, url: "https://elsewhere.example/moved.xml")
        #expect(first.items.map(\.id) == second.items.map(\.id))
        #expect(first.items[0].id.hasPrefix("sha256:"))
        #expect(first.items[0].id != first.items[1].id)
        #expect(first.items[2].id == "https://x.example/only")
        // Same content in another document: same id.
        let alone = parse("<rss version=\"2.0\"><channel><item><title>No id or link</title><description>Body one</description><pubDate>Mon, 10 Feb 2025 22:35:00 GMT</pubDate></item></channel></rss>")
        #expect(alone.items[0].id == first.items[0].id)
    }
}

@Suite struct RecoveryTests {
    @Test func truncatedFeedKeepsClosedItems() {
        let feed = parse("""
            <rss version="2.0"><channel><title>T</title>
            <item><title>One</title><link>https://t.example/1</link></item>
            <item><title>Two</title><link>https://t.example/2</link></item>
            <item><title>Thr
            """)
        #expect(!feed.wellFormed)
        #expect(feed.items.map(\.title) == ["One", "Two"])
        #expect(feed.warnings.contains { $0.hasPrefix("line ") })
    }

    @Test func mismatchedTagsAndBareAmpersands() {
        let feed = parse("""
            <rss version="2.0"><channel><title>Johnson & Johnson <3 R&D</title>
            <item><title>A & B &amp; C &copy=2; &lt;3</title><link>https://t.example/?a=1&b=2</link><description>x</item>
            <item><title>After the error &amp; still &lt;3</title></item>
            </channel></rss>
            """)
        #expect(!feed.wellFormed)
        #expect(feed.title == "Johnson & Johnson <3 R&D")
        #expect(feed.items.first?.title == "A & B & C &copy=2; <3")
        #expect(feed.items.first?.link == "https://t.example/?a=1&b=2")
        // The unclosed <description> is closed by </item>; the next <item> then opens inside the
        // first one, which can only mean the first one ended.
        #expect(feed.items.count == 2)
        #expect(feed.items.last?.title == "After the error & still <3")
        #expect(feed.warnings.contains { $0.contains("bare '&'") })
    }

    @Test func undeclaredEntitiesAreReadAsHTML() {
        let feed = parse("<rss version=\"2.0\"><channel><item><title>Caf&eacute;&nbsp;&mdash; &bogus; &amp;</title></item></channel></rss>")
        #expect(!feed.wellFormed)
        // Titles are one line: the no-break space is folded like any other space.
        #expect(feed.items[0].title == "Café — &bogus; &")
        #expect(feed.warnings.contains { $0.contains("&eacute;") })
    }

    @Test func controlCharactersAreDropped() {
        let feed = parse("<rss version=\"2.0\"><channel><item><title>ab\u{01}cd\u{0B}</title></item></channel></rss>")
        #expect(feed.items[0].title == "abcd")
        #expect(!feed.wellFormed)
    }

    @Test func notAFeed() {
        let html = parse("<!DOCTYPE html><html><head><title>Hi</title></head><body><p>Nope</p></body></html>")
        #expect(html.items.isEmpty)
        #expect(!html.wellFormed)
        #expect(html.warnings.first == "not a feed: the root element is <html>")
        #expect(FeedParser.parse(Data(), url: nil).items.isEmpty)
        #expect(!FeedParser.parse(Data(), url: nil).wellFormed)
        let garbage = FeedParser.parse(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }), url: nil)
        #expect(garbage.items.isEmpty)
        #expect(!garbage.wellFormed)
    }

    @Test func declaredInternalEntitiesExpand() {
        let feed = parse("""
            <?xml version="1.0"?>
            <!DOCTYPE rss [ <!ENTITY co "Acme &amp; Co"> <!ENTITY full "&co; Ltd"> ]>
            <rss version="2.0"><channel><title>&full;</title><item><title>&co; news</title><link>https://a.example/?q=&co;</link></item></channel></rss>
            """)
        #expect(feed.wellFormed)
        #expect(feed.title == "Acme & Co Ltd")
        #expect(feed.items[0].title == "Acme & Co news")
        #expect(feed.items[0].link == "https://a.example/?q=Acme & Co")
    }
}

@Suite struct SecurityTests {
    @Test func externalEntitiesAreNeverRead() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-xxe-\(UUID().uuidString).txt")
        try "TOP-SECRET-CONTENT".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        for target in ["file:///etc/passwd", secret.absoluteString] {
            let feed = parse("""
                <?xml version="1.0"?>
                <!DOCTYPE rss [ <!ENTITY xxe SYSTEM "\(target)"> <!ENTITY % pe SYSTEM "\(target)"> %pe; ]>
                <rss version="2.0"><channel><title>T &xxe;</title><item><title>&xxe;</title><description>&xxe;</description></item></channel></rss>
                """)
            let everything = JSONWriter.encode(feed.jsonValue)
            #expect(!everything.contains("root:"))
            #expect(!everything.contains("TOP-SECRET"))
            #expect(feed.warnings.contains { $0.contains("external entity &xxe; not loaded") })
        }
        let externalDTD = parse("""
            <?xml version="1.0"?><!DOCTYPE rss SYSTEM "\(secret.absoluteString)">
            <rss version="2.0"><channel><title>T</title></channel></rss>
            """)
        #expect(!JSONWriter.encode(externalDTD.jsonValue).contains("TOP-SECRET"))
        #expect(externalDTD.title == "T")
    }

    @Test func billionLaughsStaysBounded() {
        var declarations = "<!ENTITY lol0 \"lol\">"
        for level in 1...9 {
            declarations += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        let body = String(repeating: "<item><title>&lol9;</title><description>&lol9;&lol9;</description></item>", count: 50)
        let text = "<?xml version=\"1.0\"?><!DOCTYPE rss [\(declarations)]><rss version=\"2.0\"><channel><title>&lol9;</title>\(body)</channel></rss>"
        let start = ContinuousClock.now
        let feed = parse(text)
        let elapsed = ContinuousClock.now - start
        let total = ([feed.title ?? ""] + feed.items.flatMap { [$0.title, $0.summary ?? ""] }).reduce(0) { $0 + $1.utf8.count }
        print("billion laughs: \(feed.items.count) items, \(total) bytes of text, \(elapsed)")
        #expect(total <= 2 << 20)
        #expect(feed.warnings.contains { $0.contains("entity expansion stopped") })
    }

    @Test func quadraticBlowupStaysBounded() {
        let big = String(repeating: "x", count: 100_000)
        let references = String(repeating: "&big;", count: 2_000)
        let text = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY big \"\(big)\">]><rss version=\"2.0\"><channel><item><title>\(references)</title></item></channel></rss>"
        let start = ContinuousClock.now
        let feed = parse(text)
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect((feed.items.first?.title.utf8.count ?? 0) <= 2 << 20)
    }
}

/// The format cases an independent parser's checks found missed (issue 16, finding 11).
@Suite struct ConformanceCases {
    @Test(arguments: [
        "http://www.w3.org/2005/Atom/", "HTTP://WWW.W3.ORG/2005/ATOM", "http://purl.org/atom/ns#draft-ietf-atompub-format-08",
    ])
    func atomUnderUnusualNamespaceDeclarations(namespace: String) {
        let feed = parse("""
            <feed xmlns="\(namespace)"><title>Wire</title>
            <entry><id>urn:1</id><title>RMAT for BCMA</title><link href="https://wire.example/1"/></entry></feed>
            """)
        #expect(feed.title == "Wire")
        #expect(feed.items.map(\.title) == ["RMAT for BCMA"])
        #expect(feed.items.first?.link == "https://wire.example/1")
    }

    @Test func aPrefixedAtomFeedIsAtom() {
        let feed = parse("""
            <a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>Wire</a:title>
            <a:entry><a:id>urn:1</a:id><a:title type="html">&lt;b&gt;RMAT&lt;/b&gt; for BCMA</a:title></a:entry></a:feed>
            """)
        #expect(feed.items.first?.title == "RMAT for BCMA")
    }

    @Test func linkRelationsArePreferredAlternateThenRelatedThenVia() {
        let feed = parse("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
            <entry><id>1</id><link rel="self" href="https://wire.example/self"/><link rel="edit" href="https://wire.example/edit"/>
              <link rel="enclosure" href="https://wire.example/a.mp3"/><link rel="alternate" type="application/pdf" href="https://wire.example/1.pdf"/>
              <link rel="http://www.iana.org/assignments/relation/alternate" type="text/html" href="https://wire.example/1.html"/></entry>
            <entry><id>2</id><link rel="self" href="https://wire.example/self2"/><link rel="via" href="https://wire.example/via2"/>
              <link rel="related" href="https://wire.example/related2"/></entry>
            <entry><id>3</id><link rel="self" href="https://wire.example/self3"/></entry></feed>
            """)
        #expect(feed.items.map(\.link) == ["https://wire.example/1.html", "https://wire.example/related2", nil])
    }

    @Test func xhtmlContentKeepsEscapedTextAsText() {
        let feed = parse("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
            <entry><id>1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">&lt;p&gt;Title&lt;/p&gt;</div></title>
            <content type="xhtml"><xh:div xmlns:xh="http://www.w3.org/1999/xhtml"><xh:p>Inline <xh:b>markup</xh:b> &amp; a &lt;tag&gt;</xh:p></xh:div></content></entry></feed>
            """)
        #expect(feed.items.first?.title == "<p>Title</p>")
        #expect(feed.items.first?.content == "Inline markup & a <tag>")
    }

    @Test func base64ContentIsReadAsItsTypeSays() {
        // "&lt;p&gt;Entry&lt;/p&gt;" and "<p>Entry <b>text</b></p>", base64.
        let feed = parse("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
            <entry><id>1</id><content type="application/octet-stream">Jmx0O3AmZ3Q7RW50cnkmbHQ7L3AmZ3Q7</content></entry></feed>
            """)
        #expect(feed.items.first?.content == "&lt;p&gt;Entry&lt;/p&gt;", "octet-stream decodes to text, not HTML")
        let old = parse("""
            <feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Wire</title>
            <entry><id>1</id><title mode="base64">Jmx0O3AmZ3Q7RW50cnkmbHQ7L3AmZ3Q7</title>
            <content mode="base64" type="text/html">PHA+RW50cnkgPGI+dGV4dDwvYj48L3A+</content></entry></feed>
            """)
        #expect(old.items.first?.title == "&lt;p&gt;Entry&lt;/p&gt;")
        #expect(old.items.first?.content == "Entry text")
    }

    @Test func xhtmlBodyIsAnRSSItemsContentAfterContentEncoded() {
        let feed = parse("""
            <rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml" xmlns:content="http://purl.org/rss/1.0/modules/content/">
            <channel><title>Wire</title>
            <item><title>A</title><description>Teaser A</description><xhtml:body><xhtml:p>Body <xhtml:b>A</xhtml:b></xhtml:p></xhtml:body></item>
            <item><title>B</title><xhtml:body><xhtml:p>Body B</xhtml:p></xhtml:body><content:encoded><![CDATA[<p>Encoded B</p>]]></content:encoded></item>
            </channel></rss>
            """)
        #expect(feed.items.map(\.content) == ["Body A", "Encoded B"])
        #expect(feed.items.map(\.summary) == ["Teaser A", nil])
    }

    @Test func contentEncodedIsContentAndDescriptionTheSummaryInEitherOrder() {
        let feed = parse("""
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title>
            <item><title>A</title><description>Teaser A</description><content:encoded><![CDATA[<p>Full A</p>]]></content:encoded></item>
            <item><title>B</title><content:encoded><![CDATA[<p>Full B</p>]]></content:encoded><description>Teaser B</description></item>
            <item><title>C</title><description>Only C</description></item>
            </channel></rss>
            """)
        #expect(feed.items.map(\.content) == ["Full A", "Full B", nil])
        #expect(feed.items.map(\.summary) == ["Teaser A", "Teaser B", "Only C"])
    }
}

/// What a hostile feed can make the reader hold is bounded while it streams (issue 16, finding 6).
@Suite struct FeedLimitTests {
    @Test func aHugeFieldIsCutWithAWarning() {
        let limits = FeedLimits.standard
        let huge = String(repeating: "BCMA RMAT é ", count: 3 * limits.fieldBytes / 13)
        let feed = parse("<rss><channel><title>T</title><item><title>A</title><description>\(huge)</description></item></channel></rss>")
        let summary = feed.items.first?.summary ?? ""
        #expect(summary.utf8.count <= limits.fieldBytes && summary.utf8.count > limits.fieldBytes - 64)
        #expect(summary.hasPrefix("BCMA RMAT é"))
        #expect(feed.warnings.contains { $0.hasPrefix("1 field cut at 1024 KiB") })
    }

    @Test func itemsPastTheLimitAreNotRead() {
        let limits = FeedLimits.standard
        let items = (0...limits.items).map { "<item><guid>\($0)</guid><title>I\($0)</title></item>" }.joined()
        let feed = parse("<rss><channel><title>T</title>\(items)</channel></rss>")
        #expect(feed.items.count == limits.items)
        #expect(feed.warnings == ["items after the first \(limits.items) are not read"])
    }

    @Test func deepNestingIsIgnoredThenStopsTheRead() {
        let limits = FeedLimits.standard
        let shallow = String(repeating: "<div>", count: 300) + "deep" + String(repeating: "</div>", count: 300)
        let feed = parse("<rss><channel><title>T</title><item><title>A</title><description>x\(shallow)</description></item></channel></rss>")
        #expect(feed.items.count == 1)
        let depth = 11 * limits.depth
        let deep = String(repeating: "<div>", count: depth) + String(repeating: "</div>", count: depth)
        let stopped = parse("<rss><channel><title>T</title><item><title>A</title><description>\(deep)</description></item><item><title>B</title></item></channel></rss>")
        #expect(stopped.items.isEmpty)
        #expect(stopped.warnings.contains { $0.hasPrefix("elements nested more than") })
    }

    @Test func manyValuesInOneItemAreCapped() {
        let limits = FeedLimits.standard
        let categories = String(repeating: "<category>Oncology</category>", count: limits.itemValues + 500)
        let feed = parse("<rss><channel><title>T</title><item><title>A</title>\(categories)</item></channel></rss>")
        #expect((feed.items.first?.categories.count ?? 0) < limits.itemValues)
        #expect(feed.warnings.contains { $0.hasSuffix("values past \(limits.itemValues) in one item ignored") })
    }
}

/// JSON Feed is held to the same limits as RSS and Atom (issue 16, finding 6).
@Suite struct JSONFeedLimitTests {
    @Test func aHugeTitleIsCutAndItemsPastTheLimitAreNotRead() throws {
        let limits = FeedLimits.standard
        let huge = String(repeating: "BCMA RMAT é ", count: 5_000_000 / 13)
        var items = [#"{"id": "big", "title": "\#(huge)"}"#]
        items += (1..<60_000).map { #"{"id": "i\#($0)", "title": "I\#($0)"}"# }
        let json = #"{"version": "https://jsonfeed.org/version/1.1", "title": "\#(huge)", "items": [\#(items.joined(separator: ","))]}"#
        let feed = parse(json)
        #expect(feed.items.count == limits.items)
        let title = try #require(feed.items.first?.title)
        #expect(title.utf8.count <= limits.fieldBytes && title.utf8.count > limits.fieldBytes - 64)
        #expect(title.hasPrefix("BCMA RMAT é"))
        #expect((feed.title?.utf8.count ?? 0) <= limits.fieldBytes)
        #expect(feed.warnings == ["2 fields cut at 1024 KiB (or 4096 KiB for an item)", "items after the first \(limits.items) are not read"])
    }

    @Test func eachItemIsReadOnItsOwn() {
        let feed = parse(#"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a", "title": "A"}, {"id": tru}, 7, {"id": "b", "title": "B [\"}\""}]}"#)
        #expect(feed.items.map(\.title) == ["A", "B [\"}\""])
        #expect(feed.warnings == ["item 2 is not valid JSON: skipped", "item 3 is not an object: skipped"])
        #expect(!feed.wellFormed)
    }

    @Test func manyTagsInOneItemAreCapped() {
        let limits = FeedLimits.standard
        let tags = (0..<(limits.itemValues + 500)).map { "\"t\($0)\"" }.joined(separator: ",")
        let feed = parse(#"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a", "title": "A", "tags": [\#(tags)]}]}"#)
        #expect(feed.items.first?.categories.count == limits.itemValues)
        #expect(feed.warnings == ["500 values past \(limits.itemValues) in one item ignored"])
    }
}

import Foundation
import PharosFeeds
import Testing

@Suite struct OPMLReading {
    @Test func feedsComeWithTheirTitlesAndFolders() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="2.0">
              <head><title>My subscriptions</title></head>
              <body>
                <outline text="Biotech">
                  <outline type="rss" text="Endpoints News" title="Endpoints News" xmlUrl=" https://endpts.example/feed/ " htmlUrl="https://endpts.example/"/>
                  <outline text="Fierce &amp; Co" xmlUrl="https://fierce.example/rss/xml"/>
                </outline>
                <outline type="rss" text="FDA press" xmlUrl="https://www.fda.gov/press.xml"/>
                <outline text="a folder with no feeds"/>
              </body>
            </opml>
            """
        let feeds = try OPML.feeds(in: Data(text.utf8))
        #expect(feeds == [
            OPML.Feed(title: "Endpoints News", url: "https://endpts.example/feed/", folders: ["Biotech"], line: 6),
            OPML.Feed(title: "Fierce & Co", url: "https://fierce.example/rss/xml", folders: ["Biotech"], line: 7),
            OPML.Feed(title: "FDA press", url: "https://www.fda.gov/press.xml", folders: [], line: 9),
        ])
    }

    @Test func badDocumentsAreClearErrors() {
        func problem(_ text: String) -> String? {
            do {
                _ = try OPML.feeds(in: Data(text.utf8))
                return nil
            } catch {
                return error.description
            }
        }
        #expect(problem("") == "the file is empty")
        #expect(problem("<opml><body><outline xmlUrl='x'></body></opml>")?.hasPrefix("line 1: not well-formed XML: ") == true)
        #expect(problem("<rss version='2.0'><channel/></rss>") == "not an OPML document: the root element is <rss>, not <opml>")
        #expect(problem("<opml version='2.0'><head/></opml>") == "line 1: the OPML document has no <body>")
        #expect(problem("<opml><body><outline text='only a folder'/></body></opml>") == "the OPML document names no feed (no <outline> with an xmlUrl)")
        #expect(problem("<!DOCTYPE opml [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><opml><body><outline title='&x;' xmlUrl='https://a.example/f'/></body></opml>")
            .map { !$0.contains("root:") } ?? true, "external entities are not read")
    }
}

import Foundation
import PharosFeeds
import Testing

/// Information only: parsing speed of this (debug) build on a generated 10 MB RSS file.
/// Release builds are several times faster; NOTES.md has the measured libxml2 figures.
@Suite struct ThroughputTests {
    @Test func tenMegabytesOfRSS() {
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Load</title><link>https://load.example/</link>\n"
        var count = 0
        while text.utf8.count < 10_000_000 {
            count += 1
            text += """
                <item><title>Company \(count) receives FDA RMAT designation for BCMA-directed therapy</title>
                <link>https://load.example/news/\(count)</link><guid isPermaLink="false">load-\(count)</guid>
                <pubDate>Mon, 10 Feb 2025 17:35:00 EST</pubDate><dc:creator>Newsroom</dc:creator><category>Oncology</category>
                <description><![CDATA[<p>SAN DIEGO, Feb. 10, 2025 -- Company \(count) today announced that the U.S. Food and Drug Administration has granted Regenerative Medicine Advanced Therapy (RMAT) designation to its investigational therapy.</p><p>More &amp; more text follows here.</p>]]></description></item>

                """
        }
        text += "</channel></rss>\n"
        let data = Data(text.utf8)
        let start = ContinuousClock.now
        let feed = FeedParser.parse(data, url: nil)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(data.count) / 1_048_576
        print(String(format: "throughput: %.1f MiB, %d items in %.2f s: %.1f MiB/s (this build's optimisation level)", megabytes, feed.items.count, seconds, megabytes / seconds))
        #expect(feed.items.count == count)
        #expect(feed.wellFormed)
    }
}

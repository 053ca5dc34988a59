import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Debian's Chromium, where it is installed (`make test` installs it).
private let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// The web page in a real browser: the daemon serves it, headless Chromium loads it, applies a
/// filter as its GET form would, follows a link to an alert and takes a screenshot.
@Suite(.serialized) struct WebPageBrowserTests {
    /// Runs Chromium headless on `url` with `arguments` (`--dump-dom`, `--screenshot=…`).
    private func browse(_ url: String, _ arguments: [String], in scratch: URL) throws -> Outcome {
        let profile = scratch.appendingPathComponent("profile-\(UUID().uuidString)")
        return try command(chromium ?? "/usr/bin/chromium", [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=\(profile.path)", "--window-size=1280,1100",
        ] + arguments + [url], in: scratch)
    }

    /// The values of `attribute` on elements whose markup starts with `prefix` (`<a href="/alerts/`).
    private func values(of attribute: String, after prefix: String, in dom: String) -> [String] {
        dom.components(separatedBy: prefix).dropFirst().compactMap { rest in
            guard let range = rest.range(of: "\(attribute)=\"") else { return nil }
            return rest[range.upperBound...].split(separator: "\"", maxSplits: 1).first.map(String.init)
        }
    }

    @Test(.enabled(if: chromium != nil, "Chromium is not installed: `apt-get install chromium` (make test does) to run the browser test"))
    func loadFilterFollowAndScreenshot() async throws {
        let deployment = try Deployment(every: "1s")
        // A hostile item: markup in its title and a javascript: link must stay text in the page.
        try Data("""
            ---
            title: "<script>document.title='owned'</script> Hostile Bio gets RMAT for BCMA <img src=x onerror=alert(1)>"
            link: "javascript:alert(document.domain)"
            ---

            Hostile Bio announced that the FDA granted RMAT designation to HB-1, a BCMA-directed CAR T therapy.
            """.utf8).write(to: deployment.inbox.appendingPathComponent("2025-02-21-hostile.md"))
        let port = try freePort()
        let config = try String(contentsOf: deployment.config, encoding: .utf8) + "\nmetrics: 127.0.0.1:\(port)\n"
        try Data(config.utf8).write(to: deployment.config)
        let daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root)
        try await eventually { deployment.lineCount() >= 7 || !daemon.process.isRunning }
        #expect(deployment.lineCount() == 7, "six bundled alerts and the hostile one delivered")
        let base = "http://127.0.0.1:\(port)"
        let scratch = deployment.root

        // 1. Load the page.
        let index = try browse(base + "/", ["--dump-dom"], in: scratch)
        #expect(index.status == 0, "\(index.stderr)")
        #expect(index.stdout.contains("<title>Alerts · Pharos</title>"), "no script ran to change the title: \(index.stdout.prefix(600))")
        #expect(!index.stdout.contains("<script") && !index.stdout.contains("<img"), "the hostile title stays text")
        #expect(index.stdout.contains("&lt;script&gt;document.title='owned'&lt;/script&gt; Hostile Bio gets"), "\(index.stdout)")
        #expect(!index.stdout.contains("href=\"javascript:"))
        #expect(index.stdout.components(separatedBy: "<article class=\"alert\">").count - 1 == 7)
        #expect(index.stdout.contains("log: delivered"))

        // 2. Apply a filter: the GET form's fields, as the browser submits them, with one rule chosen.
        let form = try #require(index.stdout.components(separatedBy: "<form class=\"filters\"").dropFirst().first?.components(separatedBy: "</form>").first)
        let action = try #require(values(of: "action", after: "<form", in: "<form" + form).first)
        #expect(form.contains("method=\"get\""))
        let names = values(of: "name", after: "<select", in: form) + values(of: "name", after: "<input", in: form)
        #expect(Set(names) == ["rule", "source", "sink", "status", "company", "target", "designation", "since", "until"])
        let rules = values(of: "value", after: "<option", in: form.components(separatedBy: "name=\"rule\"").last ?? "")
        #expect(rules.contains("bcma-rmat"), "\(rules)")
        let submitted = base + action + "?" + names.map { "\($0)=\($0 == "rule" ? "bcma-rmat" : "")" }.joined(separator: "&")
        let filtered = try browse(submitted, ["--dump-dom"], in: scratch)
        let articles = filtered.stdout.components(separatedBy: "<article class=\"alert\">").dropFirst()
        #expect(articles.count == 2, "Arcturus and the hostile item: \(filtered.stdout)")
        #expect(articles.allSatisfy { $0.contains("rule <b>bcma-rmat</b>") })
        #expect(filtered.stdout.contains("<option value=\"bcma-rmat\" selected=\"\">") || filtered.stdout.contains("<option value=\"bcma-rmat\" selected>"),
                "the form shows the filter applied")

        // 3. Follow a link to an alert.
        let links = values(of: "href", after: "<h2><a ", in: filtered.stdout)
        let arcturus = try #require(articles.first { $0.contains("Arcturus") })
        let link = try #require(values(of: "href", after: "<h2><a ", in: arcturus).first)
        #expect(links.contains(link) && link.hasPrefix("/alerts/"))
        let alert = try browse(base + link, ["--dump-dom"], in: scratch)
        #expect(alert.stdout.contains("FDA RMAT designation: ARC-217"), "\(alert.stdout)")
        #expect(alert.stdout.contains("href=\"https://example.com/news/arcturus-rmat\""), "the link to the original")
        #expect(alert.stdout.contains("<mark>BCMA</mark>") || alert.stdout.contains("<mark>RMAT</mark>"), "evidence highlighted")
        #expect(alert.stdout.contains("<td>log</td>") && alert.stdout.contains(">delivered<"), "which sink delivered it")

        // ... and from the alert to its item in the archive.
        let itemLink = try #require(values(of: "href", after: "<th>item</th><td><a ", in: alert.stdout).first)
        let item = try browse(base + itemLink.replacingOccurrences(of: "&amp;", with: "&"), ["--dump-dom"], in: scratch)
        #expect(item.stdout.contains("Versions read") && item.stdout.contains("rules matched: bcma-rmat"), "\(item.stdout)")
        #expect(item.stdout.contains("Regenerative Medicine Advanced Therapy (RMAT) designation to ARC-217"), "the text read is kept")

        // 4. A screenshot made by this run (kept where PHAROS_SCREENSHOT says, for docs/).
        let shot = scratch.appendingPathComponent("pharos-web.png")
        let screenshot = try browse(submitted, ["--screenshot=\(shot.path)"], in: scratch)
        #expect(screenshot.status == 0, "\(screenshot.stderr)")
        let png = try Data(contentsOf: shot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "a PNG of the page: \(png.count) bytes")
        if let keep = ProcessInfo.processInfo.environment["PHAROS_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: shot, to: URL(fileURLWithPath: keep))
        }

        daemon.signal(SIGTERM)
        #expect(daemon.finish().status == 0)
    }
}

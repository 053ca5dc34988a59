import Foundation
import TestSupport
import Testing

/// A fixture peer (Tests/peers/fixture_peer.py) answering with recorded provider responses.
struct FixtureServer {
    let fixture: FixturePeer
    var peer: PythonPeer { fixture.peer }

    init() throws {
        fixture = try FixturePeer("fixtures")
    }

    /// Routes as fixture_peer.py reads them; `file` paths are under Tests/peers/fixtures.
    func answer(_ routes: [[String: Any]]) throws {
        let fixtures = packageRoot.appendingPathComponent("Tests/peers/fixtures")
        let resolved = routes.map { route -> [String: Any] in
            var route = route
            if let file = route["file"] as? String { route["file"] = fixtures.appendingPathComponent(file).path }
            return route
        }
        try fixture.serve(resolved)
    }
}

@Suite(.serialized) struct SourcesEndToEnd {
    @Test func checkAcceptsAConfigOfPresetsOnlyAndNamesAnUnknownOne() throws {
        let deployment = try Deployment(copyExamples: false)
        try Data("""
            state: ../state
            sources:
              - {name: fda, preset: fda-press-releases}
              - {name: ema, preset: ema-news}
              - {name: gnw-biotech, preset: globenewswire-biotechnology}
              - {name: prn-biotech, preset: prnewswire-biotechnology}
              - {name: acme-ir, preset: ir-gcs, host: investors.acme.example}
              - {name: iovance-trials, preset: clinicaltrials-sponsor, sponsor: Iovance Biotherapeutics}
            sinks:
              - {name: log, type: file, path: ../alerts.jsonl}
            rules: ./rules.d
            """.utf8).write(to: deployment.config)
        let check = try pharos(["check", "--config", deployment.config.path], in: deployment.root)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("OK: 6 sources, 1 sink"))

        try Data("""
            state: ../state
            sources:
              - {name: fda, preset: fda-press-release}
            sinks:
              - {name: log, type: file, path: ../alerts.jsonl}
            rules: ./rules.d
            """.utf8).write(to: deployment.config)
        let bad = try pharos(["check", "--config", deployment.config.path], in: deployment.root)
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("pharos.yaml:3:25: unknown preset 'fda-press-release'; did you mean 'fda-press-releases'? (known: "), "\(bad.stderr)")

        let listing = try pharos(["presets"], in: deployment.root)
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("fda-press-releases (rss, every 15m): FDA press announcements"))
        #expect(listing.stdout.contains("address: NOT confirmed"))
    }

    @Test func importedSubscriptionsAreIncludedByTheConfig() throws {
        let deployment = try Deployment(copyExamples: false)
        let opml = deployment.root.appendingPathComponent("config/reader.opml")
        try Data("""
            <?xml version="1.0"?>
            <opml version="2.0"><head><title>Reader</title></head><body>
              <outline text="Biotech">
                <outline type="rss" text="Endpoints News" xmlUrl="https://endpts.example/feed/"/>
                <outline type="rss" text="Endpoints News" xmlUrl="https://endpts.example/other/"/>
                <outline type="rss" text="Endpoints (again)" xmlUrl="https://endpts.example/feed/"/>
                <outline type="rss" text="Über &quot;Biotech&quot;: news" xmlUrl="https://ueber.example/rss?a=1&amp;b=2"/>
                <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
              </outline>
            </body></opml>
            """.utf8).write(to: opml)
        let imported = try pharos(["sources", "import", opml.path, "-o", deployment.root.appendingPathComponent("config/feeds.yaml").path], in: deployment.root)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("feeds.yaml: 3 sources"))
        #expect(imported.stderr.contains("skipped 'Endpoints (again)': the same feed as 'endpoints-news'"))
        #expect(imported.stderr.contains("skipped 'Gopher': gopher://old.example/feed is not an http:// or https:// address"))
        let yaml = try String(contentsOf: deployment.root.appendingPathComponent("config/feeds.yaml"), encoding: .utf8)
        #expect(yaml.contains("- name: endpoints-news\n  type: rss\n  url: \"https://endpts.example/feed/\""))
        #expect(yaml.contains("- name: endpoints-news-2\n"))
        #expect(yaml.contains("- name: ber-biotech-news\n  type: rss\n  url: \"https://ueber.example/rss?a=1&b=2\""))

        let again = try pharos(["sources", "import", opml.path, "-o", deployment.root.appendingPathComponent("config/feeds.yaml").path], in: deployment.root)
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists; pass --force to replace it"))

        try Data("""
            state: ../state
            sources:
              - {name: fda, preset: fda-press-releases}
              - include: feeds.yaml
            sinks:
              - {name: log, type: file, path: ../alerts.jsonl}
            rules: ./rules.d
            """.utf8).write(to: deployment.config)
        let check = try pharos(["check", "--config", deployment.config.path], in: deployment.root)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("OK: 4 sources"))

        let notOPML = deployment.root.appendingPathComponent("config/page.opml")
        try Data("<html><body>not a list</body></html>".utf8).write(to: notOPML)
        let bad = try pharos(["sources", "import", notOPML.path], in: deployment.root)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("page.opml: not an OPML document: the root element is <html>, not <opml>"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: deployment.root.appendingPathComponent("page.yaml").path), "nothing is written")
    }

    @Test func aTrialThatChangesStatusRaisesOneAlertAndAQuietSecondPollNone() throws {
        let server = try FixtureServer()
        try server.answer([
            ["path": "/api/v2/studies", "query": ["pageToken": "NF0g5JGBlPMuxOMdbRKJ"], "file": "clinicaltrials/page2.json"],
            ["path": "/api/v2/studies", "query": ["pageToken": NSNull()], "file": "clinicaltrials/page1.json"],
        ])
        let deployment = try Deployment(copyExamples: false)
        try deployment.useOnlyRules("""
            - name: iovance-trial-stopped
              companies: [Iovance Biotherapeutics]
              keywords: [terminated, withdrawn, suspended]
            """)
        try Data("""
            state: ../state
            sources:
              - name: iovance-trials
                preset: clinicaltrials-sponsor
                sponsor: Iovance Biotherapeutics
                base_url: \(server.peer.base)/api/v2
                initial_lookback: 3650d
                host_spacing: 0s
            sinks:
              - {name: log, type: file, path: ../alerts.jsonl}
            rules: ./rules.d
            """.utf8).write(to: deployment.config)
        let first = try pharos(["run", "--once", "--config", deployment.config.path], in: deployment.root)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("iovance-trials: 3 items, 3 new or changed, 0 new alerts"), "\(first.stdout)")

        try server.answer([["path": "/api/v2/studies", "query": ["filter.advanced": "RANGE[2026-11-25,MAX]"], "file": "clinicaltrials/changed.json"]])
        let second = try pharos(["run", "--once", "--config", deployment.config.path], in: deployment.root)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("iovance-trials: 2 items, 1 new or changed, 1 new alerts"), "\(second.stdout)")
        let lines = try deployment.alertLines()
        #expect(lines.count == 1)
        let item = lines.first?["item"] as? [String: Any]
        #expect(item?["id"] as? String == "NCT05727904/TERMINATED")
        #expect((item?["summary"] as? String)?.contains("Status changed from recruiting to terminated") == true)

        try server.answer([["path": "/api/v2/studies", "query": ["filter.advanced": "RANGE[2026-12-02,MAX]"], "file": "clinicaltrials/unchanged.json"]])
        let third = try pharos(["run", "--once", "--config", deployment.config.path], in: deployment.root)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("iovance-trials: 1 items, 0 new or changed, 0 new alerts"), "\(third.stdout)")
        #expect(try deployment.alertLines().count == 1)
    }
}

extension SourcesEndToEnd {
    @Test func anEightKForAWatchedTickerRaisesAnAlertAndCheckInsistsOnAContact() throws {
        let server = try FixtureServer()
        let edgar = packageRoot.appendingPathComponent("Tests/peers/fixtures/edgar")
        try server.answer([
            ["path": "/files/company_tickers.json", "file": "edgar/company_tickers.json", "require": ["User-Agent": "@"]],
            ["path": "/submissions/CIK0001425205.json", "file": "edgar/CIK0001425205.json", "require": ["User-Agent": "@"]],
            ["path": "/Archives/edgar/data/1425205/000142520526000131/iova-20261201.htm", "file": "edgar/iova-20261201.htm"],
            ["path": "/Archives/edgar/data/1425205/000142520526000118/iova-20261106.htm", "file": "edgar/iova-20261106.htm"],
        ])
        _ = edgar
        let deployment = try Deployment(copyExamples: false)
        try deployment.useOnlyRules("""
            - name: iovance-deals
              companies: [Iovance Biotherapeutics]
              keywords: [Material Definitive Agreement]
            """)
        try Data("""
            state: ../state
            sources:
              - name: iova
                preset: edgar-8k
                ticker: IOVA
                base_url: \(server.peer.base)
                initial_lookback: 36500d
                host_spacing: 0s
            sinks:
              - {name: log, type: file, path: ../alerts.jsonl}
            rules: ./rules.d
            """.utf8).write(to: deployment.config)
        let check = try pharos(["check", "--config", deployment.config.path], in: deployment.root)
        #expect(check.status == 78)
        #expect(check.stderr.contains("pharos.yaml:3:5: needs 'user_agent': SEC EDGAR refuses requests without a User-Agent that names you and a contact e-mail address"), "\(check.stderr)")

        let config = try String(contentsOf: deployment.config, encoding: .utf8)
            .replacingOccurrences(of: "    ticker: IOVA\n", with: "    ticker: IOVA\n    user_agent: \"Pharos tests ops@example.org\"\n")
        try Data(config.utf8).write(to: deployment.config)
        let run = try pharos(["run", "--once", "--config", deployment.config.path], in: deployment.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("iova: 2 items, 2 new or changed, 1 new alerts"), "\(run.stdout)")
        let item = try deployment.alertLines().first?["item"] as? [String: Any]
        #expect(item?["id"] as? String == "0001425205-26-000131")
        #expect((item?["title"] as? String)?.contains("Item 1.01 Entry into a Material Definitive Agreement; Item 8.01 Other Events") == true)
    }
}

extension SourcesEndToEnd {
    @Test func feedPresetsReadTheirProvidersRecordedFeeds() throws {
        let server = try FixtureServer()
        let presets = ["fda-press-releases", "ema-news", "globenewswire-biotechnology", "prnewswire-biotechnology"]
        try server.answer(presets.map { ["path": "/\($0).xml", "file": "feeds/\($0).xml", "headers": ["Content-Type": "application/rss+xml"]] })
        let deployment = try Deployment(copyExamples: false)
        try deployment.useOnlyRules("""
            - name: bcma-rmat
              targets: [BCMA]
              designations: [RMAT]
            - name: iovance-news
              companies: [Iovance Biotherapeutics]
            """)
        let sources = presets.map { "  - {name: \($0), preset: \($0), url: \"\(server.peer.base)/\($0).xml\", host_spacing: 0s}" }
        try Data((["state: ../state", "sources:"] + sources + [
            "sinks:", "  - {name: log, type: file, path: ../alerts.jsonl}", "rules: ./rules.d",
        ]).joined(separator: "\n").utf8).write(to: deployment.config)
        let run = try pharos(["run", "--once", "--config", deployment.config.path], in: deployment.root)
        #expect(run.status == 0, "\(run.stderr)")
        for line in ["fda-press-releases: 2 items, 2 new or changed, 1 new alerts", "ema-news: 1 items, 1 new or changed, 0 new alerts",
                     "globenewswire-biotechnology: 1 items, 1 new or changed, 1 new alerts",
                     "prnewswire-biotechnology: 1 items, 1 new or changed, 0 new alerts"] {
            #expect(run.stdout.contains(line), "\(run.stdout)")
        }
        #expect(Set(pairs(try deployment.alertLines()).map { $0.split(separator: " ").first.map(String.init) ?? "" }) == ["bcma-rmat", "iovance-news"])
    }
}

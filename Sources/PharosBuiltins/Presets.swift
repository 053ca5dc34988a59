import PharosCore

/// The well-known sources built in (`preset: NAME` in a source entry; `pharos presets` lists
/// them). Each says where its address comes from; `confirmed: false` means the address could
/// not be confirmed from the provider's own public documentation, and `origin` says what it
/// rests on instead. docs/PRESETS.md documents them for users.
public let builtinPresets: [SourcePreset] = {
    let host = SourcePreset.Parameter("host", help: "the company's investor-relations host, such as investors.example.com", allowed: .host)
    let politeFeed: [(key: String, value: String)] = [("host_spacing", "5s")]
    return [
        SourcePreset(
            name: "fda-press-releases", type: "rss", watches: "FDA press announcements (approvals, designations, safety actions, CBER and CDER news)",
            origin: "FDA's RSS feeds page (Stay Informed); the feed at this address is titled 'FDA Press Releases RSS Feed'",
            confirmed: true, every: "15m",
            options: [("url", "https://www.fda.gov/about-fda/contact-fda/stay-informed/rss-feeds/press-releases/rss.xml")] + politeFeed),
        SourcePreset(
            name: "fda-medwatch", type: "rss", watches: "FDA MedWatch safety alerts for drugs and biologics",
            origin: "the address other tools use for FDA's MedWatch feed; not confirmed from FDA's RSS page, and reported by some as no longer updated",
            confirmed: false, every: "1h",
            options: [("url", "https://www.fda.gov/about-fda/contact-fda/stay-informed/rss-feeds/medwatch/rss.xml")] + politeFeed),
        SourcePreset(
            name: "ema-news", type: "rss", watches: "EMA news and press releases (CHMP opinions, PRIME, safety reviews)",
            origin: "the address of EMA's news feed as other tools use it; not confirmed from EMA's RSS page",
            confirmed: false, every: "30m",
            options: [("url", "https://www.ema.europa.eu/en/news.xml")] + politeFeed),
        SourcePreset(
            name: "globenewswire-biotechnology", type: "rss", watches: "GlobeNewswire releases in the Biotechnology industry",
            origin: "GlobeNewswire's industry feed pattern (RssFeed/industry/<code>-<name>) as other tools use it; industry code 4573 not confirmed from GlobeNewswire's RSS page",
            confirmed: false, every: "10m",
            options: [("url", "https://www.globenewswire.com/RssFeed/industry/4573-Biotechnology/feedTitle/GlobeNewswire%20-%20Industry%20News%20on%20Biotechnology")] + politeFeed),
        SourcePreset(
            name: "globenewswire-pharmaceuticals", type: "rss", watches: "GlobeNewswire releases in the Pharmaceuticals industry",
            origin: "GlobeNewswire's industry feed pattern as other tools use it; industry code 4577 not confirmed from GlobeNewswire's RSS page",
            confirmed: false, every: "10m",
            options: [("url", "https://www.globenewswire.com/RssFeed/industry/4577-Pharmaceuticals/feedTitle/GlobeNewswire%20-%20Industry%20News%20on%20Pharmaceuticals")] + politeFeed),
        SourcePreset(
            name: "globenewswire-organization", type: "rss", watches: "every GlobeNewswire release of one organisation",
            origin: "GlobeNewswire's organisation feed pattern (RssFeed/organization/<id>), the id shown in the RSS link of the organisation's GlobeNewswire newsroom; not confirmed from GlobeNewswire's RSS page",
            confirmed: false, every: "10m",
            options: [("url", "https://www.globenewswire.com/RssFeed/organization/{organization}")] + politeFeed,
            parameters: [SourcePreset.Parameter("organization", help: "the organisation's GlobeNewswire feed id (from the RSS link of its newsroom page), such as -00Wf9DRSziJzKOt-iNMNw==", allowed: .pathSegment)]),
        SourcePreset(
            name: "prnewswire-biotechnology", type: "rss", watches: "PR Newswire releases in Health: Biotechnology",
            origin: "PR Newswire's category feed pattern (rss/<section>/<category>-list.rss) as other tools use it; not confirmed from PR Newswire's RSS page",
            confirmed: false, every: "10m",
            options: [("url", "https://www.prnewswire.com/rss/health-latest-news/biotechnology-list.rss")] + politeFeed),
        SourcePreset(
            name: "prnewswire-pharmaceuticals", type: "rss", watches: "PR Newswire releases in Health: Pharmaceuticals",
            origin: "PR Newswire's category feed pattern as other tools use it; not confirmed from PR Newswire's RSS page",
            confirmed: false, every: "10m",
            options: [("url", "https://www.prnewswire.com/rss/health-latest-news/pharmaceuticals-list.rss")] + politeFeed),
        SourcePreset(
            name: "prnewswire-health", type: "rss", watches: "every PR Newswire release in Health",
            origin: "PR Newswire's section feed as other tools use it; not confirmed from PR Newswire's RSS page",
            confirmed: false, every: "10m",
            options: [("url", "https://www.prnewswire.com/rss/health-latest-news/health-latest-news-list.rss")] + politeFeed),
        SourcePreset(
            name: "businesswire", type: "rss", watches: "one Business Wire feed (an industry such as Health or Biotechnology, or a subject)",
            origin: "Business Wire's feeds are addressed by an opaque token (feed.businesswire.com/rss/home/?rss=<token>) chosen on its feed-options page; no token could be confirmed for a category, so the token is a parameter",
            confirmed: false, every: "10m",
            options: [("url", "https://feed.businesswire.com/rss/home/?rss={feed}")] + politeFeed,
            parameters: [SourcePreset.Parameter("feed", help: "the rss= token of the Business Wire feed, copied from its feed-options page", allowed: .pathSegment)]),
        SourcePreset(
            name: "ir-gcs", type: "rss", watches: "press releases of one company whose IR site is on the GCS (Notified, gcs-web.com) platform",
            origin: "the /rss/news-releases.xml path such IR sites link to (investor.lilly.com, crisprtx.gcs-web.com); not confirmed from the platform's documentation",
            confirmed: false, every: "15m",
            options: [("url", "https://{host}/rss/news-releases.xml")] + politeFeed, parameters: [host]),
        SourcePreset(
            name: "ir-q4", type: "rss", watches: "press releases of one company whose IR site is a classic Q4 (.aspx) site",
            origin: "the /rss/pressrelease.aspx path classic Q4 IR sites link to; not confirmed from Q4's documentation",
            confirmed: false, every: "15m",
            options: [("url", "https://{host}/rss/pressrelease.aspx")] + politeFeed, parameters: [host]),
        SourcePreset(
            name: "ir-news-events", type: "rss", watches: "press releases of one company whose IR site lists them under /news-events/press-releases (many Q4 Platform and Nasdaq IR sites)",
            origin: "the /news-events/press-releases/rss path such IR sites link to; not confirmed from the platforms' documentation",
            confirmed: false, every: "15m",
            options: [("url", "https://{host}/news-events/press-releases/rss")] + politeFeed, parameters: [host]),
        SourcePreset(
            name: "clinicaltrials-sponsor", type: "clinicaltrials",
            watches: "new and changed ClinicalTrials.gov studies of one sponsor (status changes, results posted)",
            origin: "ClinicalTrials.gov's API v2 (https://clinicaltrials.gov/api/v2/studies) as its data API pages describe it and the tools that use it quote them; those pages themselves were not available to check",
            confirmed: false, every: "1h",
            options: [("sponsor", "{sponsor}")],
            parameters: [SourcePreset.Parameter("sponsor", help: "the sponsor's name as the registry writes it, such as Iovance Biotherapeutics", allowed: .text)]),
        SourcePreset(
            name: "edgar-8k", type: "edgar",
            watches: "one company's 8-K filings on SEC EDGAR, with their item numbers and the filing's text (add user_agent: with your contact address)",
            origin: "EDGAR's submissions API (https://data.sec.gov/submissions/CIK##########.json) and archives as SEC's Accessing EDGAR Data page describes them, quoted by the tools that follow it; that page itself was not available to check",
            confirmed: false, every: "10m",
            options: [("ticker", "{ticker}"), ("forms", "8-K")],
            parameters: [SourcePreset.Parameter("ticker", help: "the company's ticker, such as IOVA (or write cik: instead of using this preset)", allowed: .pathSegment)]),
    ]
}()

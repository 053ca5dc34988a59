import ArgumentParser
import Foundation
import PharosCore
import PharosFeeds
import PharosHTTP
import PharosSupport
import PharosText

struct Feed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Parse one feed (a file or an http(s) URL) and print its items as Pharos reads them.",
        discussion: "Exits 1 when the document is no feed at all (an HTML page, say): what the daemon counts as a failed poll.")

    @Flag(help: "Print the normalised feed as one JSON document.")
    var json = false

    @Option(help: "Parse on 1 thread, or on 2 (the XML on one, the items on the other). Default: 2 when there is more than one core.")
    var threads: Int?

    @Argument(help: "A feed file, or an http:// or https:// URL.")
    var source: String

    func validate() throws {
        if let threads, threads != 1 && threads != 2 { throw ValidationError("--threads must be 1 or 2") }
    }

    func run() async throws {
        let threads = self.threads ?? (ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1)
        var bytes: [UInt8] = []
        var file: FeedFile?
        let url: URL?
        if Self.isURL(source) {
            (bytes, url) = try await Self.fetch(source)
        } else {
            // A regular file is read in place; anything else (a pipe, an empty file) is read whole.
            file = FeedFile(path: source)
            if file == nil {
                guard let contents = FileIO.readAll(source) else {
                    printError("pharos: cannot read \(Self.shown(source))")
                    throw ExitWith(code: .failure)
                }
                bytes = contents
            }
            url = URL(fileURLWithPath: source)
        }
        func parse(_ eachItem: (Item) -> Void) -> ParsedFeed {
            if let file { return FeedParser.parse(file: file, url: url, threads: threads, eachItem: eachItem) }
            return FeedParser.parse(bytes: bytes, url: url, threads: threads, eachItem: eachItem)
        }
        if json {
            // Items are encoded as they are parsed: the feed is never held whole, as items or as JSON.
            var writer = FeedJSONWriter()
            var count = 0
            let feed = parse { item in
                count += 1
                writer.append(item)
            }
            writer.write(feed) { Self.writeOut($0) }
            Self.writeOut(Array("\n".utf8))
            try Self.requireFeed(feed, itemCount: count, source: source)
            return
        }
        var items: [Item] = []
        var feed = parse { items.append($0) }
        feed.items = items
        print(feed.title ?? "(untitled feed)")
        if let link = feed.link { print(link) }
        print("\(feed.items.count) items\(feed.wellFormed ? "" : ", not well-formed")")
        for warning in feed.warnings { print("  warning: \(warning)") }
        for item in feed.items {
            let date = (item.published ?? item.updated).map(ISO8601.string) ?? "(no date)          "
            print("\(date)  \(item.title)")
            if let link = item.link { print("    \(link)") }
            if !item.categories.isEmpty { print("    categories: \(item.categories.joined(separator: ", "))") }
        }
        try Self.requireFeed(feed, itemCount: feed.items.count, source: source)
    }

    /// Whether `source` names an http:// or https:// URL rather than a file.
    static func isURL(_ source: String) -> Bool { source.hasPrefix("http://") || source.hasPrefix("https://") }

    /// The body of a GET of `source` and the URL it came from after redirects; reports what went
    /// wrong and exits 1 on a transfer failure or a status other than 2xx.
    static func fetch(_ source: String) async throws -> (bytes: [UInt8], url: URL?) {
        let engine = CurlEngine(maxConcurrent: 1)
        do {
            let response = try await engine.whileRunning { try await CurlHTTPTransport(engine: engine).send(HTTPRequest(url: source)) }
            guard (200..<300).contains(response.status) else {
                printError("pharos: \(shown(source)) answered HTTP \(response.status)")
                throw ExitWith(code: .failure)
            }
            return ([UInt8](response.body), URL(string: response.url))
        } catch let error as TransferError {
            printError("pharos: cannot fetch \(shown(source)): \(error)")
            throw ExitWith(code: .failure)
        }
    }

    /// The source as messages show it: a URL redacted, a path with control characters escaped.
    static func shown(_ source: String) -> String {
        source.contains("://") ? Redaction.url(source) : Printable.escaped(source)
    }

    private static func requireFeed(_ feed: ParsedFeed, itemCount: Int, source: String) throws {
        guard feed.isReadable(itemCount: itemCount) else {
            printError("pharos: \(shown(source)): \(feed.warnings.first ?? "not a feed: no items")")
            throw ExitWith(code: .failure)
        }
    }

    /// Writes all of `bytes` to standard output (nothing else writes there meanwhile).
    private static func writeOut(_ bytes: UnsafeBufferPointer<UInt8>) {
        FileIO.writeAll(UnsafeRawBufferPointer(bytes), to: STDOUT_FILENO)
    }

    private static func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { writeOut($0) }
    }
}

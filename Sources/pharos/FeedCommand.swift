import ArgumentParser
import Foundation
import PharosCore
import PharosFeeds
import PharosHTTP

struct Feed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse one feed (a file or an http(s) URL) and print its items as Pharos reads them.")

    @Flag(help: "Print the normalised feed as one JSON document.")
    var json = false

    @Argument(help: "A feed file, or an http:// or https:// URL.")
    var source: String

    func run() async throws {
        let data: Data
        let url: URL?
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            let engine = CurlEngine(maxConcurrent: 1)
            defer { engine.shutdown() }
            do {
                let response = try await CurlHTTPTransport(engine: engine).send(HTTPRequest(url: source))
                guard (200..<300).contains(response.status) else {
                    printError("pharos: \(source) answered HTTP \(response.status)")
                    throw ExitWith(code: .failure)
                }
                data = Data(response.body)
                url = URL(string: response.url)
            } catch let error as TransferError {
                printError("pharos: cannot fetch \(source): \(error)")
                throw ExitWith(code: .failure)
            }
        } else {
            guard let contents = FileManager.default.contents(atPath: source) else {
                printError("pharos: cannot read \(source)")
                throw ExitWith(code: .failure)
            }
            data = contents
            url = URL(fileURLWithPath: source)
        }
        let feed = FeedParser.parse(data, url: url)
        if json {
            print(JSONWriter.encode(feed.jsonValue))
            return
        }
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
    }
}

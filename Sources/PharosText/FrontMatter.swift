import Foundation

/// A minimal YAML front matter reader: `key: value` lines, quoted values,
/// inline lists `[a, b]` and block lists (`- a`). Enough for press-release metadata.
struct FrontMatter {
    var fields: [String: String] = [:]
    var lists: [String: [String]] = [:]
    /// The text after the closing `---`.
    var body: Substring

    /// Splits `text` into front matter and body; nil when the text has none.
    init?(_ text: String) {
        guard text.hasPrefix("---\n") || text.hasPrefix("---\r\n") else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let closing = lines.dropFirst().firstIndex(where: { $0.trimming("\r") == "---" || $0.trimming("\r") == "..." }) else {
            return nil
        }
        var currentList: String?
        for rawLine in lines[1..<closing] {
            let line = rawLine.trimming("\r")
            let trimmed = line.trimming(" \t")
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("- "), let key = currentList {
                lists[key, default: []].append(Self.unquote(String(trimmed.dropFirst(2))))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimming(" \t").lowercased()
            let value = line[line.index(after: colon)...].trimming(" \t")
            currentList = nil
            if value.isEmpty {
                currentList = key
            } else if value.hasPrefix("[") && value.hasSuffix("]") {
                lists[key] = value.dropFirst().dropLast().split(separator: ",").map {
                    Self.unquote($0.trimming(" \t"))
                }.filter { !$0.isEmpty }
            } else {
                fields[key] = Self.unquote(value)
            }
        }
        let bodyStart = lines[..<(closing + 1)].reduce(0) { $0 + $1.utf8.count + 1 }
        let utf8 = text.utf8
        let index = utf8.index(utf8.startIndex, offsetBy: min(bodyStart, utf8.count))
        body = text[index...]
    }

    static func unquote(_ value: String) -> String {
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            let inner = String(value.dropFirst().dropLast())
            return first == "'" ? inner.replacingOccurrences(of: "''", with: "'") : inner.replacingOccurrences(of: "\\\"", with: "\"")
        }
        if let hash = value.range(of: " #") { return String(value[..<hash.lowerBound]).trimming(" ") }
        return value
    }
}

extension StringProtocol {
    func trimming(_ characters: String) -> String {
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text.removeFirst() }
        while let last = text.last, characters.contains(last) { text.removeLast() }
        return String(text)
    }
}

import Foundation
import PharosSupport

/// Reads typed options out of a configuration mapping and collects every problem.
///
/// Plugins read their options with it in their initialiser, add their own checks
/// with ``problem(_:key:)``, and finish with ``validate()``, which throws all
/// problems at once, including keys nobody asked for (with a did-you-mean).
public final class OptionReader {
    /// The mapping being read.
    public let node: ConfigNode
    /// Directory that relative paths are resolved against (the config file's folder).
    public let baseDirectory: URL
    /// Problems found so far.
    public private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Keys asked for so far, in the order they were read.
    public private(set) var knownKeys: [String] = []
    private let what: String

    /// - Parameters:
    ///   - node: a mapping node; anything else is reported as a problem.
    ///   - what: how to name the thing in messages, such as `source 'inbox'`.
    public init(node: ConfigNode, baseDirectory: URL, what: String) {
        self.node = node
        self.baseDirectory = baseDirectory
        self.what = what
        if node.mapping == nil, case .null = node.value {} else if node.mapping == nil {
            diagnostics.append(ConfigDiagnostic("\(what) must be a mapping, found \(node.kindName)", at: node.location))
        }
        var seen: Set<String> = []
        for (key, _) in node.mapping ?? [] {
            guard let name = key.scalar else {
                diagnostics.append(ConfigDiagnostic("keys of \(what) must be plain words", at: key.location))
                continue
            }
            if !seen.insert(name).inserted {
                diagnostics.append(ConfigDiagnostic("key '\(name)' appears twice in \(what)", at: key.location))
            }
        }
    }

    /// Records a problem with the value of `key` (or with the whole mapping when `key` is nil).
    public func problem(_ message: String, key: String? = nil) {
        let location = key.flatMap { node[$0]?.location } ?? node.location
        let prefix = key.map { "'\($0)': " } ?? ""
        diagnostics.append(ConfigDiagnostic(prefix + message, at: location))
    }

    /// The raw node under `key`, marking the key as known.
    public func raw(_ key: String) -> ConfigNode? {
        if !knownKeys.contains(key) { knownKeys.append(key) }
        guard let value = node[key] else { return nil }
        if case .null = value.value { return nil }
        return value
    }

    private func missing(_ key: String) {
        diagnostics.append(ConfigDiagnostic("\(what) is missing required key '\(key)'", at: node.location))
    }

    private func wrongType(_ key: String, _ node: ConfigNode, expected: String) {
        diagnostics.append(ConfigDiagnostic("'\(key)' must be \(expected), found \(node.kindName)", at: node.location))
    }

    /// A string option.
    public func string(_ key: String) -> String? {
        guard let value = raw(key) else { return nil }
        guard let text = value.scalar else {
            wrongType(key, value, expected: "a string")
            return nil
        }
        return text
    }

    /// A string option that must be present; returns "" after recording the problem.
    public func requiredString(_ key: String) -> String {
        guard raw(key) != nil else {
            missing(key)
            return ""
        }
        let text = string(key) ?? ""
        if text.isEmpty, node[key]?.scalar != nil { problem("must not be empty", key: key) }
        return text
    }

    /// An integer option within `range`.
    public func int(_ key: String, default fallback: Int, in range: ClosedRange<Int> = Int.min...Int.max) -> Int {
        guard let value = raw(key) else { return fallback }
        guard let text = value.scalar, case .scalar(_, false) = value.value, let number = Int(text) else {
            wrongType(key, value, expected: "a whole number")
            return fallback
        }
        guard range.contains(number) else {
            problem("must be between \(range.lowerBound) and \(range.upperBound), found \(number)", key: key)
            return fallback
        }
        return number
    }

    /// A boolean option (`true`/`false`, `yes`/`no`, `on`/`off`).
    public func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let value = raw(key) else { return fallback }
        switch value.scalar?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            wrongType(key, value, expected: "true or false")
            return fallback
        }
    }

    /// A duration such as `30s`, `10m`, `1h30m`, `500ms` or `2d`; a bare number means seconds.
    public func duration(_ key: String, default fallback: Duration, minimum: Duration = .zero) -> Duration {
        guard let value = raw(key) else { return fallback }
        guard let text = value.scalar, let duration = Duration(configText: text) else {
            wrongType(key, value, expected: "a duration like 30s, 10m or 1h")
            return fallback
        }
        guard duration >= minimum else {
            problem("must be at least \(minimum.configText), found \(text)", key: key)
            return fallback
        }
        return duration
    }

    /// A size such as `10MB`, `512KiB` or a number of bytes.
    public func byteSize(_ key: String, default fallback: Int64) -> Int64 {
        guard let value = raw(key) else { return fallback }
        guard let text = value.scalar, let size = parseByteSize(text), size > 0 else {
            wrongType(key, value, expected: "a positive size like 10MB or 512KiB")
            return fallback
        }
        return size
    }

    /// A list of strings; a single string is accepted as a list of one.
    public func stringList(_ key: String) -> [String]? {
        guard let value = raw(key) else { return nil }
        if let text = value.scalar { return [text] }
        guard let elements = value.sequence else {
            wrongType(key, value, expected: "a list of strings")
            return nil
        }
        var result: [String] = []
        for element in elements {
            guard let text = element.scalar else {
                diagnostics.append(ConfigDiagnostic("'\(key)' entries must be strings, found \(element.kindName)", at: element.location))
                continue
            }
            result.append(text)
        }
        return result
    }

    /// A mapping of strings to strings, such as HTTP headers.
    public func stringMap(_ key: String) -> [String: String]? {
        guard let value = raw(key) else { return nil }
        guard let entries = value.mapping else {
            wrongType(key, value, expected: "a mapping of names to strings")
            return nil
        }
        var result: [String: String] = [:]
        for (name, entry) in entries {
            guard let name = name.scalar, let text = entry.scalar else {
                diagnostics.append(ConfigDiagnostic("'\(key)' must map names to strings", at: entry.location))
                continue
            }
            result[name] = text
        }
        return result
    }

    /// A filesystem path, resolved against ``baseDirectory`` when relative and with `~` expanded.
    public func path(_ key: String) -> URL? {
        guard let text = string(key) else { return nil }
        if text.isEmpty {
            problem("must not be empty", key: key)
            return nil
        }
        return resolvePath(text, against: baseDirectory)
    }

    /// A path that must be present.
    public func requiredPath(_ key: String) -> URL {
        if raw(key) == nil {
            missing(key)
            return baseDirectory
        }
        return path(key) ?? baseDirectory
    }

    /// Records every key that no reader asked for.
    public func reportUnknownKeys() {
        for (key, _) in node.mapping ?? [] {
            guard let name = key.scalar, !knownKeys.contains(name) else { continue }
            var message = "unknown key '\(name)' in \(what)"
            if let suggestion = closestMatch(to: name, among: knownKeys) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; known keys: \(knownKeys.joined(separator: ", "))"
            }
            diagnostics.append(ConfigDiagnostic(message, at: key.location))
        }
    }

    /// Reports unknown keys and throws ``ConfigErrors`` if any problem was recorded.
    public func validate() throws(ConfigErrors) {
        reportUnknownKeys()
        if !diagnostics.isEmpty { throw ConfigErrors(diagnostics) }
    }
}

/// Resolves a config path: `~` is the home directory, relative paths hang off `base`.
public func resolvePath(_ text: String, against base: URL) -> URL {
    var text = text
    if text == "~" || text.hasPrefix("~/") {
        text = NSHomeDirectory() + text.dropFirst()
    }
    if text.hasPrefix("/") { return URL(fileURLWithPath: text).standardizedFileURL }
    return base.appendingPathComponent(text).standardizedFileURL
}

func parseByteSize(_ text: String) -> Int64? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let digits = trimmed.prefix { $0.isNumber || $0 == "." }
    guard let number = Double(digits), number >= 0 else { return nil }
    let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
    let multipliers: [String: Double] = [
        "": 1, "b": 1, "k": 1_000, "kb": 1_000, "kib": 1_024, "m": 1_000_000, "mb": 1_000_000,
        "mib": 1_048_576, "g": 1_000_000_000, "gb": 1_000_000_000, "gib": 1_073_741_824,
    ]
    guard let multiplier = multipliers[unit] else { return nil }
    return Int64(number * multiplier)
}

extension Duration {
    /// Parses `30s`, `10m`, `1h30m`, `500ms`, `2d`; a bare number is seconds.
    public init?(configText text: String) {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let seconds = Double(text), seconds >= 0 {
            self = .milliseconds(Int64(seconds * 1000))
            return
        }
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else {
                return nil
            }
            rest = rest.dropFirst(unit.0.count)
            total += Int64(number * Double(unit.1))
        }
        self = .milliseconds(total)
    }

    /// The shortest config spelling: `30s`, `10m`, `1h`, `250ms`.
    public var configText: String {
        let ms = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        if ms % 86_400_000 == 0, ms > 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0, ms > 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0, ms > 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

import Foundation

/// A well-known source, written `preset: NAME` in a source entry: it fills in the source's
/// `type`, its options (the address among them) and `every`; the entry may override any of them.
public struct SourcePreset: Sendable {
    /// A value the preset needs from the entry (an organisation, a company's IR host), written
    /// as a key of its own and substituted for `{name}` in the preset's options.
    public struct Parameter: Sendable {
        public var name: String
        /// What to write, for `pharos presets` and messages.
        public var help: String
        /// What a value may hold; anything else is a problem reported at the key.
        public var allowed: Allowed

        public enum Allowed: Sendable {
            /// A host name, such as `ir.example.com` (letters, digits, '.' and '-').
            case host
            /// A word or an id that goes into a URL path (no '/', '?', '#' or spaces).
            case pathSegment
            /// Any text.
            case text
        }

        public init(_ name: String, help: String, allowed: Allowed) {
            self.name = name
            self.help = help
            self.allowed = allowed
        }

        /// Why `value` cannot be used, or nil when it can.
        public func problem(with value: String) -> String? {
            if value.isEmpty { return "must not be empty" }
            switch allowed {
            case .host:
                let ok = value.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-") }
                return ok && !value.hasPrefix(".") && !value.hasPrefix("-") && value.contains(".")
                    ? nil : "must be a host name such as ir.example.com (no scheme or path), found '\(value)'"
            case .pathSegment:
                let bad = value.unicodeScalars.contains { "/?#% \t\r\n".unicodeScalars.contains($0) || $0.properties.generalCategory == .control }
                return bad ? "must not contain '/', '?', '#', '%' or spaces, found '\(value)'" : nil
            case .text:
                return nil
            }
        }
    }

    /// The name written after `preset:`.
    public var name: String
    /// The source type it fills in.
    public var type: String
    /// What it watches, one line.
    public var watches: String
    /// Where its address comes from, and whether the provider's own documentation confirms it.
    public var origin: String
    /// Whether the address was confirmed from the provider's public documentation or feed.
    public var confirmed: Bool
    /// The options it fills in, in order; `{parameter}` in a value is replaced by the entry's value.
    public var options: [(key: String, value: String)]
    /// The poll interval it fills in.
    public var every: String
    /// The values the entry must give.
    public var parameters: [Parameter]

    public init(
        name: String, type: String, watches: String, origin: String, confirmed: Bool, every: String,
        options: [(key: String, value: String)], parameters: [Parameter] = []
    ) {
        self.name = name
        self.type = type
        self.watches = watches
        self.origin = origin
        self.confirmed = confirmed
        self.every = every
        self.options = options
        self.parameters = parameters
    }

    /// `value` with every `{parameter}` replaced; parameters go into URLs, so their text is
    /// percent-encoded where it appears inside one.
    public func substitute(_ value: String, with values: [String: String]) -> String {
        var result = value
        for parameter in parameters {
            guard let given = values[parameter.name] else { continue }
            let encoded = parameter.allowed == .text && value.contains("://") ? Self.percentEncoded(given) : given
            result = result.replacingOccurrences(of: "{\(parameter.name)}", with: encoded)
        }
        return result
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

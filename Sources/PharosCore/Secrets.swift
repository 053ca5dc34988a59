import Foundation

/// A secret read from a file, a systemd credential or the environment: never from the YAML.
public struct SecretOption: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret, without the line break that ends a file.
    public let value: String
    /// The option it came from (`secret_file`, `password_env` ...), for messages about it.
    public let key: String

    public init(value: String, key: String) {
        self.value = value
        self.key = key
    }

    public var description: String { "(secret from \(key))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["key": key, "value": "(hidden)"]) }
}

extension OptionReader {
    /// Reads the secret `name` from `<name>_file` or `<name>_env`, and rejects `<name>:` itself:
    /// secrets never go in the config file.
    ///
    /// `<name>_file` is a path; under systemd (`$CREDENTIALS_DIRECTORY` set) a credential
    /// with the file's name (or `pharos_` and the name, as the shipped unit loads them) is
    /// looked up there first, so `LoadCredential=` works with the same config. `<name>_env` names an environment variable. Giving both, an unreadable
    /// file, an empty secret or an unset variable is a problem naming the key. The secret's
    /// trailing line breaks are dropped; nothing else is changed. Like ssh with a private key,
    /// a file that other users may read or write (any of mode 077) is refused; systemd's
    /// credentials are private to the service already.
    ///
    /// - Parameters:
    ///   - environment: where the variable and `CREDENTIALS_DIRECTORY` are looked up.
    ///   - inline: `<name>:` may hold the value itself, as for a webhook URL that is only
    ///     sometimes a secret; the caller reads it, and giving it with a file or variable is a problem.
    /// - Returns: the secret, or nil when none was configured or it could not be read.
    public func secret(_ name: String, environment: [String: String], inline: Bool = false) -> SecretOption? {
        let fileKey = "\(name)_file", envKey = "\(name)_env"
        // Read first when it is allowed, last when it is only read to be refused: `pharos
        // plugins` lists a key read after its `_file` form as a refused one.
        if inline, raw(name) != nil, raw(fileKey) != nil || raw(envKey) != nil {
            problem("give one of \(name), \(fileKey) or \(envKey)", key: name)
        }
        var secret: SecretOption?
        if let file = path(fileKey) {
            // The shipped unit loads a whole directory (`LoadCredential=pharos:DIR`), which
            // systemd names pharos_<file>; a credential of its own is just <file>.
            let credentials = environment["CREDENTIALS_DIRECTORY"].map { directory in
                [file.lastPathComponent, "pharos_" + file.lastPathComponent].map { URL(fileURLWithPath: directory).appendingPathComponent($0) }
            } ?? []
            let candidates = credentials + [file]
            if let readable = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }),
               let text = try? String(contentsOf: readable, encoding: .utf8) {
                let value = Self.droppingLineBreaks(text)
                let mode = (try? FileManager.default.attributesOfItem(atPath: readable.path)[.posixPermissions] as? Int) ?? 0
                if readable == file, mode & 0o077 != 0 {
                    problem("\(file.path) may be read or written by other users (mode \(String(mode & 0o777, radix: 8))); "
                        + "chmod 600 it (or 400): like ssh, Pharos refuses such secret files", key: fileKey)
                } else if value.isEmpty {
                    problem("\(readable.path) is empty", key: fileKey)
                } else {
                    secret = SecretOption(value: value, key: fileKey)
                }
            } else {
                problem("cannot read \(file.path)", key: fileKey)
            }
        }
        if let variable = string(envKey) {
            if raw(fileKey) != nil { problem("give either \(fileKey) or \(envKey), not both", key: envKey) }
            if let value = environment[variable].map(Self.droppingLineBreaks), !value.isEmpty {
                if secret == nil { secret = SecretOption(value: value, key: envKey) }
            } else {
                problem("environment variable \(variable) is not set", key: envKey)
            }
        }
        if !inline, raw(name) != nil {
            problem("secrets never go in the config file: use \(fileKey) or \(envKey)", key: name)
        }
        return secret
    }

    private static func droppingLineBreaks(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last == "\n" || last == "\r" || last == "\r\n" { text = text.dropLast() }
        return String(text)
    }
}

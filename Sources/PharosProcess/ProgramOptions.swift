import Foundation
import PharosCore

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Options shared by plugins that run programs

extension OptionReader {
    /// A program and its arguments, such as `command: [./fetch.py, --days, "2"]`; the first entry
    /// is resolved and checked: a path with a `/` against the config folder, a bare name in
    /// `searchPath`; it must be an executable file. Returns nil after recording the problem.
    public func command(_ key: String, searchPath: String = ChildProcess.searchPath) -> [String]? {
        guard raw(key) != nil else {
            problem("is required: the program to run and its arguments, as a list", key: key)
            return nil
        }
        guard let list = stringList(key) else { return nil }
        guard let name = list.first, !name.isEmpty else {
            problem("must name a program to run", key: key)
            return nil
        }
        guard let program = ChildProcess.resolveProgram(name, relativeTo: baseDirectory, searchPath: searchPath) else {
            if list.count == 1, name.contains(" ") {
                let words = name.split(separator: " ").joined(separator: ", ")
                problem("program '\(name)' not found; no shell splits it: give the program and its arguments as a list, [\(words)]", key: key)
            } else if name.contains("/") {
                let path = resolvePath(name, against: baseDirectory).path
                if !FileManager.default.fileExists(atPath: path) {
                    problem("program \(path) does not exist", key: key)
                } else {
                    problem("program \(path) is not an executable file", key: key)
                }
            } else {
                problem("program '\(name)' was not found in \(searchPath)", key: key)
            }
            return nil
        }
        return [program] + list.dropFirst()
    }

    /// Environment variables for a child: names of letters, digits and `_`, not starting with
    /// a digit.
    public func environmentVariables(_ key: String) -> [String: String] {
        let map = stringMap(key) ?? [:]
        for name in map.keys.sorted() where !ChildProcess.isValidVariableName(name) {
            problem("'\(name)' is not a valid environment variable name", key: key)
        }
        return map.filter { ChildProcess.isValidVariableName($0.key) }
    }

    /// A directory that must exist, resolved against the config folder.
    public func existingDirectory(_ key: String) -> URL? {
        guard let url = path(key) else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            problem("\(url.path) is not a directory", key: key)
            return nil
        }
        return url
    }
}

extension ChildProcess {
    /// The absolute path of an executable file: `name` with a `/` is taken relative to `base`
    /// (`~` expanded), a bare name is looked up in `searchPath`; nil when there is none.
    public static func resolveProgram(_ name: String, relativeTo base: URL, searchPath: String = ChildProcess.searchPath) -> String? {
        func isExecutableFile(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && access(path, X_OK) == 0
        }
        if name.contains("/") || name.hasPrefix("~") {
            let path = resolvePath(name, against: base).path
            return isExecutableFile(path) ? path : nil
        }
        for directory in searchPath.split(separator: ":") where directory.hasPrefix("/") {
            let path = "\(directory)/\(name)"
            if isExecutableFile(path) { return path }
        }
        return nil
    }

    /// Whether `name` can be an environment variable: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x5F }
    }
}

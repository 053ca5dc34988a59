import Foundation
import PharosCore

/// Plugin options as if read from a config mapping of `pairs`, all at `test.yaml:1:1`.
public func optionReader(_ pairs: [(String, String)], base: URL = URL(fileURLWithPath: "/"), what: String) -> OptionReader {
    let location = SourceLocation(file: "test.yaml", line: 1, column: 1)
    let entries = pairs.map { key, value in
        (key: ConfigNode(.scalar(key, quoted: false), location: location, path: key),
         value: ConfigNode(.scalar(value, quoted: false), location: location, path: key))
    }
    return OptionReader(node: ConfigNode(.mapping(entries), location: location, path: ""),
                        baseDirectory: base, what: what)
}

// Writes the Swift file that embeds the built-in vocabularies: run by the EmbedVocabularyPlugin
// build tool on every build in which a vocabulary file changed.
//
//     EmbedVocabulary OUTPUT.swift FILE.yaml...
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedVocabulary OUTPUT.swift FILE.yaml...\n".utf8))
    exit(2)
}

/// `text` as a raw multi-line Swift string literal: the same bytes once compiled. It has one
/// `#` more than any run of them after a quote or a backslash in the text, so nothing in the
/// text can end the literal or start an escape.
func literal(_ text: String) -> String {
    var longest = 0
    var run: Int?
    for byte in text.utf8 {
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            run = 0
        } else if byte == UInt8(ascii: "#"), let count = run {
            run = count + 1
            longest = max(longest, count + 1)
        } else {
            run = nil
        }
    }
    let hashes = String(repeating: "#", count: longest + 1)
    return hashes + "\"\"\"\n" + text + "\n\"\"\"" + hashes
}

var source = """
    // Generated at build time from Vocabulary/*.yaml by the EmbedVocabulary tool.

    extension BuiltinVocabulary {
        /// Each file's name and text.
        static let texts: [(name: String, yaml: StaticString)] = [

    """
for path in arguments.dropFirst() {
    let url = URL(fileURLWithPath: path)
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        FileHandle.standardError.write(Data("\(path): cannot be read as UTF-8 text\n".utf8))
        exit(1)
    }
    source += "        (\(url.lastPathComponent.debugDescription), \(literal(text))),\n"
}
source += "    ]\n}\n"
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: output))
} catch {
    FileHandle.standardError.write(Data("\(output): \(error)\n".utf8))
    exit(1)
}

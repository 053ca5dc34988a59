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

/// `text` as a Swift string literal: the same bytes once compiled.
func literal(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": result += "\\\\"
        case "\"": result += "\\\""
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += "\\u{\(String(scalar.value, radix: 16))}"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
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
    source += "        (\(literal(url.lastPathComponent)), \(literal(text))),\n"
}
source += "    ]\n}\n"
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: output))
} catch {
    FileHandle.standardError.write(Data("\(output): \(error)\n".utf8))
    exit(1)
}

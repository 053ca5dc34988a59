import Logging
import PharosCore
import PharosEngine
import Testing

@Suite struct LineLogHandlerTests {
    @Test func everyEventIsOneLineWithQuotedValues() {
        let lines = Shared<[String]>([])
        var logger = Logger(label: "test") { _ in
            LineLogHandler(level: .info, underJournal: true) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "source"] = "wire"
        logger.warning("first line\r\nsecond line", metadata: ["error": "said \"no\"\nthen left", "code": "7", "file": "a\u{1B}[2Jb\u{7}.md"])
        #expect(lines.value == ["<4>warning source=wire: first line\\r second line code=7 error=\"said \\\"no\\\" then left\" file=a\\x1B[2Jb\\x07.md\n"])
    }
}

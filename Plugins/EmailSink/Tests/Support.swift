import EmailSink
import Foundation
import PharosCore
import PharosTestKit
import TestSupport

/// An option reader over `pairs`, quoted as if written at `test.yaml:1:1`.
func options(_ pairs: [(String, OptionValue)]) -> OptionReader {
    pluginOptions(pairs, what: "sink 'mail'", quoted: true)
}

func emailSink(_ pairs: [(String, OptionValue)], environment: [String: String] = [:]) throws -> EmailSink {
    try EmailSink(configuration: PluginConfiguration(name: "mail", options: options(pairs)), environment: environment)
}

/// The problems an invalid configuration reports, as messages.
func problems(_ pairs: [(String, OptionValue)], environment: [String: String] = [:]) -> [String] {
    do {
        _ = try emailSink(pairs, environment: environment)
        return []
    } catch let errors as ConfigErrors {
        return errors.diagnostics.map(\.message)
    } catch {
        return ["unexpected: \(error)"]
    }
}

let fixedDate = Date(timeIntervalSince1970: 1_795_424_400)  // 2026-11-23T09:00:00Z

/// An alert whose feed text carries everything a mail must escape or encode.
func sampleAlert(id: String = "0123456789abcdef0123456789abcdef", rule: String = "bcma-rmat", source: String = "fda-press",
                 title: String = "Zöllner Bio gets RMAT for BCMA <script>alert(1)</script> & more") -> Alert {
    Alert(
        id: id, rule: rule, source: source,
        item: .init(id: "item-\(id)", title: title, link: "https://example.org/news?id=7&lang=en",
                    published: Date(timeIntervalSince1970: 1_739_226_900),
                    summary: "The FDA granted RMAT designation to ZB-101, a BCMA-directed CAR-T <b>therapy</b>."),
        matches: Matches(targets: [EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA")],
                         designations: [EntityMatch(id: "fda-rmat", label: "RMAT", text: "RMAT designation")]),
        evidence: [Evidence(field: "summary", text: "The FDA granted RMAT designation to ZB-101, a BCMA-directed CAR-T <b>therapy</b> & more.",
                            start: 0, end: 86)],
        detectedAt: fixedDate)
}

func delivery(_ alert: Alert) -> Delivery { Delivery(alert: alert) }

/// Undoes quoted-printable (soft breaks and =XX escapes) to bytes.
func decodeQuotedPrintable(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    let lines = text.components(separatedBy: "\r\n")
    for (index, line) in lines.enumerated() {
        var chars = Array(line.utf8)
        var soft = false
        if chars.last == UInt8(ascii: "=") {
            soft = true
            chars.removeLast()
        }
        var position = 0
        while position < chars.count {
            if chars[position] == UInt8(ascii: "="), position + 2 < chars.count + 0,
               let value = UInt8(String(decoding: chars[(position + 1)...(position + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                position += 3
            } else {
                bytes.append(chars[position])
                position += 1
            }
        }
        if !soft, index < lines.count - 1 { bytes += [13, 10] }
    }
    return bytes
}

/// Decodes a header value made of RFC 2047 B-encoded words and plain words (unfolded first).
func decodeHeaderValue(_ value: String) -> String {
    let unfolded = value.replacingOccurrences(of: "\r\n ", with: " ")
    var result = ""
    var previousWasEncoded = false
    for word in unfolded.split(separator: " ") {
        var decoded: String?
        if word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="), let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) {
            decoded = String(decoding: data, as: UTF8.self)
        }
        // White space between two encoded words does not count (RFC 2047, 6.2).
        if !result.isEmpty, !(decoded != nil && previousWasEncoded) { result += " " }
        result += decoded ?? String(word)
        previousWasEncoded = decoded != nil
    }
    return result
}

/// The SMTP test server (Tests/peers/smtp_peer.py) in a fresh directory, with what it received.
final class SMTPPeer: Sendable {
    let directory: URL
    let peer: PythonPeer

    init(_ arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        peer = try PythonPeer("smtp_peer.py", arguments: [directory.path] + arguments)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var port: Int { peer.port }
    var caFile: String { directory.appendingPathComponent("cert.pem").path }

    struct Part: Decodable {
        var type: String
        var charset: String?
        var encoding: String?
        var content: String
    }

    struct Message: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var tls: Bool
        var login: String?
        var headers: [String: String]
        var raw_headers: [String]
        var content_type: String
        var parts: [Part]
        var max_line: Int
        var bare_lf: Bool
        var ascii: Bool
        var defects: [String]

        func part(_ type: String) -> String { parts.first { $0.type == type }?.content ?? "" }
    }

    struct Event: Decodable {
        var command: String
        var tls: Bool
        var ok: Bool?
        var mechanism: String?
    }

    private func lines<T: Decodable>(_ name: String, as type: T.Type) throws -> [T] {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(T.self, from: Data($0.utf8))
        }
    }

    /// Every message stored so far, parsed by Python's `email` package.
    func messages() throws -> [Message] { try lines("messages.jsonl", as: Message.self) }
    /// Every command the server saw so far, in order.
    func events() throws -> [Event] { try lines("events.jsonl", as: Event.self) }
}

/// Whether the venv with the peers' packages (aiosmtpd) exists: `make .venv/installed` creates it.
let smtpPeerAvailable: Bool = {
    let lib = packageRoot.appendingPathComponent(".venv/lib")
    guard FileManager.default.isExecutableFile(atPath: packageRoot.appendingPathComponent(".venv/bin/python3").path),
          let versions = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { return false }
    return versions.contains { FileManager.default.fileExists(atPath: lib.appendingPathComponent("\($0)/site-packages/aiosmtpd").path) }
}()

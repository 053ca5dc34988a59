import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A Python program from Tests/peers listening on 127.0.0.1, stopped when the value goes away.
public final class PythonPeer: Sendable {
    public let port: Int
    private let process: Process

    /// Starts `script` with `arguments`; `port` asks for a fixed port (to restart a peer where
    /// its clients expect it), otherwise the system picks one.
    public init(_ script: String, arguments: [String] = [], port: Int? = nil) throws {
        let root = packageRoot
        let venvPython = root.appendingPathComponent(".venv/bin/python3")
        let process = Process()
        process.executableURL = FileManager.default.isExecutableFile(atPath: venvPython.path) ? venvPython : URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = (process.executableURL?.lastPathComponent == "env" ? ["python3"] : [])
            + [root.appendingPathComponent("Tests/peers/\(script)").path] + arguments
        if let port { process.environment = ProcessInfo.processInfo.environment.merging(["PEER_PORT": String(port)]) { _, new in new } }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = ""
        while !line.hasSuffix("\n") {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            line += String(decoding: byte, as: UTF8.self)
        }
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw PeerError(message: "\(script) did not report its port: \(line)")
        }
        self.port = port
        self.process = process
    }

    public var base: String { "http://127.0.0.1:\(port)" }

    deinit {
        // Foundation's waitUntilExit can spin here; a plain kill and waitpid cannot.
        kill(process.processIdentifier, SIGKILL)
        var status: Int32 = 0
        waitpid(process.processIdentifier, &status, 0)
    }
}

public struct PeerError: Error, CustomStringConvertible {
    var message: String
    public var description: String { message }
}


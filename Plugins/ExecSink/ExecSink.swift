import Foundation
import Logging
import PharosCore
import PharosProcess

/// Hands each alert to a program on its standard input (README.md has the protocol):
/// exit 0 = delivered, 75 (EX_TEMPFAIL) = try again later, anything else = permanent failure.
public struct ExecSink: Sink {
    public static let typeName = "exec"
    /// EX_TEMPFAIL from sysexits.h: "try again later".
    public static let temporaryFailure: Int32 = 75
    /// Variables the sink sets for each alert; `env` may not set them.
    public static let alertVariables = ["PHAROS_ALERT_ID", "PHAROS_RULE", "PHAROS_SINK"]

    /// The sink's `name:`, passed as PHAROS_SINK.
    public let name: String
    /// The program (an absolute path) and its arguments.
    public let command: [String]
    /// The longest one delivery may take before the program's process group is killed.
    public let timeout: Duration
    /// Variables added to the program's minimal environment.
    public let environment: [String: String]
    public let workingDirectory: URL

    /// The program's path; arguments may hold things that are not for logs.
    public var destination: String { command.first ?? Self.typeName }

    public init(configuration: PluginConfiguration) throws {
        let options = configuration.options
        name = configuration.name
        environment = options.environmentVariables("env")
        for variable in Self.alertVariables where environment[variable] != nil {
            options.problem("\(variable) is set by the sink for each alert", key: "env")
        }
        command = options.command("command", searchPath: environment["PATH"] ?? ChildProcess.searchPath) ?? []
        timeout = options.duration("timeout", default: .seconds(30), minimum: .milliseconds(100))
        workingDirectory = options.existingDirectory("working_directory") ?? options.baseDirectory
        try options.validate()
    }

    public func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        let variables = environment.merging([
            "PHAROS_ALERT_ID": delivery.alertID, "PHAROS_RULE": delivery.rule, "PHAROS_SINK": name,
        ]) { _, new in new }
        var process = ChildProcess(
            command: command, environment: ChildProcess.environment(variables), workingDirectory: workingDirectory.path,
            input: Array((delivery.json + "\n").utf8), timeout: timeout)
        // What the program prints on standard output is not part of the protocol: keep little.
        process.maxOutputBytes = 64 * 1024
        process.killOnOutputLimit = false
        process.maxErrorBytes = 16 * 1024
        let logger = context.logger
        let program = destination
        let alertID = delivery.alertID
        let result: ChildProcessResult
        do {
            result = try await process.run(stderrLine: { line in
                logger.info("\(line.text)", metadata: ["stderr": "\(program)", "alert": "\(alertID)"])
            })
        } catch let error as ChildProcessError {
            throw error.isTransient ? .retryable(error.description) : .permanent(error.description)
        } catch {
            throw .retryable("\(program): delivery interrupted (\(error))")
        }
        if result.timedOut {
            throw .retryable(Self.message("\(program) did not finish within \(timeout.configText) and was killed", result))
        }
        switch result.termination {
        case .exited(0):
            return
        case .exited(Self.temporaryFailure):
            throw .retryable(Self.message("\(program) exited with status 75 (try again later)", result))
        case .exited(let status):
            throw .permanent(Self.message("\(program) exited with status \(status)", result))
        case .signaled:
            throw .retryable(Self.message("\(program) \(result.termination)", result))
        }
    }

    /// `message`, then the last lines of standard error (at most 3, each cut to 300 characters).
    static func message(_ message: String, _ result: ChildProcessResult) -> String {
        let lines = result.lastErrorLines(3, maxLength: 300)
        return lines.isEmpty ? message : message + "; stderr: " + lines.joined(separator: " | ")
    }
}

import PharosHTTP
import Testing

/// Runs a libcurl engine for as long as the suite or test it marks, as the daemon's service
/// group runs one: `@Suite(.runningCurl(maxConcurrent: 8))`, then `RunningCurl.engine` inside.
public struct RunningCurl: SuiteTrait, TestTrait, TestScoping {
    @TaskLocal static var current: CurlEngine?

    /// The engine of the suite or test that is running.
    public static var engine: CurlEngine {
        guard let current else { preconditionFailure("mark the suite or test with .runningCurl()") }
        return current
    }

    let maxConcurrent: Int

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let engine = CurlEngine(maxConcurrent: maxConcurrent)
        try await engine.whileRunning { try await Self.$current.withValue(engine) { try await function() } }
    }
}

extension Trait where Self == RunningCurl {
    /// A libcurl engine with `maxConcurrent` transfers at once, running for the marked suite or test.
    public static func runningCurl(maxConcurrent: Int = 8) -> Self { RunningCurl(maxConcurrent: maxConcurrent) }
}

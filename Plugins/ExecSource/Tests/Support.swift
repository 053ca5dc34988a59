import Foundation
import ExecSource
import PharosCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs `source`'s `run(context:)` while `body` runs, as the engine does for as long as the
/// source is in use, then cancels it and waits for it to end.
func whileRunning<T>(_ source: ExecSource, context: PluginContext, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await source.run(context: context) }
        defer { group.cancelAll() }
        return try await body()
    }
}

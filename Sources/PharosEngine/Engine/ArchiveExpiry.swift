import Foundation
import Logging
import PharosCore
import ServiceLifecycle

/// Removes archived versions last seen longer than `history:` ago, in the background: at
/// start and then every `interval`, a batch at a time, each batch its own short transaction,
/// so a poll's transaction waits for one batch at most (never for the whole expiry).
///
/// The daemon runs it as a service beside each configuration's engine (`Engine.expiry`), so a
/// reload that changes `history:` takes effect with the new engine.
public struct ArchiveExpiry: Service {
    let store: any ArchiveStore
    let history: Duration
    let now: @Sendable () -> Date
    let time: Timeline
    let interval: Duration
    let batch: Int
    let logger: Logger

    /// - Parameters:
    ///   - now: the wall time that `history` counts back from.
    ///   - clock: what the wait between rounds sleeps on (a test's `TestClock`).
    ///   - batch: versions removed per transaction.
    public init(store: any ArchiveStore, history: Duration, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
                clock: any Clock<Duration> = ContinuousClock(), interval: Duration = .seconds(3600), batch: Int = 500) {
        self.init(store: store, history: history, logger: logger, now: now, time: Timeline(clock), interval: interval, batch: batch)
    }

    init(store: any ArchiveStore, history: Duration, logger: Logger, now: @escaping @Sendable () -> Date, time: Timeline,
         interval: Duration = .seconds(3600), batch: Int = 500) {
        self.store = store
        self.history = history
        self.now = now
        self.time = time
        self.interval = interval
        self.batch = max(batch, 1)
        self.logger = logger
    }

    /// Expires now and every `interval` until graceful shutdown.
    public func run() async {
        repeat {
            await expireNow()
        } while await sleepUnlessShuttingDown(interval, on: time)
    }

    /// Removes every version last seen before now less `history`, a batch per transaction;
    /// stops early on shutdown (the rest goes next time). Returns how many it removed.
    @discardableResult
    public func expireNow() async -> Int {
        let cutoff = now().addingTimeInterval(-history.seconds)
        var total = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let removed = try await store.expireArchive(before: cutoff, limit: batch)
                total += removed
                if removed < batch { break }
            } catch {
                logger.warning("archive expiry failed; it is tried again later", metadata: ["error": "\(error)"])
                break
            }
            await Task.yield()
        }
        if total > 0 { logger.debug("archive expired", metadata: ["versions": "\(total)"]) }
        return total
    }
}

import Foundation

/// Runs `work` on a thread of its own, named `name`, and returns when it has: for loops that
/// block (on `poll(2)`, on libcurl) and so must stay off Swift's cooperative pool, yet live
/// no longer than the task that runs them. Cancelling the task calls `stop`, which must make
/// `work` return soon.
public func runOnDedicatedThread(named name: String, _ work: @escaping @Sendable () -> Void, stop: @escaping @Sendable () -> Void) async {
    await withTaskCancellationHandler {
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                work()
                finished.resume()
            }
            thread.name = name
            thread.start()
        }
    } onCancel: {
        stop()
    }
}

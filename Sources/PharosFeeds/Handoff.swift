import Foundation

/// A bounded queue between one producing and one consuming thread.
final class Handoff<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// At most `capacity` elements (a few): taken from the front, which costs next to nothing.
    private var elements: [Element] = []
    private var closed = false
    private var isAbandoned = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds `element`, waiting while the queue is full; drops it once the queue is abandoned.
    func put(_ element: Element) {
        condition.lock()
        while elements.count >= capacity && !isAbandoned { condition.wait() }
        if !isAbandoned {
            elements.append(element)
            condition.broadcast()
        }
        condition.unlock()
    }

    /// The consumer wants no more elements: those queued are dropped, later ones too.
    func abandon() {
        condition.lock()
        isAbandoned = true
        elements.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    var abandoned: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isAbandoned
    }

    /// No more elements will come.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next element, waiting for one; nil once the queue is closed and empty.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while elements.isEmpty && !closed { condition.wait() }
        guard !elements.isEmpty else { return nil }
        // Removed, not just passed: a taken element must not stay referenced from here.
        let element = elements.removeFirst()
        condition.broadcast()
        return element
    }
}

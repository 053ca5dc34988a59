import Foundation
import PharosCore
import PharosMatching

/// `MemoryStateStore`'s story index: the same contract as the SQLite tables, in dictionaries.
struct MemoryStoryIndex {
    private var entries: [(row: Int, entry: StoryEntry)] = []
    private var keys: [Int64: [Int]] = [:]
    private var nextRow = 0
    private var alerts: [String: [String: StoryAlert]] = [:]
    /// Copies per alert, in the order recorded.
    private(set) var copies: [String: [AlsoSeen]] = [:]

    func candidates(keys wanted: [Int64], since: Date) -> [StoryEntry] {
        let inWindow = Dictionary(uniqueKeysWithValues: entries.filter { $0.entry.seenAt >= since }.map { ($0.row, $0.entry.seenAt) })
        let rows = Set(Set(wanted).flatMap { key in
            (keys[key] ?? []).filter { inWindow[$0] != nil }.sorted { (inWindow[$0]!, $0) > (inWindow[$1]!, $1) }.prefix(candidatesPerKey)
        })
        return entries.filter { rows.contains($0.row) }
            .sorted { ($0.entry.seenAt, $0.row) < ($1.entry.seenAt, $1.row) }.map(\.entry)
    }

    func alerts(story: String) -> [StoryAlert] {
        (alerts[story] ?? [:]).values.sorted { $0.rule < $1.rule }
    }

    /// Applies `writes`; `copied` is told of each copy newly added to an alert.
    mutating func apply(_ writes: StoryWrites, copied: (String, AlsoSeen) -> Void) {
        if let before = writes.forgetBefore {
            let forgotten = Set(entries.filter { $0.entry.seenAt < before }.map(\.row))
            entries.removeAll { forgotten.contains($0.row) }
            for key in keys.keys { keys[key]?.removeAll { forgotten.contains($0) } }
        }
        for entry in writes.entries {
            entries.append((nextRow, entry))
            for key in Set(entry.keys) { keys[key, default: []].append(nextRow) }
            nextRow += 1
        }
        for alert in writes.alerts {
            var merged = alert
            if let known = alerts[alert.story]?[alert.rule] {
                merged = known
                merged.entities = Array(Set(known.entities).union(alert.entities)).sorted()
            } else {
                merged.entities = Array(Set(alert.entities)).sorted()
            }
            alerts[alert.story, default: [:]][alert.rule] = merged
        }
        for (alertID, copy) in writes.sightings
        where !(copies[alertID] ?? []).contains(where: { $0.source == copy.source && $0.itemID == copy.itemID }) {
            copies[alertID, default: []].append(copy)
            copied(alertID, copy)
        }
    }
}

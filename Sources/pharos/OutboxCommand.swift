import ArgumentParser
import Foundation
import PharosCore
import PharosEngine

struct Outbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "What is waiting, failing or dead in the outbox; retry or drop alerts.",
        subcommands: [OutboxList.self, OutboxRetry.self, OutboxDrop.self], defaultSubcommand: OutboxList.self)
}

/// The state store of the configured state directory.
private func openStore(_ options: ConfigOptions) throws -> any StateStore {
    try openState(try options.load())
}

struct OutboxList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Pending and dead deliveries, oldest first.")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Include delivered alerts too.")
    var all = false

    func run() async throws {
        let store = try openStore(options)
        let entries = try await store.outbox(includeDelivered: all)
        if entries.isEmpty {
            print(all ? "the outbox is empty" : "nothing pending or dead")
            return
        }
        for entry in entries {
            var line = "\(entry.alertID)  \(entry.sink)  \(entry.state)  attempts \(entry.attempts)  rule \(entry.rule)  source \(entry.source)"
            if entry.state == "pending" { line += "  next \(ISO8601.string(from: entry.nextAttempt))" }
            if let error = entry.lastError { line += "  last error: \(error)" }
            print(line)
        }
    }
}

struct OutboxRetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Deliver an alert (or every dead one) again now.")

    @OptionGroup var options: ConfigOptions

    @Flag(name: .customLong("all-dead"), help: "Retry every dead delivery.")
    var allDead = false

    @Argument(help: "The alert id.")
    var id: String?

    func validate() throws {
        if allDead == (id != nil) { throw ValidationError("give an alert id or --all-dead") }
    }

    func run() async throws {
        let count = try await openStore(options).retry(alertID: id, now: Date())
        print("\(count) deliver\(count == 1 ? "y" : "ies") due now; a running daemon picks them up within a minute, or run `pharos run --once`")
        if count == 0, id != nil { throw ExitWith(code: .failure) }
    }
}

struct OutboxDrop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "Give up on an alert's undelivered deliveries.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The alert id.")
    var id: String

    func run() async throws {
        let count = try await openStore(options).drop(alertID: id)
        print("\(count) deliver\(count == 1 ? "y" : "ies") dropped")
        if count == 0 { throw ExitWith(code: .failure) }
    }
}

import Foundation
import TestSupport
import Testing

/// `pharos backtest` against the built binary, over the archive `run --once` wrote.
@Suite struct Backtesting {
    /// Three BCMA RMAT releases that alerted under `bcma-rmat`, and one CD19 release that did not.
    private func deployment() throws -> Deployment {
        let deployment = try Deployment(copyExamples: false)
        try deployment.useOnlyRules("- name: bcma-rmat\n  targets: [BCMA]\n  designations: [fda-rmat]\n")
        try deployment.addRMATReleases(0..<3)
        try Data("---\ntitle: Beta receives RMAT designation\n---\nThe U.S. FDA granted RMAT designation to BT-7, a CD19-directed CAR-T.\n".utf8)
            .write(to: deployment.inbox.appendingPathComponent("cd19.md"))
        let once = try pharos(["run", "--once", "--config", deployment.config.path], in: deployment.root)
        #expect(once.status == 0, "\(once.stderr)")
        #expect(deployment.lineCount() == 3)
        // Rules not in the config: BCMA's rule narrowed to CD19, and one for any RMAT.
        try Data("""
            - name: bcma-rmat
              targets: [CD19]
              designations: [fda-rmat]
            - name: any-rmat
              designations: [fda-rmat]
            """.utf8).write(to: deployment.root.appendingPathComponent("try.yaml"))
        return deployment
    }

    @Test func theConfigsRulesReplayAsTheyAlerted() throws {
        let deployment = try deployment()
        let outcome = try pharos(["backtest", "--config", deployment.config.path], in: deployment.root)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("UNCHANGED bcma-rmat inbox ") }.count == 3, "\(outcome.stdout)")
        #expect(outcome.stdout.contains("«RMAT designation»") || outcome.stdout.contains("«BCMA»"), "evidence, highlighted: \(outcome.stdout)")
        #expect(lines.last?.contains("over 4 archived versions") == true && lines.last?.contains("0 new, 3 unchanged, 0 also seen, 0 no longer") == true,
                "\(outcome.stdout)")
        #expect(outcome.stderr.isEmpty, "no progress bar when standard error is not a terminal: \(outcome.stderr)")
    }

    @Test func aRuleFileShowsTheDifferenceFromWhatAlerted() throws {
        let deployment = try deployment()
        let text = try pharos(["backtest", "--rules", "try.yaml", "--config", deployment.config.path], in: deployment.root)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("NEW any-rmat ") }.count == 4, "\(text.stdout)")
        #expect(lines.filter { $0.hasPrefix("NEW bcma-rmat inbox ") && $0.contains("Beta") }.count == 1, "\(text.stdout)")
        #expect(lines.filter { $0.hasPrefix("NO LONGER bcma-rmat inbox ") }.count == 3, "\(text.stdout)")
        #expect(lines.last?.contains("5 new, 0 unchanged, 0 also seen, 3 no longer") == true, "\(text.stdout)")

        let json = try pharos(["backtest", "--rules", "try.yaml", "--since", "1d", "--source", "inbox", "--json", "--config", deployment.config.path],
                              in: deployment.root)
        #expect(json.status == 0, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["rules"] as? [String] == ["bcma-rmat", "any-rmat"])
        #expect(document["versions"] as? Int == 4)
        #expect(document["new"] as? Int == 5 && document["unchanged"] as? Int == 0 && document["no_longer"] as? Int == 3)
        let alerts = try #require(document["alerts"] as? [[String: Any]])
        #expect(alerts.allSatisfy { $0["status"] as? String == "new" && ($0["alert"] as? [String: Any])?["evidence"] != nil })
        #expect((document["no_longer_alerts"] as? [[String: Any]])?.compactMap { $0["rule"] as? String } == ["bcma-rmat", "bcma-rmat", "bcma-rmat"])
        // Another source, or a window before anything was read: nothing.
        let other = try pharos(["backtest", "--source", "elsewhere", "--json", "--config", deployment.config.path], in: deployment.root)
        #expect((try JSONSerialization.jsonObject(with: Data(other.stdout.utf8)) as? [String: Any])?["versions"] as? Int == 0)
    }

    @Test func aCopyTheDaemonFoldedIntoItsStoryIsAlsoSeenNotNew() throws {
        let deployment = try Deployment(copyExamples: false)
        try deployment.useOnlyRules("- name: bcma-rmat\n  targets: [BCMA]\n  designations: [fda-rmat]\n")
        let release = """
            ---
            title: Immix Biopharma receives RMAT designation for NXC-201
            ---
            Immix Biopharma today announced that the U.S. FDA granted Regenerative Medicine Advanced Therapy (RMAT) \
            designation to NXC-201, a BCMA-directed CAR-T, for relapsed or refractory AL amyloidosis, based on data from \
            the ongoing NEXICART-2 trial in patients who had received at least one prior line of therapy.

            """
        try Data(release.utf8).write(to: deployment.inbox.appendingPathComponent("wire.md"))
        try Data(release.utf8).write(to: deployment.inbox.appendingPathComponent("reprint.md"))
        let once = try pharos(["run", "--once", "--config", deployment.config.path], in: deployment.root)
        #expect(once.status == 0, "\(once.stderr)")
        #expect(deployment.lineCount() == 1, "one alert for the story")

        let text = try pharos(["backtest", "--config", deployment.config.path], in: deployment.root)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("UNCHANGED bcma-rmat inbox ") }.count == 1, "\(text.stdout)")
        #expect(lines.filter { $0.hasPrefix("ALSO SEEN bcma-rmat inbox ") }.count == 1, "\(text.stdout)")
        #expect(lines.last?.contains("0 new, 1 unchanged, 1 also seen, 0 no longer") == true, "\(text.stdout)")

        let json = try pharos(["backtest", "--json", "--config", deployment.config.path], in: deployment.root)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["also_seen"] as? Int == 1 && document["new"] as? Int == 0)
        let first = try #require(deployment.alertLines().first?["id"] as? String)
        let copies = (document["alerts"] as? [[String: Any]])?.filter { $0["status"] as? String == "also_seen" }
        #expect(copies?.map { $0["also_seen_on"] as? String } == [first])

        let deliver = try pharos(["backtest", "--deliver", "log", "--config", deployment.config.path], in: deployment.root)
        #expect(deliver.status == 0 && deployment.lineCount() == 1, "a copy is not delivered: \(deliver.stderr)")
    }

    @Test func deliverSendsOnlyWhatNeverAlertedAndNothingTwice() throws {
        let deployment = try deployment()
        let arguments = ["backtest", "--rules", "try.yaml", "--deliver", "log", "--config", deployment.config.path]
        let first = try pharos(arguments, in: deployment.root)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("queued 5 alerts for log: 5 delivered now"), "\(first.stderr)")
        #expect(deployment.lineCount() == 8)
        let again = try pharos(arguments, in: deployment.root)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.split(separator: "\n").last?.contains("0 new, 5 unchanged, 0 also seen, 3 no longer") == true, "\(again.stdout)")
        #expect(deployment.lineCount() == 8, "nothing sent twice")
        let configRules = try pharos(["backtest", "--deliver", "log", "--config", deployment.config.path], in: deployment.root)
        #expect(configRules.status == 0 && deployment.lineCount() == 8, "what alerted in the daemon is not sent again")
        let ids = try deployment.alertLines().compactMap { $0["id"] as? String }
        #expect(Set(ids).count == 8)
    }

    @Test func aDamagedArchivedTextStopsTheReplayWithAClearError() throws {
        let deployment = try deployment()
        let database = deployment.state.appendingPathComponent("pharos.sqlite").path
        let damage = try command("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE archive SET text = X'0a78da0102' WHERE position = (SELECT max(position) FROM archive)")
            db.commit()
            """, database], in: deployment.root)
        #expect(damage.status == 0, "\(damage.stderr)")
        let outcome = try pharos(["backtest", "--config", deployment.config.path], in: deployment.root)
        #expect(outcome.status == 1, "\(outcome.stdout)")
        #expect(outcome.stderr.contains("cannot read the archive") && outcome.stderr.contains("archived text"), "\(outcome.stderr)")
        #expect(deployment.lineCount() == 3, "nothing delivered")
    }

    @Test func badInputsAreClearErrors() throws {
        let deployment = try deployment()
        let config = ["--config", deployment.config.path]
        let unknownRule = try pharos(["backtest", "--rule", "bcma-rma"] + config, in: deployment.root)
        #expect(unknownRule.status == 2 && unknownRule.stderr.contains("no rule named 'bcma-rma'; did you mean 'bcma-rmat'?"), "\(unknownRule.stderr)")
        let both = try pharos(["backtest", "--rule", "bcma-rmat", "--rules", "try.yaml"] + config, in: deployment.root)
        #expect(both.status == 2 && both.stderr.contains("give --rule or --rules, not both"), "\(both.stderr)")
        let since = try pharos(["backtest", "--since", "soon"] + config, in: deployment.root)
        #expect(since.status == 2 && since.stderr.contains("--since takes a duration"), "\(since.stderr)")
        let sink = try pharos(["backtest", "--deliver", "lgo"] + config, in: deployment.root)
        #expect(sink.status == 2 && sink.stderr.contains("no sink named 'lgo'; did you mean 'log'?"), "\(sink.stderr)")
        let missing = try pharos(["backtest", "--rules", "nope.yaml"] + config, in: deployment.root)
        #expect(missing.status == 78 && missing.stderr.contains("nope.yaml"), "\(missing.stderr)")
        try Data("- name: broken\n  targets: [BCMA]\n  colour: red\n".utf8).write(to: deployment.root.appendingPathComponent("bad.yaml"))
        let bad = try pharos(["backtest", "--rules", "bad.yaml"] + config, in: deployment.root)
        #expect(bad.status == 78 && bad.stderr.contains("bad.yaml:3:") && bad.stderr.contains("colour"), "\(bad.stderr)")
        #expect(deployment.lineCount() == 3, "nothing delivered by any of them")
    }
}

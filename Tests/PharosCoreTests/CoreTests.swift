import Foundation
import PharosCore
import PharosSupport
import Testing

@Suite struct DurationParsing {
    @Test(arguments: [
        ("30s", 30_000), ("10m", 600_000), ("1h30m", 5_400_000), ("500ms", 500), ("2d", 172_800_000), ("45", 45_000),
    ])
    func parses(text: String, milliseconds: Int64) {
        #expect(Duration(configText: text) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["often", "", "10x", "m5", "-3s"])
    func rejects(text: String) {
        #expect(Duration(configText: text) == nil)
    }

    @Test func printsShortestForm() {
        #expect(Duration.seconds(90).configText == "90s")
        #expect(Duration.seconds(600).configText == "10m")
        #expect(Duration.seconds(7200).configText == "2h")
    }
}

@Suite struct OptionReading {
    func node(_ entries: [(String, ConfigNode.Value, Int)]) -> ConfigNode {
        ConfigNode(.mapping(entries.map { key, value, line in
            (key: ConfigNode(.scalar(key, quoted: false), location: .init(file: "f.yaml", line: line, column: 3), path: key),
             value: ConfigNode(value, location: .init(file: "f.yaml", line: line, column: 9), path: key))
        }), location: .init(file: "f.yaml", line: 1, column: 3), path: "")
    }

    @Test func unknownKeyGetsDidYouMean() throws {
        let reader = OptionReader(node: node([("pth", .scalar("x", quoted: false), 4)]), baseDirectory: URL(fileURLWithPath: "/"), what: "source 'a'")
        _ = reader.path("path")
        let error = #expect(throws: ConfigErrors.self) { try reader.validate() }
        #expect(error?.description == "f.yaml:4:3: unknown key 'pth' in source 'a'; did you mean 'path'?")
    }

    @Test func wrongTypesNameTheKeyAndPosition() {
        let reader = OptionReader(node: node([
            ("every", .scalar("often", quoted: false), 2), ("fsync", .scalar("maybe", quoted: false), 3),
            ("limit", .scalar("ten", quoted: false), 4), ("size", .scalar("huge", quoted: false), 5),
        ]), baseDirectory: URL(fileURLWithPath: "/"), what: "sink")
        _ = reader.duration("every", default: .seconds(1))
        _ = reader.bool("fsync", default: true)
        _ = reader.int("limit", default: 1)
        _ = reader.byteSize("size", default: 1)
        #expect(reader.diagnostics.map(\.description) == [
            "f.yaml:2:9: 'every' must be a duration like 30s, 10m or 1h, found 'often'",
            "f.yaml:3:9: 'fsync' must be true or false, found 'maybe'",
            "f.yaml:4:9: 'limit' must be a whole number, found 'ten'",
            "f.yaml:5:9: 'size' must be a positive size like 10MB or 512KiB, found 'huge'",
        ])
    }

    @Test func missingRequiredKeyPointsAtTheMapping() {
        let reader = OptionReader(node: node([]), baseDirectory: URL(fileURLWithPath: "/"), what: "folder source 'x'")
        #expect(reader.requiredString("path") == "")
        #expect(reader.diagnostics.map(\.description) == ["f.yaml:1:3: folder source 'x' is missing required key 'path'"])
    }

    @Test func relativePathsHangOffTheConfigFolder() {
        let reader = OptionReader(node: node([("path", .scalar("../inbox", quoted: false), 2)]),
                                  baseDirectory: URL(fileURLWithPath: "/etc/pharos/config"), what: "x")
        #expect(reader.path("path")?.path == "/etc/pharos/inbox")
    }

    @Test func byteSizes() {
        let reader = OptionReader(node: node([("a", .scalar("10MB", quoted: false), 2), ("b", .scalar("512KiB", quoted: false), 3)]),
                                  baseDirectory: URL(fileURLWithPath: "/"), what: "x")
        #expect(reader.byteSize("a", default: 0) == 10_000_000)
        #expect(reader.byteSize("b", default: 0) == 524_288)
    }
}

@Suite struct Hashing {
    @Test func knownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // FIPS 180-4 examples (two-block messages) and the million-'a' vector.
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(SHA256.hash("abc".utf8.lazy.map { $0 }) == SHA256.hash(Array("abc".utf8)), "a sequence without contiguous storage hashes alike")
        #expect(SHA256.hex(bytes: Array("abc".utf8), digits: 32) == "ba7816bf8f01cfea414140de5dae2223")
        #expect(SHA256.hex(bytes: [], digits: 64) == SHA256.hex("") && SHA256.hex(bytes: [], digits: 65) == SHA256.hex(""))
        #expect(SHA256.hex(bytes: [0x61], digits: 3) == "ca9" && SHA256.hex(bytes: [0x61], digits: -1) == "")
    }
}

@Suite struct AlertDocument {
    let alert = Alert(
        id: "abc", rule: "bcma-rmat", source: "inbox",
        item: .init(id: "a.md", title: "FDA \"grants\" RMAT", link: "https://x.org/a", published: Date(timeIntervalSince1970: 1_739_226_900), summary: nil),
        matches: Matches(targets: [EntityMatch(id: "BCMA", label: "BCMA", text: "BCMA")]),
        evidence: [Evidence(field: "content", text: "line\none", start: 3, end: 11)],
        detectedAt: Date(timeIntervalSince1970: 1_795_424_400))

    @Test func fieldsInDesignOrder() {
        #expect(alert.jsonLine() == """
            {"id":"abc","rule":"bcma-rmat","source":"inbox","item":{"id":"a.md","title":"FDA \\"grants\\" RMAT","link":"https://x.org/a",\
            "published":"2025-02-10T22:35:00Z","summary":null},"matches":{"targets":[{"id":"BCMA","label":"BCMA","text":"BCMA"}],\
            "designations":[],"companies":[],"keywords":[]},"evidence":[{"field":"content","text":"line\\none","start":3,"end":11}],\
            "detected_at":"2026-11-23T09:00:00Z"}
            """)
    }

    @Test func roundTrips() throws {
        #expect(try Alert.decode(alert.jsonLine()) == alert)
    }

    @Test func aDeliveryCarriesTheDocumentAndDecodesItOnlyWhenAsked() throws {
        let delivery = Delivery(alert: alert)
        #expect(delivery.alertID == "abc" && delivery.rule == "bcma-rmat" && delivery.json == alert.jsonLine())
        #expect(try delivery.alert == alert)
        let damaged = Delivery(alertID: "abc", rule: "bcma-rmat", json: "{\"id\":\"abc\"}")
        #expect {
            _ = try damaged.alert
        } throws: { error in
            guard case .permanent(let reason) = error as? DeliveryError else { return false }
            return reason.hasPrefix("stored alert abc cannot be decoded")
        }
    }

    /// Ids computed before SHA-256 came from libcrypto (the hand-written digest of commit
    /// ae77b8f): a consumer deduplicating on `id` must see the same ids after any change of
    /// the digest's implementation.
    @Test func idsStayWhatTheyWere() {
        // The bcma-rmat alert `make run` raises on examples/inbox.
        let matches = Matches(targets: [EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA")],
                              designations: [EntityMatch(id: "fda-rmat", label: "RMAT", text: "RMAT")],
                              companies: [EntityMatch(id: "Arcturus Cell Sciences", label: "Arcturus Cell Sciences", text: "Arcturus Cell Sciences")],
                              products: [EntityMatch(id: "ARC-217", label: "ARC-217", text: "ARC-217")])
        #expect(Alert.makeID(source: "inbox", itemID: "2025-02-10-arcturus-bcma-rmat.md", rule: "bcma-rmat", matches: matches)
                == "e1d08d9235efa4b5540b568f14303076")
        #expect(Item(id: "x", title: "FDA grants RMAT", link: "https://example.org/a", summary: "BCMA").effectiveVersion
                == "43b8cde22d3124e1f844ba972493bed9")
    }

    @Test func idDependsOnWhatMatchedNotWhen() {
        let a = Alert.makeID(source: "s", itemID: "i", rule: "r", matches: Matches(targets: [EntityMatch(id: "T", label: "T", text: "t")]))
        let same = Alert.makeID(source: "s", itemID: "i", rule: "r", matches: Matches(targets: [EntityMatch(id: "T", label: "T", text: "T")]))
        let other = Alert.makeID(source: "s", itemID: "i", rule: "r", matches: Matches(targets: [EntityMatch(id: "U", label: "U", text: "U")]))
        #expect(a == same)
        #expect(a != other)
    }
}

@Suite struct JSONWriting {
    @Test func stringsAreEscapedAsJSONAndJavaScriptNeed() {
        let value: JSONWriter.Value = .object([
            ("plain", .string("Acme — α 😀")), ("quotes", .string("say \"hi\" \\ there")), ("breaks", .string("a\nb\r\tc")),
            ("control", .string("\u{01}\u{1F}\u{7F}")), ("separators", .string("x\u{2028}y\u{2029}\u{2027}")), ("empty", .string("")),
            ("list", .array([.int(-3), .bool(true), .bool(false), .null, .optional(nil)])),
        ])
        let expected = #"{"plain":"Acme — α 😀","quotes":"say \"hi\" \\ there","breaks":"a\nb\r\tc","control":"\u0001\u001f\#u{7F}","#
            + #""separators":"x\u2028y\u2029\#u{2027}","empty":"","list":[-3,true,false,null,null]}"#
        #expect(JSONWriter.encode(value) == expected)
        var bytes = Array("[".utf8)
        JSONWriter.append(value, to: &bytes)
        #expect(bytes == Array(("[" + expected).utf8))
    }

    /// Plain runs are skipped eight bytes at a time: every escape at every place of a run,
    /// and the bytes around it, still come out as one at a time would write them.
    @Test func everyEscapeAtEveryPlaceOfARun() {
        func escaped(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{2028}": out += "\\u2028"
                case "\u{2029}": out += "\\u2029"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
        let specials = ["\"", "\\", "\n", "\u{01}", "\u{1F}", " ", "\u{7F}", "é", "\u{2028}", "\u{2027}", "“", "😀", "!", "#", "[", "]", "\u{00}"]
        for special in specials {
            for place in 0..<18 {
                let text = String(repeating: "a", count: place) + special + String(repeating: "b", count: 17 - place)
                #expect(JSONWriter.encode(.string(text)) == escaped(text), "\(special.unicodeScalars.map(\.value)) at \(place)")
                #expect(JSONWriter.encode(.string(special + special + text + special)) == escaped(special + special + text + special))
            }
        }
        for number in [0, 7, 10, 99, 1_000_000, -1, Int.max, Int.min] {
            #expect(JSONWriter.encode(.int(number)) == String(number))
        }
    }
}

@Suite struct EntityKeys {
    @Test func keysAreSortedAndEachOnceWhateverTheCase() {
        let matches = Matches(
            targets: [EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA"), EntityMatch(id: "CD19", label: "CD19", text: "CD19"),
                      EntityMatch(id: "TNFRSF17", label: "BCMA", text: "B-cell maturation antigen")],
            companies: [EntityMatch(id: "Acme", label: "Acme", text: "Acme"), EntityMatch(id: "ACME", label: "Acme", text: "ACME")],
            keywords: [EntityMatch(id: "RMAT", label: "RMAT", text: "RMAT"), EntityMatch(id: "rmat", label: "rmat", text: "rmat"),
                       EntityMatch(id: "Fast Track", label: "Fast Track", text: "Fast Track")])
        #expect(matches.entityKeys == ["company:acme", "keyword:fast track", "keyword:rmat", "target:CD19", "target:TNFRSF17"])
        #expect(Matches().entityKeys.isEmpty)
    }

    /// The id's key is built from the entities' bytes when every id is ASCII: it must be the
    /// key `entityKeys` gives, in order, case and duplicates, and for ids that are not ASCII too.
    @Test(arguments: [
        Matches(),
        Matches(targets: [EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA"), EntityMatch(id: "CD19", label: "CD19", text: "CD19"),
                          EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA")],
                companies: [EntityMatch(id: "Acme", label: "Acme", text: "Acme"), EntityMatch(id: "ACME", label: "Acme", text: "ACME")],
                keywords: [EntityMatch(id: "RMAT", label: "RMAT", text: "RMAT"), EntityMatch(id: "rmat", label: "rmat", text: "rmat"),
                           EntityMatch(id: "rmat2", label: "rmat2", text: "rmat2"), EntityMatch(id: "rma", label: "rma", text: "rma"),
                           EntityMatch(id: "Fast Track", label: "Fast Track", text: "Fast Track"), EntityMatch(id: "", label: "", text: "")]),
        Matches(designations: [EntityMatch(id: "fda-rmat", label: "RMAT", text: "RMAT"), EntityMatch(id: "FDA-RMAT", label: "RMAT", text: "RMAT")],
                products: [EntityMatch(id: "ARC-217", label: "ARC-217", text: "ARC-217"), EntityMatch(id: "arc-217", label: "a", text: "a")],
                modalities: [EntityMatch(id: "CAR-T", label: "CAR-T", text: "CAR-T"), EntityMatch(id: "car-t~[]", label: "c", text: "c")]),
        Matches(companies: [EntityMatch(id: "Société Générale", label: "SG", text: "SG"), EntityMatch(id: "Acme", label: "Acme", text: "Acme")],
                keywords: [EntityMatch(id: "ÉTUDE", label: "É", text: "É"), EntityMatch(id: "Z", label: "Z", text: "Z")]),
        Matches(targets: [EntityMatch(id: "İ", label: "İ", text: "İ")], keywords: [EntityMatch(id: "ǅ", label: "ǅ", text: "ǅ")]),
    ])
    func idKeyIsTheEntityKeys(matches: Matches) {
        var key = Array("s\u{1F}item\u{1F}rule".utf8)
        for part in matches.entityKeys { key += [0x1F] + Array(part.utf8) }
        #expect(Alert.makeID(source: "s", itemID: "item", rule: "rule", matches: matches) == SHA256.hex(bytes: key, digits: 32))
    }
}

@Suite struct AlertJSONWriting {
    @Test func writtenFieldByFieldItIsTheSameDocument() {
        var withEverything = Alert.sample
        withEverything.matches.keywords = [EntityMatch(id: "Fast Track", label: "Fast Track", text: "fast-track \"FT\"")]
        withEverything.matches.products = [EntityMatch(id: "cel-01", label: "CEL-01", text: "CEL-01")]
        withEverything.matches.modalities = [EntityMatch(id: "car-t", label: "CAR-T", text: "CAR-T")]
        withEverything.matches.via = ["target:TNFRSF17": "cel-01"]
        withEverything.evidence.append(Evidence(field: "content", text: "line\nbreak \u{2028} é 😀", start: 3, end: 40))
        withEverything.events = [RegulatoryEvent(
            agency: "FDA", action: "rmat", label: "RMAT designation", text: "RMAT designation", product: "CEL-01", productID: nil,
            companies: ["Example Bio"], targets: [EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA")], modality: nil,
            indication: "multiple myeloma", status: .announced, cues: ["granted"],
            evidence: Evidence(field: "title", text: "Example Bio receives RMAT", start: 0, end: 25))]
        withEverything.story = "story-1"
        withEverything.alsoSeen = [AlsoSeen(source: "wire", itemID: "w-1", link: nil, seenAt: Date(timeIntervalSince1970: 1_739_300_000))]
        var bare = Alert.sample
        bare.ruleDescription = nil
        bare.item.link = nil
        bare.item.published = nil
        bare.item.summary = nil
        bare.matches = Matches()
        bare.evidence = []
        for alert in [Alert.sample, withEverything, bare] {
            var bytes = Array("x".utf8)
            alert.appendJSON(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "x" + alert.jsonLine())
        }
    }
}

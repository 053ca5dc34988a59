import PharosCore
import PharosText
import Testing

@Suite struct Templates {
    let alert: JSONWriter.Value = .object([
        ("id", .string("abc")), ("rule", .string("bcma-rmat")),
        ("item", .object([("title", .string("FDA grants \"RMAT\" <b>now</b>\n")), ("link", .null)])),
        ("matches", .object([("targets", .array([
            .object([("id", .string("TNFRSF17")), ("label", .string("BCMA"))]),
            .object([("id", .string("CD274")), ("label", .string("PD-L1"))]),
        ])), ("keywords", .array([]))])),
        ("count", .int(2)),
    ])

    @Test func variablesAreEscapedForJSONStrings() throws {
        let template = try Template(#"{"text": "{{rule}}: {{item.title}}", "raw": {{{matches.targets.0}}}}"#, escaping: .json)
        #expect(template.render(alert) == #"{"text": "bcma-rmat: FDA grants \"RMAT\" <b>now</b>\n", "raw": {"id":"TNFRSF17","label":"BCMA"}}"#)
    }

    @Test func variablesAreEscapedForHTML() throws {
        let template = try Template("<p>{{item.title}}</p>{{&item.title}}", escaping: .html)
        #expect(template.render(alert) == "<p>FDA grants &quot;RMAT&quot; &lt;b&gt;now&lt;/b&gt;\n</p>FDA grants \"RMAT\" <b>now</b>\n")
    }

    @Test func sectionsRepeatInvertAndLookOutwards() throws {
        let template = try Template(
            "{{#matches.targets}}[{{label}}/{{rule}}]{{/matches.targets}}{{^matches.keywords}}no keywords{{/matches.keywords}}"
                + "{{#item.link}}link{{/item.link}}{{^item.link}}no link{{/item.link}}{{! ignored }}{{#count}}n={{.}}{{/count}}{{missing}}",
            escaping: .none)
        #expect(template.render(alert) == "[BCMA/bcma-rmat][PD-L1/bcma-rmat]no keywordsno linkn=2")
    }

    @Test func mistakesAreReportedWithTheirPosition() {
        #expect(throws: TemplateError.self) { try Template("{{#a}}x", escaping: .none) }
        #expect(throws: TemplateError.self) { try Template("x\n  {{/a}}", escaping: .none) }
        #expect(throws: TemplateError.self) { try Template("{{a", escaping: .none) }
        #expect(throws: TemplateError.self) { try Template("{{#a}}{{/b}}", escaping: .none) }
        do {
            _ = try Template("line one\n  {{#items}} {{title}}", escaping: .none)
        } catch {
            #expect(error.description == "line 2, column 3: section 'items' is never closed with {{/items}}")
        }
    }
}

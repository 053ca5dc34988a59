import EmailSink
import PharosCore
import Testing

@Test func emailTypeName() { #expect(EmailSink.typeName == "email") }

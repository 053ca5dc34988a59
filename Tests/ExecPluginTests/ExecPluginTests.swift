import ExecSink
import ExecSource
import PharosCore
import Testing

@Test func execTypeNames() { #expect(ExecSource.typeName == "exec" && ExecSink.typeName == "exec") }

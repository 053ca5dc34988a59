import ClinicalTrialsSource
import EdgarSource
import EmailSink
import ExecSink
import ExecSource
import FileSink
import FolderSource
import PharosCore
import RSSSource
import WebhookSink

/// Every plugin built into the `pharos` binary. Each folder in `Plugins/` is registered here
/// (a test checks that none is forgotten).
public let builtinPlugins: PluginRegistry = {
    var registry = PluginRegistry()
    registry.register(source: FolderSource.self)
    registry.register(source: RSSSource.self)
    registry.register(source: ExecSource.self)
    registry.register(source: ClinicalTrialsSource.self)
    registry.register(source: EdgarSource.self)
    registry.register(sink: FileSink.self)
    registry.register(sink: WebhookSink.self)
    registry.register(sink: EmailSink.self)
    registry.register(sink: ExecSink.self)
    for preset in builtinPresets { registry.register(preset: preset) }
    return registry
}()

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
    registry.register(sink: FileSink.self)
    registry.register(sink: WebhookSink.self)
    return registry
}()

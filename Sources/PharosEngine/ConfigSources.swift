import Foundation
import PharosCore
import PharosSupport

/// The source list as written, before the plugins read it: `- include: FILE` entries replaced
/// by the entries of that file (or of every `*.yaml` in that folder), and `preset:` entries
/// filled in from the preset.
extension ConfigLoader {
    /// One source or sink entry and the folder its relative paths hang off (its file's folder).
    struct PluginEntry {
        var node: ConfigNode
        var base: URL
    }

    /// Every source entry of `list` (the `sources:` value), includes read and presets filled in.
    func sourceEntries(_ list: [ConfigNode], base: URL, diagnostics: inout [ConfigDiagnostic]) -> [PluginEntry] {
        var result: [PluginEntry] = []
        for entry in list {
            if let include = entry["include"] {
                for included in includedEntries(entry, include, base: base, diagnostics: &diagnostics) {
                    guard let node = expandingPreset(included.node, diagnostics: &diagnostics) else { continue }
                    result.append(PluginEntry(node: node, base: included.base))
                }
            } else if let node = expandingPreset(entry, diagnostics: &diagnostics) {
                result.append(PluginEntry(node: node, base: base))
            }
        }
        return result
    }

    /// The entries of the file (or folder of `*.yaml` files) an `include:` entry names: each a
    /// list of source entries, as `pharos sources import` writes.
    private func includedEntries(_ entry: ConfigNode, _ include: ConfigNode, base: URL, diagnostics: inout [ConfigDiagnostic]) -> [PluginEntry] {
        let others = (entry.mapping ?? []).compactMap(\.key.scalar).filter { $0 != "include" }
        if let other = others.first {
            diagnostics.append(ConfigDiagnostic(
                "an include entry holds only 'include: FILE'; '\(other)' belongs in the included file's entries",
                at: entry.mapping?.first { $0.key.scalar == other }?.key.location ?? entry.location))
            return []
        }
        guard let text = include.scalar, !text.isEmpty else {
            diagnostics.append(ConfigDiagnostic("'include' must name a YAML file or a folder of them, found \(include.kindName)", at: include.location))
            return []
        }
        let location = resolvePath(text, against: base)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location.path, isDirectory: &isDirectory) else {
            diagnostics.append(ConfigDiagnostic("'include': \(location.path) does not exist", at: include.location))
            return []
        }
        var files = [location]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: location.path)) ?? []
            files = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
                .map { location.appendingPathComponent($0) }
        }
        var result: [PluginEntry] = []
        for file in files {
            let root: ConfigNode
            do {
                root = try Self.readYAML(file)
            } catch {
                diagnostics += error.diagnostics
                continue
            }
            let list = root.sequence ?? root["sources"]?.sequence
            guard let list else {
                diagnostics.append(ConfigDiagnostic(
                    "an included file must be a list of sources (or hold one under 'sources:'), found \(root.kindName)", at: root.location))
                continue
            }
            for element in list {
                if let nested = element["include"] {
                    diagnostics.append(ConfigDiagnostic("an included file cannot include another (\(nested.scalar ?? "…"))", at: nested.location))
                    continue
                }
                result.append(PluginEntry(node: element, base: file.deletingLastPathComponent()))
            }
        }
        return result
    }

    /// `entry` with its preset's type, options and interval filled in where the entry does not
    /// give them, and the preset's parameters substituted; values the preset supplies are
    /// located at the `preset:` value, so a problem with one points there. nil when the preset
    /// cannot be used (unknown, a parameter missing or bad): that is reported, and the plugin's
    /// own complaints about what the preset would have filled in would only repeat it.
    func expandingPreset(_ entry: ConfigNode, diagnostics: inout [ConfigDiagnostic]) -> ConfigNode? {
        guard let presetNode = entry["preset"], let pairs = entry.mapping else { return entry }
        guard let name = presetNode.scalar, !name.isEmpty else {
            diagnostics.append(ConfigDiagnostic("'preset' must be a preset name, found \(presetNode.kindName)", at: presetNode.location))
            return nil
        }
        guard let preset = registry.presets[name] else {
            var message = "unknown preset '\(name)'"
            if let suggestion = closestMatch(to: name, among: Array(registry.presets.keys)) { message += "; did you mean '\(suggestion)'?" }
            message += " (known: \(registry.presets.keys.sorted().joined(separator: ", ")); `pharos presets` describes them)"
            diagnostics.append(ConfigDiagnostic(message, at: presetNode.location))
            return nil
        }
        var values: [String: String] = [:]
        for parameter in preset.parameters {
            guard let node = entry[parameter.name] else {
                diagnostics.append(ConfigDiagnostic(
                    "preset '\(name)' needs '\(parameter.name)': \(parameter.help)", at: entry.location))
                continue
            }
            guard let value = node.scalar else {
                diagnostics.append(ConfigDiagnostic("'\(parameter.name)' must be a string, found \(node.kindName)", at: node.location))
                continue
            }
            if let problem = parameter.problem(with: value) {
                diagnostics.append(ConfigDiagnostic("'\(parameter.name)': \(problem)", at: node.location))
                continue
            }
            values[parameter.name] = value
        }
        guard values.count == preset.parameters.count else { return nil }
        if let typeNode = entry["type"], let type = typeNode.scalar, type != preset.type {
            diagnostics.append(ConfigDiagnostic(
                "preset '\(name)' is a \(preset.type) source, but 'type' says '\(type)'; leave 'type' out", at: typeNode.location))
            return nil
        }
        let consumed = Set(["preset"] + preset.parameters.map(\.name))
        var result = pairs.filter { !consumed.contains($0.key.scalar ?? "") }
        func supplied(_ key: String, _ value: String) {
            guard !result.contains(where: { $0.key.scalar == key }) else { return }
            let path = entry.path.isEmpty ? key : "\(entry.path).\(key)"
            result.append((ConfigNode(.scalar(key, quoted: false), location: presetNode.location, path: path),
                           ConfigNode(.scalar(value, quoted: true), location: presetNode.location, path: path)))
        }
        supplied("type", preset.type)
        supplied("every", preset.every)
        for option in preset.options {
            supplied(option.key, preset.substitute(option.value, with: values))
        }
        return ConfigNode(.mapping(result), location: entry.location, path: entry.path)
    }
}

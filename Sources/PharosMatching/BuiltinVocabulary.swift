import PharosCore

/// The vocabularies built into Pharos: the YAML files in `Vocabulary/`, compiled into the
/// binary at build time by the EmbedVocabularyPlugin (as `texts`), so `pharos` knows BCMA
/// wherever it is installed.
public enum BuiltinVocabulary {
    /// Each file's name, the kind of entity it lists (from its name) and its text, in the
    /// order of ``EntityKind/allCases``.
    public static let files: [(name: String, kind: EntityKind, yaml: StaticString)] = EntityKind.allCases.flatMap { kind in
        texts.filter { VocabularyParser.kind(ofFile: $0.name) == kind }.map { ($0.name, kind, $0.yaml) }
    }
}

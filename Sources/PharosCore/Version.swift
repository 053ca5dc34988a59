/// The version of Pharos, shown by `pharos --version` and in the HTTP User-Agent.
public enum PharosVersion {
    public static let string = "0.1.0"
}

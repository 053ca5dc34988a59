/// A `DecodingError` said in a line a user can act on: "not JSON (…)", "'studies' has the
/// wrong type", "'filings.recent' is missing". For sources that read a provider's JSON.
public enum DecodingProblem {
    public static func explain(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case DecodingError.dataCorrupted(let context): return "not JSON (\(context.debugDescription))"
        case DecodingError.keyNotFound(let key, let context): return "'\(path(context.codingPath + [key]))' is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "'\(path(context.codingPath))' has the wrong type"
        default: return "\(error)"
        }
    }
}

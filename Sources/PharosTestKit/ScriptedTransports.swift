import PharosCore

/// An HTTP transport that answers from a script: each request takes the next scripted answer
/// (a response or a ``TransferError``) and is recorded. A request past the end of the script
/// fails with a transfer error saying so.
public final class ScriptedHTTPTransport: HTTPTransport {
    private struct State {
        var answers: [Result<HTTPResponse, TransferError>]
        var requests: [HTTPRequest] = []
    }

    private let state: Shared<State>

    public init(_ answers: [Result<HTTPResponse, TransferError>] = []) { state = Shared(State(answers: answers)) }

    /// Adds an answer at the end of the script.
    public func enqueue(_ answer: Result<HTTPResponse, TransferError>) { state.withLock { $0.answers.append(answer) } }

    /// Adds a response at the end of the script: `status`, `headers` and `body`, for the URL asked.
    public func enqueue(status: Int = 200, headers: [(name: String, value: String)] = [], body: String = "") {
        enqueue(.success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8), url: "")))
    }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] { state.value.requests }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let answer = state.withLock { state -> Result<HTTPResponse, TransferError> in
            state.requests.append(request)
            guard !state.answers.isEmpty else {
                return .failure(TransferError(kind: .other, message: "no scripted answer left for \(request.url)", code: -1))
            }
            return state.answers.removeFirst()
        }
        var response = try answer.get()
        if response.url.isEmpty { response.url = request.url }
        return response
    }
}

/// A mail transport that answers from a script: each message takes the next scripted answer
/// (accepted, or a ``MailFailure``) and is recorded. Past the end of the script every message is
/// accepted.
public final class ScriptedMailTransport: MailTransport {
    private struct State {
        var answers: [Result<Void, MailFailure>]
        var sent: [(message: MailMessage, server: MailServer)] = []
    }

    private let state: Shared<State>

    public init(_ answers: [Result<Void, MailFailure>] = []) { state = Shared(State(answers: answers)) }

    /// A transport that fails with `failures` in turn, then accepts.
    public convenience init(failures: [MailFailure]) { self.init(failures.map { .failure($0) }) }

    /// Every message submitted so far, in order.
    public var messages: [MailMessage] { state.value.sent.map(\.message) }
    /// The server each message was submitted to.
    public var servers: [MailServer] { state.value.sent.map(\.server) }

    public func send(_ message: MailMessage, via server: MailServer) async throws(MailFailure) {
        let answer = state.withLock { state -> Result<Void, MailFailure> in
            state.sent.append((message, server))
            return state.answers.isEmpty ? .success(()) : state.answers.removeFirst()
        }
        try answer.get()
    }
}

import Foundation
import PharosCore
import Testing

/// One table for every plugin that speaks HTTP: what a status means, and what a source or a
/// sink reports for it.
@Suite struct HTTPResponseOutcome {
    func response(_ status: Int, retryAfter: String? = nil) -> HTTPResponse {
        HTTPResponse(status: status, headers: retryAfter.map { [("Retry-After", $0)] } ?? [], body: [], url: "https://example.org/feed")
    }

    @Test(arguments: [
        (200, HTTPResponse.Outcome.success), (204, .success), (299, .success),
        (408, .retryable(retryAfter: nil)), (429, .retryable(retryAfter: nil)), (500, .retryable(retryAfter: nil)),
        (503, .retryable(retryAfter: nil)), (599, .retryable(retryAfter: nil)),
        (301, .permanent), (304, .permanent), (400, .permanent), (401, .permanent), (403, .permanent), (404, .permanent),
        (410, .permanent), (422, .permanent), (600, .permanent), (100, .permanent),
    ])
    func statuses(status: Int, expected: HTTPResponse.Outcome) {
        #expect(response(status).outcome() == expected)
    }

    @Test func retryAfterTravelsWithRetryableStatusesOnly() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(response(429, retryAfter: "120").outcome(now: now) == .retryable(retryAfter: .seconds(120)))
        #expect(response(503, retryAfter: "Tue, 14 Nov 2023 22:14:20 GMT").outcome(now: now) == .retryable(retryAfter: .seconds(60)))
        #expect(response(404, retryAfter: "120").outcome(now: now) == .permanent)
        #expect(response(200, retryAfter: "120").outcome(now: now) == .success)
    }

    @Test func sourcesAndSinksReportTheSameFailure() {
        let peer = "https://example.org/…(redacted)"
        #expect(response(200).failure(from: peer) as PollError? == nil)
        #expect(response(200).failure(from: peer) as DeliveryError? == nil)
        #expect(response(429, retryAfter: "3").failure(from: peer) == PollError.retryable("\(peer) answered HTTP 429", retryAfter: .seconds(3)))
        #expect(response(429, retryAfter: "3").failure(from: peer) == DeliveryError.retryable("\(peer) answered HTTP 429", retryAfter: .seconds(3)))
        #expect(response(404).failure(from: peer) == PollError.permanent("\(peer) answered HTTP 404"))
        #expect(response(404).failure(from: peer) == DeliveryError.permanent("\(peer) answered HTTP 404"))
    }
}

@Suite struct PollErrorMapping {
    @Test func aPollErrorStaysWhatItIs() {
        let busy = PollError.retryable("busy", retryAfter: .seconds(30))
        #expect(PollError(busy) == busy)
        #expect(PollError(PollError.permanent("gone")) == .permanent("gone"))
        #expect(busy.retryAfter == .seconds(30) && busy.isRetryable)
        #expect(PollError.permanent("gone").retryAfter == nil && !PollError.permanent("gone").isRetryable)
    }

    @Test func transferErrorsAreRetryableWhenTryingAgainCanHelp() {
        let timedOut = TransferError(kind: .timedOut, message: "Operation timed out", code: 28)
        let tooLarge = TransferError(kind: .tooLarge, message: "response larger than the limit", code: 63)
        #expect(PollError(timedOut) == .retryable("Operation timed out"))
        #expect(PollError(tooLarge) == .permanent("response larger than the limit"))
    }

    @Test func anyOtherErrorIsRetryableWithItsText() {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "database or disk is full" } }
        #expect(PollError(DiskFull()) == .retryable("database or disk is full"))
        #expect(PollError(DiskFull()).description == "database or disk is full")
    }

    @Test func failureChoosesByRetryable() {
        #expect(PollError.failure("x", retryable: true) == .retryable("x"))
        #expect(DeliveryError.failure("x", retryable: false) == .permanent("x"))
    }
}

import Foundation
import Testing

@testable import ShelfGuardService

/// The wake-up of waiting feed requests.
@Suite("The service: the feed's wake-up", .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct FeedSignalTests {
    @Test("a change that lands between a request's read and its wait ends the wait at once")
    func changeBeforeWait() async {
        let signal = FeedSignal()
        let seen = await signal.generation
        // The request read the store (nothing new); a measure lands and notifies; then it waits.
        await signal.notify()
        let started = ContinuousClock.now
        await signal.wait(upTo: 600, unchangedSince: seen)
        #expect(ContinuousClock.now - started < .seconds(60), "it did not sleep through the change")
        // With nothing changed since, it waits (here its short limit).
        let now = await signal.generation
        let again = ContinuousClock.now
        await signal.wait(upTo: 0.2, unchangedSince: now)
        #expect(ContinuousClock.now - again >= .milliseconds(150))
    }
}

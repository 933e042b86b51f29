import Foundation
import Testing

@testable import ShelfGuardKit

/// A result worked out on another thread comes back whole from `wait()`, value or error, however
/// it was started.
@Suite("Background results")
struct BackgroundResultTests {
    struct Broken: Error, Equatable { var reason: String }

    @Test(
        "on a thread of its own and on a queue: wait() gives the value or the error, as often as asked, also for work still running when others are taken"
    )
    func valuesAndErrors() {
        let gate = NSCondition()
        nonisolated(unsafe) var released = false
        let waiting = BackgroundResult<Int, Never>.onNewThread {
            gate.lock()
            while !released { gate.wait() }
            gate.unlock()
            return 42
        }
        let failing = BackgroundResult<Int, Broken>.onNewThread { () throws(Broken) -> Int in
            throw Broken(reason: "no")
        }
        let queued = BackgroundResult<[Int], Never>(on: .global()) { Array(0..<3) }
        #expect(failing.wait() == .failure(Broken(reason: "no")))
        #expect(queued.wait() == .success([0, 1, 2]))
        gate.lock()
        released = true
        gate.broadcast()
        gate.unlock()
        #expect(waiting.wait() == .success(42))
        // Taken twice, the same result.
        #expect(waiting.wait() == .success(42))
    }

    @Test("a promised result: not ready until fulfilled, then the first value given, on every thread")
    func promised() {
        let (promise, fulfil) = BackgroundResult<Int, Broken>.promised()
        #expect(!promise.isReady)
        let reader = BackgroundResult<Result<Int, Broken>, Never>.onNewThread { promise.wait() }
        #expect(!reader.isReady)
        fulfil(.success(7))
        fulfil(.failure(Broken(reason: "too late")))
        #expect(promise.isReady)
        #expect(promise.wait() == .success(7))
        #expect(reader.wait() == .success(.success(7)))
    }
}

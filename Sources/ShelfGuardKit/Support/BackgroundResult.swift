import Dispatch
import Foundation

/// A result worked out on another core while the caller goes on with something else: started
/// when made, taken with `wait()`, which blocks until it is ready. Errors come back from `wait()`,
/// so the caller can report them in the order it would have met them one after the other.
public final class BackgroundResult<Success: Sendable, Failure: Error>: @unchecked Sendable {
    // Written once by the background block, read after `wait()`: the group orders the two.
    private var result: Result<Success, Failure>?
    private let group = DispatchGroup()

    /// Starts `body` on `queue`: a serial queue runs the results given to it one after another.
    public init(
        on queue: DispatchQueue = .global(qos: .userInitiated),
        _ body: @escaping @Sendable () throws(Failure) -> Success
    ) {
        group.enter()
        queue.async { [self] in
            result = Result(catching: body)
            group.leave()
        }
    }

    /// Starts `body` on a thread of its own, started here: for work that must begin at once. A
    /// queue's first block waited about 2 ms for libdispatch to start a worker thread in a CI
    /// hook's `check`, while the thread asking had nothing else to do but wait for it.
    public init(thread name: String, _ body: @escaping @Sendable () throws(Failure) -> Success) {
        group.enter()
        let thread = Thread { [self] in
            result = Result(catching: body)
            group.leave()
        }
        thread.name = name
        thread.start()
    }

    /// The result, once worked out.
    public func wait() -> Result<Success, Failure> {
        group.wait()
        return result!
    }
}

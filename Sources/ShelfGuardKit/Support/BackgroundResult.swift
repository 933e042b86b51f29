import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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

    private init() {}

    /// Starts `body` on a thread of its own, started here: for work that must begin at once. A
    /// queue's first block waited about 2 ms for libdispatch to start a worker thread in a CI
    /// hook's `check`, while the thread asking had nothing else to do but wait for it. A POSIX
    /// thread (a Foundation `Thread` started later still: 0.66 ms more of that `check`); if none
    /// can be made, a queue.
    public static func onNewThread(_ body: @escaping @Sendable () throws(Failure) -> Success) -> BackgroundResult {
        let background = BackgroundResult()
        background.group.enter()
        let work: @Sendable () -> Void = { [background] in
            background.result = Result(catching: body)
            background.group.leave()
        }
        if !DetachedThread.start(work) { DispatchQueue.global(qos: .userInitiated).async(execute: work) }
        return background
    }

    /// A result another thread's work hands over through `fulfil`, called exactly once (a later
    /// call is ignored): for a value that thread has on the way to its own result.
    public static func promised() -> (BackgroundResult, fulfil: @Sendable (Result<Success, Failure>) -> Void) {
        let promise = BackgroundResult()
        promise.group.enter()
        let once = Once()
        return (
            promise,
            { [promise] result in
                guard once.first() else { return }
                promise.result = result
                promise.group.leave()
            }
        )
    }

    /// True the first time `first()` is asked, from any thread; false after.
    private final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var asked = false

        func first() -> Bool {
            lock.withLock {
                defer { asked = true }
                return !asked
            }
        }
    }

    /// Whether the result is worked out: `wait()` would return at once.
    public var isReady: Bool { group.wait(timeout: .now()) == .success }

    /// The result, once worked out.
    public func wait() -> Result<Success, Failure> {
        group.wait()
        return result!
    }
}

/// A detached POSIX thread running one closure.
enum DetachedThread {
    private final class Work {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Each thread's stack: 8 MiB, reserved, not committed.
    static let stackBytes = 8 << 20

    /// Starts `run` on a new thread; false when none could be made.
    static func start(_ run: @escaping @Sendable () -> Void) -> Bool {
        let context = Unmanaged.passRetained(Work(run)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // The stack Foundation's `Thread` and the main thread get here, whatever `ulimit -s` says
        // (glibc otherwise takes the limit, or a smaller default when it is unlimited).
        pthread_attr_setstacksize(&attributes, stackBytes)
        var thread = pthread_t()
        guard pthread_create(&thread, &attributes, entry, context) == 0 else {
            Unmanaged<Work>.fromOpaque(context).release()
            return false
        }
        return true
    }

    private static let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
        Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }
}

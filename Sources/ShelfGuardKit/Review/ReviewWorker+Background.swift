import Foundation

extension ReviewWorker {
    /// A worker running on threads of its own inside a process that does something else
    /// (`shelfguard serve --jobs`), and its orderly stop: no more jobs claimed, the reviews
    /// running given a grace period, then the jobs still held put back in the queue for others.
    public final class Background: @unchecked Sendable {
        public let worker: ReviewWorker
        private let lock = NSLock()
        private var stopping = false
        private var ended: Result<Outcome, any Error>?
        private let finished = DispatchSemaphore(value: 0)

        public init(_ worker: ReviewWorker) { self.worker = worker }

        /// What stopping did.
        public struct Stop: Sendable, Equatable {
            /// Whether every review running had finished within the grace period.
            public var finishedInTime: Bool
            /// Jobs still held when it ran out, put back in the queue.
            public var released: Int
        }

        /// Starts the worker's threads; `ended` is told if they stop before `stop` is called
        /// (the database failed), with the error.
        public func start(
            progress: @escaping @Sendable (Done) -> Void = { _ in },
            ended: @escaping @Sendable (any Error) -> Void = { _ in }
        ) {
            let thread = Thread { [self] in
                let result = Result { try worker.run(progress: progress, shouldStop: { [self] in isStopping }) }
                lock.withLock { self.ended = result }
                if case .failure(let error) = result, !isStopping { ended(error) }
                finished.signal()
            }
            thread.start()
        }

        public var isStopping: Bool { lock.withLock { stopping } }

        /// Stops claiming, waits up to `grace` seconds for the reviews running to be recorded,
        /// then releases the jobs this worker (any of its threads) still holds.
        public func stop(grace: Double) throws -> Stop {
            lock.withLock { stopping = true }
            let inTime = finished.wait(timeout: .now() + max(0, grace)) == .success
            if inTime { finished.signal() }
            let released = try worker.batch.ledger.releaseJobs(worker: worker.name)
            return Stop(finishedInTime: inTime, released: released)
        }
    }
}

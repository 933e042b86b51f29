import Foundation
import Hummingbird
import ShelfGuardKit

/// What `GET /metrics` reports, in Prometheus's text format: the queue's depth by state (read
/// from the store at each scrape, so it counts every worker's work), and what this server did
/// since it started: requests by status, reviews its own worker threads (`serve --jobs`)
/// finished by outcome, and their time (sum and count, for an average over any window).
public final class ServiceMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [Int: Int] = [:]
    private var reviews: [String: Int] = [:]
    private var reviewSeconds = 0.0
    private var reviewCount = 0
    private var workers = Workers.none

    /// This server's own review worker threads (`serve --jobs`).
    public enum Workers: Sendable, Equatable {
        /// None: `shelfguard worker` processes review the queue (`--jobs 0`).
        case none
        case running
        /// They stopped on an error (the database failed): submissions wait for a worker.
        case stopped(String)
    }

    public init() {}

    /// The worker threads' state, as `/healthz` and `/metrics` report it.
    public var reviewWorkers: Workers {
        get { lock.withLock { workers } }
        set { lock.withLock { workers = newValue } }
    }

    /// One answered request, by its HTTP status.
    public func request(status: Int) { lock.withLock { requests[status, default: 0] += 1 } }

    /// One job a worker thread of this server finished (`ReviewWorker.JobOutcome`), and its time.
    public func review(outcome: String, seconds: Double) {
        lock.withLock {
            reviews[outcome, default: 0] += 1
            reviewSeconds += seconds
            reviewCount += 1
        }
    }

    /// The text Prometheus scrapes. Every outcome and queue state is listed, zero or not, so
    /// that a series never appears out of nothing.
    public func render(queue: [ReviewJob.State: Int]) -> String {
        lock.lock()
        let requests = self.requests
        let reviews = self.reviews
        let seconds = reviewSeconds
        let count = reviewCount
        let workers = self.workers
        lock.unlock()
        var out = """
            # HELP shelfguard_queue_jobs Jobs in the review queue, by state (all workers).
            # TYPE shelfguard_queue_jobs gauge

            """
        for state in [ReviewJob.State.queued, .claimed, .failed] {
            out += "shelfguard_queue_jobs{state=\"\(state.rawValue)\"} \(queue[state] ?? 0)\n"
        }
        out += """
            # HELP shelfguard_reviews_total Jobs this server's worker threads finished, by outcome.
            # TYPE shelfguard_reviews_total counter

            """
        let outcomes = ["reviewed", "skipped", "retried", "failed", "lost"]
        for outcome in outcomes + reviews.keys.filter({ !outcomes.contains($0) }).sorted() {
            out += "shelfguard_reviews_total{outcome=\"\(outcome)\"} \(reviews[outcome] ?? 0)\n"
        }
        out += """
            # HELP shelfguard_review_seconds Time this server's worker threads spent per job.
            # TYPE shelfguard_review_seconds summary
            shelfguard_review_seconds_sum \(seconds)
            shelfguard_review_seconds_count \(count)
            # HELP shelfguard_http_requests_total Requests this server answered, by status.
            # TYPE shelfguard_http_requests_total counter

            """
        for status in requests.keys.sorted() {
            out += "shelfguard_http_requests_total{status=\"\(status)\"} \(requests[status] ?? 0)\n"
        }
        if workers != .none {
            out += """
                # HELP shelfguard_review_workers_up Whether this server's review worker threads run (0: they stopped on an error).
                # TYPE shelfguard_review_workers_up gauge
                shelfguard_review_workers_up \(workers == .running ? 1 : 0)

                """
        }
        return out
    }
}

/// Counts every answer by its status: the outermost middleware, so that the front door's own
/// answers (413, 404) count too.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let metrics: ServiceMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.request(status: response.status.code)
            return response
        } catch let error as HTTPError {
            metrics.request(status: error.status.code)
            throw error
        } catch {
            metrics.request(status: 500)
            throw error
        }
    }
}

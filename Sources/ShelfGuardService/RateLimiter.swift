import Foundation

/// Complaints per client address: a token bucket each, `perMinute` tokens that refill evenly
/// over a minute. Time comes from the service's clock, so that tests choose it.
actor RateLimiter {
    private let perMinute: Double
    private let now: @Sendable () -> Date
    private var buckets: [String: (tokens: Double, at: Date)] = [:]
    /// Addresses remembered at most; past it, the buckets already full again are forgotten.
    private let maxAddresses = 100_000

    init(perMinute: Int, now: @escaping @Sendable () -> Date) {
        self.perMinute = Double(perMinute)
        self.now = now
    }

    /// Takes one token for `address`: nil when taken, else the whole seconds to wait.
    func take(_ address: String) -> Int? {
        let time = now()
        var bucket = buckets[address] ?? (tokens: perMinute, at: time)
        let elapsed = max(0, time.timeIntervalSince(bucket.at))
        bucket.tokens = min(perMinute, bucket.tokens + elapsed * perMinute / 60)
        bucket.at = time
        guard bucket.tokens >= 1 else {
            buckets[address] = bucket
            return max(1, Int(((1 - bucket.tokens) * 60 / perMinute).rounded(.up)))
        }
        bucket.tokens -= 1
        buckets[address] = bucket
        if buckets.count > maxAddresses { forgetFull(at: time) }
        return nil
    }

    private func forgetFull(at time: Date) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + max(0, time.timeIntervalSince(bucket.at)) * perMinute / 60 < perMinute
        }
    }
}

import ShelfGuardKit

/// The bounds of what one caller can make the service do; each has a default and a
/// `shelfguard serve` flag.
public struct ServiceLimits: Sendable, Equatable {
    /// The largest request body taken, in bytes (`--max-body`); larger ones are answered 413
    /// before they are read whole.
    public var maxBodyBytes: Int
    /// The longest a feed request waits for an event, in seconds (`--max-wait`); a longer
    /// `wait` is cut to it.
    public var maxWaitSeconds: Double
    /// Complaints taken from one client address per minute (`--complaint-rate`), with as many
    /// at once; more are answered 429.
    public var complaintsPerMinute: Int
    /// How often a waiting feed request looks at the store again, in seconds, for changes made
    /// by other processes (the CLI, daily runs, other servers); changes made through this
    /// server wake it at once.
    public var feedPollSeconds: Double
    /// The largest bundle `POST /v1/reviews` takes, in bytes (`--max-bundle`): the reader's own
    /// bound on a whole bundle by default (`ReadLimits.maxTotalBytes`). The upload is streamed
    /// to the bundle store and stopped with 413 past it; `--max-body` does not apply to it.
    public var maxBundleBytes: Int64
    /// Jobs waiting in the review queue past which `POST /v1/reviews` answers 503 with
    /// `Retry-After` before reading the upload (`--max-queued`): a flood of submissions fills
    /// neither the disk nor the queue without bound. Checked before each upload, so submissions
    /// racing each other may pass it by a few.
    public var maxQueuedJobs: Int
    /// Labeling material parts one `POST /v1/reviews` takes (`--max-materials`); 413 past it.
    public var maxMaterials: Int
    /// Bytes of all the labeling material parts of one submission together
    /// (`--max-material-upload`), streamed to the store; 413 past it, and nothing is kept.
    public var maxMaterialBytes: Int64

    public static let defaultMaxBodyBytes = 64 * 1024
    public static let defaultMaxWaitSeconds = 30.0
    public static let defaultComplaintsPerMinute = 10
    public static let defaultFeedPollSeconds = 0.5
    public static let defaultMaxBundleBytes = ReadLimits.standard.maxTotalBytes
    public static let defaultMaxQueuedJobs = 10_000
    public static let defaultMaxMaterials = 32
    /// What a review keeps of materials from inside one bundle (`--max-material-size`).
    public static let defaultMaxMaterialBytes = MaterialLimits.standard.maxBundleBytes

    public init(
        maxBodyBytes: Int = defaultMaxBodyBytes, maxWaitSeconds: Double = defaultMaxWaitSeconds,
        complaintsPerMinute: Int = defaultComplaintsPerMinute, feedPollSeconds: Double = defaultFeedPollSeconds,
        maxBundleBytes: Int64 = defaultMaxBundleBytes, maxQueuedJobs: Int = defaultMaxQueuedJobs,
        maxMaterials: Int = defaultMaxMaterials, maxMaterialBytes: Int64 = defaultMaxMaterialBytes
    ) {
        self.maxMaterials = maxMaterials
        self.maxMaterialBytes = maxMaterialBytes
        self.maxQueuedJobs = maxQueuedJobs
        self.maxBundleBytes = maxBundleBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxWaitSeconds = maxWaitSeconds
        self.complaintsPerMinute = complaintsPerMinute
        self.feedPollSeconds = feedPollSeconds
    }

    /// What is wrong with the limits, if anything: a message naming the flag.
    public var problem: String? {
        if maxBodyBytes < 1024 { return "--max-body must be at least 1024 bytes" }
        if !(maxWaitSeconds >= 0 && maxWaitSeconds <= 3600) { return "--max-wait must be between 0 and 3600 seconds" }
        if complaintsPerMinute < 1 { return "--complaint-rate must be at least 1 a minute" }
        if !(feedPollSeconds > 0) { return "the feed's poll interval must be positive" }
        if maxBundleBytes < 1 { return "--max-bundle must be at least 1 byte" }
        if !(1...10_000_000).contains(maxQueuedJobs) { return "--max-queued must be between 1 and 10000000" }
        if !(0...10_000).contains(maxMaterials) { return "--max-materials must be between 0 and 10000" }
        if maxMaterialBytes < 1 { return "--max-material-upload must be at least 1 byte" }
        return nil
    }
}

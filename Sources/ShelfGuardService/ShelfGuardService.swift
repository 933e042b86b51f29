import Crypto
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import ShelfGuardKit

/// `shelfguard serve`: the shelf as an HTTP service, for a store's back-end, its storefronts,
/// officers, auditors and the public. Its operations are openapi.yaml's; it reaches the shelf
/// only through `LedgerStore` and the keys only through `APIKeyStore`, so any store serves.
public struct ShelfGuardService: Sendable {
    public let ledger: any LedgerStore
    /// Where the keys are: the ledger itself for `shelfguard serve` (both stores keep them).
    public let keys: any APIKeyStore
    public let features: SignatureDatabase
    public let complaintPolicy: ComplaintPolicy
    public let limits: ServiceLimits
    /// The wall clock: the day a complaint is received, when a checkpoint is taken, the rate
    /// limit's refills.
    public let now: @Sendable () -> Date
    /// Signs the checkpoints of `GET /v1/audit/head`, when given.
    public let signingKey: Curve25519.Signing.PrivateKey?
    /// Where `POST /v1/reviews` keeps uploads and how it names them; nil: submissions are
    /// refused (503).
    public let reviewIntake: ReviewIntake?
    /// What `GET /metrics` reports; `serve` hands the same one to its worker threads.
    public let metrics: ServiceMetrics

    public init(
        ledger: any LedgerStore, keys: any APIKeyStore, features: SignatureDatabase,
        complaintPolicy: ComplaintPolicy,
        limits: ServiceLimits = ServiceLimits(), now: @escaping @Sendable () -> Date = { WallClock.now() },
        signingKey: Curve25519.Signing.PrivateKey? = nil, reviewIntake: ReviewIntake? = nil,
        metrics: ServiceMetrics = ServiceMetrics()
    ) {
        self.reviewIntake = reviewIntake
        self.metrics = metrics
        self.ledger = ledger
        self.keys = keys
        self.features = features
        self.complaintPolicy = complaintPolicy
        self.limits = limits
        self.now = now
        self.signingKey = signingKey
    }

    /// openapi.yaml as it was built in: the document the handlers were generated from.
    public static var openAPIDocument: String { BuiltInOpenAPIFiles.files.first?.text ?? "" }

    /// The routes: the front door (body limit, client address, JSON errors), request logging,
    /// then the document's operations behind the error and key checks.
    public func router(logger: Logger = Logger(label: "shelfguard.serve")) throws -> Router<ServiceRequestContext> {
        let handlers = ServiceHandlers(
            ledger: ledger, features: features, complaintPolicy: complaintPolicy, limits: limits, now: now,
            signingKey: signingKey, feedSignal: FeedSignal(),
            complaintLimiter: RateLimiter(perMinute: limits.complaintsPerMinute, now: now),
            complaintPage: ComplaintPage.render(policy: complaintPolicy), reviewIntake: reviewIntake,
            metrics: metrics)
        let routes = AllowedMethods.Recorder()
        try handlers.registerHandlers(on: routes)
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        let declarationBytes = Int64(reviewIntake?.declarationLimits.maxFileBytes ?? 0)
        router.add(
            middleware: FrontDoorMiddleware(
                maxBodyBytes: limits.maxBodyBytes, allowedMethods: routes.table,
                maxUploadBytes: limits.maxBundleBytes.addingReportingOverflow(declarationBytes + 64 * 1024).overflow
                    ? .max : limits.maxBundleBytes + declarationBytes + 64 * 1024))
        router.add(middleware: LogRequestsMiddleware(.info))
        try handlers.registerHandlers(
            on: router, middlewares: [ErrorMiddleware(logger: logger), AuthMiddleware(keys: keys)])
        return router
    }

    /// Serves on `host`:`port` until SIGINT or SIGTERM, then finishes the requests in flight.
    /// `onRunning` is told the port bound (the one the system chose, for port 0).
    public func run(
        host: String, port: Int, logger: Logger = Logger(label: "shelfguard.serve"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let app = Application(
            router: try router(logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ShelfGuard"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.runService()
    }
}

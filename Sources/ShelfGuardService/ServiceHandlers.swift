import Crypto
import Foundation
import OpenAPIRuntime
import ShelfGuardKit

/// The operations of openapi.yaml (their types and routes are generated from it). Each handler
/// is thin: the request in, one use case of ShelfGuardKit called through `LedgerStore.perform`
/// (never on the event loop), the answer out. Who called comes from `RequestScope.caller`.
struct ServiceHandlers: APIProtocol {
    let ledger: any LedgerStore
    let features: SignatureDatabase
    let complaintPolicy: ComplaintPolicy
    let limits: ServiceLimits
    let now: @Sendable () -> Date
    let signingKey: Curve25519.Signing.PrivateKey?
    let feedSignal: FeedSignal
    let complaintLimiter: RateLimiter
    let complaintPage: String
    /// Where submitted bundles go and what their ids are made of; nil: no submissions (503).
    let reviewIntake: ReviewIntake?
    let metrics: ServiceMetrics

    /// The key the request came with; `AuthMiddleware` set it for every operation that needs one.
    var caller: APIKey {
        get throws {
            guard let key = RequestScope.caller else {
                throw ServiceError.unauthorized("this operation needs an API key: send Authorization: Bearer KEY")
            }
            return key
        }
    }

    // MARK: The service

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        let health: Components.Schemas.Health =
            switch metrics.reviewWorkers {
            case .none: .init(status: .ok, version: ShelfGuardVersion.current, reviewWorkers: .none)
            case .running: .init(status: .ok, version: ShelfGuardVersion.current, reviewWorkers: .running)
            case .stopped(let problem):
                .init(status: .degraded, version: ShelfGuardVersion.current, reviewWorkers: .stopped, problem: problem)
            }
        return .ok(.init(body: .json(health)))
    }

    func getOpenAPIDocument(
        _ input: Operations.GetOpenAPIDocument.Input
    ) async throws -> Operations.GetOpenAPIDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(ShelfGuardService.openAPIDocument))))
    }

    // MARK: The public

    func getComplaintPage(_ input: Operations.GetComplaintPage.Input) async throws -> Operations.GetComplaintPage.Output
    {
        .ok(.init(body: .html(HTTPBody(complaintPage))))
    }

    func submitComplaint(_ input: Operations.SubmitComplaint.Input) async throws -> Operations.SubmitComplaint.Output {
        let accept = input.headers.accept
        let html = ComplaintPage.prefersHTML(
            html: accept.first { $0.contentType == .html }?.quality.doubleValue,
            json: accept.first { $0.contentType == .json }?.quality.doubleValue)
        // A browser posting the form without script is told why in a page it can show, in both
        // languages, rather than in JSON it would print raw.
        do { return try await fileComplaint(input, html: html) } catch  where html {
            var refusal = ServiceError.answering(error)
            refusal.page = ComplaintPage.refusal(refusal)
            throw refusal
        }
    }

    private func fileComplaint(
        _ input: Operations.SubmitComplaint.Input, html: Bool
    ) async throws -> Operations.SubmitComplaint.Output {
        if let wait = await complaintLimiter.take(RequestScope.clientAddress) {
            throw ServiceError(
                .tooManyRequests, "too_many_requests",
                "too many complaints from this address: try again in \(wait) seconds", retryAfter: wait)
        }
        // A receipt the caller cannot take must be refused before the complaint is kept: an
        // answer that fails after the store wrote would tell the complainant it was lost.
        let accepts = input.headers.accept.map { ($0.contentType.rawValue, $0.quality.doubleValue) }
        guard ComplaintPage.canAnswer(accept: accepts) else {
            throw ServiceError(
                .notAcceptable, "not_acceptable",
                "the receipt is application/json or text/html, and the request's Accept takes neither")
        }
        let request: Components.Schemas.ComplaintRequest
        switch input.body {
        case .json(let body): request = body
        case .urlEncodedForm(let body): request = body
        }
        let category = request.category.flatMap { $0.isEmpty ? nil : $0 }
        let policy = complaintPolicy
        let intake: ComplaintIntake
        do {
            try ComplaintDesk.check(app: request.app, text: request.text, naming: .json)
            intake = try ComplaintDesk.intake(
                app: request.app.trimmingCharacters(in: .whitespacesAndNewlines), text: request.text,
                contact: request.contact ?? "", category: category, receivedOn: CalendarDay.today(now: now()),
                policy: policy)
        } catch { throw ServiceError(error) }
        let receipt = try await ledger.perform { ledger in
            try ComplaintDesk.receive(intake, actor: "public", policy: policy, on: ledger)
        }
        let complaint = receipt.complaint
        if html {
            let page = ComplaintPage.receipt(complaint, handlingDays: policy.handlingDays(for: complaint.category))
            return .created(.init(body: .html(HTTPBody(page))))
        }
        return .created(
            .init(
                body: .json(
                    .init(
                        id: complaint.id, app: complaint.app, category: complaint.category,
                        receivedOn: complaint.receivedOn, dueOn: complaint.dueOn,
                        handlingDays: policy.handlingDays(for: complaint.category)))))
    }

    // MARK: Storefronts

    func getFeed(_ input: Operations.GetFeed.Input) async throws -> Operations.GetFeed.Output {
        let since = input.query.since ?? 0
        let limit = input.query.limit ?? FeedPage.defaultLimit
        let wait = input.query.wait ?? 0
        do { try FeedPage.check(since: since, limit: limit, naming: .json) } catch { throw ServiceError(error) }
        guard wait >= 0 && wait.isFinite else { throw ServiceError.badRequest("wait cannot be negative") }
        let deadline = ContinuousClock.now + .seconds(min(wait, limits.maxWaitSeconds))
        while true {
            let seen = await feedSignal.generation
            let page = try await ledger.perform { try FeedPage.read(from: $0, since: since, limit: limit) }
            let left = ContinuousClock.now.duration(to: deadline)
            if !page.events.isEmpty || left <= .zero || Task.isCancelled {
                return .ok(.init(body: .json(try Self.convert(page))))
            }
            let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            await feedSignal.wait(upTo: min(limits.feedPollSeconds, seconds), unchangedSince: seen)
        }
    }

    // MARK: The shelf

    func listShelf(_ input: Operations.ListShelf.Input) async throws -> Operations.ListShelf.Output {
        let query = input.query
        let filter: ShelfFilter
        do {
            filter = try ShelfFilter.parse(
                states: (query.state ?? []).map(\.rawValue), platform: query.platform, developer: query.developer,
                app: query.app, limit: query.limit ?? 1_000, naming: .json)
        } catch { throw ServiceError(error) }
        let versions = try await ledger.perform { try $0.versions(filter) }
        return .ok(.init(body: .json(try Self.convert(versions))))
    }

    func getApp(_ input: Operations.GetApp.Input) async throws -> Operations.GetApp.Output {
        let app = input.path.id
        let history = try await ledger.perform { try $0.history(app: app) }
        guard let history else { throw ServiceError.notFound("no app '\(app)' on the shelf") }
        return .ok(.init(body: .json(try Self.convert(history))))
    }

    func decide(_ input: Operations.Decide.Input) async throws -> Operations.Decide.Output {
        let caller = try caller
        guard case .json(let request) = input.body else { throw ServiceError.badRequest("a JSON body is needed") }
        guard !request.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ServiceError.badRequest("reason is empty")
        }
        let outcome: ReviewerDecision.Outcome = request.outcome == .approve ? .approve : .refuse
        let change = try await ledger.perform { ledger in
            try ReviewerDecisions.decide(
                app: request.app, version: request.version, outcome: outcome, reviewer: caller.actor,
                reason: request.reason, on: ledger, naming: .json
            ).change
        }
        await feedSignal.notify()
        return .ok(.init(body: .json(try Self.convert(change))))
    }

    // MARK: Emergency measures

    func applyMeasure(_ input: Operations.ApplyMeasure.Input) async throws -> Operations.ApplyMeasure.Output {
        let caller = try caller
        guard case .json(let request) = input.body else { throw ServiceError.badRequest("a JSON body is needed") }
        let measure: Measure =
            switch request.action {
            case .takeDown: .takeDown
            case .suspend: .suspend
            case .warn: .warn
            case .reinstate: .reinstate
            }
        let selector = MeasureSelector(
            app: request.app, version: request.version, developer: request.developer, filing: request.filing,
            signature: request.signature, feature: request.feature)
        let order = MeasureOrder(
            measure: measure, selector: selector, reason: request.reason, order: request.order ?? "",
            actor: caller.actor)
        let dryRun = request.dryRun ?? false
        do {
            try EmergencyMeasures.check(
                selector: selector, reason: order.reason, order: order.order,
                requireOrder: EmergencyMeasures.requiresOrder(measure), naming: .json)
        } catch { throw ServiceError(error) }
        let features = self.features
        let result = try await ledger.perform { ledger in
            try EmergencyMeasures.checkIDs(selector, features: features, recorded: try ledger.recordedIDs())
            return try EmergencyMeasures.apply(order, dryRun: dryRun, on: ledger)
        }
        if !dryRun && !result.changes.isEmpty { await feedSignal.notify() }
        return .ok(.init(body: .json(try Self.convert(result))))
    }

    // MARK: Auditors

    func getAuditHead(_ input: Operations.GetAuditHead.Input) async throws -> Operations.GetAuditHead.Output {
        let takenAt = now()
        let key = signingKey
        let taking = try await ledger.perform { try AuditCheckpoint.take(from: $0, at: takenAt) { key } }
        switch taking {
        case .taken(let checkpoint): return .ok(.init(body: .json(try Self.convert(checkpoint))))
        case .broken(let verification):
            throw ServiceError.conflict(
                "the audit log is BROKEN (\(verification.problems.count) problems): no checkpoint taken; run shelfguard audit verify"
            )
        case .empty: throw ServiceError.notFound("the audit log is empty: there is nothing to checkpoint yet")
        }
    }

    /// A value of ShelfGuardKit as the document's schema of the same JSON: the Kit's encoding is
    /// the one definition of each object, shared with the CLI's `--format json`, and decoding it
    /// through the generated type holds it to the document.
    static func convert<Schema: Decodable>(
        _ value: some Encodable, to schema: Schema.Type = Schema.self
    ) throws
        -> Schema
    {
        try JSONDecoder().decode(Schema.self, from: JSONEncoder().encode(value))
    }
}

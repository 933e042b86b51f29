import Foundation
import Testing

@testable import ShelfGuardKit

/// The stores' side of submissions through the service, on every store: one job per id, the
/// senders kept, the review linked in the transaction that records it, cancelling, and a
/// stopping worker's jobs released.
@Suite("Service submissions in the ledger")
struct ServiceSubmissionStoreTests {
    static func key(_ name: String, _ role: APIRole) -> APIKey {
        APIKey(id: 1, name: name, role: role, hint: "sgk_xxxx", createdAt: "t", createdBy: "t")
    }

    static let id = String(repeating: "ab", count: 32)

    @Test(
        "submitted twice by two keys: one job, two senders; recorded by the worker holding it: linked, done",
        arguments: StoreKind.available)
    func submitAndRecord(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "submissions")
        let intake = SubmissionIntake(
            id: Self.id, bundleSHA256: "b", bundlePath: "/store/b.bundle", declarationSHA256: "d",
            declarationPath: "/store/declarations/d/declaration.yaml")
        let first = try ledger.submitReview(intake, submitter: Self.key("dev-a", .developer))
        #expect(SubmissionRules.status(first) == .queued)
        #expect(first.job?.bundlePath == "/store/b.bundle")
        #expect(first.job?.declarationPath == "/store/declarations/d/declaration.yaml")
        #expect(first.job?.enqueuedBy == "api:dev-a (developer)")
        let again = try ledger.submitReview(intake, submitter: Self.key("dev-a", .developer))
        let other = try ledger.submitReview(intake, submitter: Self.key("dev-b", .developer))
        #expect(again.jobID == first.jobID && other.jobID == first.jobID)
        #expect(other.submitters.map(\.name) == ["dev-a", "dev-b"])
        #expect(try ledger.queueJobs(states: [.queued], limit: 10).count == 1)
        let audit = try ledger.auditEntries(after: 0, limit: 100)
        #expect(
            audit.map(\.actor) == ["api:dev-a (developer)", "api:dev-b (developer)"],
            "a repeat by the same key adds none")

        let job = try #require(try ledger.claimJob(worker: "w", lease: 60, now: 1_000))
        #expect(SubmissionRules.status(try #require(try ledger.serviceSubmission(id: Self.id))) == .running)
        var submission = ReviewSubmission(
            result: try ReviewScenario().result(), bundlePath: job.bundlePath, batchID: nil, actor: "w", extractor: "t")
        submission.job = JobClaim(jobID: job.id, worker: "w")
        let recorded = try ledger.recordReview(submission)
        let done = try #require(try ledger.serviceSubmission(id: Self.id))
        #expect(done.reviewID == recorded.reviewID && done.versionID == recorded.versionID)
        #expect(done.job == nil && SubmissionRules.status(done) == .done)
        guard case .refused(_, let reason) = try ledger.cancelSubmission(id: Self.id, actor: "x") else {
            Issue.record("a done review was cancelled")
            return
        }
        #expect(reason.contains("done"))
        #expect(try ledger.serviceSubmission(id: String(repeating: "0", count: 64)) == nil)
        #expect(try ledger.cancelSubmission(id: String(repeating: "0", count: 64), actor: "x") == .notFound)
        #expect(try ledger.verifyAudit().intact)
    }

    @Test(
        "cancel: a queued job leaves the queue, audited; sent again it is queued again under the same id",
        arguments: StoreKind.available)
    func cancelAndResubmit(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "submission-cancel")
        let intake = SubmissionIntake(id: Self.id, bundleSHA256: "b", bundlePath: "/store/b.bundle")
        _ = try ledger.submitReview(intake, submitter: Self.key("dev", .developer))
        guard case .cancelled(let cancelled) = try ledger.cancelSubmission(id: Self.id, actor: "api:dev (developer)")
        else {
            Issue.record("not cancelled")
            return
        }
        #expect(SubmissionRules.status(cancelled) == .cancelled && cancelled.cancelledBy == "api:dev (developer)")
        #expect(try ledger.queueJobs(states: [.queued, .claimed, .failed], limit: 10).isEmpty)
        #expect(try ledger.auditEntries(after: 0, limit: 10).last?.action == AuditRecord.reviewCancelledAction)
        let again = try ledger.submitReview(intake, submitter: Self.key("dev", .developer))
        #expect(SubmissionRules.status(again) == .queued && again.jobID != nil && again.cancelledAt == nil)
        #expect(try ledger.queueJobs(states: [.queued], limit: 10).map(\.id) == again.jobID.map { [$0] })
        // Running: refused.
        _ = try #require(try ledger.claimJob(worker: "w", lease: 60, now: 1_000))
        guard case .refused(_, let reason) = try ledger.cancelSubmission(id: Self.id, actor: "x") else {
            Issue.record("a running review was cancelled")
            return
        }
        #expect(reason.contains("running"))
    }

    @Test(
        "releasing a worker's jobs: its own and its threads', not another's; due at once, the attempt not counted",
        arguments: StoreKind.available)
    func release(_ kind: StoreKind) throws {
        let ledger = try TestStores.make(kind, "release")
        let ids = try ledger.enqueue((0..<4).map { QueuedBundle(bundle: "/b\($0)") }, actor: "t")
        for holder in ["srv", "srv#1", "srv#2", "srv-other"] {
            _ = try #require(try ledger.claimJob(worker: holder, lease: 600, now: 1_000))
        }
        #expect(try ledger.queueDepth() == [.claimed: 4])
        #expect(try ledger.releaseJobs(worker: "srv") == 3)
        #expect(try ledger.queueDepth() == [.queued: 3, .claimed: 1])
        let jobs = try ledger.queueJobs(states: [.queued, .claimed], limit: 10)
        #expect(jobs.filter { $0.state == .queued }.map(\.id) == Array(ids.prefix(3)))
        #expect(jobs.filter { $0.state == .queued }.allSatisfy { $0.attempts == 0 && $0.claimedBy == nil })
        #expect(jobs.first { $0.id == ids[3] }?.claimedBy == "srv-other")
        #expect(try ledger.claimJob(worker: "next", lease: 600, now: 1_001)?.id == ids[0], "due at once")
        #expect(try ledger.releaseJobs(worker: "nobody") == 0)
    }
}

import Foundation
import OpenAPIRuntime
import ShelfGuardKit

/// `POST /v1/reviews`, `GET` and `DELETE /v1/reviews/{id}`: bundles in, streamed to the bundle
/// store; the queue's workers review them; callers poll the status and read the verdict.
extension ServiceHandlers {
    func submitReview(_ input: Operations.SubmitReview.Input) async throws -> Operations.SubmitReview.Output {
        let caller = try caller
        guard let intake = reviewIntake else {
            throw ServiceError(
                .serviceUnavailable, "unavailable", "this server takes no submissions (it has no bundle store)")
        }
        guard case .multipartForm(let form) = input.body else {
            throw ServiceError.badRequest("a multipart/form-data body is needed")
        }
        // A full queue refuses before a byte of the upload is read or stored.
        let waiting = try await ledger.perform { try $0.queueDepth()[.queued] ?? 0 }
        if waiting >= limits.maxQueuedJobs {
            throw ServiceError(
                .serviceUnavailable, "queue_full",
                "\(waiting) submissions are waiting for review, the most this server queues (serve --max-queued): try again later",
                retryAfter: 60)
        }
        var bundle: (sha256: String, path: String)?
        var declarationBytes: [UInt8]?
        // Each labeling material streamed to a temporary file of the store as it comes; kept
        // beside the declaration once every part has arrived and each proved to be one the
        // declaration lists, else removed (a kept one's temporary file is gone already).
        var materials: [(path: String, upload: BundleStore.Upload)] = []
        defer { for material in materials { material.upload.discard() } }
        var materialBytes: Int64 = 0
        do {
            for try await part in form {
                switch part {
                case .bundle(let part):
                    guard bundle == nil else { throw ServiceError.badRequest("more than one bundle part") }
                    bundle = try await Self.stream(
                        part.payload.body, into: intake.bundleStore, limit: limits.maxBundleBytes)
                case .declaration(let part):
                    guard declarationBytes == nil else {
                        throw ServiceError.badRequest("more than one declaration part")
                    }
                    let limit = intake.declarationLimits.maxFileBytes
                    var bytes: [UInt8] = []
                    for try await chunk in part.payload.body {
                        guard bytes.count + chunk.count <= limit else {
                            throw ServiceError(
                                .contentTooLarge, "too_large",
                                "the declaration is larger than \(limit) bytes (serve --max-declaration-size)")
                        }
                        bytes += chunk
                    }
                    declarationBytes = bytes
                case .material(let part):
                    let path = try Self.materialPath(part.filename)
                    guard materials.count < limits.maxMaterials else {
                        throw ServiceError(
                            .contentTooLarge, "too_large",
                            "more than \(limits.maxMaterials) labeling material parts (serve --max-materials)")
                    }
                    let upload = try intake.bundleStore.upload(limit: limits.maxMaterialBytes - materialBytes)
                    materials.append((path, upload))
                    do {
                        for try await chunk in part.payload.body { try upload.write(chunk) }
                    } catch BundleStore.UploadError.tooLarge {
                        throw ServiceError(
                            .contentTooLarge, "too_large",
                            "the labeling materials are larger than \(limits.maxMaterialBytes) bytes all together (serve --max-material-upload)"
                        )
                    }
                    materialBytes += upload.size
                case .undocumented(let part):
                    let name = part.name ?? "(unnamed)"
                    throw ServiceError.badRequest(
                        "unexpected part '\(name)': only a bundle part, an optional declaration part and material parts are taken"
                    )
                }
            }
        } catch let error as ServiceError {
            throw error
        } catch let error as BundleStore.UploadError {
            throw Self.uploadError(error, limit: limits.maxBundleBytes)
        } catch {
            throw ServiceError.badRequest("the multipart body could not be read: \(error)")
        }
        guard let bundle else { throw ServiceError.badRequest("the body has no bundle part") }
        if declarationBytes == nil, let first = materials.first {
            throw ServiceError.badRequest(
                "material '\(first.path)' came without a declaration part: labeling materials are kept beside the declaration that lists them, so send the declaration as a part too (also when the bundle carries its own)"
            )
        }
        // Off the event loop: the declaration is parsed to match the materials, the files are
        // made durable, and the key hashes the materials beside the kept declaration again, as
        // the worker will (up to --max-material-upload bytes).
        let parts = materials
        let declared = declarationBytes
        let submission: SubmissionIntake
        do {
            submission = try await AuthMiddleware.offTheLoop { () throws -> SubmissionIntake in
                var declaration: (sha256: String, path: String)?
                if let declared {
                    var kept = parts
                    if !kept.isEmpty {
                        // Each kept under the declaration's own spelling of its path, where
                        // the review looks for it.
                        let spellings = try UploadedMaterials.listedSpellings(
                            of: kept.map(\.path), declaration: declared, taxonomy: intake.taxonomy,
                            limits: intake.declarationLimits
                        ).get()
                        for index in kept.indices { kept[index].path = spellings[index] }
                    }
                    declaration = try intake.bundleStore.keepDeclaration(declared, materials: kept)
                }
                return SubmissionIntake(
                    id: intake.key(bundleSHA256: bundle.sha256, declaration: declaration),
                    bundleSHA256: bundle.sha256, bundlePath: bundle.path, declarationSHA256: declaration?.sha256,
                    declarationPath: declaration?.path)
            }
        } catch let refusal as UploadedMaterials.Refusal {
            throw ServiceError.badRequest(refusal.message)
        } catch let error as BundleStore.UploadError {
            throw Self.uploadError(error)
        }
        let recorded = try await ledger.perform { try $0.submitReview(submission, submitter: caller) }
        return .accepted(
            .init(
                body: .json(
                    .init(id: recorded.id, status: Self.progress(SubmissionRules.status(recorded))))))
    }

    func getReview(_ input: Operations.GetReview.Input) async throws -> Operations.GetReview.Output {
        let submission = try await visibleSubmission(input.path.id)
        return .ok(.init(body: .json(try await report(submission))))
    }

    func cancelReview(_ input: Operations.CancelReview.Input) async throws -> Operations.CancelReview.Output {
        let caller = try caller
        let submission = try await visibleSubmission(input.path.id)
        let id = submission.id
        switch try await ledger.perform({ try $0.cancelSubmission(id: id, actor: caller.actor) }) {
        case .cancelled(let cancelled): return .ok(.init(body: .json(try await report(cancelled))))
        case .refused(_, let reason): throw ServiceError.conflict(reason)
        case .notFound: throw Self.noSuchReview(id)
        }
    }

    /// The submission with this id if the caller may see it; else 404, as for an unknown id.
    private func visibleSubmission(_ id: String) async throws -> ServiceSubmission {
        let caller = try caller
        guard SubmissionRules.isID(id) else { throw Self.noSuchReview(id) }
        let found = try await ledger.perform { try $0.serviceSubmission(id: id) }
        guard let found, SubmissionRules.visible(found, to: caller) else { throw Self.noSuchReview(id) }
        return found
    }

    private static func noSuchReview(_ id: String) -> ServiceError {
        .notFound("no review '\(String(id.prefix(100)))' submitted by this key")
    }

    /// The status as `GET /v1/reviews/{id}` answers it: the queue's word while the job waits or
    /// runs, the recorded review's verdict, findings and version once done.
    private func report(_ submission: ServiceSubmission) async throws -> Components.Schemas.ReviewStatus {
        let found = try await ledger.perform { ledger -> (Int64?, ReviewRecord?, ShelfVersion?) in
            var reviewID = submission.reviewID
            var versionID = submission.versionID
            if reviewID == nil, let recorded = try ledger.existingReview(key: submission.id) {
                reviewID = recorded.reviewID
                versionID = recorded.versionID
            }
            return (
                reviewID, try reviewID.flatMap { try ledger.review(id: $0) },
                try versionID.flatMap { try ledger.version(id: $0) }
            )
        }
        let (reviewID, review, version) = found
        let status = SubmissionRules.status(submission, recorded: reviewID)
        var error = submission.job?.lastError
        if status == .failed && submission.job == nil {
            error =
                "the job left the queue with no review under this id: a worker judged it with another policy or feature database than this server's"
        }
        return Components.Schemas.ReviewStatus(
            id: submission.id, status: Self.progress(status), bundleSHA256: submission.bundleSHA256,
            declarationSHA256: submission.declarationSHA256, submittedAt: submission.submittedAt,
            attempts: submission.job?.attempts, error: error, cancelledAt: submission.cancelledAt,
            cancelledBy: submission.cancelledBy, reviewID: review?.reviewID, app: version?.appID,
            version: version?.versionName, versionCode: version?.versionCode,
            state: try version.map { try Self.convert($0.state) },
            verdict: try review.map { try Self.convert($0.verdict) },
            reviewedAt: review?.reviewedAt, policySHA256: review?.policySHA256,
            signatureSHA256: review?.signatureSHA256, findings: try review.map { try Self.convert($0.findings) })
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        let queue = try await ledger.perform { try $0.queueDepth() }
        return .ok(.init(body: .plainText(HTTPBody(metrics.render(queue: queue)))))
    }

    static func progress(_ status: SubmissionRules.Status) -> Components.Schemas.ReviewProgress {
        switch status {
        case .queued: .queued
        case .running: .running
        case .failed: .failed
        case .cancelled: .cancelled
        case .done: .done
        }
    }

    /// A material part's file name, when it is a plain relative path
    /// (`UploadedMaterials.problem(path:)`): refused before a byte of the part is stored.
    /// Whether the declaration lists it, and whether the names can all be kept together, is
    /// decided once every part has arrived (`UploadedMaterials.listedSpellings`).
    static func materialPath(_ filename: String?) throws -> String {
        guard let filename else {
            throw ServiceError.badRequest(
                "a material part has no file name: it must be the path the declaration lists the material under")
        }
        if let problem = UploadedMaterials.problem(path: filename) {
            let shown = String(
                filename.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
            throw ServiceError.badRequest("material '\(shown)' cannot be taken: \(problem)")
        }
        return filename
    }

    /// Streams one part's bytes into the bundle store: nothing of it is kept unless all of it
    /// arrived within the limit (a disconnect or 413 mid-way removes the temporary file).
    static func stream(
        _ body: HTTPBody, into store: BundleStore, limit: Int64
    ) async throws -> (sha256: String, path: String) {
        if case .known(let length) = body.length, length > limit { throw uploadError(.tooLarge(limit: limit)) }
        let upload = try store.upload(limit: limit)
        defer { upload.discard() }
        for try await chunk in body { try upload.write(chunk) }
        return try await AuthMiddleware.offTheLoop { try upload.finish() }
    }

    static func uploadError(_ error: BundleStore.UploadError, limit: Int64? = nil) -> ServiceError {
        switch error {
        case .tooLarge(let limit):
            ServiceError(
                .contentTooLarge, "too_large", "the bundle is larger than \(limit) bytes (serve --max-bundle)")
        case .failed(let message): .internalError("cannot keep the upload: \(message)")
        }
    }
}

import Foundation

/// What an audited change writes into the log, decided here once for every store: the SQLite and
/// the PostgreSQL ledger append exactly these entries (the chain covers their words, so two
/// stores writing them differently would disagree about the same history).
public struct AuditRecord: Sendable, Equatable {
    public var action: String
    public var subject: String
    public var reason: String
    /// Canonical JSON (`AuditEntry.details`, `CanonicalJSON.object`).
    public var details: String

    public init(action: String, subject: String, reason: String, details: String) {
        self.action = action
        self.subject = subject
        self.reason = reason
        self.details = details
    }

    /// How a version is named in the log: app, version, and the start of its bundle's digest.
    public static func versionSubject(app: String, version: String?, bundleSHA256: String) -> String {
        "\(app) \(version ?? "?") (\(bundleSHA256.prefix(12)))"
    }

    public static func registryImport(
        _ file: RegistryFile, added: Int, updated: Int, unchanged: Int
    ) -> AuditRecord {
        AuditRecord(
            action: "registry_import", subject: file.path, reason: "import \(file.kind.rawValue)",
            details: AuditEntry.details([
                "sha256": .init(file.sha256), "kind": .init(file.kind.rawValue), "rows": .init(file.rowCount),
                "added": .init(added), "updated": .init(updated), "unchanged": .init(unchanged),
                "rejected": .init(file.rejectedCount),
            ]))
    }

    public static func assessmentRecorded(_ assessment: SecurityAssessment, change: RecordChange) -> AuditRecord {
        AuditRecord(
            action: "assessment_recorded", subject: assessment.id,
            reason: "security assessment of \(assessment.entity) by \(assessment.assessor)",
            details: AuditEntry.details([
                "change": .init(change.rawValue), "features": .init(assessment.features),
                "date": .init(assessment.date), "document_sha256": .init(assessment.documentSHA256),
            ]))
    }

    public static func waiverGranted(_ waiver: Waiver, change: RecordChange) -> AuditRecord {
        AuditRecord(
            action: "waiver_granted", subject: waiver.app, reason: waiver.reason,
            details: AuditEntry.details([
                "change": .init(change.rawValue), "rule": .init(waiver.rule), "expires": .init(waiver.expires),
                "granted_by": .init(waiver.grantedBy),
            ]))
    }

    /// A complaint as received: its first 200 characters are the reason; the contact itself is
    /// not logged, only whether one was given.
    public static func complaintReceived(_ intake: ComplaintIntake) -> AuditRecord {
        AuditRecord(
            action: "complaint_received", subject: intake.app, reason: String(intake.text.prefix(200)),
            details: CanonicalJSON.object([
                "contact_given": .bool(!intake.contact.isEmpty), "length": .int(Int64(intake.text.count)),
                "category": .string(intake.category), "received_on": .string(intake.receivedOn),
                "due_on": .string(intake.dueOn),
            ]))
    }

    public static func complaintResolved(id: Int64, app: String, resolution: String) -> AuditRecord {
        AuditRecord(
            action: "complaint_resolved", subject: app, reason: resolution,
            details: CanonicalJSON.object(["complaint": .int(id)]))
    }

    public static func complaintTaskOpened(
        _ task: ComplaintRules.TaskOpening, runID: Int64?, asOf: String
    ) -> AuditRecord {
        AuditRecord(
            action: "complaint_task_opened", subject: task.app, reason: task.reason,
            details: CanonicalJSON.object([
                "complaints": .strings(task.complaints.map { String($0) }),
                "complainants": .int(Int64(task.complainants)), "as_of": .string(asOf), "daily_run": .int(runID ?? 0),
            ]))
    }

    /// Why a reviewer's task is closed when the complaints fall under the threshold.
    public static let taskClosedReason = "the complaints about the app are under the threshold again"

    public static func complaintTaskClosed(_ task: ComplaintTask, runID: Int64?, asOf: String) -> AuditRecord {
        AuditRecord(
            action: "complaint_task_closed", subject: task.app, reason: taskClosedReason,
            details: CanonicalJSON.object([
                "task": .int(task.id), "as_of": .string(asOf), "daily_run": .int(runID ?? 0),
            ]))
    }

    /// The audit action of a key's creation, and of its revocation.
    public static let apiKeyCreatedAction = "api_key_created"
    public static let apiKeyRevokedAction = "api_key_revoked"

    /// A key handed out for the service: its name is the subject; its role and hint are the
    /// details. Never the secret, nor its digest: the log is read by auditors, and a digest in it
    /// would let anyone who reads the log tell which secret a key has.
    public static func apiKeyCreated(_ key: APIKey) -> AuditRecord {
        AuditRecord(
            action: apiKeyCreatedAction, subject: key.name,
            reason: "a key for the service, role \(key.role.rawValue)",
            details: CanonicalJSON.object(["role": .string(key.role.rawValue), "hint": .string(key.hint)]))
    }

    /// A key revoked: from now on it authenticates no one.
    public static func apiKeyRevoked(_ key: APIKey) -> AuditRecord {
        AuditRecord(
            action: apiKeyRevokedAction, subject: key.name,
            reason: "key revoked: it no longer authenticates",
            details: CanonicalJSON.object([
                "role": .string(key.role.rawValue), "hint": .string(key.hint), "created_at": .string(key.createdAt),
            ]))
    }

    public static func decision(
        app: String, version: String?, bundleSHA256: String, outcome: ReviewerDecision.Outcome, reason: String,
        from: ShelfState, to: ShelfState
    ) -> AuditRecord {
        AuditRecord(
            action: "decision", subject: versionSubject(app: app, version: version, bundleSHA256: bundleSHA256),
            reason: reason,
            details: AuditEntry.details([
                "outcome": .init(outcome.rawValue), "from": .init(from.rawValue), "to": .init(to.rawValue),
                "bundle_sha256": .init(bundleSHA256),
            ]))
    }
}

extension DailyVersionChange {
    /// What daily management records for a version now in `current`: the measure it may take
    /// (none when the shelf's rules do not let daily management move that state) and the audit
    /// entry, the same for every store.
    public func recorded(
        from current: ShelfState
    ) -> (
        move: (to: ShelfState, measure: Measure, reason: String)?, audit: AuditRecord
    ) {
        var move = self.move
        if let planned = move, !current.allows(planned.to, by: .daily) { move = nil }
        var details: [String: CanonicalJSON.Value] = [
            "daily_run": .int(runID), "from": .string(current.rawValue),
            "to": .string((move?.to ?? current).rawValue), "findings_sha256": .string(findingsDigest),
            "new_alerts": .strings(newAlerts.map(\.rule)),
            "resolved_alerts": .int(Int64(resolvedAlerts.count)),
            "reread": .bool(inventory != nil), "as_of": .string(asOf),
        ]
        if move != nil && !complaintIDs.isEmpty {
            details["complaints"] = .strings(complaintIDs.map { String($0) })
        }
        let audit = AuditRecord(
            action: move.map { "daily_\($0.measure.rawValue)" } ?? "daily_review",
            subject: AuditRecord.versionSubject(
                app: version.appID, version: version.versionLabel, bundleSHA256: version.bundleSHA256),
            reason: move?.reason
                ?? (newAlerts.isEmpty ? "findings changed" : newAlerts.map(\.rule).joined(separator: ", ")),
            details: CanonicalJSON.object(details))
        return (move, audit)
    }
}

/// Everything recording one review writes, worked out from the submission before any
/// transaction (so that no store holds its write lock while encoding JSON), the same for every
/// store: the app's row, the version's, the stored inventory and declaration, the rows emergency
/// measures select by, and the audit entry once the state move is known.
public struct ReviewWrite: Sendable {
    public var submission: ReviewSubmission
    public var key: String
    public var appID: String
    /// The app's name, platform, developer and USCC as the app row keeps them ("" when unknown:
    /// an empty value does not overwrite a known one).
    public var appName: String
    public var platform: String
    public var developer: String
    public var uscc: String
    public var versionLabel: String
    /// The inventory without its entries, the entries, the declaration snapshot: stored JSON.
    public var factsJSON: String
    public var entriesJSON: String
    public var declarationJSON: String
    /// The filing numbers the declaration cites (canonical text), the signatures detected, the
    /// features found: the lookup rows of the version, sorted.
    public var filings: [String]
    public var signatures: [String]
    public var features: [String]

    public init(_ submission: ReviewSubmission) throws {
        self.submission = submission
        let result = submission.result
        key = submission.key
        appID = result.shelfAppID
        let manifest = result.inspection.manifest
        let declared = result.declaration
        appName = declared?.app.name ?? manifest?.displayName ?? ""
        platform = manifest?.platform.rawValue ?? result.inspection.bundle.format.rawValue
        developer = declared?.developer.name ?? ""
        uscc = declared?.developer.uscc ?? ""
        versionLabel = manifest?.versionName ?? manifest?.versionCode ?? "?"
        var facts = result.inspection
        facts.entries = []
        factsJSON = try LedgerJSON.encode(facts)
        entriesJSON = try LedgerJSON.encode(result.inspection.entries)
        declarationJSON = try LedgerJSON.encode(result.declarationSnapshot)
        filings = Set(
            (declared?.features ?? []).flatMap { feature in
                ([feature.algorithmFiling] + feature.suppliers.map(\.algorithmFiling)).compactMap { text in
                    text.map { AlgorithmFilingNumber($0)?.text ?? $0 }
                }
            }
        ).sorted()
        signatures = Set(result.inspection.detections.map(\.signature)).sorted()
        features = Set(result.inspection.featureSummary.map(\.feature)).sorted()
    }

    /// The review's audit entry, once the store knows the version's state before (`current`),
    /// after (`next`) and whether the version is new to the ledger.
    public func audit(current: ShelfState, next: ShelfState, isNew: Bool) -> AuditRecord {
        let result = submission.result
        let bundle = result.inspection.bundle
        return AuditRecord(
            action: "review",
            subject: AuditRecord.versionSubject(app: appID, version: versionLabel, bundleSHA256: bundle.sha256),
            reason: "verdict \(result.verdict.rawValue)"
                + (next != current || isNew ? ": \(current.rawValue) → \(next.rawValue)" : ""),
            details: AuditEntry.details([
                "bundle_sha256": .init(bundle.sha256),
                "declaration_sha256": .init(result.declarationSnapshot.sha256),
                "policy_sha256": .init(result.stamp.policyDigest),
                "signature_sha256": .init(result.stamp.signatureDigest),
                "verdict": .init(result.verdict.rawValue), "findings": .init(result.findings.count),
                "from": .init(current.rawValue),
                "to": .init(next.rawValue), "review_key": .init(key), "batch_id": .init(submission.batchID ?? 0),
                "as_of": .init(result.stamp.asOf),
            ]))
    }
}

/// The JSON the ledgers store values as (inventories, declarations, registry records for
/// reading back): JSONEncoder without escaped slashes; not hashed, so keys are not sorted.
public enum LedgerJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }
}

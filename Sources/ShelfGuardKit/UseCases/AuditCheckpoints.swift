import Crypto
import Foundation

extension AuditCheckpoint {
    /// What taking a checkpoint found.
    public enum Taking: Sendable {
        /// The log is intact: its head, signed when a key was given.
        case taken(AuditCheckpoint)
        /// The log is broken: no checkpoint vouches for it.
        case broken(AuditVerification)
        /// The log has no entry yet.
        case empty
    }

    /// Verifies the log, then takes its head as a checkpoint at `takenAt`, signed with the key
    /// `key` gives, if it gives one (read only once the log proved intact): `audit checkpoint`
    /// and `GET /v1/audit/head`.
    public static func take(
        from ledger: any LedgerStore, at takenAt: Date,
        signingWith key: () throws -> Curve25519.Signing.PrivateKey? = { nil }
    ) throws -> Taking {
        let verification = try ledger.verifyAudit()
        guard verification.intact else { return .broken(verification) }
        guard let head = try ledger.auditHead() else { return .empty }
        var checkpoint = AuditCheckpoint(head: head, takenAt: AuditEntry.timestamp(takenAt))
        if let key = try key() { try checkpoint.sign(with: key) }
        return .taken(checkpoint)
    }
}

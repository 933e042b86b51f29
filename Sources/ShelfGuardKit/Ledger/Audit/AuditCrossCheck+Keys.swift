import Foundation

extension AuditVerification {
    /// Cross-checks the service's keys against the log (pure). Every key row must name its
    /// creation entry, an `api_key_created` of the key's name with the row's role and hint, so
    /// that a key slipped into the table, or one whose role was raised by hand, shows; a revoked
    /// key must name its `api_key_revoked` entry, and an active one none, so that a revoked key
    /// made active again shows; every key entry must have its row, so that a deleted key shows.
    /// The digest is not in the log (by design), so a secret swapped by hand cannot be seen here.
    public static func crossCheckKeys(
        _ entries: [AuditEntry], bySeq: [Int64: AuditEntry], _ keys: [AuditLedgerFacts.APIKeyRow]
    ) -> [Problem] {
        var problems: [Problem] = []
        var created: Set<Int64> = []
        var revoked: Set<Int64> = []
        for key in keys {
            let name = "key '\(key.name)' (api_key \(key.id))"
            created.insert(key.createdSeq)
            if let entry = bySeq[key.createdSeq] {
                if entry.action != AuditRecord.apiKeyCreatedAction || entry.subject != key.name {
                    problems.append(
                        Problem(
                            kind: .stateMismatch, seq: entry.seq,
                            detail:
                                "\(name) names this entry for its creation, but it is a \(entry.action) of \(entry.subject)"
                        ))
                } else {
                    let details = Self.fields(of: entry)
                    if details["role"] != key.role {
                        problems.append(
                            Problem(
                                kind: .stateMismatch, seq: entry.seq,
                                detail:
                                    "\(name) has role \(key.role), but the entry that created it gave it role \(details["role"] ?? "?")"
                            ))
                    }
                    if details["hint"] != key.hint {
                        problems.append(
                            Problem(
                                kind: .stateMismatch, seq: entry.seq,
                                detail:
                                    "\(name) has hint \(key.hint), but the entry that created it says \(details["hint"] ?? "?")"
                            ))
                    }
                }
            } else {
                problems.append(
                    Problem(
                        kind: .missingEntry, seq: key.createdSeq,
                        detail: "\(name) names this audit entry for its creation, which is not in the log"))
            }
            switch (key.revoked, key.revokedSeq) {
            case (false, nil):
                break
            case (false, let seq?):
                problems.append(
                    Problem(
                        kind: .stateMismatch, seq: seq,
                        detail: "\(name) is active, but names this entry for its revocation: it was made active again"))
            case (true, nil):
                problems.append(
                    Problem(
                        kind: .missingEntry, seq: 0, detail: "\(name) is revoked, but names no entry for its revocation"
                    ))
            case (true, let seq?):
                revoked.insert(seq)
                guard let entry = bySeq[seq] else {
                    problems.append(
                        Problem(
                            kind: .missingEntry, seq: seq,
                            detail: "\(name) names this audit entry for its revocation, which is not in the log"))
                    continue
                }
                if entry.action != AuditRecord.apiKeyRevokedAction || entry.subject != key.name {
                    problems.append(
                        Problem(
                            kind: .stateMismatch, seq: seq,
                            detail:
                                "\(name) names this entry for its revocation, but it is a \(entry.action) of \(entry.subject)"
                        ))
                }
            }
        }
        for entry in entries {
            switch entry.action {
            case AuditRecord.apiKeyCreatedAction where !created.contains(entry.seq):
                problems.append(
                    Problem(
                        kind: .unrecorded, seq: entry.seq,
                        detail: "the creation of key '\(entry.subject)', but no key row names this entry (deleted)"))
            case AuditRecord.apiKeyRevokedAction where !revoked.contains(entry.seq):
                problems.append(
                    Problem(
                        kind: .unrecorded, seq: entry.seq,
                        detail:
                            "the revocation of key '\(entry.subject)', but no revoked key row names this entry (made active again, or deleted)"
                    ))
            default:
                break
            }
        }
        return problems
    }

    /// An entry's details as text fields (the string values only).
    static func fields(of entry: AuditEntry) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(entry.details.utf8)) as? [String: Any]
        else { return [:] }
        return object.compactMapValues { $0 as? String }
    }
}

import Foundation
import ShelfGuardKit

/// The service's keys in PostgreSQL: created and revoked in one write transaction (holding the
/// write lock) with one audit entry each; looked up by the SHA-256 of the secret a caller sends.
extension PostgresLedger {
    static func apiKey(_ row: SQLRow) throws -> APIKey {
        let name = try row.get("name", as: String.self)
        let roleText = try row.get("role", as: String.self)
        guard let role = APIRole(rawValue: roleText) else {
            throw LedgerError(
                "the key '\(SafeText.escape(name))' has the role '\(SafeText.escape(roleText))', which this shelfguard does not know"
            )
        }
        return APIKey(
            id: try row.get("id"), name: name, role: role, hint: try row.get("hint"),
            createdAt: try row.get("created_at"), createdBy: try row.get("created_by"),
            revokedAt: try row.get("revoked_at"), revokedBy: try row.get("revoked_by"))
    }

    public func createAPIKey(
        name: String, role: APIRole, secretSHA256: String, hint: String, actor: String
    ) throws -> APIKey {
        try APIKey.validate(name: name, secretSHA256: secretSHA256, hint: hint)
        return try write { session in
            // Names are unique regardless of case (the index on lower(name)), revoked keys included.
            if let taken = try session.one("SELECT * FROM api_key WHERE lower(name) = lower($1)", [name]) {
                throw LedgerError(APIKey.nameTakenMessage(name, by: try PostgresLedger.apiKey(taken)))
            }
            if try session.scalar(
                "SELECT EXISTS (SELECT 1 FROM api_key WHERE secret_sha256 = $1)", [secretSHA256], as: Bool.self)
                == true
            {
                throw LedgerError(APIKey.secretTakenMessage)
            }
            var key = APIKey(id: 0, name: name, role: role, hint: hint, createdAt: "", createdBy: actor)
            let entry = try appendAudit(session, actor: actor, AuditRecord.apiKeyCreated(key))
            key.createdAt = entry.at
            key.id =
                try session.scalar(
                    """
                    INSERT INTO api_key (name, role, secret_sha256, hint, created_at, created_by, created_audit_seq)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
                    """,
                    [name, role.rawValue, secretSHA256, hint, entry.at, actor, entry.seq], as: Int64.self) ?? 0
            return key
        }
    }

    public func apiKeys(includeRevoked: Bool) throws -> [APIKey] {
        let sql = "SELECT * FROM api_key" + (includeRevoked ? "" : " WHERE revoked_at IS NULL") + " ORDER BY id"
        return try read { session in try session.query(sql).map(PostgresLedger.apiKey) }
    }

    public func revokeAPIKey(name: String, actor: String) throws -> APIKey {
        try write { session in
            // The name as any case of it (the index on lower(name)): one key at most.
            guard let row = try session.one("SELECT * FROM api_key WHERE lower(name) = lower($1)", [name]) else {
                throw LedgerError(APIKey.unknownNameMessage(name))
            }
            var key = try PostgresLedger.apiKey(row)
            guard key.isActive else { throw LedgerError(APIKey.revokedAlreadyMessage(key)) }
            let entry = try appendAudit(session, actor: actor, AuditRecord.apiKeyRevoked(key))
            try session.execute(
                """
                UPDATE api_key SET revoked_at = $1, revoked_by = $2, revoked_audit_seq = $3
                WHERE id = $4 AND revoked_at IS NULL
                """,
                [entry.at, actor, entry.seq, key.id])
            key.revokedAt = entry.at
            key.revokedBy = actor
            return key
        }
    }

    public func activeAPIKey(secretSHA256: String) throws -> APIKey? {
        try read { session in
            guard
                let row = try session.one(
                    "SELECT * FROM api_key WHERE secret_sha256 = $1 AND revoked_at IS NULL", [secretSHA256])
            else { return nil }
            guard APIKeySecret.constantTimeEqual(try row.get("secret_sha256", as: String.self), secretSHA256) else {
                return nil
            }
            return try PostgresLedger.apiKey(row)
        }
    }
}

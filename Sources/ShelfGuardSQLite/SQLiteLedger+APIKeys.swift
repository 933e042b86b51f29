import Foundation
import GRDB
import ShelfGuardKit

/// The service's keys in the SQLite ledger: created and revoked in one write transaction with
/// one audit entry each; looked up by the SHA-256 of the secret a caller sends.
extension SQLiteLedger {
    static func apiKey(_ row: Row) throws(LedgerError) -> APIKey {
        let name: String = row["name"]
        let roleText: String = row["role"]
        guard let role = APIRole(rawValue: roleText) else {
            throw LedgerError(
                "the key '\(SafeText.escape(name))' has the role '\(SafeText.escape(roleText))', which this shelfguard does not know"
            )
        }
        return APIKey(
            id: row["id"], name: name, role: role, hint: row["hint"], createdAt: row["created_at"],
            createdBy: row["created_by"], revokedAt: row["revoked_at"], revokedBy: row["revoked_by"])
    }

    public func createAPIKey(
        name: String, role: APIRole, secretSHA256: String, hint: String, actor: String
    ) throws -> APIKey {
        try APIKey.validate(name: name, secretSHA256: secretSHA256, hint: hint)
        return try write { db in
            // Names are unique regardless of case (the column's collation), revoked keys included.
            if let taken = try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE name = ?", arguments: [name]) {
                throw LedgerError(APIKey.nameTakenMessage(name, by: try SQLiteLedger.apiKey(taken)))
            }
            if try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM api_key WHERE secret_sha256 = ?)", arguments: [secretSHA256])
                == true
            {
                throw LedgerError(APIKey.secretTakenMessage)
            }
            var key = APIKey(id: 0, name: name, role: role, hint: hint, createdAt: "", createdBy: actor)
            let entry = try appendAudit(db, actor: actor, AuditRecord.apiKeyCreated(key))
            key.createdAt = entry.at
            try db.execute(
                sql: """
                    INSERT INTO api_key (name, role, secret_sha256, hint, created_at, created_by, created_audit_seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [name, role.rawValue, secretSHA256, hint, entry.at, actor, entry.seq])
            key.id = db.lastInsertedRowID
            return key
        }
    }

    public func apiKeys(includeRevoked: Bool) throws -> [APIKey] {
        let sql = "SELECT * FROM api_key" + (includeRevoked ? "" : " WHERE revoked_at IS NULL") + " ORDER BY id"
        return try read { db in try Row.fetchAll(db, sql: sql).map { row throws in try SQLiteLedger.apiKey(row) } }
    }

    public func revokeAPIKey(name: String, actor: String) throws -> APIKey {
        try write { db in
            // The name as any case of it (the column's collation): one key at most.
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE name = ?", arguments: [name])
            else { throw LedgerError(APIKey.unknownNameMessage(name)) }
            var key = try SQLiteLedger.apiKey(row)
            guard key.isActive else { throw LedgerError(APIKey.revokedAlreadyMessage(key)) }
            let entry = try appendAudit(db, actor: actor, AuditRecord.apiKeyRevoked(key))
            try db.execute(
                sql: """
                    UPDATE api_key SET revoked_at = ?, revoked_by = ?, revoked_audit_seq = ?
                    WHERE id = ? AND revoked_at IS NULL
                    """,
                arguments: [entry.at, actor, entry.seq, key.id])
            key.revokedAt = entry.at
            key.revokedBy = actor
            return key
        }
    }

    public func activeAPIKey(secretSHA256: String) throws -> APIKey? {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM api_key WHERE secret_sha256 = ? AND revoked_at IS NULL",
                    arguments: [secretSHA256])
            else { return nil }
            guard APIKeySecret.constantTimeEqual(row["secret_sha256"], secretSHA256) else { return nil }
            return try SQLiteLedger.apiKey(row)
        }
    }
}

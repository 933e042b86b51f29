import Foundation

@testable import ShelfGuardKit

/// TEST DOUBLE: an in-memory `APIKeyStore` for the service's tests, until both ledger stores
/// keep keys themselves (then the tests switch to the real stores). It keeps what the protocol
/// asks, as a store would: the secret's SHA-256 only, names unique, revoked keys kept.
final class TestDoubleAPIKeyStore: APIKeyStore, @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [(key: APIKey, sha256: String)] = []

    func createAPIKey(name: String, role: APIRole, secretSHA256: String, hint: String, actor: String) throws -> APIKey {
        try lock.withLock {
            guard !keys.contains(where: { $0.key.name == name }) else { throw LedgerError("the name \(name) is taken") }
            let key = APIKey(
                id: Int64(keys.count + 1), name: name, role: role, hint: hint, createdAt: "2031-06-01T00:00:00.000Z",
                createdBy: actor)
            keys.append((key, secretSHA256))
            return key
        }
    }

    func apiKeys(includeRevoked: Bool) throws -> [APIKey] {
        lock.withLock { keys.map(\.key).filter { includeRevoked || $0.isActive } }
    }

    func revokeAPIKey(name: String, actor: String) throws -> APIKey {
        try lock.withLock {
            guard let index = keys.firstIndex(where: { $0.key.name == name && $0.key.isActive }) else {
                throw LedgerError("no active key \(name)")
            }
            keys[index].key.revokedAt = "2031-06-01T00:00:00.000Z"
            keys[index].key.revokedBy = actor
            return keys[index].key
        }
    }

    func activeAPIKey(secretSHA256: String) throws -> APIKey? {
        lock.withLock {
            keys.first { $0.key.isActive && APIKeySecret.constantTimeEqual($0.sha256, secretSHA256) }?.key
        }
    }

    /// A new key with this role, named after it; returns the secret to send.
    @discardableResult
    func add(_ role: APIRole, name: String? = nil) throws -> String {
        let secret = APIKeySecret.generate()
        _ = try createAPIKey(
            name: name ?? role.rawValue, role: role, secretSHA256: APIKeySecret.sha256(secret),
            hint: APIKeySecret.hint(secret), actor: "test")
        return secret
    }
}

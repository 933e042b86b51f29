import Crypto
import Foundation

/// Who may call the service (`shelfguard serve`), and what each caller may do. A store hands out
/// one key per system or person (its submission system, each storefront, each officer's console),
/// each with one role; the service names the key's name and role in every audit entry it writes.
public enum APIRole: String, Codable, Sendable, CaseIterable {
    /// A developer's CI pipeline or the store's submission system: submits bundles, reads the
    /// reviews it submitted.
    case developer
    /// A storefront: reads the shelf feed (what to take down), nothing else.
    case storefront
    /// A reviewer: decides versions in manual review, reads everything on the shelf, submits
    /// bundles for review (and cancels any queued one).
    case reviewer
    /// An emergency officer: applies measures (take down, suspend, warn, reinstate), reads the shelf.
    case officer
    /// An auditor: reads the audit log and the shelf, changes nothing.
    case auditor
    /// Everything, including managing keys.
    case admin

    /// What this role may do. The one place the service's access rules live.
    public var permissions: Set<APIPermission> {
        switch self {
        case .developer: [.submitReview, .readOwnReviews]
        case .storefront: [.readFeed]
        case .reviewer: [.submitReview, .readOwnReviews, .readAllReviews, .readFeed, .readShelf, .decide]
        case .officer: [.readOwnReviews, .readAllReviews, .readFeed, .readShelf, .applyMeasures]
        case .auditor: [.readOwnReviews, .readAllReviews, .readFeed, .readShelf, .readAudit]
        case .admin: Set(APIPermission.allCases)
        }
    }

    public func allows(_ permission: APIPermission) -> Bool { permissions.contains(permission) }
}

/// One thing the service lets a caller do; each endpoint needs exactly one.
public enum APIPermission: String, Codable, Sendable, CaseIterable {
    case submitReview = "submit_review"
    case readOwnReviews = "read_own_reviews"
    case readAllReviews = "read_all_reviews"
    case readFeed = "read_feed"
    case readShelf = "read_shelf"
    case decide
    case applyMeasures = "apply_measures"
    case readAudit = "read_audit"
    case manageKeys = "manage_keys"
}

/// A key as the ledger keeps it: never the secret itself, only its SHA-256 and its first
/// characters (`hint`), so that an operator can tell keys apart in `keys list`.
public struct APIKey: Codable, Sendable, Equatable {
    public var id: Int64
    /// Unique among all keys, revoked ones included: the name audit entries carry.
    public var name: String
    public var role: APIRole
    /// The secret's first characters (`APIKeySecret.hint`).
    public var hint: String
    /// ISO 8601, from the store's clock.
    public var createdAt: String
    public var createdBy: String
    public var revokedAt: String?
    public var revokedBy: String?

    public init(
        id: Int64, name: String, role: APIRole, hint: String, createdAt: String, createdBy: String,
        revokedAt: String? = nil, revokedBy: String? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.hint = hint
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
    }

    public var isActive: Bool { revokedAt == nil }

    /// How the service names this caller as the actor of an audit entry: `api:NAME (ROLE)`.
    public var actor: String { "api:\(name) (\(role.rawValue))" }
}

/// The secret a caller sends as `Authorization: Bearer SECRET`: `sgk_` and 43 characters of
/// base64url (32 random bytes). Shown once when created; the ledger keeps only its SHA-256.
public enum APIKeySecret {
    public static let prefix = "sgk_"

    /// A new secret from the system's cryptographic random source.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64
    }

    /// The secret's SHA-256 in lowercase hex: what the ledger stores and looks keys up by.
    public static func sha256(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }.joined()
    }

    /// The first characters kept to tell keys apart: the prefix and 4 more.
    public static func hint(_ secret: String) -> String { String(secret.prefix(prefix.count + 4)) }

    /// Compares two digests in time that does not depend on where they differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// Where the service's keys are kept: the ledger (both stores), so that every server and worker
/// against the same database accepts the same keys. Creating and revoking a key each write one
/// audit entry (`AuditRecord.apiKeyCreated`, `.apiKeyRevoked`).
public protocol APIKeyStore: Sendable {
    /// Records a new key; throws `LedgerError` when the name is taken (revoked keys included).
    func createAPIKey(name: String, role: APIRole, secretSHA256: String, hint: String, actor: String) throws -> APIKey

    /// Every key, oldest first; revoked ones too when asked.
    func apiKeys(includeRevoked: Bool) throws -> [APIKey]

    /// Revokes the active key with this name; throws `LedgerError` when there is none.
    func revokeAPIKey(name: String, actor: String) throws -> APIKey

    /// The active key whose secret has this SHA-256, if any. Stores look it up by the digest and
    /// compare with `APIKeySecret.constantTimeEqual` before answering.
    func activeAPIKey(secretSHA256: String) throws -> APIKey?
}

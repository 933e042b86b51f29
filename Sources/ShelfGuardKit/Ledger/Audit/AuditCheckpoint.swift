import Crypto
import Foundation

/// The audit log's last entry: its sequence number, hash and time. Reports carry it, so that a
/// head recorded outside the database can later prove the log still reaches it.
public struct AuditHead: Sendable, Codable, Equatable {
    public var seq: Int64
    public var hash: String
    /// When the entry was written (UTC), empty if the entry itself is gone.
    public var at: String

    public init(seq: Int64, hash: String, at: String) {
        self.seq = seq
        self.hash = hash
        self.at = at
    }
}

/// A checkpoint of the audit log (`shelfguard audit checkpoint`): the head at one moment, signed
/// with the operator's Ed25519 key when one is configured. Kept outside the database (a file, a
/// ticket, another system), it catches what no check inside one database can: entries cut from
/// the end, or the whole log rewritten. `audit verify --against` proves the log still contains
/// it.
public struct AuditCheckpoint: Sendable, Codable, Equatable {
    public static let format = "shelfguard/audit-checkpoint/v1"

    /// `shelfguard/audit-checkpoint/v1`.
    public var format: String
    public var seq: Int64
    public var hash: String
    /// When the head entry was written.
    public var at: String
    /// When the checkpoint was taken.
    public var takenAt: String
    /// The Ed25519 signature over `signedBytes`, base64; nil when unsigned.
    public var signature: String?
    /// The signer's public key, base64 (32 bytes raw); nil when unsigned.
    public var publicKey: String?

    public init(head: AuditHead, takenAt: String) {
        format = Self.format
        seq = head.seq
        hash = head.hash
        at = head.at
        self.takenAt = takenAt
    }

    /// What the signature covers: the format, the sequence number, the hash and the entry's time,
    /// one per line.
    public var signedBytes: [UInt8] { Array("\(Self.format)\n\(seq)\n\(hash)\n\(at)\n".utf8) }

    /// Signs the checkpoint with a private key.
    public mutating func sign(with key: Curve25519.Signing.PrivateKey) throws {
        signature = try key.signature(for: signedBytes).base64EncodedString()
        publicKey = key.publicKey.rawRepresentation.base64EncodedString()
    }

    /// What the signature says: nil when unsigned, else whether it is valid for `trusted` (the
    /// key the operator pinned) or, with none pinned, for the key the checkpoint names.
    public func signatureValid(trusted: Curve25519.Signing.PublicKey?) -> Bool? {
        guard let signature else { return nil }
        guard let bytes = Data(base64Encoded: signature) else { return false }
        let key: Curve25519.Signing.PublicKey
        if let trusted {
            key = trusted
        } else {
            guard let named = publicKey.flatMap({ Data(base64Encoded: $0) }),
                let parsed = try? Curve25519.Signing.PublicKey(rawRepresentation: named)
            else { return false }
            key = parsed
        }
        return key.isValidSignature(bytes, for: signedBytes)
    }

    /// Reads a checkpoint file; a clear error for anything that is not one.
    public static func read(_ data: Data, source: String) throws -> AuditCheckpoint {
        let checkpoint: AuditCheckpoint
        do { checkpoint = try JSONDecoder().decode(AuditCheckpoint.self, from: data) } catch {
            throw LedgerError("\(source) is not an audit checkpoint (a JSON object from `shelfguard audit checkpoint`)")
        }
        guard checkpoint.format == Self.format else {
            throw LedgerError("\(source) is a checkpoint of format '\(checkpoint.format)', not \(Self.format)")
        }
        guard checkpoint.seq >= 1, checkpoint.hash.count == 64, checkpoint.hash.allSatisfy(\.isHexDigit) else {
            throw LedgerError("\(source) names no audit entry (a sequence number and a SHA-256 hash)")
        }
        return checkpoint
    }
}

/// Operator signing keys for checkpoints: a file holding the 32-byte Ed25519 private key as
/// base64 (one line), and its public key in the same form.
public enum AuditSigningKey {
    /// A new private key, as the text of its key file.
    public static func generate() -> (privateFile: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (
            key.rawRepresentation.base64EncodedString() + "\n", key.publicKey.rawRepresentation.base64EncodedString()
        )
    }

    public static func privateKey(_ text: String, source: String) throws -> Curve25519.Signing.PrivateKey {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw LedgerError("\(source) is not an Ed25519 private key (32 bytes, base64)") }
        return key
    }

    public static func publicKey(_ text: String, source: String) throws -> Curve25519.Signing.PublicKey {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { throw LedgerError("\(source) is not an Ed25519 public key (32 bytes, base64)") }
        return key
    }
}

extension AuditVerification {
    /// Whether the log still holds a checkpoint: the entry at its sequence number must carry its
    /// hash. `entry` is the log's entry at `checkpoint.seq` (nil: there is none).
    public static func checkpointProblem(_ checkpoint: AuditCheckpoint, entry: AuditEntry?) -> Problem? {
        guard let entry else {
            return Problem(
                kind: .checkpointMissing, seq: checkpoint.seq,
                detail:
                    "the checkpoint taken at \(checkpoint.takenAt) names entry \(checkpoint.seq) (\(checkpoint.hash.prefix(12))…), which the log no longer has: entries were cut from the end"
            )
        }
        guard entry.hash == checkpoint.hash else {
            return Problem(
                kind: .checkpointMissing, seq: checkpoint.seq,
                detail:
                    "the checkpoint taken at \(checkpoint.takenAt) names entry \(checkpoint.seq) as \(checkpoint.hash.prefix(12))…, but the log's entry \(checkpoint.seq) is \(entry.hash.prefix(12))…: the log was rewritten"
            )
        }
        return nil
    }
}

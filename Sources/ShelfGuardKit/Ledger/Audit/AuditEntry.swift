import Crypto
import Foundation

/// One entry of the audit log: who did what to what, when and why, with the evidence hashes in
/// `details`. Each entry's hash covers the previous entry's hash and this entry's canonical
/// form, so an edited, deleted or reordered entry breaks the chain (`shelfguard audit verify`).
public struct AuditEntry: Sendable, Codable, Equatable {
    /// 1, 2, 3… without gaps.
    public var seq: Int64
    /// UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`.
    public var at: String
    public var actor: String
    /// What happened: `registry_import`, `review`, `decision`, `takedown`…
    public var action: String
    /// What it happened to: a file, an app version, a filing number.
    public var subject: String
    public var reason: String
    /// A JSON object with the rest (counts, hashes, states), keys sorted.
    public var details: String
    public var prevHash: String
    public var hash: String

    public init(
        seq: Int64, at: String, actor: String, action: String, subject: String, reason: String, details: String,
        prevHash: String, hash: String
    ) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.reason = reason
        self.details = details
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of an entry with these fields: SHA-256 over the previous hash, a line feed, and
    /// the canonical JSON array `[seq, at, actor, action, subject, reason, details]`, every
    /// element a string (`CanonicalJSON` says exactly how it is written).
    public static func hash(
        prevHash: String, seq: Int64, at: String, actor: String, action: String, subject: String, reason: String,
        details: String
    ) -> String {
        let canonical = CanonicalJSON.arrayBytes([String(seq), at, actor, action, subject, reason, details])
        var hasher = SHA256()
        hasher.update(data: Array(prevHash.utf8) + [0x0A])
        hasher.update(data: canonical)
        return hasher.finalize().hexString
    }

    /// The hash this entry should carry, recomputed from its fields.
    public var expectedHash: String {
        AuditEntry.hash(
            prevHash: prevHash, seq: seq, at: at, actor: actor, action: action, subject: subject, reason: reason,
            details: details)
    }

    /// `details` as canonical JSON text.
    public static func details(_ fields: [String: CanonicalJSON.Value]) -> String {
        CanonicalJSON.object(fields)
    }

    /// Timestamps as the log writes them: UTC with milliseconds, `2026-11-24T08:30:00.123Z`.
    /// Computed by arithmetic: date formatters read the time-zone database on every call.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let days = Int(milliseconds.quotientFloor(86_400_000))
        let ms = Int(milliseconds - Int64(days) * 86_400_000)
        let (y, m, d) = CalendarDay.civil(fromDays: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millis = ms % 1000
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return
            "\(y)-\(two(m))-\(two(d))T\(two(ms / 3_600_000)):\(two(ms / 60_000 % 60)):\(two(ms / 1000 % 60)).\(fraction)Z"
    }
}

/// The outcome of walking the audit chain.
public struct AuditVerification: Sendable, Codable, Equatable {
    /// Entries read.
    public var entries: Int
    /// The last entry's hash: publish or record it elsewhere, and a later `audit verify
    /// --expect-head` proves nothing before it was rewritten.
    public var headHash: String
    public var headSeq: Int64
    public var problems: [Problem]

    public var intact: Bool { problems.isEmpty }

    /// One break in the chain.
    public struct Problem: Sendable, Codable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable, Codable {
            /// The entry's content no longer matches its hash.
            case edited
            /// Sequence numbers are missing: entries were deleted.
            case deleted
            /// The entry does not follow the one before it (moved, or one before it removed and the rest renumbered).
            case reordered
            /// The chain's recorded head is not the last entry (entries removed from the end, or the head rewritten).
            case headMismatch = "head_mismatch"
            /// A row of the ledger names an audit entry the log does not have (entries removed, or the log emptied).
            case missingEntry = "missing_entry"
            /// An entry whose row is gone: a review, decision, state change… recorded in the log but not in the ledger.
            case unrecorded
            /// The ledger's states disagree with the log: a state change that is not its entry's, or a
            /// current state that replaying the changes does not give.
            case stateMismatch = "state_mismatch"
            /// The log does not contain a checkpoint taken earlier (`audit verify --against`).
            case checkpointMissing = "checkpoint_missing"
        }
        public var kind: Kind
        public var seq: Int64
        public var detail: String
        public var description: String {
            seq > 0 ? "entry \(seq): \(kind.rawValue): \(detail)" : "\(kind.rawValue): \(detail)"
        }

        public init(kind: Kind, seq: Int64, detail: String) {
            self.kind = kind
            self.seq = seq
            self.detail = detail
        }
    }

    /// Checks entries in the order stored, against the head the store recorded (nil: none).
    public static func verify(
        _ entries: [AuditEntry], recordedHead: (seq: Int64, hash: String)?
    ) -> AuditVerification {
        var problems: [Problem] = []
        var previousHash = AuditEntry.genesis
        var previousSeq: Int64 = 0
        for entry in entries {
            if entry.seq > previousSeq + 1 {
                let range =
                    entry.seq - 1 == previousSeq + 1 ? "\(previousSeq + 1)" : "\(previousSeq + 1)–\(entry.seq - 1)"
                problems.append(Problem(kind: .deleted, seq: entry.seq, detail: "entry \(range) is missing"))
            } else if entry.seq <= previousSeq {
                problems.append(
                    Problem(kind: .reordered, seq: entry.seq, detail: "comes after entry \(previousSeq) in the log"))
            }
            if entry.prevHash != previousHash {
                problems.append(
                    Problem(
                        kind: .reordered, seq: entry.seq,
                        detail:
                            "its previous hash \(entry.prevHash.prefix(12))… is not the hash of the entry before it (\(previousHash.prefix(12))…)"
                    ))
            }
            if entry.expectedHash != entry.hash {
                problems.append(
                    Problem(
                        kind: .edited, seq: entry.seq,
                        detail:
                            "its content does not match its hash (\(entry.action) on \(entry.subject) by \(entry.actor) at \(entry.at))"
                    ))
            }
            previousHash = entry.hash
            previousSeq = entry.seq
        }
        if recordedHead == nil && !entries.isEmpty {
            problems.append(
                Problem(
                    kind: .headMismatch, seq: previousSeq,
                    detail: "the log has \(entries.count) entries but no recorded head: the head row was deleted"))
        }
        if let head = recordedHead, head.seq != previousSeq || head.hash != previousHash {
            problems.append(
                Problem(
                    kind: .headMismatch, seq: head.seq,
                    detail:
                        "the log records its last entry as \(head.seq) (\(head.hash.prefix(12))…) but ends at \(previousSeq) (\(previousHash.prefix(12))…)"
                ))
        }
        return AuditVerification(
            entries: entries.count, headHash: previousHash, headSeq: previousSeq, problems: problems)
    }
}

extension Int64 {
    /// Division rounding towards minus infinity (for times before 1970).
    func quotientFloor(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

import Foundation

/// What the shelf ledger's own tables say about the audit log: the rows that name the audit
/// entry recording them, the state changes, and the current states. `audit verify` compares them
/// with the log, because a chain that is intact proves nothing about rows that were written
/// beside it: emptying the log (and its head), or editing `shelf_state`, leaves every remaining
/// entry's hash correct.
public struct AuditLedgerFacts: Sendable, Equatable {
    /// A row that says an audit entry records it: review 12 → entry 40.
    public struct Reference: Sendable, Equatable {
        /// The kind of row: `review`, `decision`, `complaint`, `complaint_task`, `registry_import`.
        public var record: String
        public var id: Int64
        public var auditSeq: Int64

        public init(record: String, id: Int64, auditSeq: Int64) {
            self.record = record
            self.id = id
            self.auditSeq = auditSeq
        }
    }

    /// One row of `state_change`.
    public struct StateChange: Sendable, Equatable {
        public var id: Int64
        public var versionID: Int64
        public var from: String
        public var to: String
        public var auditSeq: Int64

        public init(id: Int64, versionID: Int64, from: String, to: String, auditSeq: Int64) {
            self.id = id
            self.versionID = versionID
            self.from = from
            self.to = to
            self.auditSeq = auditSeq
        }
    }

    /// One row of `api_key`: the service's key, with the entries that record its creation and
    /// its revocation. A key is checked more closely than other rows (its entries' action,
    /// subject, role and hint), because a key row edited or slipped in by hand lets someone in.
    public struct APIKeyRow: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var role: String
        public var hint: String
        public var createdSeq: Int64
        /// Whether the row says the key is revoked.
        public var revoked: Bool
        /// The entry the row names for its revocation, if any.
        public var revokedSeq: Int64?

        public init(
            id: Int64, name: String, role: String, hint: String, createdSeq: Int64, revoked: Bool,
            revokedSeq: Int64?
        ) {
            self.id = id
            self.name = name
            self.role = role
            self.hint = hint
            self.createdSeq = createdSeq
            self.revoked = revoked
            self.revokedSeq = revokedSeq
        }
    }

    public var references: [Reference]
    /// In the order they were written (by id).
    public var stateChanges: [StateChange]
    /// Each version's current state, as `shelf_state` holds it.
    public var shelfStates: [Int64: String]
    /// Every key of the service, revoked ones too (by id).
    public var apiKeys: [APIKeyRow]

    public init(
        references: [Reference], stateChanges: [StateChange], shelfStates: [Int64: String], apiKeys: [APIKeyRow] = []
    ) {
        self.references = references
        self.stateChanges = stateChanges
        self.shelfStates = shelfStates
        self.apiKeys = apiKeys
    }

    /// The state every version starts in, before its first state change.
    public static let initialState = ShelfState.submitted.rawValue

    /// Audit actions whose entry is always written with a row of this kind, in the same
    /// transaction: an entry of these actions without its row means the row was deleted.
    public static let recordOfAction: [String: String] = [
        "review": "review", "decision": "decision", "registry_import": "registry_import",
        "complaint_received": "complaint", "complaint_task_opened": "complaint_task",
    ]
}

extension AuditVerification {
    /// Cross-checks the ledger's tables against the log (pure: the store reads both and calls
    /// this). Every row that names an audit entry must find it; every entry of an action that
    /// always writes a row must have its row; every state change must match the from and to of
    /// its entry, one row per entry that moves a version; each version's current state must be
    /// what replaying its state changes from `submitted` gives; every key of the service must be
    /// what its entries say (`crossCheckKeys`).
    public static func crossCheck(_ entries: [AuditEntry], _ facts: AuditLedgerFacts) -> [Problem] {
        var problems: [Problem] = []
        var bySeq: [Int64: AuditEntry] = [:]
        bySeq.reserveCapacity(entries.count)
        for entry in entries where bySeq[entry.seq] == nil { bySeq[entry.seq] = entry }

        // Rows that name an entry the log does not have: the log lost entries (or was emptied).
        // The first few of each kind of row are named; the rest are counted, so that an emptied
        // log of a large shelf is one screen, not a million lines.
        let named = 20
        var missing: [String: Int] = [:]
        func missingEntry(_ record: String, _ seq: Int64, _ detail: String) {
            missing[record, default: 0] += 1
            if missing[record]! <= named { problems.append(Problem(kind: .missingEntry, seq: seq, detail: detail)) }
        }
        var recorded: [String: Set<Int64>] = [:]
        for reference in facts.references {
            recorded[reference.record, default: []].insert(reference.auditSeq)
            if bySeq[reference.auditSeq] == nil {
                missingEntry(
                    reference.record, reference.auditSeq,
                    "\(reference.record) \(reference.id) names this audit entry, which is not in the log")
            }
        }
        // Entries whose row is gone.
        for entry in entries {
            guard let record = AuditLedgerFacts.recordOfAction[entry.action] else { continue }
            if recorded[record]?.contains(entry.seq) != true {
                problems.append(
                    Problem(
                        kind: .unrecorded, seq: entry.seq,
                        detail: "a \(entry.action) of \(entry.subject), but no \(record) row names this entry"))
            }
        }

        // State changes against the entries that record them, one row per moving entry.
        var changesOfEntry: [Int64: Int] = [:]
        for change in facts.stateChanges {
            changesOfEntry[change.auditSeq, default: 0] += 1
            guard let entry = bySeq[change.auditSeq] else {
                missingEntry(
                    "state_change", change.auditSeq,
                    "state change \(change.id) (version \(change.versionID), \(change.from) → \(change.to)) names this audit entry, which is not in the log"
                )
                continue
            }
            guard let move = Self.move(of: entry) else {
                problems.append(
                    Problem(
                        kind: .stateMismatch, seq: entry.seq,
                        detail:
                            "state change \(change.id) (version \(change.versionID), \(change.from) → \(change.to)) names this entry, a \(entry.action) that moves nothing"
                    ))
                continue
            }
            if move.from != change.from || move.to != change.to {
                problems.append(
                    Problem(
                        kind: .stateMismatch, seq: entry.seq,
                        detail:
                            "state change \(change.id) of version \(change.versionID) says \(change.from) → \(change.to), but its audit entry says \(move.from) → \(move.to)"
                    ))
            }
        }
        for entry in entries {
            guard let move = Self.move(of: entry), move.from != move.to else { continue }
            switch changesOfEntry[entry.seq] ?? 0 {
            case 0:
                problems.append(
                    Problem(
                        kind: .unrecorded, seq: entry.seq,
                        detail:
                            "a \(entry.action) moved \(entry.subject) from \(move.from) to \(move.to), but no state change records it"
                    ))
            case 1: break
            case let n:
                problems.append(
                    Problem(
                        kind: .stateMismatch, seq: entry.seq,
                        detail: "\(n) state changes name this entry, which moved one version once"))
            }
        }

        for (record, count) in missing.sorted(by: { $0.key < $1.key }) where count > named {
            problems.append(
                Problem(
                    kind: .missingEntry, seq: 0,
                    detail: "and \(count - named) more \(record) rows name audit entries that are not in the log"))
        }

        // Replay: each version's changes, in the order written, from the initial state.
        var replayed: [Int64: String] = [:]
        for change in facts.stateChanges {
            let state = replayed[change.versionID] ?? AuditLedgerFacts.initialState
            if change.from != state {
                problems.append(
                    Problem(
                        kind: .stateMismatch, seq: change.auditSeq,
                        detail:
                            "state change \(change.id) of version \(change.versionID) starts from \(change.from), but the changes before it leave the version \(state)"
                    ))
            }
            replayed[change.versionID] = change.to
        }
        for (version, state) in facts.shelfStates.sorted(by: { $0.key < $1.key }) {
            let expected = replayed[version] ?? AuditLedgerFacts.initialState
            if state != expected {
                problems.append(
                    Problem(
                        kind: .stateMismatch, seq: 0,
                        detail:
                            "version \(version) is \(state) on the shelf, but its recorded state changes leave it \(expected)"
                    ))
            }
        }
        for version in replayed.keys.sorted() where facts.shelfStates[version] == nil {
            problems.append(
                Problem(
                    kind: .stateMismatch, seq: 0,
                    detail: "version \(version) has state changes but no state on the shelf"))
        }
        problems += crossCheckKeys(entries, bySeq: bySeq, facts.apiKeys)
        return problems
    }

    /// The from and to states an entry records, when its details carry both.
    static func move(of entry: AuditEntry) -> (from: String, to: String)? {
        guard entry.details.contains("\"from\""),
            let object = try? JSONSerialization.jsonObject(with: Data(entry.details.utf8)) as? [String: Any],
            let from = object["from"] as? String, let to = object["to"] as? String
        else { return nil }
        return (from, to)
    }
}

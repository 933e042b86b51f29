import Foundation
import GRDB
import ShelfGuardKit

/// Complaints (DSP Art. 12) and the reviewers' tasks they open, in the SQLite ledger. What
/// counts and what a threshold does is decided by `ComplaintRules`; this only stores.
extension SQLiteLedger {
    static func complaint(_ row: Row) -> Complaint {
        Complaint(
            id: row["id"], app: row["app_id"], text: row["text"], contact: row["contact"],
            receivedAt: row["received_at"], status: row["status"], resolvedAt: row["resolved_at"],
            resolvedBy: row["resolved_by"], resolution: row["resolution"], category: row["category"],
            receivedOn: row["received_on"], dueOn: row["due_on"])
    }

    public func addComplaint(_ intake: ComplaintIntake, actor: String) throws -> Complaint {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            let entry = try appendAudit(db, actor: actor, AuditRecord.complaintReceived(intake))
            try db.run(
                sql: """
                    INSERT INTO complaint (app_id, text, contact, received_at, status, audit_seq, category, received_on, due_on)
                    VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)
                    """,
                arguments: [
                    intake.app, intake.text, intake.contact, at, entry.seq, intake.category, intake.receivedOn,
                    intake.dueOn,
                ])
            return Complaint(
                id: db.lastInsertedRowID, app: intake.app, text: intake.text, contact: intake.contact, receivedAt: at,
                status: "open", category: intake.category, receivedOn: intake.receivedOn, dueOn: intake.dueOn)
        }
    }

    public func complaints(app: String?, openOnly: Bool, limit: Int) throws -> [Complaint] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let app {
            conditions.append("app_id = ?")
            arguments += [app]
        }
        if openOnly { conditions.append("status = 'open'") }
        let sql =
            "SELECT * FROM complaint" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY id LIMIT ?"
        arguments += [limit]
        let bound = arguments
        return try read { db in try Row.fetchAll(db, sql: sql, arguments: bound).map(SQLiteLedger.complaint) }
    }

    public func openComplaints() throws -> [Complaint] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM complaint WHERE status = 'open' ORDER BY id").map(
                SQLiteLedger.complaint)
        }
    }

    public func resolveComplaint(id: Int64, resolution: String, actor: String) throws -> Complaint {
        let at = AuditEntry.timestamp(now())
        return try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM complaint WHERE id = ?", arguments: [id]) else {
                throw LedgerError("no complaint \(id)")
            }
            var complaint = SQLiteLedger.complaint(row)
            guard complaint.status == "open" else {
                throw LedgerError(
                    "complaint \(id) was resolved already, on \(complaint.resolvedAt ?? "?") by \(complaint.resolvedBy ?? "?")"
                )
            }
            _ = try appendAudit(
                db, actor: actor, AuditRecord.complaintResolved(id: id, app: complaint.app, resolution: resolution))
            try db.run(
                sql:
                    "UPDATE complaint SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?",
                arguments: [at, actor, resolution, id])
            complaint.status = "resolved"
            complaint.resolvedAt = at
            complaint.resolvedBy = actor
            complaint.resolution = resolution
            return complaint
        }
    }

    public func appsOnShelf(among apps: [String]) throws -> Set<String> {
        let wanted = Array(Set(apps))
        guard !wanted.isEmpty else { return [] }
        let list = String(decoding: try JSONEncoder().encode(wanted), as: UTF8.self)
        return try read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT v.app_id FROM version v JOIN shelf_state s ON s.version_id = v.id
                        WHERE s.state IN ('approved', 'warned', 'suspended') AND v.app_id IN (SELECT value FROM json_each(?))
                        """, arguments: [list]))
        }
    }

    public func appKnown(_ app: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM version WHERE app_id = ?)", arguments: [app])
                ?? false
        }
    }

    static func task(_ row: Row) -> ComplaintTask {
        let ids = (try? JSONDecoder().decode([Int64].self, from: Data((row["complaints"] as String).utf8))) ?? []
        return ComplaintTask(
            id: row["id"], app: row["app_id"], complaints: ids, complainants: row["complainants"],
            reason: row["reason"], openedAt: row["opened_at"], openedOn: row["opened_on"], dailyRun: row["daily_run"],
            auditSeq: row["audit_seq"], closedAt: row["closed_at"], closedOn: row["closed_on"],
            closedReason: row["closed_reason"])
    }

    public func complaintTasks(openOnly: Bool) throws -> [ComplaintTask] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM complaint_task" + (openOnly ? " WHERE closed_at IS NULL" : "") + " ORDER BY id"
            ).map(SQLiteLedger.task)
        }
    }

    public func recordComplaintTasks(
        open: [ComplaintRules.TaskOpening], close: [ComplaintTask], runID: Int64?, asOf: String, actor: String
    ) throws -> [ComplaintTask] {
        guard !open.isEmpty || !close.isEmpty else { return [] }
        let at = AuditEntry.timestamp(now())
        return try write { db in
            var opened: [ComplaintTask] = []
            for task in open {
                // Another run may have opened it meanwhile: one open task per app.
                if try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM complaint_task WHERE app_id = ? AND closed_at IS NULL)",
                    arguments: [task.app]) == true
                {
                    continue
                }
                let ids = task.complaints.map { String($0) }
                let entry = try appendAudit(
                    db, actor: actor, AuditRecord.complaintTaskOpened(task, runID: runID, asOf: asOf))
                let json = "[" + ids.joined(separator: ",") + "]"
                try db.run(
                    sql: """
                        INSERT INTO complaint_task (app_id, complaints, complainants, reason, opened_at, opened_on, daily_run, audit_seq)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [task.app, json, task.complainants, task.reason, at, asOf, runID, entry.seq])
                opened.append(
                    ComplaintTask(
                        id: db.lastInsertedRowID, app: task.app, complaints: task.complaints,
                        complainants: task.complainants, reason: task.reason, openedAt: at, openedOn: asOf,
                        dailyRun: runID, auditSeq: entry.seq))
            }
            for task in close {
                let why = AuditRecord.taskClosedReason
                _ = try appendAudit(db, actor: actor, AuditRecord.complaintTaskClosed(task, runID: runID, asOf: asOf))
                try db.run(
                    sql: """
                        UPDATE complaint_task SET closed_at = ?, closed_on = ?, closed_reason = ?
                        WHERE id = ? AND closed_at IS NULL
                        """, arguments: [at, asOf, why, task.id])
            }
            return opened
        }
    }
}

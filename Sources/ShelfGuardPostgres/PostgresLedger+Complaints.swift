import Foundation
import ShelfGuardKit

/// Complaints (DSP Art. 12) and the reviewers' tasks they open, in PostgreSQL. What counts and
/// what a threshold does is decided by `ComplaintRules`; this only stores.
extension PostgresLedger {
    static func complaint(_ row: SQLRow) throws -> Complaint {
        Complaint(
            id: try row.get("id"), app: try row.get("app_id"), text: try row.get("text"),
            contact: try row.get("contact"), receivedAt: try row.get("received_at"), status: try row.get("status"),
            resolvedAt: try row.get("resolved_at"), resolvedBy: try row.get("resolved_by"),
            resolution: try row.get("resolution"), category: try row.get("category"),
            receivedOn: try row.get("received_on"), dueOn: try row.get("due_on"))
    }

    public func addComplaint(_ intake: ComplaintIntake, actor: String) throws -> Complaint {
        let at = AuditEntry.timestamp(now())
        return try write { session in
            let entry = try appendAudit(session, actor: actor, AuditRecord.complaintReceived(intake))
            let id = try session.scalar(
                """
                INSERT INTO complaint (app_id, text, contact, received_at, status, audit_seq, category, received_on, due_on)
                VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8) RETURNING id
                """,
                [
                    intake.app, intake.text, intake.contact, at, entry.seq, intake.category, intake.receivedOn,
                    intake.dueOn,
                ], as: Int64.self)
            return Complaint(
                id: id ?? 0, app: intake.app, text: intake.text, contact: intake.contact, receivedAt: at,
                status: "open", category: intake.category, receivedOn: intake.receivedOn, dueOn: intake.dueOn)
        }
    }

    public func complaints(app: String?, openOnly: Bool, limit: Int) throws -> [Complaint] {
        var conditions: [String] = []
        var binds: [any SQLBindable] = []
        if let app {
            binds.append(app)
            conditions.append("app_id = $\(binds.count)")
        }
        if openOnly { conditions.append("status = 'open'") }
        binds.append(limit)
        let sql =
            "SELECT * FROM complaint" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY id LIMIT $\(binds.count)"
        let bound = binds
        return try read { session in try session.query(sql, bound).map(PostgresLedger.complaint) }
    }

    public func openComplaints() throws -> [Complaint] {
        try read { session in
            try session.query("SELECT * FROM complaint WHERE status = 'open' ORDER BY id").map(
                PostgresLedger.complaint)
        }
    }

    public func resolveComplaint(id: Int64, resolution: String, actor: String) throws -> Complaint {
        let at = AuditEntry.timestamp(now())
        return try write { session in
            guard let row = try session.one("SELECT * FROM complaint WHERE id = $1", [id]) else {
                throw LedgerError("no complaint \(id)")
            }
            var complaint = try PostgresLedger.complaint(row)
            guard complaint.status == "open" else {
                throw LedgerError(
                    "complaint \(id) was resolved already, on \(complaint.resolvedAt ?? "?") by \(complaint.resolvedBy ?? "?")"
                )
            }
            _ = try appendAudit(
                session, actor: actor, AuditRecord.complaintResolved(id: id, app: complaint.app, resolution: resolution)
            )
            try session.execute(
                "UPDATE complaint SET status = 'resolved', resolved_at = $1, resolved_by = $2, resolution = $3 WHERE id = $4",
                [at, actor, resolution, id])
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
        return try read { session in
            Set(
                try session.query(
                    """
                    SELECT DISTINCT v.app_id FROM version v JOIN shelf_state s ON s.version_id = v.id
                    WHERE s.state IN ('approved', 'warned', 'suspended') AND v.app_id = ANY($1)
                    """, [wanted]
                ).map { try $0.first(as: String.self) })
        }
    }

    public func appKnown(_ app: String) throws -> Bool {
        try read { session in
            try session.scalar("SELECT EXISTS (SELECT 1 FROM version WHERE app_id = $1)", [app], as: Bool.self)
                ?? false
        }
    }

    static func task(_ row: SQLRow) throws -> ComplaintTask {
        let json = try row.get("complaints", as: String.self)
        let ids = (try? JSONDecoder().decode([Int64].self, from: Data(json.utf8))) ?? []
        return ComplaintTask(
            id: try row.get("id"), app: try row.get("app_id"), complaints: ids,
            complainants: try row.get("complainants"), reason: try row.get("reason"),
            openedAt: try row.get("opened_at"), openedOn: try row.get("opened_on"),
            dailyRun: try row.get("daily_run"), auditSeq: try row.get("audit_seq"),
            closedAt: try row.get("closed_at"), closedOn: try row.get("closed_on"),
            closedReason: try row.get("closed_reason"))
    }

    public func complaintTasks(openOnly: Bool) throws -> [ComplaintTask] {
        try read { session in
            try session.query(
                "SELECT * FROM complaint_task" + (openOnly ? " WHERE closed_at IS NULL" : "") + " ORDER BY id"
            ).map(PostgresLedger.task)
        }
    }

    public func recordComplaintTasks(
        open: [ComplaintRules.TaskOpening], close: [ComplaintTask], runID: Int64?, asOf: String, actor: String
    ) throws -> [ComplaintTask] {
        guard !open.isEmpty || !close.isEmpty else { return [] }
        let at = AuditEntry.timestamp(now())
        return try write { session in
            var opened: [ComplaintTask] = []
            for task in open {
                // Another run may have opened it meanwhile: one open task per app.
                if try session.scalar(
                    "SELECT EXISTS (SELECT 1 FROM complaint_task WHERE app_id = $1 AND closed_at IS NULL)",
                    [task.app], as: Bool.self) == true
                {
                    continue
                }
                let ids = task.complaints.map { String($0) }
                let entry = try appendAudit(
                    session, actor: actor, AuditRecord.complaintTaskOpened(task, runID: runID, asOf: asOf))
                let json = "[" + ids.joined(separator: ",") + "]"
                let id = try session.scalar(
                    """
                    INSERT INTO complaint_task (app_id, complaints, complainants, reason, opened_at, opened_on, daily_run, audit_seq)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
                    """,
                    [task.app, json, task.complainants, task.reason, at, asOf, runID, entry.seq], as: Int64.self)
                opened.append(
                    ComplaintTask(
                        id: id ?? 0, app: task.app, complaints: task.complaints, complainants: task.complainants,
                        reason: task.reason, openedAt: at, openedOn: asOf, dailyRun: runID, auditSeq: entry.seq))
            }
            for task in close {
                let why = AuditRecord.taskClosedReason
                _ = try appendAudit(
                    session, actor: actor, AuditRecord.complaintTaskClosed(task, runID: runID, asOf: asOf))
                try session.execute(
                    """
                    UPDATE complaint_task SET closed_at = $1, closed_on = $2, closed_reason = $3
                    WHERE id = $4 AND closed_at IS NULL
                    """, [at, asOf, why, task.id])
            }
            return opened
        }
    }
}

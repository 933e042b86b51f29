import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Emergency measures, the feed and complaints in the ledger.
@Suite("Emergency measures, feed, complaints")
struct MeasureTests {
    /// A ledger with `count` approved versions of different apps; every third cites the supplier
    /// filing, every second is by the second developer.
    static func shelf(_ kind: StoreKind, _ count: Int = 6) throws -> any LedgerStore {
        let ledger = try TestStores.make(kind, "measures")
        for i in 0..<count {
            var scenario = ReviewScenario()
            scenario.inspection.bundle.sha256 = Self.sha(i)
            scenario.inspection.manifest?.appId = "com.example.app\(i)"
            scenario.declaration.app.id = "com.example.app\(i)"
            if i % 2 == 1 {
                // The second developer, with its own filing and assessment.
                let own = ReviewScenario.filing("11010890000030125001")
                scenario.declaration.developer.name = "第二公司"
                scenario.declaration.developer.uscc = "91110108MA01KP2T5U"
                scenario.materialLabels = ReviewScenario.labels(
                    ReviewScenario.developerLabel.with("ContentProducer", "001191110108MA01KP2T5U1SECD"))
                scenario.csv["filings.csv"]! += "9,换脸算法,服务提供者,第二公司,FaceFun（APP）,人脸替换,\(own),\n"
                scenario.evidence += """
                      - id: SA-2
                        entity: 第二公司
                        features: [face_swap]
                        date: 2026-06-01
                        assessor: 测试评估中心
                        document_sha256: \(String(repeating: "cd", count: 32))

                    """
                scenario.feature.algorithmFiling = own
                scenario.feature.securityAssessment = "SA-2"
            }
            if i % 3 == 0 {
                let supporter = ReviewScenario.filing("11010890000020124007")
                scenario.csv["supporters.csv"] = """
                    序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注
                    1,大模型算法,服务技术支持者,\(ReviewScenario.supplier),--,生成,\(supporter),

                    """
                scenario.feature.suppliers = [.init(name: ReviewScenario.supplier, algorithmFiling: supporter)]
            }
            let result = try scenario.result()
            precondition(result.verdict == .approve, "\(result.findings.map(\.rule))")
            _ = try ledger.recordReview(
                ReviewSubmission(result: result, bundlePath: "app\(i).apk", batchID: nil, actor: "t", extractor: "x"))
        }
        return ledger
    }

    /// A distinct bundle digest per app.
    static func sha(_ i: Int) -> String { String(repeating: String(format: "%02x", i + 16), count: 32) }

    static func order(_ measure: Measure, _ selector: MeasureSelector) -> MeasureOrder {
        MeasureOrder(measure: measure, selector: selector, reason: "incident", order: "CAC-2026-77", actor: "应急 王五")
    }

    static func states(_ ledger: any LedgerStore) throws -> [String: ShelfState] {
        Dictionary(uniqueKeysWithValues: try ledger.versions(ShelfFilter()).map { ($0.appID, $0.state) })
    }

    @Test("a dry run lists exactly what would change and changes nothing", arguments: StoreKind.available)
    func dryRun(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind)

        let before = try TestStores.fingerprint(ledger)
        let planned = try ledger.apply(Self.order(.takeDown, MeasureSelector(developer: "第二公司")), dryRun: true)
        #expect(
            planned.dryRun
                && planned.changes.map(\.appID) == ["com.example.app1", "com.example.app3", "com.example.app5"])
        #expect(planned.auditRange == nil)
        #expect(try Self.states(ledger).values.allSatisfy { $0 == .approved })
        #expect(try ledger.verifyAudit().entries == 6)
        #expect(try TestStores.fingerprint(ledger) == before)
        let applied = try ledger.apply(Self.order(.takeDown, MeasureSelector(developer: "第二公司")), dryRun: false)
        #expect(
            applied.changes
                == planned.changes.map {
                    var c = $0; c.to = .takenDown; return c
                })
    }

    @Test(
        "a takedown moves every selected version at once, one audit entry each, and is idempotent",
        arguments: StoreKind.available)
    func takedown(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind)
        let filing = ReviewScenario.filing("11010890000020124007")
        let result = try ledger.apply(Self.order(.takeDown, MeasureSelector(filing: filing)), dryRun: false)
        #expect(result.changes.map(\.appID) == ["com.example.app0", "com.example.app3"])
        #expect(result.auditRange == 7...8)
        let entries = try ledger.auditEntries(after: 6, limit: 10)
        #expect(entries.map(\.action) == ["take_down", "take_down"])
        #expect(
            entries.allSatisfy { $0.actor == "应急 王五" && $0.reason == "incident" && $0.details.contains("CAC-2026-77") })
        #expect(try ledger.verifyAudit().intact)
        // Each state change points at the audit entry written for the same version.
        let pairs = try TestStores.texts(
            ledger,
            """
            SELECT v.bundle_sha256, c.from_state, c.to_state, a.details FROM state_change c
            JOIN version v ON v.id = c.version_id JOIN audit_log a ON a.seq = c.audit_seq
            WHERE c.order_ref = 'CAC-2026-77' ORDER BY c.id
            """)
        #expect(pairs.count == 2)
        for (pair, change) in zip(pairs, result.changes) {
            let sha = pair[0]
            #expect(sha == change.bundleSHA256 && pair[3].contains(sha))
            #expect(pair[1] == "approved" && pair[2] == "taken_down")
        }
        let again = try ledger.apply(Self.order(.takeDown, MeasureSelector(filing: filing)), dryRun: false)
        #expect(again.changes.isEmpty && again.unchanged == 2 && again.auditRange == nil)
        #expect(try Self.states(ledger)["com.example.app0"] == .takenDown)
        #expect(try Self.states(ledger)["com.example.app1"] == .approved)
    }

    @Test("an order whose selection and writes disagree changes nothing and says so", arguments: StoreKind.available)
    func disagreement(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind, 3)
        // A state this ShelfGuard does not know (a newer one wrote it): planned as movable, not
        // written by the set-based update, so the counts differ and the transaction rolls back.
        try TestStores.tamper(ledger, "UPDATE shelf_state SET state = 'quarantined' WHERE version_id = 2")
        let error = #expect(throws: LedgerError.self) {
            try ledger.apply(Self.order(.takeDown, MeasureSelector(developer: "第二公司")), dryRun: false)
        }
        #expect(error?.description.contains("nothing was changed") == true)
        #expect(try ledger.verifyAudit().entries == 3)
        #expect(try Self.states(ledger)["com.example.app0"] == .approved)
    }

    @Test(
        "selectors: app and version, developer by USCC, signature, feature; none is an error",
        arguments: StoreKind.available)
    func selectors(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind)
        func pick(_ s: MeasureSelector) throws -> [String] {
            try ledger.apply(Self.order(.suspend, s), dryRun: true).changes.map(\.appID)
        }
        #expect(try pick(MeasureSelector(app: "com.example.app2")) == ["com.example.app2"])
        #expect(try pick(MeasureSelector(version: String(Self.sha(2).prefix(16)))) == ["com.example.app2"])
        #expect(try pick(MeasureSelector(developer: "91110108ma01kp2t5u")).count == 3)
        #expect(try pick(MeasureSelector(feature: "face_swap")).count == 6)
        #expect(try pick(MeasureSelector(signature: "faceunity_nama")).isEmpty, "the scenario records no detections")
        #expect(try pick(MeasureSelector(app: "com.example.app2", developer: "第二公司")).isEmpty)
        #expect(throws: LedgerError.self) { try ledger.apply(Self.order(.suspend, MeasureSelector()), dryRun: true) }
    }

    @Test(
        "graded measures: warn only listed versions; suspend; reinstate lifts; refused versions are left alone",
        arguments: StoreKind.available)
    func graded(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind, 3)
        _ = try ledger.apply(Self.order(.warn, MeasureSelector(app: "com.example.app0")), dryRun: false)
        _ = try ledger.apply(Self.order(.suspend, MeasureSelector(app: "com.example.app1")), dryRun: false)
        let warnSuspended = try ledger.apply(Self.order(.warn, MeasureSelector(app: "com.example.app1")), dryRun: false)
        #expect(warnSuspended.changes.isEmpty, "a warning does not lift a suspension")
        #expect(
            try Self.states(ledger) == [
                "com.example.app0": .warned, "com.example.app1": .suspended, "com.example.app2": .approved,
            ])
        let reinstated = try ledger.apply(
            MeasureOrder(
                measure: .reinstate, selector: MeasureSelector(developer: ReviewScenario.developer),
                reason: "order lifted",
                order: "", actor: "王五"), dryRun: false)
        #expect(reinstated.changes.map(\.appID) == ["com.example.app0"])
        let history = try #require(try ledger.history(app: "com.example.app0"))
        #expect(history.versions[0].changes.map(\.cause) == [.review, .measure, .reinstate])
    }

    @Test("the feed: stable order, a cursor that returns each event once", arguments: StoreKind.available)
    func feed(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind, 4)
        let listed = try ledger.feed(since: 0, limit: 100)
        #expect(listed.map(\.action) == ["list", "list", "list", "list"])
        let cursor = try #require(listed.last?.id)
        #expect(try ledger.feed(since: cursor, limit: 100).isEmpty)
        _ = try ledger.apply(Self.order(.takeDown, MeasureSelector(app: "com.example.app1")), dryRun: false)
        _ = try ledger.apply(Self.order(.suspend, MeasureSelector(app: "com.example.app2")), dryRun: false)
        let next = try ledger.feed(since: cursor, limit: 100)
        #expect(next.map(\.action) == ["take_down", "suspend"])
        #expect(next.map(\.order) == ["CAC-2026-77", "CAC-2026-77"])
        #expect(next.map(\.id) == next.map(\.id).sorted())
        let firstOnly = try ledger.feed(since: cursor, limit: 1)
        #expect(firstOnly.map(\.app) == ["com.example.app1"])
        #expect(try ledger.feed(since: firstOnly[0].id, limit: 10).map(\.app) == ["com.example.app2"])
    }

    @Test(
        "a version taken down stays down: neither a review nor a reviewer lists the app again until reinstated",
        arguments: StoreKind.available)
    func staysDown(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind, 1)
        _ = try ledger.apply(Self.order(.takeDown, MeasureSelector(app: "com.example.app0")), dryRun: false)
        var scenario = ReviewScenario()
        scenario.inspection.bundle.sha256 = Self.sha(0)
        scenario.inspection.manifest?.appId = "com.example.app0"
        scenario.declaration.app.id = "com.example.app0"
        let same = try ledger.recordReview(
            ReviewSubmission(
                result: try scenario.result(declarationFileSHA256: "new"), bundlePath: "a", batchID: nil, actor: "t",
                extractor: "x"))
        #expect(same.state == .takenDown)
        scenario.inspection.bundle.sha256 = Self.sha(99)
        let newer = try ledger.recordReview(
            ReviewSubmission(result: try scenario.result(), bundlePath: "b", batchID: nil, actor: "t", extractor: "x"))
        #expect(newer.verdict == .approve && newer.state == .manualReview)
        #expect(newer.note?.contains("taken_down") == true)
        let held = #expect(throws: UseCaseError.self) {
            try ledger.decide(versionID: newer.versionID, outcome: .approve, reviewer: "r", reason: "looks fine")
        }
        #expect(held?.kind == .conflict, "a sibling held down is a conflict with the shelf's state (409)")
        _ = try ledger.apply(
            MeasureOrder(
                measure: .reinstate,
                selector: MeasureSelector(app: "com.example.app0", version: String(Self.sha(0).prefix(16))),
                reason: "cleared", order: "", actor: "王五"),
            dryRun: false)
        let decided = try ledger.decide(
            versionID: newer.versionID, outcome: .approve, reviewer: "r", reason: "looks fine")
        #expect(decided.to == .approved)
    }

    @Test(
        "complaints: anyone can complain; resolving needs a resolution and happens once", arguments: StoreKind.available
    )
    func complaints(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind, 1)
        func intake(_ text: String, contact: String = "", app: String = "com.example.app0") -> ComplaintIntake {
            ComplaintIntake(
                app: app, text: text, contact: contact, category: "general", receivedOn: "2026-11-24",
                dueOn: "2026-12-09")
        }
        let first = try ledger.addComplaint(intake("换脸视频没有标识"), actor: "public")
        _ = try ledger.addComplaint(intake("冒充我的声音", contact: "138****0000"), actor: "public")
        #expect(try ledger.openComplaints().map(\.id) == [first.id, first.id + 1])
        #expect(try ledger.openComplaints().first?.dueOn == "2026-12-09")
        let resolved = try ledger.resolveComplaint(id: first.id, resolution: "labels added in 1.2.1", actor: "客服 赵六")
        #expect(resolved.status == "resolved" && resolved.resolvedBy == "客服 赵六")
        #expect(throws: LedgerError.self) { try ledger.resolveComplaint(id: first.id, resolution: "x", actor: "y") }
        #expect(throws: LedgerError.self) { try ledger.resolveComplaint(id: 99, resolution: "x", actor: "y") }
        #expect(try ledger.openComplaints().count == 1)
        #expect(try ledger.complaints(app: nil, openOnly: true, limit: 10).map(\.text) == ["冒充我的声音"])
        #expect(
            try ledger.auditEntries(after: 1, limit: 10).map(\.action) == [
                "complaint_received", "complaint_received", "complaint_resolved",
            ])
        // A complaint about an app the store does not have is kept all the same.
        let stranger = try ledger.addComplaint(intake("不存在的应用", app: "com.nobody"), actor: "public")
        #expect(try ledger.complaints(app: "com.nobody", openOnly: true, limit: 10) == [stranger])
        #expect(try ledger.appKnown("com.nobody") == false && ledger.appKnown("com.example.app0"))
        #expect(try ledger.appsOnShelf(among: ["com.nobody", "com.example.app0"]) == ["com.example.app0"])
    }

    @Test(
        "reviewers' tasks: opened once per app with the complaints in the audit entry, then closed",
        arguments: StoreKind.available)
    func complaintTasks(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind, 1)
        let opening = ComplaintRules.TaskOpening(
            app: "com.example.app0", complaints: [4, 5, 9], complainants: 3, reason: "3 distinct complainants")
        let opened = try ledger.recordComplaintTasks(
            open: [opening, opening], close: [], runID: 2, asOf: "2026-11-24", actor: "daily")
        #expect(opened.count == 1, "one open task per app")
        #expect(try ledger.complaintTasks(openOnly: true) == opened)
        let entry = try #require(try ledger.auditEntries(after: 0, limit: 100).last)
        #expect(entry.action == "complaint_task_opened" && entry.subject == "com.example.app0")
        #expect(entry.details.contains(#""complaints":["4","5","9"]"#))
        let task = try #require(opened.first)
        #expect(task.complaints == [4, 5, 9] && task.openedOn == "2026-11-24")
        _ = try ledger.recordComplaintTasks(open: [], close: [task], runID: 3, asOf: "2026-11-30", actor: "daily")
        #expect(try ledger.complaintTasks(openOnly: true).isEmpty)
        #expect(try ledger.complaintTasks(openOnly: false).first?.closedOn == "2026-11-30")
        #expect(try ledger.verifyAudit().problems.isEmpty)
    }

    @Test(
        "daily writes a group of versions at once: each measured against its state now, one audit entry each",
        arguments: StoreKind.available)
    func dailyGroup(_ kind: StoreKind) throws {
        let ledger = try Self.shelf(kind, 4)
        let shelved = try ledger.shelvedVersions(after: 0, limit: 100)
        try #require(shelved.map(\.appID) == (0..<4).map { "com.example.app\($0)" })
        // A takedown lands between daily's read and its write.
        _ = try ledger.apply(Self.order(.takeDown, MeasureSelector(app: "com.example.app2")), dryRun: false)
        // A judgement with findings: the supplier's filing is not in the registry.
        var scenario = ReviewScenario()
        scenario.feature.suppliers = [
            .init(name: ReviewScenario.supplier, algorithmFiling: ReviewScenario.filing("11010890000020124007"))
        ]
        let result = try scenario.result()
        try #require(result.findings.count >= 1)
        func change(_ i: Int) -> DailyVersionChange {
            DailyVersionChange(
                runID: 7, version: shelved[i], actor: "daily", asOf: "2026-11-24", findingsDigest: "d\(i)")
        }
        func alert(_ fingerprint: String) -> Alert {
            Alert(fingerprint: fingerprint, rule: "filing_cancelled", severity: .refuse, message: "cancelled")
        }
        var suspend = change(0)
        suspend.move = (.suspended, .suspend, "suspend: filing_cancelled")
        suspend.newAlerts = [alert("f0"), alert("f0b")]
        suspend.result = result
        let nothing = change(1)
        var raced = change(2)
        raced.move = (.suspended, .suspend, "suspend: filing_cancelled")
        var reread = change(3)
        reread.newAlerts = [alert("f3")]
        reread.inventory = ("extractor-2", shelved[3].facts, "[]")
        var again = change(0)  // the same version later in the group: written after the first
        again.resolvedAlerts = ["f0b"]
        let before = try ledger.auditHead()?.seq ?? 0

        let moved = try ledger.recordDaily([suspend, nothing, raced, reread, again])
        #expect(moved.map { $0?.to } == [.suspended, nil, nil, nil, nil])
        let entries = try ledger.auditEntries(after: before, limit: 10)
        #expect(entries.map(\.action) == ["daily_suspend", "daily_review", "daily_review", "daily_review"])
        #expect(moved[0]?.auditSeq == entries.first?.seq)
        #expect(entries[1].details.contains(#""to":"taken_down""#), "the raced version is judged where it is now")
        #expect(try Self.states(ledger)["com.example.app0"] == .suspended)
        #expect(try Self.states(ledger)["com.example.app2"] == .takenDown)
        let now = try ledger.shelvedVersions(after: 0, limit: 100)
        #expect(now.first { $0.appID == "com.example.app0" }?.openAlerts == ["f0"])
        #expect(now.first { $0.appID == "com.example.app3" }?.openAlerts == ["f3"])
        #expect(now.first { $0.appID == "com.example.app3" }?.extractor == "extractor-2")
        let history = try #require(try ledger.history(app: "com.example.app0"))
        let daily = try #require(history.versions.first?.reviews.last)
        #expect(daily.kind == "daily" && daily.findings == result.findings)
        #expect(try ledger.feed(since: 0, limit: 100).last?.app == "com.example.app0")
        #expect(try ledger.verifyAudit().problems.isEmpty)
        #expect(try ledger.recordDaily([nothing]) == [nil], "an empty change writes nothing")
        #expect(try ledger.auditHead()?.seq == entries.last?.seq)
    }
}

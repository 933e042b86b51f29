import Foundation
import Testing

@testable import ShelfGuardKit

/// Async code reaches the blocking stores through `perform`, off the cooperative threads.
@Suite("Ledger stores from async code")
struct AsyncStoreTests {
    @Test(
        "many concurrent tasks read and write through perform; errors arrive as thrown", arguments: StoreKind.available)
    func perform(_ kind: StoreKind) async throws {
        let store = try TestStores.make(kind, "async")
        // More tasks than cooperative threads, each blocking in the store: none starves the others.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let intake = ComplaintIntake(
                        app: "com.example.app\(i % 4)", text: "无标识 \(i)", contact: "", category: "general",
                        receivedOn: "2026-11-24", dueOn: "2026-12-09")
                    _ = try await store.perform { try $0.addComplaint(intake, actor: "public") }
                    _ = try await store.perform { try $0.feed(since: 0, limit: 10) }
                }
            }
            try await group.waitForAll()
        }
        let open = try await store.perform { try $0.openComplaints() }
        #expect(open.count == 16)
        let verification = try await store.perform { try $0.verifyAudit() }
        #expect(verification.intact && verification.entries == 16)
        await #expect(throws: LedgerError.self) {
            try await store.perform { try $0.resolveComplaint(id: 999, resolution: "x", actor: "y") }
        }
    }
}

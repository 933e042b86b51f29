import Foundation
import Testing

@testable import ShelfGuardKit

@Suite("The process's environment, read one variable at a time")
struct ProcessEnvironmentTests {
    @Test("each variable as ProcessInfo gives it; one that is not set is absent")
    func sameAsProcessInfo() {
        let all = ProcessInfo.processInfo.environment
        let unset = "SHELFGUARD_TEST_NEVER_SET_\(UUID().uuidString.prefix(8))"
        for name in ["PATH", "HOME", unset] {
            #expect(ProcessEnvironment.value(name) == all[name])
        }
        let names = ["PATH", unset] + SignatureSnapshotCache.variables
        #expect(ProcessEnvironment.values(names) == all.filter { names.contains($0.key) })
        #expect(ProcessEnvironment.values(unset).isEmpty)
    }
}

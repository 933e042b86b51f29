import Foundation
import Testing

/// Golden files in `Tests/ShelfGuardKitTests/Reporting/Golden/`: what a renderer must print, byte
/// for byte. To accept a deliberate change, run the tests with SHELFGUARD_UPDATE_GOLDEN=1 and
/// review the diff.
enum Golden {
    static let directory = TestFiles.packageRoot.appendingPathComponent("Tests/ShelfGuardKitTests/Reporting/Golden")

    static func check(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SHELFGUARD_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(
            actual == expected, "differs from Golden/\(name); set SHELFGUARD_UPDATE_GOLDEN=1 to accept",
            sourceLocation: sourceLocation)
    }
}

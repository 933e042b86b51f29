import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// `samples/` holds what the factory writes, byte for byte, so that the demo and the tests
/// speak of the same bundles. After changing a recipe: `swift run shelfguard-factory samples`.
@Suite("The sample bundles")
struct SampleBundleTests {
    @Test("samples/ is up to date with the factory", arguments: try SampleBundles.all().map(\.0))
    func upToDate(name: String) throws {
        let expected = try #require(try SampleBundles.all().first { $0.0 == name }?.1)
        let url = TestFiles.packageRoot.appendingPathComponent("samples/\(name)")
        let actual = try [UInt8](Data(contentsOf: url))
        #expect(actual == expected, "samples/\(name) differs: run `swift run shelfguard-factory samples`")
    }

    @Test("every sample is read; only the suspicious one has hazards")
    func readable() throws {
        for (name, bytes) in try SampleBundles.all() {
            let report = try TestFiles.read(bytes, name: name)
            #expect(report.bundle.complete, "\(name)")
            #expect(report.hazards.isEmpty == (name != "suspicious.apk"), "\(name): \(report.hazards)")
        }
    }
}

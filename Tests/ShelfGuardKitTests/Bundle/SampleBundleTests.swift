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
        #expect(
            SHA256Hex.of(actual) == SHA256Hex.of(expected),
            "samples/\(name) differs from what the factory writes: run `swift run shelfguard-factory samples`")
    }

    @Test("every sample is read completely; only the suspicious one has hazards")
    func readable() throws {
        for (name, bytes) in try SampleBundles.all() {
            let path = try TestFiles.write(bytes, name: name)
            let inspection = try Inspector().inspect(path: path)
            #expect(inspection.bundle.complete, "\(name)")
            #expect(inspection.manifest != nil, "\(name)")
            #expect(inspection.hazards.isEmpty == (name != "suspicious.apk"), "\(name): \(inspection.hazards)")
        }
    }
}

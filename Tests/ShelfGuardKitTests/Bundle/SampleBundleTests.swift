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

    @Test("every sample is read completely but the broken one; only it and the suspicious one have hazards")
    func readable() throws {
        for (name, bytes) in try SampleBundles.all() {
            let path = try TestFiles.write(bytes, name: name)
            let inspection = try Inspector().inspect(path: path)
            let broken = name == "broken.apk"
            #expect(inspection.bundle.complete == !broken, "\(name)")
            #expect((inspection.manifest != nil) == !broken, "\(name)")
            #expect(
                inspection.hazards.isEmpty == (name != "suspicious.apk" && !broken), "\(name): \(inspection.hazards)")
        }
    }

    @Test("the broken sample is damaged twice: a scrambled DEX and an unreadable manifest")
    func broken() throws {
        let path = try TestFiles.write(SampleBundles.brokenAPK(), name: "broken.apk")
        let kinds = Set(try Inspector().inspect(path: path).hazards.map(\.kind))
        #expect(kinds.contains(.manifestUnreadable))
        #expect(!kinds.isDisjoint(with: [.corrupt, .crcMismatch]))
    }

    @Test("the to-do mini-program carries its declaration inside")
    func embeddedDeclaration() throws {
        let path = try TestFiles.write(SampleBundles.todoWxapkg(), name: "todo.wxapkg")
        let inspection = try Inspector().inspect(path: path)
        #expect(inspection.embeddedDeclarations.map(\.path) == ["/deep-synthesis.yaml"])
        #expect(inspection.embeddedDeclarations.first?.complete == true)
    }
}

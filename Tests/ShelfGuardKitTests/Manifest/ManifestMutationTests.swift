import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// At least 10,000 mutated inputs per manifest parser: bytes flipped, cut, inserted, repeated.
/// Each must give a result or an error, never a crash or a hang; valid-looking results are
/// checked for sanity. (The shared corpus's adversarial manifests join the bases when present.)
@Suite("Mutated manifests never crash a parser")
struct ManifestMutationTests {
    static let rounds = 10_000

    /// Mutates `base` `rounds` times, deterministically, calling `body` on each variant.
    static func mutate(_ bases: [[UInt8]], seed: UInt64, _ body: ([UInt8]) -> Void) {
        var g = ContentGenerator(seed: seed)
        for round in 0..<rounds {
            var bytes = bases[round % bases.count]
            guard !bytes.isEmpty else { continue }
            switch round % 5 {
            case 0, 1:
                for _ in 0..<(1 + g.next(below: 6)) {
                    bytes[g.next(below: bytes.count)] ^= UInt8(1 + g.next(below: 255))
                }
            case 2:
                bytes = Array(bytes.prefix(g.next(below: bytes.count)))
            case 3:
                bytes.insert(contentsOf: g.randomBytes(1 + g.next(below: 32)), at: g.next(below: bytes.count))
            default:
                // Overwrite a 32-bit field with an extreme value: sizes, counts and offsets.
                let at = g.next(below: max(1, bytes.count - 4))
                let value: [UInt8] = [
                    [0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x7F], [0, 0, 0, 0], [0, 0, 0, 0x80],
                ][g.next(below: 4)]
                for i in 0..<min(4, bytes.count - at) { bytes[at + i] = value[i] }
            }
            body(bytes)
        }
    }

    static var corpusManifests: [[UInt8]] {
        Corpus.manifests.compactMap { try? [UInt8](Data(contentsOf: URL(fileURLWithPath: $0.path))) }
    }

    @Test("binary XML")
    func binaryXML() {
        let bases =
            [
                BinaryXMLWriter.write(BinaryXMLTests.manifest),
                BinaryXMLWriter.write(BinaryXMLTests.manifest, options: .init(utf8: true)),
            ] + Self.corpusManifests
        var parsed = 0
        Self.mutate(bases, seed: 1) { bytes in
            if let document = try? BinaryXML.parse(bytes, limits: .standard) {
                parsed += 1
                _ = AndroidManifestReader.facts(from: document, resources: nil)
            }
        }
        #expect(parsed > 0)
    }

    @Test("resource tables")
    func resourceTable() {
        let base = ResourceTableWriter.write(strings: ["FaceFun", "v1.6pre2", "一二三"])
        Self.mutate([base], seed: 2) { bytes in
            if let table = try? ResourceTable(bytes, limits: .standard) {
                for id: UInt32 in [0x7F05_0000, 0x7F05_0001, 0x7F05_0002, 0x7F05_FFFF] { _ = table.resolve(id) }
            }
        }
    }

    @Test("protobuf XML")
    func protoXML() {
        let base = ProtoXMLWriter.write(BinaryXMLTests.manifest)
        Self.mutate([base], seed: 3) { bytes in
            if let document = try? ProtoXML.parse(bytes, limits: .standard) {
                _ = AndroidManifestReader.facts(from: document, resources: nil)
            }
        }
    }

    @Test("property lists, binary and XML")
    func propertyLists() {
        let plist: [String: Any] = [
            "CFBundleIdentifier": "com.example.x", "CFBundleVersion": "1", "List": ["a", 1, true],
            "Nested": ["k": ["v": "w"]], "NSCameraUsageDescription": "camera",
        ]
        Self.mutate([PropertyListWriter.binary(plist), PropertyListWriter.xml(plist)], seed: 4) { bytes in
            _ = try? StructuredNode.propertyList(bytes, limits: .standard)
        }
    }

    @Test("JSON (HarmonyOS, mini-programs, quick apps, XAPK)")
    func json() {
        let bases = [
            Array(
                #"{"app": {"bundleName": "a", "versionCode": 1}, "module": {"requestPermissions": [{"name": "x"}]}}"#
                    .utf8),
            Array(
                #"{"pages": ["a/b"], "plugins": {"p": {"provider": "wx1", "version": "1"}}, "subPackages": [{"root": "r", "pages": ["p"]}]}"#
                    .utf8),
        ]
        Self.mutate(bases, seed: 5) { bytes in
            _ = try? StructuredNode.json(bytes, limits: .standard)
        }
    }

    @Test("whole manifests through the inspection: 2,000 mutated sample bundles")
    func inspections() throws {
        let directory = try TestFiles.directory("manifest-mutations")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, base) in try SampleBundles.all() where name != "suspicious.apk" {
            let path = directory.appendingPathComponent(name).path
            var g = ContentGenerator(seed: UInt64(name.count))
            for _ in 0..<(2_000 / 13) {
                var bytes = base
                for _ in 0..<(1 + g.next(below: 4)) {
                    bytes[g.next(below: bytes.count)] ^= UInt8(1 + g.next(below: 255))
                }
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                _ = try Inspector().inspect(path: path)
            }
        }
    }
}

import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Damaged variants of every container the reader opens: bytes flipped, cut, inserted and
/// repeated at deterministic random places. The reader must answer each with a report.
@Suite("Mutated bundles never crash the reader")
struct MutationTests {
    static let bases: [(String, [UInt8])] = {
        var g = ContentGenerator(seed: 77)
        return [
            ("apk", HostileBundles.plainAPK()),
            ("xapk", SampleBundles.faceFunXAPK()),
            ("wxapkg", SampleBundles.voiceChatWxapkg()),
            ("tpkg", PackageBuilder.tpkg([("app.json", Array("{}".utf8)), ("a.js", g.text(2_000))])),
            ("tar.gz", TarBuilder.archive([("game/main.js", g.text(4_000)), ("game/a.png", g.png(size: 500))])),
            (
                "tar.xz",
                TarBuilder.archive([("a.txt", g.text(3_000)), ("b.zip", HostileBundles.plainAPK())], compression: .xz)
            ),
            (
                "wxapkg-pc",
                (try? PackageBuilder.encryptedWxapkg([("/a.js", g.text(3_000))], appID: "wx1234567890abcdef")) ?? []
            ),
        ]
    }()

    @Test("400 mutations of each container", arguments: bases.map(\.0))
    func mutate(kind: String) throws {
        let base = try #require(Self.bases.first { $0.0 == kind }?.1)
        let directory = try TestFiles.directory("mutations")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.\(kind)").path
        var g = ContentGenerator(seed: UInt64(kind.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        let reader = BundleReader(options: ReadOptions(wechatAppID: "wx1234567890abcdef"))
        for round in 0..<400 {
            var bytes = base
            switch round % 4 {
            case 0:
                for _ in 0..<(1 + g.next(below: 8)) {
                    bytes[g.next(below: bytes.count)] ^= UInt8(1 + g.next(below: 255))
                }
            case 1:
                bytes = Array(bytes.prefix(g.next(below: bytes.count)))
            case 2:
                bytes.insert(contentsOf: g.randomBytes(1 + g.next(below: 64)), at: g.next(below: bytes.count))
            default:
                let start = g.next(below: bytes.count)
                let length = min(bytes.count - start, 1 + g.next(below: 512))
                bytes.insert(contentsOf: bytes[start..<(start + length)], at: g.next(below: bytes.count))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let report = try reader.read(path: path)
            #expect(report.bundle.entriesRead >= report.bundle.entryCount)
            #expect(report.bundle.complete || !report.hazards.isEmpty, "round \(round): incomplete without a hazard")
        }
    }
}

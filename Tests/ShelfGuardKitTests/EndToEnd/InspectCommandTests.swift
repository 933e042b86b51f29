import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// `shelfguard inspect`, run as a separate process: output, exit codes, flags.
@Suite("shelfguard inspect, end to end")
struct InspectCommandTests {
    @Test("a sample XAPK: JSON with the contract's bundle object, nested entries, exit 0")
    func sampleJSON() throws {
        let path = try TestFiles.write(SampleBundles.faceFunXAPK(), name: "facefun.xapk")
        let result = try ShelfGuardBinary.run(["inspect", "--format", "json", "--entries", path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let bundle = try #require(json["bundle"] as? [String: Any])
        #expect(bundle["format"] as? String == "xapk")
        #expect(bundle["entryCount"] as? Int == 4)
        #expect((bundle["sha256"] as? String)?.count == 64)
        #expect(bundle["path"] as? String == path)
        #expect((json["hazards"] as? [Any])?.isEmpty == true)
        let entries = try #require(json["entries"] as? [[String: Any]])
        let dex = entries.first { $0["path"] as? String == "com.example.facefun.apk!classes.dex" }
        #expect(dex?["kind"] as? String == "dex")
        #expect(dex?["depth"] as? Int == 1)
    }

    @Test("a truncated zip: a truncated hazard and exit 2")
    func truncated() throws {
        let good = HostileBundles.plainAPK()
        let path = try TestFiles.write(Array(good.prefix(good.count - 40)), name: "cut.apk")
        let result = try ShelfGuardBinary.run(["inspect", "--format", "json", path])
        #expect(result.status == 2)
        let hazards = try #require(try result.json()["hazards"] as? [[String: Any]])
        #expect(hazards.map { $0["kind"] as? String } == ["truncated"])
    }

    @Test("a missing file: exit 1, and still a JSON object with an error")
    func missing() throws {
        let result = try ShelfGuardBinary.run(["inspect", "--format", "json", "/nonexistent/app.apk"])
        #expect(result.status == 1)
        let json = try result.json()
        #expect((json["error"] as? String)?.contains("No such file") == true)
    }

    @Test("bad arguments: exit 1 (never a verdict's code), JSON error with --format json")
    func badArguments() throws {
        let zero = try ShelfGuardBinary.run(["inspect", "--format", "json", "--max-entries", "0", "x.apk"])
        #expect(zero.status == 1)
        #expect((try zero.json()["error"] as? String)?.contains("--max-entries") == true)
        let size = try ShelfGuardBinary.run(["inspect", "--max-entry-size", "12Q", "x.apk"])
        #expect(size.status == 1)
        #expect(size.stderr.contains("not a size"))
        #expect(try ShelfGuardBinary.run(["inspect"]).status == 1)
    }

    @Test("hostile names in text output: hazards listed, every control character escaped, exit 3")
    func hostileText() throws {
        let path = try TestFiles.write(HostileBundles.hostileNames(), name: "names.apk")
        let result = try ShelfGuardBinary.run(["inspect", "--entries", path])
        #expect(result.status == 3)
        #expect(result.stdout.contains("path_traversal"))
        #expect(result.stdout.contains("duplicate_entry"))
        #expect(result.stdout.contains("res/line\\nbreak.xml"))
        #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x0D || $0.value == 0 })
    }

    @Test("several bundles: a JSON array, and the worst exit status")
    func several() throws {
        let good = try TestFiles.write(HostileBundles.plainAPK(), name: "good.apk")
        let janus = try TestFiles.write(HostileBundles.janus(), name: "janus.apk")
        let result = try ShelfGuardBinary.run(["inspect", "--format", "json", good, janus])
        #expect(result.status == 3)
        let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(array?.count == 2)
    }

    @Test("the appid flag decrypts PC-client wxapkg files")
    func appID() throws {
        var g = ContentGenerator(seed: 8)
        let bytes = try PackageBuilder.encryptedWxapkg(
            [("/app-config.json", Array("{\"pages\": [\"index\"]}".utf8)), ("/app.js", g.text(4_000))],
            appID: "wx00aa11bb22cc33dd")
        let path = try TestFiles.write(bytes, name: "pc.wxapkg")
        #expect(try ShelfGuardBinary.run(["inspect", path]).status == 2)
        #expect(try ShelfGuardBinary.run(["inspect", "--appid", "wx00aa11bb22cc33dd", path]).status == 0)
    }

    /// Each limit flag, the bundle that crosses it, the hazard expected with the flag and the
    /// hazard without it ("none": no hazard at all).
    static let limitFlags: [(String, [String], String, String)] = [
        ("--max-entries", ["--max-entries", "3"], "too_many_entries", "none"),
        ("--max-entry-size", ["--max-entry-size", "1KiB"], "entry_too_large", "none"),
        ("--max-total-size", ["--max-total-size", "2KiB"], "total_size_limit", "none"),
        ("--max-ratio", ["--max-ratio", "2", "--ratio-floor", "1KiB"], "zip_bomb", "none"),
        ("--ratio-floor", ["--ratio-floor", "8MiB"], "none", "zip_bomb"),
        ("--max-depth", ["--max-depth", "1"], "depth_limit", "none"),
        ("--max-name-length", ["--max-name-length", "12"], "name_too_long", "none"),
        ("--timeout", ["--timeout", "0.000001"], "timeout", "none"),
        ("--max-nested-buffer", ["--max-nested-buffer", "100", "--max-spool", "100"], "nested_too_large", "none"),
        ("--max-spool", ["--max-nested-buffer", "100", "--max-spool", "1KiB"], "nested_too_large", "none"),
        ("--max-hazards-per-kind", ["--max-hazards-per-kind", "1"], "hazards_truncated", "path_traversal"),
        ("--max-dex-strings", ["--max-dex-strings", "10"], "dex_unwalkable", "none"),
        ("--max-manifest-size", ["--max-manifest-size", "100"], "manifest_unreadable", "none"),
        ("--max-manifest-nodes", ["--max-manifest-nodes", "10"], "manifest_unreadable", "none"),
        ("--max-manifest-depth", ["--max-manifest-depth", "2"], "manifest_unreadable", "none"),
    ]

    static func bundle(for flag: String) -> [UInt8] {
        var g = ContentGenerator(seed: 21)
        switch flag {
        case "--max-entries": return HostileBundles.manyEntries(10)
        case "--max-ratio": return ZipBuilder.archive([("assets/story.txt", g.text(200_000))])
        case "--ratio-floor": return HostileBundles.zipBomb(size: 4 << 20)
        case "--max-depth": return HostileBundles.nested(depth: 3)
        case "--max-nested-buffer", "--max-spool":
            return ZipBuilder.archive([
                ("sub.wxapkg", SampleBundles.voiceChatWxapkg() + [UInt8](repeating: 0, count: 4_000))
            ])
        case "--max-manifest-size", "--max-manifest-nodes", "--max-manifest-depth":
            return SampleBundles.faceFunAPK()
        case "--max-hazards-per-kind":
            return ZipBuilder.archive([("../a", [1]), ("../b", [2]), ("../c", [3])])
        case "--max-dex-strings":
            let strings = (0..<20).map { "Lcom/example/app/C\($0);" }
            return ZipBuilder.archive([("classes.dex", HostileDEX(strings: strings).build())])
        default:
            return ZipBuilder.archive([
                ("assets/a-long-name.bin", g.randomBytes(64_000)), ("assets/b.bin", g.randomBytes(64_000)),
            ])
        }
    }

    /// Hazard kinds found, leaving out `manifest_missing`: these bundles are plain zips on purpose.
    static func kinds(_ result: ShelfGuardBinary.Result) throws -> Set<String> {
        let hazards = try #require(try result.json()["hazards"] as? [[String: Any]])
        return Set(hazards.compactMap { $0["kind"] as? String }).subtracting(["manifest_missing"])
    }

    @Test("every limit flag reaches the reader", arguments: limitFlags)
    func limitFlag(flag: String, arguments: [String], with: String, without: String) throws {
        let path = try TestFiles.write(Self.bundle(for: flag), name: "limits.zip")
        let flagged = try ShelfGuardBinary.run(["inspect", "--format", "json"] + arguments + [path])
        let plain = try ShelfGuardBinary.run(["inspect", "--format", "json", path])
        for (result, expected) in [(flagged, with), (plain, without)] {
            let found = try Self.kinds(result)
            if expected == "none" {
                #expect(found.isEmpty, "\(flag): \(found)")
                #expect(result.status == 0 || result.status == 3)  // 3: manifest_missing on a plain zip
            } else {
                #expect(found.contains(expected), "\(flag): \(found)")
                #expect(result.status == 2 || result.status == 3)
            }
        }
    }
}

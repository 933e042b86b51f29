import BundleFactory
import Testing

@testable import ShelfGuardKit

/// The manifest limits: defaults, and what crossing each does (flags: `InspectCommandTests`).
@Suite("Manifest limits")
struct ManifestLimitTests {
    @Test("defaults are as documented")
    func defaults() {
        #expect(ManifestLimits.standard.maxFileBytes == 32 << 20)
        #expect(ManifestLimits.standard.maxNodes == 500_000)
        #expect(ManifestLimits.standard.maxDepth == 64)
    }

    static func inspect(_ bytes: [UInt8], name: String, limits: ManifestLimits) throws -> Inspection {
        let path = try TestFiles.write(bytes, name: name)
        return try Inspector(options: InspectOptions(manifestLimits: limits)).inspect(path: path)
    }

    @Test("file size: a manifest over the limit is not parsed")
    func size() throws {
        var limits = ManifestLimits()
        limits.maxFileBytes = 1_000
        let inspection = try Self.inspect(SampleBundles.faceFunAPK(), name: "facefun.apk", limits: limits)
        let hazard = try #require(inspection.hazards.first { $0.kind == .manifestUnreadable })
        #expect(hazard.detail.contains("--max-manifest-size"))
        #expect(inspection.manifest == nil)
    }

    @Test("nodes, in binary XML and in JSON")
    func nodes() throws {
        var limits = ManifestLimits()
        limits.maxNodes = 10
        let apk = try Self.inspect(SampleBundles.faceFunAPK(), name: "facefun.apk", limits: limits)
        #expect(apk.hazards.first?.detail.contains("--max-manifest-nodes") == true)
        let hap = try Self.inspect(SampleBundles.portraitHAP(), name: "portrait.hap", limits: limits)
        #expect(hap.hazards.first?.detail.contains("--max-manifest-nodes") == true)
    }

    @Test("depth, in JSON and in property lists")
    func depth() throws {
        var limits = ManifestLimits()
        limits.maxDepth = 3
        let hap = try Self.inspect(SampleBundles.portraitHAP(), name: "portrait.hap", limits: limits)
        #expect(hap.hazards.first?.detail.contains("--max-manifest-depth") == true)
        var nested: Any = "bottom"
        for _ in 0..<10 { nested = ["k": nested] }
        let zip = ZipBuilder()
        zip.addFile("Payload/X.app/Info.plist", PropertyListWriter.binary(["CFBundleIdentifier": "x", "deep": nested]))
        zip.finish()
        let ipa = try Self.inspect(zip.bytes, name: "x.ipa", limits: limits)
        #expect(ipa.hazards.first?.detail.contains("--max-manifest-depth") == true)
    }
}

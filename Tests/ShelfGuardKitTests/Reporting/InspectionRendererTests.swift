import Foundation
import Testing

@testable import ShelfGuardKit

/// The text and JSON of `inspect`, pinned by golden files in `Golden/`. To accept a deliberate
/// change, run the tests with SHELFGUARD_UPDATE_GOLDEN=1 and review the diff.
@Suite("inspect output, golden files")
struct InspectionRendererTests {
    static let manifest: AppManifest = {
        var m = AppManifest(platform: .android)
        m.appId = "com.example.cleaner"
        m.versionCode = "1"
        m.versionName = "1.0"
        m.displayName = "Cleaner"
        m.minPlatformVersion = "21"
        m.targetPlatformVersion = "34"
        m.addPermissions(["android.permission.INTERNET", "android.permission.RECORD_AUDIO"])
        m.deriveCapabilities()
        m.sources = ["suspicious.apk!AndroidManifest.xml"]
        return m
    }()

    static let report = Inspection(
        bundle: BundleSummary(
            path: "samples/suspicious.apk", sha256: String(repeating: "ab", count: 32), format: .apk, size: 26_452,
            entryCount: 3, entriesRead: 4, nestedArchives: 1, bytesRead: 34_210, peakBufferedBytes: 0,
            complete: false),
        manifest: manifest,
        detections: [
            Detection(
                signature: "qihoo_jiagu", features: [], confidence: .strong, category: .packer, vendor: "Qihoo 360",
                product: "Jiagu packer", location: "suspicious.apk!lib/arm64-v8a/libjiagu.so", evidence: "libjiagu.so",
                occurrences: 1, alsoAt: []),
            Detection(
                signature: "faceunity_nama", features: ["face_swap", "face_manipulation"], confidence: .strong,
                category: .synthesis, vendor: "Faceunity", product: "Nama SDK", location: "suspicious.apk!classes.dex",
                evidence: "Lcom/faceunity/wrapper/faceunity;", occurrences: 3,
                alsoAt: [.init(location: "suspicious.apk!lib/arm64-v8a/libCNamaSDK.so", evidence: "libCNamaSDK.so")],
                proofs: [
                    .init(
                        feature: "face_swap", confidence: .strong, location: "suspicious.apk!classes.dex",
                        evidence: "Lcom/faceunity/wrapper/faceunity;"),
                    .init(
                        feature: "face_manipulation", confidence: .strong,
                        location: "suspicious.apk!lib/arm64-v8a/libCNamaSDK.so", evidence: "libCNamaSDK.so"),
                ]),
            // A bare vendor host: no feature proven, the vendor's features possible.
            Detection(
                signature: "alibaba_dashscope", features: [], confidence: .medium, category: .synthesis,
                vendor: "Alibaba Cloud", product: "DashScope", location: "suspicious.apk!classes.dex",
                evidence: "dashscope.aliyuncs.com", occurrences: 1, alsoAt: [], proofs: [],
                possibleFeatures: ["text_generation", "image_generation"]),
        ],
        featureSummary: [
            FeatureEvidence(
                feature: "face_manipulation", confidence: .strong, synthesis: true, signature: "faceunity_nama",
                location: "suspicious.apk!classes.dex", evidence: "Lcom/faceunity/wrapper/faceunity;"),
            FeatureEvidence(
                feature: "face_swap", confidence: .strong, synthesis: true, signature: "faceunity_nama",
                location: "suspicious.apk!classes.dex", evidence: "Lcom/faceunity/wrapper/faceunity;"),
        ],
        hazards: [
            Hazard(
                kind: .pathTraversal, location: "suspicious.apk!../evil.so",
                detail: "name \"../evil.so\" climbs out of the bundle with \"..\""),
            Hazard(
                kind: .encryptedEntry, location: "suspicious.apk!inner.zip!secret.dex",
                detail: "the entry is encrypted; its content was not read"),
        ],
        entries: [
            BundleEntry(chain: ["classes.dex"], size: 10_000, compressedSize: 4_100, kind: .dex),
            BundleEntry(chain: ["../evil.so"], size: 5_000, compressedSize: 2_000, kind: .elf),
            BundleEntry(chain: ["inner.zip"], size: 19_210, compressedSize: 19_210, kind: .zip),
            BundleEntry(chain: ["inner.zip", "secret.dex"], size: 0, kind: .binary),
        ])

    @Test("text")
    func text() throws {
        try Golden.check(
            "inspect.txt", InspectionRenderer.text([InspectionOutput(inspection: Self.report, includeEntries: true)]))
    }

    @Test("json")
    func json() throws {
        try Golden.check(
            "inspect.json",
            try InspectionRenderer.json([InspectionOutput(inspection: Self.report, includeEntries: true)]) + "\n")
    }

    @Test("json error object")
    func jsonError() throws {
        try Golden.check(
            "inspect-error.json",
            try InspectionRenderer.json([
                InspectionOutput(path: "gone.apk", error: "cannot open gone.apk: No such file or directory")
            ]) + "\n")
    }

    @Test("exit status from the output")
    func status() {
        #expect(InspectionOutput(inspection: Self.report, includeEntries: false).status == .refused)
        var clean = Self.report
        clean.bundle.complete = true
        #expect(InspectionOutput(inspection: clean, includeEntries: false).status == .refused)  // encrypted entry
        clean.hazards.removeLast()
        #expect(InspectionOutput(inspection: clean, includeEntries: false).status == .warn)
        clean.hazards = []
        #expect(InspectionOutput(inspection: clean, includeEntries: false).status == .pass)
        #expect(InspectionOutput(path: "x", error: "gone").status == .toolError)
        #expect([ExitStatus.pass, .warn, .toolError, .refused].max() == .toolError)
    }
}

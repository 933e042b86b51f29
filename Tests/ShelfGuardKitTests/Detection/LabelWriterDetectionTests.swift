import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Code that writes content labels is found as a labeling fact (category `labeling`), never as an
/// AI feature; and every detection says whether its generation runs on the device or on a
/// vendor's servers, which decides whether the app itself must write labels.
@Suite("Label writers and where generation runs")
struct LabelWriterDetectionTests {
    static func inspect(dex strings: [String]) throws -> Inspection {
        try SeedDatabase.inspect(EvidenceFeatureTests.apk(strings: strings), name: "writer.apk")
    }

    @Test(
        "label-writing code is a labeling detection that proves no feature",
        arguments: [
            (["http://www.tc260.org.cn/ns/AIGC/1.0/"], "gb45438_xmp_namespace"),
            (["<TC260:AIGC>%s</TC260:AIGC>"], "gb45438_xmp_namespace"),
            (["{\"ContentProducer\":\"%s\"", "\"ProduceID\":\"%s\"}"], "gb45438_label_keys"),
            (["Lorg/contentauth/c2pa/Builder;"], "c2pa_sdk"),
        ])
    func writers(strings: [String], signature: String) throws {
        let inspection = try Self.inspect(dex: strings)
        let detection = try #require(inspection.detections.first { $0.signature == signature }, "\(strings)")
        #expect(detection.category == .labeling)
        #expect(detection.features.isEmpty && detection.possibleFeatures.isEmpty && detection.proofs.isEmpty)
        #expect(inspection.featureSummary.isEmpty, "a label writer is not an AI feature")
        #expect(inspection.hazards.isEmpty)
    }

    @Test("one label key alone is an ordinary word, not a label writer")
    func oneKeyIsNothing() throws {
        #expect(try Self.inspect(dex: ["ContentProducer"]).detections.isEmpty)
        #expect(try Self.inspect(dex: ["ProduceID"]).detections.isEmpty)
    }

    @Test("the C2PA library is found by its file name in any ABI folder")
    func c2paLibrary() throws {
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", HostileBundles.manifest("com.example.credentials"))
        zip.addFile("classes.dex", DexStringWalker.minimalDEX(strings: ["Lcom/example/credentials/Main;"]))
        zip.addFile("lib/x86_64/libc2pa_c.so", [0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 0, count: 60))
        zip.finish()
        let inspection = try SeedDatabase.inspect(zip.bytes, name: "credentials.apk")
        #expect(inspection.detections.map(\.signature) == ["c2pa_sdk"])
    }

    @Test("a hosted model runs on the vendor's servers; an SDK in the app on the device")
    func runs() throws {
        let hosted = try Self.inspect(dex: ["https://api.deepseek.com/chat/completions"])
        #expect(hosted.detections.map(\.runs) == [.service])
        let sdk = try Self.inspect(dex: ["Lcom/faceunity/wrapper/faceunity;"])
        #expect(sdk.detections.map(\.runs) == [.device])
        // A detection stored before `runs` existed reads as on the device.
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(hosted.detections[0])) as! [String: Any]
        json.removeValue(forKey: "runs")
        let old = try JSONDecoder().decode(Detection.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.runs == .device)
    }

    @Test("the loader refuses a label writer that names features, and an unknown runs")
    func loaderRules() {
        let writer = """
            signatures:
              - id: sample_writer
                vendor: Example
                product: label writer
                category: labeling
                features: [image_generation]
                confidence: strong
                platforms: [android]
                match:
                  - string: sample-label-writer
                examples:
                  positive:
                    - content: "sample-label-writer"
                      kind: dex
                  negative:
                    - content: "sample-label-reader"
                      kind: dex

            """
        let problems = SignatureLintTests.problems(writer)
        #expect(problems.contains { $0.contains("labeling signature: it proves no feature") }, "\(problems)")
        #expect(SignatureLintTests.problems(writer.replacingOccurrences(of: "[image_generation]", with: "[]")).isEmpty)
        let badRuns = SignatureLintTests.valid.replacingOccurrences(
            of: "    match:\n", with: "    runs: cloud\n    match:\n")
        #expect(SignatureLintTests.problems(badRuns).contains { $0.contains("runs of") }, "\(badRuns)")
    }
}

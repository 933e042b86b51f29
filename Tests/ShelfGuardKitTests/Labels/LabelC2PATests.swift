import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// C2PA content credentials: found in every container's place for them, the active manifest's
/// claim generator and claimed digital source type read, and never called validated.
@Suite("Label readers: C2PA presence")
struct LabelC2PATests {
    static let trained = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

    @Test(
        "every container's store: present, two manifests, the active one's generator and source type",
        arguments: ["c2pa.jpg", "c2pa.png", "c2pa.mp4", "c2pa.wav", "c2pa.mp3"])
    func stores(_ name: String) {
        let report = LabelReader.read(bytes: LabeledMedia.sample(name).bytes, name: name)
        let c2pa = report.c2pa
        #expect(c2pa.present)
        #expect(
            c2pa.carrier
                == [
                    "c2pa.jpg": "jpeg_app11", "c2pa.png": "png_cabx", "c2pa.mp4": "mp4_uuid", "c2pa.wav": "wav_chunk",
                    "c2pa.mp3": "id3_geob",
                ][name])
        #expect(c2pa.manifests == 2)
        #expect(c2pa.activeManifest == "urn:uuid:5a3c7e2a-5e5d-4d2e-9a53-2f0d8c1b7e11")
        #expect(c2pa.claimGenerator == "ExampleAI/1.0")
        #expect(c2pa.digitalSourceType == Self.trained)
        #expect(c2pa.aiGenerated == true)
        #expect(c2pa.signaturesValidated == false)
        #expect(c2pa.note?.contains("signatures are not validated") == true)
        #expect(c2pa.problems == nil)
        #expect(report.hazards.isEmpty, "\(report.hazards)")
    }

    @Test("no store: present false, nothing claimed, nothing said about signatures")
    func absent() throws {
        let report = LabelReader.read(bytes: LabeledMedia.sample("canonical.jpg").bytes)
        #expect(report.c2pa == C2PASummary())
        let json = String(decoding: try JSONEncoder().encode(report.c2pa), as: UTF8.self)
        #expect(json == #"{"present":false}"#)
    }

    @Test("claims v2: claim_generator_info's name and version; bare algorithmicMedia is not AI")
    func generatorInfo() {
        var manifest = JUMBFBuilder.Manifest(
            claimGenerator: "Firefly/2.1",
            digitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia")
        manifest.generatorInfo = true
        var png = PNGBuilder()
        png.add("caBX", JUMBFBuilder.store([manifest]))
        let c2pa = LabelReader.read(bytes: png.bytes).c2pa
        #expect(c2pa.claimGenerator == "Firefly 2.1")
        #expect(c2pa.aiGenerated == false)
        #expect(
            C2PASummary.marksAI("http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"))
    }

    @Test("the XMP's IPTC digital source type is reported with or without a store")
    func xmpSourceType() {
        var xmp = XMPBuilder(label: LabelFields.valid.json)
        xmp.digitalSourceType = Self.trained
        var jpeg = JPEGBuilder()
        jpeg.xmp(xmp.bytes)
        let c2pa = LabelReader.read(bytes: jpeg.bytes).c2pa
        #expect(!c2pa.present)
        #expect(c2pa.xmpDigitalSourceType == Self.trained)
    }

    @Test("a second store is hidden data: one per file, readers disagree on which counts")
    func secondStore() {
        var png = PNGBuilder()
        png.add("caBX", JUMBFBuilder.store([.init()]))
        png.add("caBX", JUMBFBuilder.store([.init(claimGenerator: "Forger/1.0")]))
        let report = LabelReader.read(bytes: png.bytes)
        #expect(report.c2pa.claimGenerator == "ExampleAI/1.0")
        #expect(report.hazards.map(\.kind) == [.hiddenData])
    }

    @Test("damaged stores: a lying box size, a superbox without a description, CBOR that is not")
    func damaged() {
        var store = JUMBFBuilder.store([.init()])
        store[3] = 0xFF  // the store's size now runs past its chunk
        var png = PNGBuilder()
        png.add("caBX", store)
        let lying = LabelReader.read(bytes: png.bytes)
        #expect(lying.hazards.map(\.kind) == [.truncated])
        #expect(!lying.c2pa.present)

        let bare = JUMBFBuilder.box("jumb", JUMBFBuilder.box("free", [1, 2, 3]))
        var png2 = PNGBuilder()
        png2.add("caBX", bare)
        #expect(LabelReader.read(bytes: png2.bytes).hazards.map(\.kind) == [.corrupt])

        let badClaim = JUMBFBuilder.superbox(
            type: "c2pa", label: "c2pa",
            [
                JUMBFBuilder.superbox(
                    type: "c2ma", label: "urn:uuid:x",
                    [
                        JUMBFBuilder.superbox(
                            type: "c2cl", label: "c2pa.claim", [JUMBFBuilder.box("cbor", [0x7B, 0xFF])])
                    ])
            ])
        var png3 = PNGBuilder()
        png3.add("caBX", badClaim)
        let c2pa = LabelReader.read(bytes: png3.bytes).c2pa
        #expect(c2pa.present && c2pa.claimGenerator == nil)
        #expect(c2pa.problems?.first?.contains("not readable CBOR") == true, "\(c2pa.problems ?? [])")
    }

    @Test("JPEG APP11: continuation segments drop their repeated header; out-of-order sequences are refused")
    func app11Segments() {
        let store = JUMBFBuilder.store([.init()])
        var jpeg = JPEGBuilder()
        jpeg.jumbf(store, chunk: 97)
        #expect(LabelReader.read(bytes: jpeg.bytes).c2pa.claimGenerator == "ExampleAI/1.0")

        var broken = JPEGBuilder()
        let prefix: [UInt8] = Array("JP".utf8) + [0, 1]
        broken.add(0xEB, prefix + [0, 0, 0, 2] + Array(store.prefix(100)))
        broken.add(0xEB, prefix + [0, 0, 0, 3] + Array(store.prefix(8)) + Array(store.dropFirst(100)))
        let report = LabelReader.read(bytes: broken.bytes)
        #expect(!report.c2pa.present)
        #expect(report.hazards.map(\.kind) == [.corrupt])
    }

    @Test("CBOR: definite and indefinite items, tags, floats; lengths bounded by the bytes left")
    func cbor() throws {
        let value = try CBOR.decode(
            [
                0xBF, 0x61, 0x61, 0x9F, 0x01, 0x20, 0xF9, 0x3C, 0x00, 0xFF, 0x61, 0x62, 0xC1, 0x7F, 0x61, 0x78, 0x61,
                0x79, 0xFF, 0xFF,
            ],
            maxNodes: 100, maxDepth: 8)
        #expect(value["a"]?.items == [.unsigned(1), .negative(0), .float(1)])
        #expect(value["b"]?.text == "xy")
        #expect(throws: CBOR.Failure.self) {
            try CBOR.decode([0x7B] + [UInt8](repeating: 0xFF, count: 8), maxNodes: 10, maxDepth: 4)
        }
        #expect(throws: CBOR.Failure.self) {
            try CBOR.decode([0x9B] + [UInt8](repeating: 0xFF, count: 8), maxNodes: 10, maxDepth: 4)
        }
        #expect(throws: CBOR.Failure.self) {
            try CBOR.decode([UInt8](repeating: 0x81, count: 50) + [0], maxNodes: 100, maxDepth: 8)
        }
    }
}

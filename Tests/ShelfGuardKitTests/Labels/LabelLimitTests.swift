import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Every label limit has a default, a flag (`LabelsCommandTests`) and a test here: crossing it
/// records its hazard and stops that part of the reading.
@Suite("Label limits")
struct LabelLimitTests {
    static func limits(_ change: (inout LabelLimits) -> Void) -> LabelLimits {
        var limits = LabelLimits()
        change(&limits)
        return limits
    }

    @Test("the defaults")
    func defaults() {
        let standard = LabelLimits.standard
        #expect(standard.maxReadBytes == 64 << 20)
        #expect(standard.maxPacketBytes == 16 << 20)
        #expect(standard.maxStructures == 100_000)
        #expect(standard.maxDepth == 32)
        #expect(standard.timeLimitSeconds == 10)
    }

    @Test("--max-read: reading stops before the budget is spent, with read_limit")
    func readLimit() {
        let bytes = LabeledMedia.sample("canonical.png").bytes
        #expect(LabelReader.read(bytes: bytes).labels.count == 1)
        let report = LabelReader.read(bytes: bytes, limits: Self.limits { $0.maxReadBytes = 200 })
        #expect(report.hazards.map(\.kind) == [.readLimit])
        #expect(report.hazards[0].detail.contains("--max-read"))
        #expect(report.bytesRead <= 200)
        #expect(report.labels.isEmpty)
        // The zip directory scan is bounded the same way.
        let docx = LabelReader.read(
            bytes: LabeledMedia.sample("canonical.docx").bytes, limits: Self.limits { $0.maxReadBytes = 100 })
        #expect(docx.hazards.map(\.kind) == [.readLimit])
    }

    @Test("--max-packet-size: an XMP packet, an inflated chunk, a label value over it is not read")
    func packetLimit() {
        let limits = Self.limits { $0.maxPacketBytes = 100 }
        for name in [
            "canonical.jpg", "compressed.png", "canonical.mp4", "canonical.wav", "canonical.mp3", "canonical.docx",
        ] {
            let report = LabelReader.read(bytes: LabeledMedia.sample(name).bytes, limits: limits)
            #expect(report.hazards.map(\.kind) == [.packetTooLarge], "\(name): \(report.hazards)")
            #expect(report.hazards[0].detail.contains("--max-packet-size"))
            #expect(report.labels.isEmpty)
        }
    }

    @Test("--max-boxes: the walk stops at the structure limit, with too_many_structures")
    func structureLimit() {
        var png = PNGBuilder()
        for i in 0..<100 { png.tEXt(keyword: "Comment", "\(i)") }
        png.tEXt(keyword: "AIGC", LabelFields.valid.json)
        #expect(LabelReader.read(bytes: png.bytes).labels.count == 1)
        let report = LabelReader.read(bytes: png.bytes, limits: Self.limits { $0.maxStructures = 50 })
        #expect(report.hazards.map(\.kind) == [.tooManyStructures])
        #expect(report.hazards[0].detail.contains("--max-boxes"))
        #expect(report.labels.isEmpty)
        let zip = LabelReader.read(
            bytes: LabeledMedia.sample("canonical.docx").bytes, limits: Self.limits { $0.maxStructures = 2 })
        #expect(zip.hazards.map(\.kind) == [.tooManyStructures])
    }

    @Test("--max-depth: deeper boxes, XML and JSON are not read, with depth_limit or a problem")
    func depthLimit() {
        let mp4 = LabelReader.read(
            bytes: LabeledMedia.sample("canonical.mp4").bytes, limits: Self.limits { $0.maxDepth = 2 })
        #expect(mp4.hazards.map(\.kind) == [.depthLimit])
        #expect(mp4.hazards[0].detail.contains("--max-depth"))
        #expect(mp4.labels.isEmpty)
        let xmp = LabelReader.read(
            bytes: LabeledMedia.sample("canonical.png").bytes, limits: Self.limits { $0.maxDepth = 3 })
        #expect(xmp.hazards.map(\.kind) == [.depthLimit])
        let store = LabelReader.read(
            bytes: LabeledMedia.sample("c2pa.wav").bytes, limits: Self.limits { $0.maxDepth = 2 })
        #expect(store.hazards.map(\.kind) == [.depthLimit])
        #expect(store.c2pa.present && store.c2pa.claimGenerator == nil)
        let json = LabelReader.read(
            bytes: LabeledMedia.sample("wrapped.jpg").bytes, limits: Self.limits { $0.maxDepth = 8 })
        #expect(json.labels.first?.valid == true)
        let flat = LabelReader.read(
            bytes: LabeledMedia.sample("lowercase.mp3").bytes, limits: Self.limits { $0.maxDepth = 1 })
        #expect(flat.labels.first?.problems.first?.contains("nested more than 1 levels deep") == true)
    }

    @Test("--timeout: reading stops at the deadline, with timeout")
    func timeLimit() {
        var png = PNGBuilder()
        for i in 0..<20_000 { png.tEXt(keyword: "Comment", "\(i)") }
        let report = LabelReader.read(bytes: png.bytes, limits: Self.limits { $0.timeLimitSeconds = 0.000_001 })
        #expect(report.hazards.map(\.kind) == [.timeout])
        #expect(report.hazards[0].detail.contains("--timeout"))
    }
}

import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// 10,000 mutated inputs per label reader, as the manifest parsers are fuzzed: bytes flipped, cut,
/// inserted, and 32-bit fields set to extreme sizes. Each must give a report, never a crash or a
/// hang, within the read budget; and what it says must hang together.
@Suite("Mutated labeled files never crash a reader")
struct LabelMutationTests {
    /// Samples whose name ends in one of `extensions`.
    static func bases(_ extensions: [String]) -> [[UInt8]] {
        LabeledMedia.all().filter { sample in extensions.contains { sample.name.hasSuffix($0) } }.map(\.bytes)
    }

    static let limits: LabelLimits = {
        var limits = LabelLimits()
        limits.maxReadBytes = 1 << 20
        limits.maxPacketBytes = 256 << 10
        limits.timeLimitSeconds = 2
        return limits
    }()

    /// Reads every mutation of `bases`; checks each report; returns how many had a label.
    static func fuzz(_ bases: [[UInt8]], seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        var labeled = 0
        var slowest = 0.0
        ManifestMutationTests.mutate(bases, seed: seed) { bytes in
            let start = Monotonic.now()
            let report = LabelReader.read(bytes: bytes, name: "mutant", limits: limits)
            slowest = max(slowest, Monotonic.seconds(since: start))
            check(report, sourceLocation: sourceLocation)
            if !report.labels.isEmpty { labeled += 1 }
        }
        // The reader's own 2-second limit ends every read; the margin is for a loaded machine.
        #expect(slowest < 10, "the slowest mutant took \(slowest) s", sourceLocation: sourceLocation)
        return labeled
    }

    /// What every report must satisfy, however broken its file.
    static func check(_ report: LabelReport, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(report.bytesRead <= limits.maxReadBytes, sourceLocation: sourceLocation)
        for label in report.labels {
            #expect(label.valid == label.problems.isEmpty, sourceLocation: sourceLocation)
            if label.valid {
                #expect(Set(label.fields.map(\.key)) == Set(LabelValidator.keys), sourceLocation: sourceLocation)
                #expect(["1", "2", "3"].contains(label.string("Label") ?? ""), sourceLocation: sourceLocation)
            }
            if let uscc = label.producerUSCC { #expect(USCC.isValid(uscc), sourceLocation: sourceLocation) }
        }
        if report.c2pa.present { #expect(report.c2pa.signaturesValidated == false, sourceLocation: sourceLocation) }
        #expect(report.status == (report.hazards.isEmpty && report.labels.allSatisfy(\.valid) ? .pass : .warn))
    }

    @Test("JPEG: XMP, ExtendedXMP, EXIF, APP11")
    func jpeg() { #expect(Self.fuzz(Self.bases([".jpg"]), seed: 11) > 0) }

    @Test("PNG: iTXt, tEXt, zTXt, caBX, IDAT")
    func png() { #expect(Self.fuzz(Self.bases([".png"]), seed: 12) > 0) }

    @Test("MP4 and MOV: meta, keys, ilst, freeform items, uuid boxes")
    func mp4() { #expect(Self.fuzz(Self.bases([".mp4", ".mov", ".m4a"]), seed: 13) > 0) }

    @Test("WAV: RIFF chunks, placeholder sizes, ID3 and C2PA chunks")
    func wav() { #expect(Self.fuzz(Self.bases([".wav"]), seed: 14) > 0) }

    @Test("MP3: ID3v2.3 and v2.4 frames, TXXX in every encoding, GEOB")
    func mp3() { #expect(Self.fuzz(Self.bases([".mp3"]), seed: 15) > 0) }

    @Test("OOXML: the zip directory, local headers, deflated and stored custom.xml")
    func office() { #expect(Self.fuzz(Self.bases([".docx", ".xlsx", ".pptx"]), seed: 16) > 0) }

    @Test("XMP packets: element, attribute, XmpKvBase64, escaped, extended GUIDs")
    func xmp() {
        var withEverything = XMPBuilder(label: LabelFields.valid.json)
        withEverything.digitalSourceType = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        withEverything.extendedGUID = String(repeating: "A", count: 32)
        withEverything.kvBase64 = Data(LabelFields.valid.wrapped().utf8).base64EncodedString()
        var attribute = XMPBuilder(label: LabelFields.valid.wrapped())
        attribute.asAttribute = true
        attribute.doubleEscaped = true
        let bases = [withEverything.bytes, attribute.bytes]
        var found = 0
        ManifestMutationTests.mutate(bases, seed: 17) { bytes in
            let scan = LabelScan(source: MemorySource([]), name: "xmp", limits: Self.limits)
            _ = try? XMPPacket.read(bytes, scan: scan, carrier: .pngXMP, variants: [], location: "xmp")
            for candidate in scan.candidates {
                let label = LabelReader.label(from: candidate, limits: Self.limits)
                #expect(label.valid == label.problems.isEmpty)
                found += 1
            }
        }
        #expect(found > 0)
    }

    @Test("label JSON: flat, wrapped, escaped, prefixed")
    func json() {
        let bases = [
            LabelFields.valid.json, LabelFields.valid.wrapped(key: "aigc"), "AIGC=" + LabelFields.otherProducer.json,
            LabelFields.valid.json.replacingOccurrences(of: "\"", with: "&quot;"),
        ].map { Array($0.utf8) }
        var valid = 0
        ManifestMutationTests.mutate(bases, seed: 18) { bytes in
            let label = LabelReader.label(
                from: LabelCandidate(
                    carrier: .wavChunk, variants: [], text: String(decoding: bytes, as: UTF8.self), location: "j"),
                limits: Self.limits)
            #expect(label.valid == label.problems.isEmpty)
            if label.valid { valid += 1 }
        }
        #expect(valid > 0)
    }

    @Test("C2PA stores: JUMBF boxes, description boxes, CBOR claims and actions")
    func c2pa() {
        var info = JUMBFBuilder.Manifest(claimGenerator: "Tool/2")
        info.generatorInfo = true
        let bases = [JUMBFBuilder.store([.init(), info]), JUMBFBuilder.nested(depth: 6)]
        var read = 0
        ManifestMutationTests.mutate(bases, seed: 19) { bytes in
            let scan = LabelScan(source: MemorySource(bytes), name: "c2pa", limits: Self.limits)
            _ = try? C2PAStore.read(scan, source: scan, start: 0, end: scan.length, carrier: "test", location: "c2pa")
            if scan.c2pa.claimGenerator != nil { read += 1 }
            #expect(scan.bytesRead <= Self.limits.maxReadBytes)
        }
        #expect(read > 0)
    }
}

import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// The text and JSON of `shelfguard labels`, pinned by golden files in `Reporting/Golden/`. To
/// accept a deliberate change, run the tests with SHELFGUARD_UPDATE_GOLDEN=1 and review the diff.
@Suite("labels output, golden files")
struct LabelRendererTests {
    static var outputs: [LabelOutput] {
        var matched = LabelReader.read(
            bytes: LabeledMedia.sample("c2pa.jpg").bytes, name: "samples/c2pa.jpg", computeDigest: true)
        matched.judgeProducers(against: DeclaredParties(developer: .init(name: "示例智能", uscc: "91440300708461136T")))
        let vendor = LabelReader.read(bytes: LabeledMedia.sample("exif.jpg").bytes, name: "samples/exif.jpg")
        var hostile = RIFFBuilder()
        let escaped = LabelFields.valid.json.replacingOccurrences(of: "20261202-0001", with: #"id\u001b[31m\nred"#)
        hostile.add("AIGC", Array(escaped.utf8))
        hostile.raw(Array("junk".utf8) + RIFFBuilder.le32(0xFFFF_FF00))
        let damaged = LabelReader.read(bytes: hostile.bytes, name: "samples/damaged\u{7}.wav")
        return [
            .report(matched), .report(vendor), .report(damaged),
            .failure(
                path: "samples/pipe.png",
                error: LabelReadError.notARegularFile(path: "samples/pipe.png", what: "a FIFO (named pipe)").description
            ),
        ]
    }

    @Test("text: labels with their fields, problems, the producer, C2PA, hazards; control characters escaped")
    func text() throws {
        let text = LabelRenderer.text(Self.outputs)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        try Golden.check("labels.txt", text)
    }

    @Test("JSON: an array for several files, the contract's fields, nulls where nothing was found")
    func json() throws {
        try Golden.check("labels.json", try LabelRenderer.json(Self.outputs))
        let one = try LabelRenderer.json([Self.outputs[1]])
        #expect(one.hasPrefix("{"))
        let decoded = try JSONDecoder().decode(
            [LabelOutput].self, from: Data(try LabelRenderer.json(Self.outputs).utf8))
        #expect(decoded.count == 4)
        if case .report(let report) = decoded[0] { #expect(report.labels[0].producerMatch?.outcome == .developer) }
    }
}

import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Every carrier and every variant, generated in code: the reader finds the label where it sits,
/// names its form, and validates it.
@Suite("Label readers: every carrier and variant")
struct LabelReaderTests {
    static let samples = LabeledMedia.all().map(\.name)

    @Test("each sample's label is found in its carrier and form", arguments: samples)
    func sample(_ name: String) throws {
        let sample = LabeledMedia.sample(name)
        let report = LabelReader.read(bytes: sample.bytes, name: name)
        #expect(report.container.rawValue == sample.container)
        let label = try #require(report.labels.first, "no label in \(name): \(report.hazards)")
        #expect(label.carrier.rawValue == sample.carrier)
        #expect(label.form == sample.form)
        #expect(label.valid == sample.valid, "\(label.problems)")
        #expect(report.c2pa.present == sample.c2pa)
        if sample.valid {
            #expect(label.string("Label") == "1")
            #expect(label.string("ContentProducer") == "001191440300708461136T1XGW3")
            #expect(label.producerUSCC == "91440300708461136T")
            #expect(report.labels.count == 1, "\(report.labels)")
        }
        let unexpected = report.hazards.filter { !(name == "malformed.jpg" && $0.kind == .corrupt) }
        #expect(unexpected.isEmpty, "\(unexpected)")
        // Small files are read about once; a zip's directory and tail may be read twice.
        #expect(report.bytesRead <= 3 * Int64(sample.bytes.count) + 1024)
    }
}

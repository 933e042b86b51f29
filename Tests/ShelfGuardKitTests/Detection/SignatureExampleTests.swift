import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Every signature's own examples, as tests generated from the database (SwiftLint-style): once
/// in-process, and once as a real bundle through the whole inspection.
@Suite("Signature examples")
struct SignatureExampleTests {
    @Test("in-process: positives match, negatives do not", arguments: SeedDatabase.ids)
    func inProcess(id: String) {
        let signature = SeedDatabase.signature(id)
        for example in signature.positiveExamples {
            #expect(
                SignatureExamples.fired(SeedDatabase.engine, example).contains(id),
                "\(example.definedAt): positive example does not match")
        }
        for example in signature.negativeExamples {
            #expect(
                !SignatureExamples.fired(SeedDatabase.engine, example).contains(id),
                "\(example.definedAt): negative example matches")
        }
    }

    @Test("as real bundles: positives detected, negatives not", arguments: SeedDatabase.ids)
    func asBundles(id: String) throws {
        let signature = SeedDatabase.signature(id)
        for (examples, positive) in [(signature.positiveExamples, true), (signature.negativeExamples, false)] {
            for example in examples {
                let (name, bytes) = ExampleBundles.build(example)
                let inspection = try SeedDatabase.inspect(bytes, name: name)
                let found = inspection.detections.contains { $0.signature == id }
                #expect(found == positive, "\(example.definedAt) as \(name): \(inspection.detections.map(\.signature))")
                #expect(!inspection.hazards.contains { $0.kind == .manifestUnreadable }, "\(example.definedAt)")
            }
        }
    }
}

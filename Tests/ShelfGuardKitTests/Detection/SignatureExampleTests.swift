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
            let detection = SignatureExamples.detections(SeedDatabase.engine, example).first { $0.signature == id }
            #expect(detection != nil, "\(example.definedAt): positive example does not match")
            if let proves = example.proves, let detection {
                #expect(Set(detection.features) == Set(proves), "\(example.definedAt): proves \(detection.features)")
            }
        }
        for example in signature.negativeExamples {
            let detection = SignatureExamples.detections(SeedDatabase.engine, example).first { $0.signature == id }
            if let rulesOut = example.rulesOut {
                #expect(
                    !(detection?.features ?? []).contains { rulesOut.contains($0) },
                    "\(example.definedAt): negative example proves what it rules out")
            } else {
                #expect(detection == nil, "\(example.definedAt): negative example matches")
            }
        }
    }

    @Test("as real bundles: positives detected, negatives not", arguments: SeedDatabase.ids)
    func asBundles(id: String) throws {
        let signature = SeedDatabase.signature(id)
        for (examples, positive) in [(signature.positiveExamples, true), (signature.negativeExamples, false)] {
            for example in examples {
                let (name, bytes) = ExampleBundles.build(example)
                let inspection = try SeedDatabase.inspect(bytes, name: name)
                let detection = inspection.detections.first { $0.signature == id }
                let shown = "\(example.definedAt) as \(name): \(inspection.detections.map(\.signature))"
                if positive {
                    #expect(detection != nil, "\(shown)")
                    if let proves = example.proves, let detection {
                        #expect(Set(detection.features) == Set(proves), "\(shown): proves \(detection.features)")
                    }
                } else if let rulesOut = example.rulesOut {
                    #expect(!(detection?.features ?? []).contains { rulesOut.contains($0) }, "\(shown)")
                } else {
                    #expect(detection == nil, "\(shown)")
                }
                #expect(!inspection.hazards.contains { $0.kind == .manifestUnreadable }, "\(example.definedAt)")
            }
        }
    }
}

import Foundation
import Testing

@testable import ShelfGuardKit

/// Lint of the per-matcher schema: a signature's features must each be proven by a matcher, a
/// matcher proving nothing needs the vendor's possible features, and the examples must show every
/// feature, the bare match and every platform named.
@Suite("Per-matcher features: load and lint")
struct MatcherFeatureLintTests {
    /// A vendor with a chat path, an image path and a bare host, on Android and iOS.
    static let vendor = """
        signatures:
          - id: sample_vendor
            vendor: Example
            product: Sample model API
            category: synthesis
            possible: [text_generation, image_generation]
            confidence: strong
            platforms: [android, ios]
            match:
              - host: api.sample-vendor.com
                features: []
                confidence: medium
              - string: sample-vendor.com/v1/chat
                features: [text_generation]
              - string: sample-vendor.com/v1/draw
                features: [image_generation]
            examples:
              positive:
                - content: "https://api.sample-vendor.com/v1/chat"
                  kind: dex
                  proves: [text_generation]
                - platform: ios
                  path: Payload/App.app/App
                  content: "https://api.sample-vendor.com/v1/draw"
                  kind: mach_o
                  proves: [image_generation]
                - content: "https://api.sample-vendor.com/"
                  kind: dex
                  proves: []
              negative:
                - content: "https://www.sample-vendor.com/"
                  kind: dex
                - content: "https://api.sample-vendor.com/v1/chat"
                  kind: dex
                  rules_out: [image_generation]

        """

    static func lint(_ text: String) throws -> [String] {
        SignatureExamples.check(SignatureEngine(try SignatureLintTests.load(text))).map(\.description)
    }

    @Test("the vendor loads: each matcher's proof, the signature's features are their union")
    func loads() throws {
        let database = try SignatureLintTests.load(Self.vendor)
        let s = try #require(database.signatures.first)
        #expect(s.features == ["text_generation", "image_generation"])
        #expect(s.possibleFeatures == ["text_generation", "image_generation"])
        #expect(s.proofs.map(\.features) == [[], ["text_generation"], ["image_generation"]])
        #expect(s.proofs.map(\.confidence) == [.medium, .strong, .strong])
        #expect(s.platforms == [.android, .ios])
        #expect(try Self.lint(Self.vendor).isEmpty)
    }

    @Test(
        "the loader refuses what no matcher proves",
        arguments: [
            (
                "a feature no matcher proves",
                vendor.replacingOccurrences(
                    of: "    possible: [text_generation, image_generation]\n",
                    with: "    features: [voice_synthesis]\n    possible: [text_generation, image_generation]\n"),
                "feature 'voice_synthesis' of signature 'sample_vendor' is proven by no matcher"
            ),
            (
                "a bare matcher without possible features",
                vendor.replacingOccurrences(of: "    possible: [text_generation, image_generation]\n", with: ""),
                "has a matcher that proves no feature; list what the vendor's service may provide under possible"
            ),
            (
                "an unknown feature on a matcher",
                vendor.replacingOccurrences(of: "features: [image_generation]", with: "features: [image_generaton]"),
                "unknown feature id 'image_generaton' in a matcher of signature 'sample_vendor'"
            ),
            (
                "a bad confidence on a matcher",
                vendor.replacingOccurrences(of: "confidence: medium", with: "confidence: likely"),
                "confidence of a matcher of signature 'sample_vendor' must be one of weak, medium, strong"
            ),
            (
                "proves on a negative example",
                vendor.replacingOccurrences(of: "rules_out: [image_generation]", with: "proves: [text_generation]"),
                "proves goes with positive examples"
            ),
        ])
    func refused(label: String, text: String, expected: String) {
        let found = SignatureLintTests.problems(text)
        #expect(found.contains { $0.contains(expected) }, "\(label): \(found)")
    }

    @Test(
        "lint refuses examples that do not show what the matchers prove",
        arguments: [
            (
                "a positive example proving other features than it says",
                vendor.replacingOccurrences(
                    of: "kind: mach_o\n          proves: [image_generation]",
                    with: "kind: mach_o\n          proves: [text_generation]"),
                "positive example of 'sample_vendor' proves [image_generation], not [text_generation]"
            ),
            (
                "a negative example proving what it rules out",
                vendor.replacingOccurrences(of: "rules_out: [image_generation]", with: "rules_out: [text_generation]"),
                "negative example of 'sample_vendor' proves text_generation, which it rules out"
            ),
            (
                "no example proves a feature",
                vendor.replacingOccurrences(
                    of: "/v1/draw\"\n          kind: mach_o", with: "/v1/list\"\n          kind: mach_o"
                )
                .replacingOccurrences(of: "proves: [image_generation]", with: "proves: []"),
                "no positive example of 'sample_vendor' proves image_generation"
            ),
            (
                "no example shows the bare host",
                vendor.replacingOccurrences(
                    of:
                        "        - content: \"https://api.sample-vendor.com/\"\n          kind: dex\n          proves: []\n",
                    with: ""),
                "has a matcher that proves no feature, but no positive example shows such a bare match"
            ),
            (
                "a platform with no example",
                vendor.replacingOccurrences(
                    of: "platforms: [android, ios]", with: "platforms: [android, ios, harmony]"),
                "'sample_vendor' ships for harmony but no positive example shows it there"
            ),
        ])
    func examples(label: String, text: String, expected: String) throws {
        let found = try Self.lint(text)
        #expect(found.contains { $0.contains(expected) }, "\(label): \(found)")
    }

    @Test("require: all keeps features on the signature")
    func requireAll() {
        let text = SignatureLintTests.valid.replacingOccurrences(
            of: "    match:\n      - file: libsamplesdk.so\n",
            with:
                "    require: all\n    match:\n      - file: libsamplesdk.so\n        features: [face_swap]\n      - class: Lcom/samplesdk/\n"
        )
        let found = SignatureLintTests.problems(text)
        #expect(found.contains { $0.contains("requires all matchers together") }, "\(found)")
    }
}

import Testing

@testable import ShelfGuardKit

/// Nearest known ids for what a user typed, and the selector check built on them.
@Suite("vocabulary")
struct VocabularyTests {
    static let features = ["face_swap", "face_reenactment", "voice_cloning", "text_generation", "image_generation"]

    @Test("the nearest ids are the close ones, nearest first")
    func nearest() {
        #expect(Vocabulary.nearest(to: "face_swapp", in: Self.features) == ["face_swap"])
        #expect(Vocabulary.nearest(to: "FACE_SWAP", in: Self.features) == ["face_swap"])
        #expect(Vocabulary.nearest(to: "image_generaton", in: Self.features).first == "image_generation")
        #expect(Vocabulary.nearest(to: "nope", in: Self.features).isEmpty)
        #expect(Vocabulary.nearest(to: "x", in: []).isEmpty)
    }

    @Test("the message names the nearest ids, or the known ones when none is near")
    func message() {
        #expect(
            Vocabulary.unknown("face_swapp", what: "feature", known: Self.features)
                == "'face_swapp' is not a known feature; did you mean face_swap?")
        let far = Vocabulary.unknown("nope", what: "feature", known: Self.features)
        #expect(far.contains("(known: face_reenactment, face_swap, image_generation"))
        #expect(Vocabulary.unknown("x", what: "signature", known: []).hasSuffix("(none is known)"))
    }

    @Test("a selector's unknown feature and signature are both reported; known ones pass")
    func selector() {
        let known = MeasureSelector(signature: "deepar_sdk", feature: "face_swap")
        #expect(known.unknownIDs(features: Self.features, signatures: ["deepar_sdk"]).isEmpty)
        let wrong = MeasureSelector(signature: "deepar", feature: "face_swapp")
        let problems = wrong.unknownIDs(features: Self.features, signatures: ["deepar_sdk"])
        #expect(problems.count == 2)
        #expect(problems[0].hasPrefix("--feature 'face_swapp'") && problems[1].contains("did you mean deepar_sdk?"))
        #expect(MeasureSelector(app: "com.x").unknownIDs(features: [], signatures: []).isEmpty)
    }

    @Test("a result that selected nothing carries a warning; one that selected something does not")
    func warning() {
        let order = MeasureOrder(
            measure: .takeDown, selector: MeasureSelector(feature: "face_swap"), reason: "r", order: "o", actor: "a")
        let none = MeasureResult(order: order, dryRun: true, changes: [], unchanged: 0, auditRange: nil)
        #expect(none.warning == "the selection (feature face_swap) matches no version: nothing was selected")
        let done = MeasureResult(order: order, dryRun: false, changes: [], unchanged: 2, auditRange: nil)
        #expect(done.warning == nil && done.selected == 2)
    }
}

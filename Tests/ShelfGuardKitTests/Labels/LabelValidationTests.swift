import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Strict validation of what was read: the seven keys, string values, `Label` in 1–3, the
/// producer code's layout and its USCC; and the producer against the declared parties.
@Suite("Label validation")
struct LabelValidationTests {
    /// The label of a value, read as a WAV chunk would carry it.
    static func label(_ json: String) -> ImplicitLabel {
        LabelReader.label(
            from: LabelCandidate(carrier: .wavChunk, variants: [], text: json, location: "t"), limits: .standard)
    }

    static func problems(_ fields: LabelFields) -> [String] { label(fields.json).problems }

    @Test("a well-formed label is valid, with the USCC inside its producer code")
    func valid() {
        let l = Self.label(LabelFields.valid.json)
        #expect(l.valid)
        #expect(l.problems.isEmpty)
        #expect(l.producerUSCC == "91440300708461136T")
        #expect(l.form == "canonical")
        #expect(l.fields.map(\.key) == LabelValidator.keys)
    }

    @Test("every key is required; the last four may be empty strings")
    func missingKeys() {
        for key in LabelValidator.keys {
            let problems = Self.problems(LabelFields.valid.without(key))
            #expect(problems.count == 1 && problems[0].contains("missing the key \"\(key)\""), "\(problems)")
        }
        #expect(Self.problems(LabelFields.valid.with("ContentPropagator", "").with("PropagateID", "")).isEmpty)
    }

    @Test("Label must be \"1\", \"2\" or \"3\"", arguments: ["0", "4", "", "1 ", "一", "11"])
    func labelValues(_ value: String) {
        let problems = Self.problems(LabelFields.valid.with("Label", value))
        #expect(problems.contains { $0.hasPrefix("Label is") }, "\(problems)")
        for good in ["1", "2", "3"] { #expect(Self.problems(LabelFields.valid.with("Label", good)).isEmpty) }
    }

    @Test("values must be strings: a number, a bool, null, an object are each named")
    func nonStrings() {
        let l = Self.label(
            #"{"Label":1,"ContentProducer":"001191440300708461136T1XGW3","ProduceID":true,"ReservedCode1":null,"ContentPropagator":{},"PropagateID":[],"ReservedCode2":""}"#
        )
        #expect(!l.valid)
        #expect(l.problems.contains("Label is the number 1, not a string"))
        #expect(l.problems.contains("ProduceID is true, not a string"))
        #expect(l.problems.contains("ReservedCode1 is null, not a string"))
        #expect(l.problems.contains("ContentPropagator is an object, not a string"))
        #expect(l.problems.contains("PropagateID is an array, not a string"))
        #expect(l.field("Label") == .number("1"))
    }

    @Test("the producer and the content number cannot be empty")
    func emptyRequired() {
        #expect(
            Self.problems(LabelFields.valid.with("ContentProducer", "")).first?.contains("ContentProducer is empty")
                == true)
        #expect(Self.problems(LabelFields.valid.with("ProduceID", " ")).first?.contains("ProduceID is empty") == true)
    }

    @Test("unknown keys and keys in the wrong case are problems")
    func extraKeys() {
        let extra = Self.problems(LabelFields.valid.with("Model", "x"))
        #expect(extra == ["\"Model\" is not one of GB 45438's seven keys"])
        let lower = Self.label(LabelFields.valid.json.replacingOccurrences(of: "\"Label\"", with: "\"label\""))
        #expect(lower.problems.contains("the key \"label\" must be written \"Label\""))
        #expect(lower.problems.contains { $0.contains("missing the key \"Label\"") })
    }

    @Test("a key written twice: the last is shown, and readers' disagreement is a problem")
    func duplicates() {
        let l = Self.label(
            #"{"Label":"1","Label":"3","#.dropLast() + ","
                + LabelFields.valid.json.dropFirst().replacingOccurrences(of: #""Label":"1","#, with: ""))
        #expect(l.string("Label") == "3")
        #expect(l.problems.contains { $0.contains("\"Label\" is written 2 times (\"1\", \"3\")") }, "\(l.problems)")
        #expect(!l.valid)
    }

    @Test(
        "provider codes: length, prefix, USCC check character, role, model code, case",
        arguments: [
            ("001191110000802100433BY43", "has 25 characters"),
            ("001291440300708461136T1XGW3", "starts \"0012\""),
            ("001191440300708461136X1XGW3", "ends in the check character 'X' where the digits give 'T'"),
            ("001191440300708461136T3XGW3", "has '3' as character 23"),
            ("001191440300708461136T1XG-3", "ends in the model code \"XG-3\""),
            ("001191440300708461136t1xgw3", "lowercase"),
            ("00119144030070846113", "too short to hold a USCC"),
            ("001191440300708461I36T1XGW3", "a character USCCs never use"),
        ])
    func providerCodes(_ code: String, _ expected: String) {
        let problems = Self.problems(LabelFields.valid.with("ContentProducer", code))
        #expect(problems.contains { $0.contains(expected) && $0.hasPrefix("ContentProducer \(code)") }, "\(problems)")
    }

    @Test("a producer code with a good USCC but a bad tail still reports the USCC")
    func usccOfBrokenCode() {
        let l = Self.label(LabelFields.valid.with("ContentProducer", "001191440300708461136T9XGW3").json)
        #expect(!l.valid)
        #expect(l.producerUSCC == "91440300708461136T")
    }

    @Test("a producer given by name is valid and has no USCC")
    func producerName() {
        for name in ["深圳市示例智能科技有限公司", "Example AI Ltd.", "OpenAI"] {
            let l = Self.label(LabelFields.valid.with("ContentProducer", name).json)
            #expect(l.valid, "\(name): \(l.problems)")
            #expect(l.producerUSCC == nil)
        }
    }

    @Test("a propagator code is checked like a producer code")
    func propagator() {
        let ok = Self.problems(LabelFields.valid.with("ContentPropagator", "001191110108MA01KP2T5U2ABCD"))
        #expect(ok.isEmpty, "\(ok)")
        let bad = Self.problems(LabelFields.valid.with("ContentPropagator", "001191110108MA01KP2T5X2ABCD"))
        #expect(bad.contains { $0.hasPrefix("ContentPropagator") && $0.contains("check character") })
    }

    @Test("values that are not a JSON object, or not JSON at all")
    func notJSON() {
        #expect(Self.label("").problems == ["the AIGC value is empty"])
        #expect(Self.label("[1,2]").problems == ["the AIGC value is an array, not a JSON object"])
        let broken = Self.label(#"{"Label":"1""#)
        #expect(broken.problems.count == 1 && broken.problems[0].hasPrefix("the AIGC value is not JSON"))
        #expect(broken.fields.isEmpty)
        let deep = Self.label(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
        #expect(deep.problems.first?.contains("nested more than 32 levels deep") == true)
    }

    @Test("tolerant decoding: AIGC= prefix, HTML entities, the wrapper (lowercase too); strict after")
    func tolerantForms() {
        #expect(Self.label("AIGC=" + LabelFields.valid.json).form == "key_value_text")
        let escaped = LabelFields.valid.json.replacingOccurrences(of: "\"", with: "&quot;")
        #expect(Self.label(escaped).form == "html_escaped")
        #expect(Self.label(escaped).valid)
        #expect(Self.label(LabelFields.valid.wrapped()).form == "aigc_wrapper")
        #expect(Self.label(LabelFields.valid.wrapped(key: "aigc")).form == "aigc_wrapper+lowercase_key")
        let extra = Self.label(#"{"AIGC":"# + LabelFields.valid.json + #","Version":"1"}"#)
        #expect(extra.problems == ["beside \"AIGC\" the wrapper holds \"Version\""])
    }

    // MARK: - The producer against the declared parties

    static let developer = DeclaredParties.Party(name: "深圳市示例智能科技有限公司", uscc: "91440300708461136T")
    static let supplier = DeclaredParties.Party(name: "北京示例模型有限公司", uscc: "91110108MA01KP2T5U")

    @Test("by USCC: the developer, a supplier, neither, or nothing to compare")
    func matchByUSCC() {
        let parties = DeclaredParties(developer: Self.developer, suppliers: [Self.supplier])
        let mine = LabelValidator.match(Self.label(LabelFields.valid.json), parties: parties)
        #expect(mine.outcome == .developer && mine.party == "深圳市示例智能科技有限公司")
        let theirs = LabelValidator.match(Self.label(LabelFields.otherProducer.json), parties: parties)
        #expect(theirs.outcome == .supplier && theirs.party == "北京示例模型有限公司")
        let alone = DeclaredParties(developer: Self.developer)
        let stranger = LabelValidator.match(Self.label(LabelFields.otherProducer.json), parties: alone)
        #expect(stranger.outcome == .mismatch)
        #expect(stranger.detail.contains("91110108MA01KP2T5U") && stranger.detail.contains("91440300708461136T"))
        let nothing = LabelValidator.match(
            Self.label(LabelFields.valid.json), parties: DeclaredParties(developer: .init(name: "X")))
        #expect(nothing.outcome == .unknown)
    }

    @Test("by name: full-width brackets, spaces and case do not matter")
    func matchByName() {
        let parties = DeclaredParties(
            developer: .init(name: "示例智能科技（深圳）有限公司"), suppliers: [.init(name: "Example AI Ltd.")])
        let label = Self.label(LabelFields.valid.with("ContentProducer", "示例智能科技(深圳)有限公司").json)
        #expect(LabelValidator.match(label, parties: parties).outcome == .developer)
        let supplier = Self.label(LabelFields.valid.with("ContentProducer", "example ai ltd.").json)
        #expect(LabelValidator.match(supplier, parties: parties).outcome == .supplier)
        let other = Self.label(LabelFields.valid.with("ContentProducer", "Other Co").json)
        #expect(LabelValidator.match(other, parties: parties).outcome == .mismatch)
        #expect(LabelValidator.match(Self.label("{}"), parties: parties).outcome == .unknown)
    }

    @Test("a report judged against the parties: a mismatch makes the label invalid")
    func judgeReport() {
        var report = LabelReader.read(bytes: LabeledMedia.sample("canonical.wav").bytes, name: "a.wav")
        report.judgeProducers(against: DeclaredParties(developer: Self.developer))
        #expect(report.labels[0].valid && report.labels[0].producerMatch?.outcome == .developer)
        #expect(report.status == .pass)
        report = LabelReader.read(bytes: LabeledMedia.sample("canonical.wav").bytes, name: "a.wav")
        report.judgeProducers(against: DeclaredParties(developer: Self.supplier))
        #expect(!report.labels[0].valid && report.labels[0].producerMatch?.outcome == .mismatch)
        #expect(report.status == .warn)
    }

    @Test("the parties of a declaration: the developer with its USCC, suppliers by name, once each")
    func partiesOfDeclaration() throws {
        let yaml = """
            schema: shelfguard/declaration/v1
            app: {id: com.example.x, name: X}
            developer: {name: 深圳市示例智能科技有限公司, uscc: 91440300708461136T}
            ai_generation: true
            features:
              - {category: text_generation, role: service_provider, algorithm_filing: 网信算备110108823483901230031号, suppliers: [{name: 北京示例模型有限公司}]}
              - {category: image_generation, role: service_provider, algorithm_filing: 网信算备110108823483901230031号, suppliers: [{name: 北京示例模型有限公司}]}
            """
        let declaration = try DeclarationReader.read(yaml, source: "d.yaml", taxonomy: SeedDatabase.database.taxonomy)
            .get()
        let parties = DeclaredParties(declaration: declaration)
        #expect(parties.developer == Self.developer)
        #expect(parties.suppliers == [.init(name: "北京示例模型有限公司")])
    }
}

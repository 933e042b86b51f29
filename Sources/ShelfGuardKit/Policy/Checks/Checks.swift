import Foundation

/// The catalogue of checks a policy rule can run, one method each (see `PolicyCheck` for what
/// each means). A check returns what it found; the rule gives it severity, basis and remedy.
struct Checks {
    typealias Hit = PolicyEvaluator.Hit
    /// The policy's rules and the one being run: the evaluator moves `index` along them on one
    /// `Checks` (the context is copied once per bundle, not once per rule, and no rule at all).
    let rules: [PolicyRule]
    var index = 0
    var rule: PolicyRule { _read { yield rules[index] } }
    let context: ReviewContext
    /// What several rules work out from the same context, worked out once.
    let shared = Shared()

    init(rules: [PolicyRule], context: ReviewContext) {
        self.rules = rules
        self.context = context
    }

    /// Worked out on first use by one check, reused by the others of the same evaluation.
    final class Shared {
        /// Parsed filing numbers by text as declared.
        var filingNumbers: [String: AlgorithmFilingNumber?] = [:]
        var allFilings: [(text: String, position: String)]?
        /// Each labeling material's label problems, see `Checks.materialProblems`.
        var materialProblems: [(index: Int, material: String, problems: [MaterialLabelProblem])]?
    }

    /// `AlgorithmFilingNumber(text)`, parsed once per evaluation.
    func filingNumber(_ text: String) -> AlgorithmFilingNumber? {
        if let known = shared.filingNumbers[text] { return known }
        let number = AlgorithmFilingNumber(text)
        shared.filingNumbers[text] = .some(number)
        return number
    }

    var bundle: String { context.bundleName }
    var declared: Declaration? { context.declared }
    var taxonomy: FeatureTaxonomy { context.taxonomy }
    var manifestLocation: String { context.inspection.manifest?.sources.first ?? bundle }

    func hit(_ message: String, at location: String? = nil) -> Hit {
        Hit(message: message, location: location ?? bundle)
    }

    // MARK: - The declaration (LM Art. 7)

    func declarationPresent() -> [Hit] {
        guard case .missing(let searched) = context.declaration else { return [] }
        return [
            hit(
                "no declaration for this bundle: none given, none at \(searched.joined(separator: " or "))")
        ]
    }

    func declarationValid() -> [Hit] {
        guard case .invalid(let failure) = context.declaration else { return [] }
        guard !failure.problems.isEmpty else { return [hit("the declaration cannot be read", at: failure.source)] }
        return failure.problems.map { hit($0.message, at: "\($0.file):\($0.line):\($0.column)") }
    }

    func aiStatement() -> [Hit] {
        guard let declared, declared.aiGeneration == nil else { return [] }
        return [hit("the declaration does not state ai_generation (true or false)", at: declared.source)]
    }

    func labelingMaterials() -> [Hit] {
        guard let declared, declared.aiGeneration == true else { return [] }
        var hits: [Hit] = []
        let materials = declared.features.enumerated().flatMap { i, feature in
            (feature.labeling?.materials ?? []).map { (i, $0) }
        }
        if materials.isEmpty {
            return [
                hit(
                    "ai_generation is true but no labeling materials are listed", at: declared.position("ai_generation")
                )
            ]
        }
        var found: [String: String] = [:]
        if case .found(_, let materials) = context.declaration { found = materials }
        for (i, material) in materials where found[material] == nil {
            hits.append(
                hit(
                    "labeling material '\(material)' is neither in the bundle nor beside the declaration",
                    at: declared.position("features[\(i)].labeling.materials")))
        }
        return hits
    }

    /// Materials sent twice: inside the bundle and beside the declaration. The bundle's copy is
    /// the one read; the one beside is named with its digest, so that the sender learns it was
    /// not looked at rather than believe it was.
    func materialBesideUnread() -> [Hit] {
        guard let declared, !context.unreadBesideMaterials.isEmpty else { return [] }
        let listed = declared.features.enumerated().flatMap { i, feature in
            (feature.labeling?.materials ?? []).map { (i, $0) }
        }
        var hits: [Hit] = []
        var named: Set<String> = []
        for (i, material) in listed where !named.contains(material) {
            guard let digest = context.unreadBesideMaterials[material] else { continue }
            named.insert(material)
            hits.append(
                hit(
                    "labeling material '\(material)' is inside the bundle and was also given beside the declaration (\(digest)): the bundle's copy was read, as it is what users receive, and the copy beside was not",
                    at: declared.position("features[\(i)].labeling.materials")))
        }
        return hits
    }

    // MARK: - Declared against detected (DSP Art. 13)

    /// Deep-synthesis features the detector found, with their strongest evidence.
    var detectedSynthesis: [FeatureEvidence] { context.inspection.featureSummary.filter(\.synthesis) }

    /// Detected features the declaration leaves out. With no declaration at all nothing is
    /// declared, so every detected feature is reported too: the developer learns in one round
    /// what the declaration they must write has to cover. (A defective declaration is not
    /// judged here: what it declares cannot be known.)
    func undeclaredFeature() -> [Hit] {
        guard let level = rule.confidence else { return [] }
        let declaredCategories: Set<String>
        let missing: Bool
        if let declared {
            declaredCategories = Set(declared.features.map(\.category))
            missing = false
        } else if case .missing = context.declaration {
            declaredCategories = []
            missing = true
        } else {
            return []
        }
        return detectedSynthesis.filter { $0.confidence == level && !declaredCategories.contains($0.feature) }.map {
            hit(
                "the bundle shows \($0.feature) (\($0.confidence.rawValue) evidence: \($0.signature), \($0.evidence)) but "
                    + (missing ? "there is no declaration to declare it" : "the declaration does not declare it"),
                at: $0.location)
        }
    }

    /// Detections that prove no feature at all but say a vendor's service is called (a bare host, a
    /// bare SDK library), when none of what that service may provide is declared or proven by other
    /// evidence (a proven one is `undeclared_feature`'s business). Declaring one of the possible
    /// features answers the question; nothing here refuses.
    func possibleFeature() -> [Hit] {
        guard let declared else { return [] }
        let declaredCategories = Set(declared.features.map(\.category))
        let proven = Set(context.inspection.featureSummary.map(\.feature))
        return context.inspection.detections.filter { detection in
            detection.category == .synthesis && detection.features.isEmpty
                && !detection.possibleFeatures.isEmpty
                && !detection.possibleFeatures.contains(where: {
                    declaredCategories.contains($0) || proven.contains($0)
                })
        }.map {
            hit(
                "the bundle calls a service of \($0.vendor) (\($0.confidence.rawValue) evidence: \($0.signature), \($0.evidence)) that may provide \($0.possibleFeatures.joined(separator: ", ")); none of these is declared, so a reviewer asks which the app uses",
                at: $0.location)
        }
    }

    func aiGenerationDenied() -> [Hit] {
        guard let declared, declared.aiGeneration == false else { return [] }
        var hits: [Hit] = []
        if !declared.features.isEmpty {
            hits.append(
                hit(
                    "ai_generation is false but the declaration lists \(declared.features.map(\.category).joined(separator: ", "))",
                    at: declared.position("ai_generation")))
        }
        for evidence in detectedSynthesis where evidence.confidence == .strong {
            hits.append(
                hit(
                    "ai_generation is false but the bundle shows \(evidence.feature) (\(evidence.signature), \(evidence.evidence))",
                    at: evidence.location))
        }
        return hits
    }

    func appIdMatches() -> [Hit] {
        guard let declared, let manifestID = context.inspection.manifest?.appId, declared.app.id != manifestID else {
            return []
        }
        return [
            hit(
                "the declaration is for '\(declared.app.id)' but the bundle's manifest says '\(manifestID)'",
                at: declared.position("app.id"))
        ]
    }

    func declaredNotDetected() -> [Hit] {
        guard let declared else { return [] }
        let found = Set(context.inspection.featureSummary.map(\.feature))
        return declared.features.enumerated().filter { !found.contains($0.element.category) }.map { i, feature in
            hit(
                "\(feature.category) is declared but nothing in the bundle shows it (a server-side service leaves no trace; nothing to act on)",
                at: declared.position("features[\(i)]"))
        }
    }

    func otherAIDetected() -> [Hit] {
        context.inspection.featureSummary.filter { !$0.synthesis }.map {
            hit(
                "\($0.feature) (\($0.confidence.rawValue): \($0.signature), \($0.evidence)): not deep synthesis by itself",
                at: $0.location)
        }
    }
}

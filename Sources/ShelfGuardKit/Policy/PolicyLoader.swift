import Crypto
import Foundation
import Yams

/// Reads a review policy strictly: unknown keys, unknown checks, outcomes and hazard kinds,
/// parameters a check does not take, duplicate or non-snake_case ids are errors with file, line
/// and column (`shelfguard policy lint`).
public enum PolicyLoader {
    /// The policy file in a policies folder when none is named.
    public static let defaultFileName = "review-policy.yaml"

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var problems: [YAMLProblem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    static let ruleKeys = ["id", "check", "basis", "outcome", "description", "remedy"]
    static let settingKeys = ["assessment_max_age_days", "cancellation_grace_days", "complaint_threshold"]

    /// Loads the policy file at `file`; with a `cache`, through its snapshot (`PolicySnapshot`).
    public static func load(file: URL, cache: SignatureSnapshotCache? = nil) throws(LoadError) -> Policy {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw LoadError(problems: [
                YAMLProblem(
                    file: file.path, line: 1, column: 1,
                    message: "cannot read the policy: \(error.localizedDescription)")
            ])
        }
        return try parse(text, source: file.path, cache: cache)
    }

    /// Loads the policy file `name` of a policies source (built in or a folder).
    public static func load(
        source: PolicySource, name: String = defaultFileName, cache: SignatureSnapshotCache? = nil
    ) throws(LoadError) -> Policy {
        let file: PolicySource.File
        do { file = try source.file(name) } catch {
            throw LoadError(problems: [YAMLProblem(file: error.path, line: 1, column: 1, message: error.message)])
        }
        var policy = try parse(file.text, source: file.path, cache: cache)
        policy.origin = ConfigSource(chosenBy: source.origin.chosenBy, path: source.origin.path.map { _ in file.path })
        return policy
    }

    /// Reads a policy's text; `source` names it in problems. Read first with Yams's `.basic`
    /// resolver, which takes every plain scalar as text: the default one matches each mapping key
    /// against YAML's regular expressions when Yams checks keys for duplicates (a third of a
    /// `check`'s policy time, and ICU's set-up for them). A policy read without a problem that way
    /// reads the same with the default resolver (values are read by what they say, not by their
    /// resolved tag, and the basic resolver only makes more keys equal); any problem and it is
    /// read again with the default one, so a defective policy gets the problems it always got.
    /// `parse(_:source:)`, through a snapshot kept in `cache` for this very text and source: the
    /// same policy, decoded instead of read (see `PolicySnapshot`).
    public static func parse(_ text: String, source: String, cache: SignatureSnapshotCache?) throws(LoadError) -> Policy
    {
        guard let cache, let key = PolicySnapshot.key(text: text, source: source) else {
            return try parse(text, source: source)
        }
        if let kept = cache.policy(key: key) { return kept }
        let policy = try parse(text, source: source)
        cache.store(policy, key: key)
        return policy
    }

    public static func parse(_ text: String, source: String) throws(LoadError) -> Policy {
        if let policy = try? parse(text, source: source, resolver: .basic) { return policy }
        return try parse(text, source: source, resolver: .default)
    }

    static func parse(_ text: String, source: String, resolver: Resolver) throws(LoadError) -> Policy {
        var yaml = StrictYAML(file: source, resolver: resolver)
        guard let root = yaml.parse(text),
            let top = yaml.mapping(
                root, "the policy", allowed: ["policy", "name", "settings", "rules", "daily", "complaints"],
                required: ["policy", "name", "rules"])
        else { throw LoadError(problems: yaml.problems) }
        if let schema = yaml.string(top["policy"], "policy"), schema != Policy.schemaID {
            yaml.problem(top["policy"], "policy must be \(Policy.schemaID), not '\(schema)'")
        }
        let name = yaml.string(top["name"], "name") ?? ""
        var settings = Policy.Settings()
        var legacyThreshold: Int?
        if let node = top["settings"], let fields = yaml.mapping(node, "settings", allowed: settingKeys) {
            func days(_ key: String) -> Int? {
                guard let value = fields[key].flatMap({ yaml.integer($0, key) }) else { return nil }
                if value < 0 { yaml.problem(fields[key], "\(key) cannot be negative") }
                return value
            }
            settings.assessmentMaxAgeDays = days("assessment_max_age_days") ?? settings.assessmentMaxAgeDays
            settings.cancellationGraceDays = days("cancellation_grace_days") ?? settings.cancellationGraceDays
            legacyThreshold = days("complaint_threshold")
        }
        var rules: [PolicyRule] = []
        var firstDefinition: [String: String] = [:]
        for node in yaml.sequence(top["rules"], "rules") {
            guard let rule = rule(node, &yaml, source: source) else { continue }
            if let first = firstDefinition[rule.id] {
                yaml.problem(node, "duplicate rule id '\(rule.id)' (first defined at \(first))")
                continue
            }
            firstDefinition[rule.id] = rule.definedAt
            rules.append(rule)
        }
        if rules.isEmpty && yaml.problems.isEmpty { yaml.problem(top["rules"], "the policy has no rules") }
        let daily = dailyMeasures(top["daily"], &yaml, rules: rules, source: source)
        let complaints = complaintPolicy(
            top["complaints"], &yaml, legacyThreshold: legacyThreshold, settings: top["settings"], source: source)
        guard yaml.problems.isEmpty else { throw LoadError(problems: yaml.problems) }
        let digest = SHA256.hash(data: Data(text.utf8)).hexString
        return Policy(
            name: name, settings: settings, rules: rules, daily: daily, complaints: complaints, digest: digest,
            source: source)
    }

    /// `daily:` maps rule ids to `{measure, escalate_to, after_days}`.
    private static func dailyMeasures(
        _ node: Node?, _ yaml: inout StrictYAML, rules: [PolicyRule], source: String
    )
        -> [String: DailyMeasure]
    {
        guard let node else { return [:] }
        guard case .mapping(let mapping) = node else {
            yaml.problem(node, "daily must map rule ids to measures")
            return [:]
        }
        let ids = rules.map(\.id)
        let measures = Measure.allCases.filter { $0 != .reinstate }.map(\.rawValue)
        var result: [String: DailyMeasure] = [:]
        for (key, value) in mapping {
            guard let rule = key.scalar?.string else {
                yaml.problem(key, "daily keys are rule ids")
                continue
            }
            guard ids.contains(rule) else {
                let hint = StrictYAML.closest(to: rule, in: ids).map { "; did you mean '\($0)'?" } ?? ""
                yaml.problem(key, "daily names '\(rule)', which is not a rule of this policy\(hint)")
                continue
            }
            guard
                let fields = yaml.mapping(
                    value, "the daily measure of \(rule)", allowed: ["measure", "escalate_to", "after_days"],
                    required: ["measure"])
            else { continue }
            func measure(_ key: String) -> Measure? {
                guard let text = fields[key].flatMap({ yaml.string($0, key) }) else { return nil }
                guard let measure = Measure(rawValue: text), measure != .reinstate else {
                    yaml.problem(
                        fields[key], "\(key) must be one of \(measures.joined(separator: ", ")), not '\(text)'")
                    return nil
                }
                return measure
            }
            guard let first = measure("measure") else { continue }
            let escalate = measure("escalate_to")
            if let escalate, escalate <= first {
                yaml.problem(fields["escalate_to"], "escalate_to must be stronger than \(first.rawValue)")
            }
            let days = fields["after_days"].flatMap { yaml.integer($0, "after_days") }
            if let days, days < 0 { yaml.problem(fields["after_days"], "after_days cannot be negative") }
            if days != nil && escalate == nil {
                yaml.problem(fields["after_days"], "after_days goes with escalate_to")
            }
            result[rule] = DailyMeasure(
                rule: rule, measure: first, escalateTo: escalate, afterDays: days,
                definedAt: "\(source):\(key.position.line):\(key.position.column)")
        }
        return result
    }

    private static func rule(_ node: Node, _ yaml: inout StrictYAML, source: String) -> PolicyRule? {
        let allParameters = Array(Set(PolicyCheck.allCases.flatMap(\.parameters))).sorted()
        guard let fields = yaml.mapping(node, "a rule", allowed: ruleKeys + allParameters, required: ruleKeys),
            let id = yaml.string(fields["id"], "id")
        else { return nil }
        guard Signature.isSnakeCase(id) else {
            yaml.problem(fields["id"], "rule id '\(id)' must be snake_case (a-z, 0-9, _)")
            return nil
        }
        let what = "rule '\(id)'"
        var check: PolicyCheck?
        if let name = yaml.string(fields["check"], "check of \(what)") {
            check = PolicyCheck(rawValue: name)
            if check == nil {
                let hint =
                    StrictYAML.closest(to: name, in: PolicyCheck.allCases.map(\.rawValue)).map {
                        "; did you mean '\($0)'?"
                    } ?? ""
                yaml.problem(fields["check"], "unknown check '\(name)' in \(what)\(hint)")
            }
        }
        var outcome: Severity?
        if let text = yaml.string(fields["outcome"], "outcome of \(what)") {
            outcome = Severity(rawValue: text)
            if outcome == nil {
                yaml.problem(
                    fields["outcome"],
                    "outcome of \(what) must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'"
                )
            }
        }
        let basis = yaml.string(fields["basis"], "basis of \(what)")
        let description = yaml.string(fields["description"], "description of \(what)")
        let remedy = yaml.string(fields["remedy"], "remedy of \(what)")
        var confidence: Signature.Confidence?
        var hazards: [HazardKind]?
        var maxAge: Int?
        if let check {
            for key in allParameters where fields[key] != nil && !check.parameters.contains(key) {
                yaml.problem(fields[key], "'\(key)' does not go with the check \(check.rawValue)")
            }
            switch check {
            case .undeclaredFeature:
                if let text = yaml.string(fields["confidence"], "confidence of \(what)") {
                    confidence = Signature.Confidence(rawValue: text)
                    if confidence == nil {
                        yaml.problem(fields["confidence"], "confidence must be weak, medium or strong")
                    }
                } else if fields["confidence"] == nil {
                    yaml.problem(node, "\(what) runs undeclared_feature and needs confidence: weak, medium or strong")
                }
            case .structuralHazards:
                if fields["hazards"] == nil {
                    yaml.problem(node, "\(what) runs structural_hazards and needs a hazards list")
                }
                hazards = yaml.strings(fields["hazards"], "hazards of \(what)").compactMap { name in
                    guard let kind = HazardKind(rawValue: name) else {
                        yaml.problem(fields["hazards"], "unknown hazard kind '\(name)' in \(what)")
                        return nil
                    }
                    return kind
                }
            case .assessmentAge:
                maxAge = fields["max_age_days"].flatMap { yaml.integer($0, "max_age_days") }
            case .possibleFeature, .labelWriter:
                // A feature the evidence does not prove is a question, not a finding: an app that
                // declared what its evidence shows is never refused over what a vendor also sells.
                // Nor is the absence of label-writing code: a server may write the labels.
                if outcome == .refuse {
                    yaml.problem(
                        fields["outcome"],
                        "\(what) runs \(check.rawValue), which may ask a reviewer (manual_review) but never refuse")
                }
            default:
                break
            }
        }
        guard let check, let outcome, let basis, let description, let remedy else { return nil }
        return PolicyRule(
            id: id, check: check, basis: basis, outcome: outcome, description: description, remedy: remedy,
            confidence: confidence, hazards: hazards, maxAgeDays: maxAge,
            definedAt: "\(source):\(node.position.line):\(node.position.column)")
    }
}

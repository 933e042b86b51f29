import Yams

/// The policy's `complaints:` section (DSP Art. 12): the published handling time, the
/// threshold, how anonymous complainants count, and the categories with what each may do.
extension PolicyLoader {
    static let complaintKeys = ["handling_days", "threshold", "anonymous", "default_category", "categories"]
    static let complaintCategoryKeys = ["description", "measure", "handling_days"]

    /// Reads `complaints:`. `settings.complaint_threshold` (older policies) is still read as the
    /// threshold; giving both is a problem.
    static func complaintPolicy(
        _ node: Node?, _ yaml: inout StrictYAML, legacyThreshold: Int?, settings: Node?, source: String
    ) -> ComplaintPolicy {
        var policy = ComplaintPolicy()
        if let legacyThreshold { policy.threshold = legacyThreshold }
        if let legacyThreshold, legacyThreshold < 1 {
            yaml.problem(settings, "complaint_threshold must be at least 1")
        }
        guard let node, let fields = yaml.mapping(node, "complaints", allowed: complaintKeys) else { return policy }
        if let days = fields["handling_days"].flatMap({ yaml.integer($0, "handling_days") }) {
            if days < 1 { yaml.problem(fields["handling_days"], "handling_days must be at least 1") }
            policy.handlingDays = days
        }
        if let threshold = fields["threshold"].flatMap({ yaml.integer($0, "threshold") }) {
            if legacyThreshold != nil {
                yaml.problem(
                    fields["threshold"],
                    "the complaint threshold is given twice: here and as settings.complaint_threshold; keep this one")
            }
            if threshold < 1 { yaml.problem(fields["threshold"], "threshold must be at least 1") }
            policy.threshold = threshold
        }
        if let text = fields["anonymous"].flatMap({ yaml.string($0, "anonymous") }) {
            if let counting = ComplaintPolicy.AnonymousCounting(rawValue: text) {
                policy.anonymous = counting
            } else {
                yaml.problem(fields["anonymous"], "anonymous must be together or each, not '\(text)'")
            }
        }
        if let categories = fields["categories"] {
            policy.categories = complaintCategories(categories, &yaml, source: source)
        }
        if let id = fields["default_category"].flatMap({ yaml.string($0, "default_category") }) {
            policy.defaultCategory = id
        }
        let ids = policy.categories.map(\.id)
        if !ids.isEmpty && !ids.contains(policy.defaultCategory) {
            let hint = StrictYAML.closest(to: policy.defaultCategory, in: ids).map { "; did you mean '\($0)'?" } ?? ""
            yaml.problem(
                fields["default_category"] ?? fields["categories"],
                "the default category '\(policy.defaultCategory)' is not among the categories (\(ids.joined(separator: ", ")))\(hint)"
            )
        }
        return policy
    }

    /// `categories:` maps snake_case ids to `{description, measure, handling_days}`.
    private static func complaintCategories(
        _ node: Node, _ yaml: inout StrictYAML, source: String
    ) -> [ComplaintPolicy.Category] {
        guard case .mapping(let mapping) = node, !mapping.isEmpty else {
            yaml.problem(node, "categories must map category ids to {description, measure}")
            return []
        }
        let measures = ComplaintPolicy.measures.map(\.rawValue)
        var categories: [ComplaintPolicy.Category] = []
        for (key, value) in mapping {
            guard let id = key.scalar?.string, Signature.isSnakeCase(id) else {
                yaml.problem(key, "complaint category ids must be snake_case (a-z, 0-9, _)")
                continue
            }
            guard !categories.contains(where: { $0.id == id }) else {
                yaml.problem(key, "duplicate complaint category '\(id)'")
                continue
            }
            guard
                let fields = yaml.mapping(
                    value, "the complaint category \(id)", allowed: complaintCategoryKeys, required: ["description"])
            else { continue }
            var category = ComplaintPolicy.Category(
                id: id, description: yaml.string(fields["description"], "description of \(id)") ?? "",
                definedAt: "\(source):\(key.position.line):\(key.position.column)")
            if let text = fields["measure"].flatMap({ yaml.string($0, "measure of \(id)") }) {
                if let measure = Measure(rawValue: text), ComplaintPolicy.measures.contains(measure) {
                    category.measure = measure
                } else {
                    yaml.problem(
                        fields["measure"],
                        "measure of \(id) must be one of \(measures.joined(separator: ", ")), not '\(text)'")
                }
            }
            if let days = fields["handling_days"].flatMap({ yaml.integer($0, "handling_days of \(id)") }) {
                if days < 1 { yaml.problem(fields["handling_days"], "handling_days of \(id) must be at least 1") }
                category.handlingDays = days
            }
            categories.append(category)
        }
        return categories
    }
}

import Foundation
import Yams

/// Reads a declaration strictly: unknown keys, missing required keys, values of the wrong type and
/// categories missing from the taxonomy are problems with file, line, column and what was
/// expected. A defective declaration is not a tool error: the policy refuses the submission with
/// these problems as findings.
public enum DeclarationReader {
    /// Everything wrong with one declaration.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var source: String
        public var problems: [YAMLProblem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    static let topKeys = ["schema", "app", "developer", "ai_generation", "features"]
    static let featureKeys = [
        "category", "role", "algorithm_filing", "suppliers", "genai_filing", "security_assessment",
        "biometric_consent", "labeling",
    ]

    /// Parses declaration text; `source` names it in messages (a path, or a location in a bundle).
    /// `maxNodes` bounds the YAML walk (aliases can make a small file describe a huge tree).
    ///
    /// Read first by `QuickDeclaration`, which answers without Yams for a declaration in the
    /// plain YAML declarations are written in that it finds nothing wrong with. Then with Yams's
    /// `.basic` resolver: the default one matches every mapping key
    /// against seven regular expressions when Yams checks keys for duplicates, half the cost of
    /// a declaration (daily management reads one per shelved version). A declaration read
    /// without a problem that way reads the same with the default resolver: every one of its
    /// mappings then holds only the known keys, plain words that both resolvers take as text,
    /// and values are never resolved. Any problem and it is read again with the default
    /// resolver, so that defective declarations get exactly the problems they always got (a key
    /// like `yes` or `2026-01-01` is a bool or a timestamp to it, not text).
    public static func read(
        _ text: String, source: String, taxonomy: FeatureTaxonomy, maxNodes: Int = DeclarationLimits.standard.maxNodes
    ) -> Result<Declaration, Failure> {
        if let declaration = QuickDeclaration.read(text, source: source, taxonomy: taxonomy, maxNodes: maxNodes) {
            return .success(declaration)
        }
        let quick = read(text, source: source, taxonomy: taxonomy, maxNodes: maxNodes, resolver: .basic)
        if case .success = quick { return quick }
        return read(text, source: source, taxonomy: taxonomy, maxNodes: maxNodes, resolver: .default)
    }

    static func read(
        _ text: String, source: String, taxonomy: FeatureTaxonomy, maxNodes: Int, resolver: Resolver
    ) -> Result<Declaration, Failure> {
        var yaml = StrictYAML(file: source, maxNodes: maxNodes, resolver: resolver)
        var positions: [String: String] = [:]
        func mark(_ field: String, _ node: Node?) {
            guard let node else { return }
            positions[field] = "\(source):\(node.position.line):\(node.position.column)"
        }
        guard let root = yaml.parse(text) else { return .failure(Failure(source: source, problems: yaml.problems)) }
        guard
            let top = yaml.mapping(
                root, "the declaration", allowed: topKeys, required: ["schema", "app", "developer", "features"])
        else { return .failure(Failure(source: source, problems: yaml.problems)) }

        let schema = yaml.string(top["schema"], "schema") ?? ""
        if top["schema"] != nil && schema != Declaration.schemaID {
            yaml.problem(top["schema"], "schema must be \(Declaration.schemaID), not '\(schema)'")
        }
        var app = Declaration.App(id: "", name: "")
        if let fields = yaml.mapping(top["app"], "app", allowed: ["id", "name"], required: ["id", "name"]) {
            app.id = yaml.string(fields["id"], "app.id") ?? ""
            app.name = yaml.string(fields["name"], "app.name") ?? ""
            mark("app.id", fields["id"])
            mark("app.name", fields["name"])
        }
        var developer = Declaration.Developer(name: "")
        if let fields = yaml.mapping(
            top["developer"], "developer", allowed: ["name", "uscc", "icp_filing"], required: ["name"])
        {
            developer.name = yaml.string(fields["name"], "developer.name") ?? ""
            developer.uscc = fields["uscc"].flatMap { yaml.string($0, "developer.uscc") }
            developer.icpFiling = fields["icp_filing"].flatMap { yaml.string($0, "developer.icp_filing") }
            mark("developer.name", fields["name"])
            mark("developer.uscc", fields["uscc"])
            mark("developer.icp_filing", fields["icp_filing"])
        }
        var aiGeneration: Bool?
        if let node = top["ai_generation"] {
            aiGeneration = yaml.bool(node, "ai_generation")
            mark("ai_generation", node)
        }
        var features: [Declaration.Feature] = []
        for (i, node) in yaml.sequence(top["features"], "features").enumerated() {
            let path = "features[\(i)]"
            mark(path, node)
            guard
                let fields = yaml.mapping(
                    node, "feature \(i + 1)", allowed: featureKeys, required: ["category", "role"])
            else { continue }
            for key in featureKeys where fields[key] != nil { mark("\(path).\(key)", fields[key]) }
            guard let category = yaml.string(fields["category"], "category of feature \(i + 1)") else { continue }
            if taxonomy.features[category]?.synthesis != true {
                let synthesis = taxonomy.ids.filter { taxonomy.features[$0]?.synthesis == true }
                let hint = StrictYAML.closest(to: category, in: synthesis).map { "; did you mean '\($0)'?" } ?? ""
                yaml.problem(
                    fields["category"],
                    "category '\(category)' is not a deep-synthesis feature (one of \(synthesis.joined(separator: ", ")))\(hint)"
                )
            }
            var role = Declaration.Role.serviceProvider
            if let roleText = yaml.string(fields["role"], "role of feature \(i + 1)") {
                if let parsed = Declaration.Role(rawValue: roleText) {
                    role = parsed
                } else {
                    yaml.problem(
                        fields["role"], "role must be service_provider or technical_supporter, not '\(roleText)'")
                }
            }
            var suppliers: [Declaration.Supplier] = []
            for (j, supplierNode) in yaml.sequence(fields["suppliers"], "suppliers").enumerated() {
                guard
                    let s = yaml.mapping(
                        supplierNode, "supplier \(j + 1) of feature \(i + 1)", allowed: ["name", "algorithm_filing"],
                        required: ["name"]),
                    let name = yaml.string(s["name"], "supplier name")
                else { continue }
                mark("\(path).suppliers[\(j)]", supplierNode)
                mark("\(path).suppliers[\(j)].algorithm_filing", s["algorithm_filing"])
                suppliers.append(
                    Declaration.Supplier(
                        name: name,
                        algorithmFiling: s["algorithm_filing"].flatMap { yaml.string($0, "supplier filing") }))
            }
            var labeling: Declaration.Labeling?
            if let node = fields["labeling"],
                let l = yaml.mapping(
                    node, "labeling of feature \(i + 1)", allowed: ["explicit", "implicit", "materials"])
            {
                labeling = Declaration.Labeling(
                    explicit: yaml.strings(l["explicit"], "labeling.explicit"),
                    implicit: yaml.strings(l["implicit"], "labeling.implicit"),
                    materials: yaml.strings(l["materials"], "labeling.materials"))
                mark("\(path).labeling.materials", l["materials"])
                mark("\(path).labeling.implicit", l["implicit"])
            }
            features.append(
                Declaration.Feature(
                    category: category, role: role,
                    algorithmFiling: fields["algorithm_filing"].flatMap { yaml.string($0, "algorithm_filing") },
                    suppliers: suppliers,
                    genaiFiling: fields["genai_filing"].flatMap { yaml.string($0, "genai_filing") },
                    securityAssessment: fields["security_assessment"].flatMap {
                        yaml.string($0, "security_assessment")
                    },
                    biometricConsent: fields["biometric_consent"].flatMap { yaml.string($0, "biometric_consent") },
                    labeling: labeling))
        }
        guard yaml.problems.isEmpty else { return .failure(Failure(source: source, problems: yaml.problems)) }
        return .success(
            Declaration(
                schema: schema, app: app, developer: developer, aiGeneration: aiGeneration, features: features,
                source: source, positions: positions))
    }
}

import Foundation
import Yams

/// The feature ids ShelfGuard knows (`policies/taxonomy.yaml`): the deep-synthesis taxonomy and
/// the neighbouring capabilities classed apart from it.
public struct FeatureTaxonomy: Sendable, Equatable {
    /// One feature.
    public struct Feature: Sendable, Equatable {
        public var id: String
        public var name: String
        /// Deep synthesis in the sense of DSP Art. 23.
        public var synthesis: Bool
        /// Edits faces, voices or bodies (DSP Art. 14, 15).
        public var biometric: Bool
        /// One of the DSP Art. 17(1) services that need explicit labels.
        public var prominentLabel: Bool
    }

    public var features: [String: Feature]

    public init(features: [Feature]) {
        self.features = Dictionary(features.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var ids: [String] { features.keys.sorted() }

    /// Reads `taxonomy.yaml`; every problem is reported with its position.
    public static func load(file: URL) throws(SignatureDatabase.LoadError) -> FeatureTaxonomy {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw .init(problems: [
                YAMLProblem(file: file.path, line: 1, column: 1, message: "cannot read: \(error.localizedDescription)")
            ])
        }
        return try parse(text, file: file.path)
    }

    /// Reads the `taxonomy.yaml` of a policies source (built in or a folder).
    public static func load(source: PolicySource) throws(SignatureDatabase.LoadError) -> FeatureTaxonomy {
        let file: PolicySource.File
        do { file = try source.file("taxonomy.yaml") } catch { throw .init(error) }
        return try parse(file.text, file: file.path)
    }

    /// Reads a taxonomy's text; `file` names it in problems.
    /// Read with Yams's `.basic` resolver first, and again with the default one only when that
    /// finds a problem (see `PolicyLoader.parse`).
    static func parse(_ text: String, file: String) throws(SignatureDatabase.LoadError) -> FeatureTaxonomy {
        if let taxonomy = try? parse(text, file: file, resolver: .basic) { return taxonomy }
        return try parse(text, file: file, resolver: .default)
    }

    static func parse(
        _ text: String, file: String, resolver: Resolver
    ) throws(SignatureDatabase.LoadError) -> FeatureTaxonomy {
        var yaml = StrictYAML(file: file, resolver: resolver)
        var features: [Feature] = []
        if let root = yaml.parse(text),
            let top = yaml.mapping(root, "the taxonomy", allowed: ["features"], required: ["features"]),
            let list = top["features"]
        {
            if case .mapping(let mapping) = list {
                for (key, value) in mapping {
                    guard let id = key.scalar?.string, Signature.isSnakeCase(id) else {
                        yaml.problem(key, "feature ids are snake_case")
                        continue
                    }
                    guard
                        let fields = yaml.mapping(
                            value, "feature '\(id)'", allowed: ["name", "synthesis", "biometric", "prominent_label"],
                            required: ["name", "synthesis", "biometric", "prominent_label"]),
                        let name = yaml.string(fields["name"], "name"),
                        let synthesis = yaml.bool(fields["synthesis"], "synthesis"),
                        let biometric = yaml.bool(fields["biometric"], "biometric"),
                        let label = yaml.bool(fields["prominent_label"], "prominent_label")
                    else { continue }
                    features.append(
                        Feature(id: id, name: name, synthesis: synthesis, biometric: biometric, prominentLabel: label))
                }
            } else {
                yaml.problem(list, "features must be a mapping of feature id to its description")
            }
        }
        guard yaml.problems.isEmpty else { throw .init(problems: yaml.problems) }
        return FeatureTaxonomy(features: features)
    }
}

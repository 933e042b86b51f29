/// What an app declares (product contract, schema `shelfguard/declaration/v1`): the LM Art. 7
/// statement on AI generation, and the evidence DSP Art. 13 asks the platform to verify.
public struct Declaration: Sendable, Codable, Equatable {
    public static let schemaID = "shelfguard/declaration/v1"

    public var schema: String
    public var app: App
    public var developer: Developer
    /// `ai_generation` (LM Art. 7): nil when the declaration does not say.
    public var aiGeneration: Bool?
    public var features: [Feature]
    /// Where the declaration was read from: a file path, or `bundle.apk!META-INF/deep-synthesis.yaml`.
    public var source: String
    /// Positions of fields in the file, `file:line:column`, by field path (`features[0].algorithm_filing`).
    public var positions: [String: String]

    public struct App: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
    }

    public struct Developer: Sendable, Codable, Equatable {
        public var name: String
        public var uscc: String?
        public var icpFiling: String?
    }

    public enum Role: String, Sendable, Codable, CaseIterable {
        case serviceProvider = "service_provider"
        case technicalSupporter = "technical_supporter"
    }

    /// One deep-synthesis feature the app offers.
    public struct Feature: Sendable, Codable, Equatable {
        /// A taxonomy id (`face_swap`).
        public var category: String
        public var role: Role
        public var algorithmFiling: String?
        public var suppliers: [Supplier]
        public var genaiFiling: String?
        public var securityAssessment: String?
        /// How DSP Art. 14 separate consent is obtained.
        public var biometricConsent: String?
        public var labeling: Labeling?
    }

    /// A technical supporter whose model or API the feature uses.
    public struct Supplier: Sendable, Codable, Equatable {
        public var name: String
        public var algorithmFiling: String?
    }

    /// Labels (DSP Art. 16, 17; LM Art. 4, 5; GB 45438) and the materials that show them.
    public struct Labeling: Sendable, Codable, Equatable {
        public var explicit: [String]
        public var implicit: [String]
        /// Paths in the bundle or beside the declaration.
        public var materials: [String]
    }

    /// The position of a field for findings, or the declaration's source.
    public func position(_ field: String) -> String { positions[field] ?? source }

    enum CodingKeys: String, CodingKey {
        case schema, app, developer, aiGeneration = "ai_generation", features, source
    }
}

extension Declaration.Developer {
    enum CodingKeys: String, CodingKey {
        case name, uscc, icpFiling = "icp_filing"
    }
}

extension Declaration.Feature {
    enum CodingKeys: String, CodingKey {
        case category, role, algorithmFiling = "algorithm_filing", suppliers, genaiFiling = "genai_filing"
        case securityAssessment = "security_assessment", biometricConsent = "biometric_consent", labeling
    }
}

extension Declaration.Supplier {
    enum CodingKeys: String, CodingKey {
        case name, algorithmFiling = "algorithm_filing"
    }
}

extension Declaration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decode(String.self, forKey: .schema)
        app = try c.decode(App.self, forKey: .app)
        developer = try c.decode(Developer.self, forKey: .developer)
        aiGeneration = try c.decodeIfPresent(Bool.self, forKey: .aiGeneration)
        features = try c.decode([Feature].self, forKey: .features)
        source = try c.decode(String.self, forKey: .source)
        positions = [:]
    }
}

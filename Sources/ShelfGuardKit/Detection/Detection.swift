/// A signature of the feature database found in a bundle: the contract's `detections` item.
public struct Detection: Sendable, Codable, Equatable {
    public var signature: String
    /// The features the matched evidence proves (see `proofs` for what proved each).
    public var features: [String]
    /// The strongest confidence among the matched evidence.
    public var confidence: Signature.Confidence
    public var category: Signature.Category
    public var vendor: String
    public var product: String
    /// Where the first evidence is: `app.apk!lib/arm64-v8a/libfoo.so`.
    public var location: String
    /// What matched: a library name, a class descriptor, a host, a permission.
    public var evidence: String
    /// How many places matched in all.
    public var occurrences: Int
    /// A few more places, after the first.
    public var alsoAt: [Place]
    /// For each proven feature, the evidence that proves it most strongly.
    public var proofs: [FeatureProof] = []
    /// What the vendor's service may also provide, unproven by the evidence found: a reviewer's
    /// question, never a finding on its own.
    public var possibleFeatures: [String] = []
    /// Where the generation found happens: `device` (the app makes the content, so it writes the
    /// labels) or `service` (a vendor's servers make it). Stored detections without it read as
    /// `device`.
    public var runs: Signature.Runs = .device

    public struct Place: Sendable, Codable, Equatable {
        public var location: String
        public var evidence: String
    }

    /// The matched text that proves one feature.
    public struct FeatureProof: Sendable, Codable, Equatable {
        public var feature: String
        public var confidence: Signature.Confidence
        public var location: String
        public var evidence: String
    }

    enum CodingKeys: String, CodingKey {
        case signature, features, confidence, category, vendor, product, location, evidence, occurrences, alsoAt
        case proofs, possibleFeatures, runs
    }
}

extension Detection {
    /// Reads detections stored before `proofs`, `possibleFeatures` and `runs` existed too.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        signature = try c.decode(String.self, forKey: .signature)
        features = try c.decode([String].self, forKey: .features)
        confidence = try c.decode(Signature.Confidence.self, forKey: .confidence)
        category = try c.decode(Signature.Category.self, forKey: .category)
        vendor = try c.decode(String.self, forKey: .vendor)
        product = try c.decode(String.self, forKey: .product)
        location = try c.decode(String.self, forKey: .location)
        evidence = try c.decode(String.self, forKey: .evidence)
        occurrences = try c.decode(Int.self, forKey: .occurrences)
        alsoAt = try c.decode([Place].self, forKey: .alsoAt)
        proofs = try c.decodeIfPresent([FeatureProof].self, forKey: .proofs) ?? []
        possibleFeatures = try c.decodeIfPresent([String].self, forKey: .possibleFeatures) ?? []
        runs = try c.decodeIfPresent(Signature.Runs.self, forKey: .runs) ?? .device
    }
}

/// The strongest evidence for one feature: the roll-up a reviewer reads first.
public struct FeatureEvidence: Sendable, Codable, Equatable {
    public var feature: String
    public var confidence: Signature.Confidence
    /// Deep synthesis (not recognition or a bare runtime).
    public var synthesis: Bool
    public var signature: String
    public var location: String
    public var evidence: String
}

/// Everything the detector concluded about one bundle.
public struct DetectionResult: Sendable, Codable, Equatable {
    public var detections: [Detection]
    public var featureSummary: [FeatureEvidence]
    /// `packed` hazards, one per packer found, and `dex_unwalkable` hazards.
    public var hazards: [Hazard]

    public static let empty = DetectionResult(detections: [], featureSummary: [], hazards: [])
}

/// A signature of the feature database found in a bundle: the contract's `detections` item.
public struct Detection: Sendable, Codable, Equatable {
    public var signature: String
    public var features: [String]
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

    public struct Place: Sendable, Codable, Equatable {
        public var location: String
        public var evidence: String
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

/// How serious a finding is; the worst one makes the verdict.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case info
    case warn
    case manualReview = "manual_review"
    case refuse

    private var rank: Int {
        switch self {
        case .info: 0
        case .warn: 1
        case .manualReview: 2
        case .refuse: 3
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A review policy (`policies/*.yaml` with `policy: shelfguard/policy/v1`): rules, each a check
/// from ShelfGuard's catalogue with the outcome, legal basis and remedy the platform chose.
/// Codable for its snapshot (`PolicySnapshot`), which keeps it as the loader returned it.
public struct Policy: Sendable, Codable, Equatable {
    public static let schemaID = "shelfguard/policy/v1"

    public var name: String
    public var settings: Settings
    public var rules: [PolicyRule]
    /// What daily management does when a rule fires for a version on the shelf, by rule id.
    public var daily: [String: DailyMeasure] = [:]
    /// How public complaints are handled (DSP Art. 12): the `complaints:` section.
    public var complaints = ComplaintPolicy()
    /// SHA-256 of the policy file: stamped on every verdict.
    public var digest: String
    public var source: String
    /// Where the policy was read from, as reports name it: built in, or a file and how it was
    /// chosen.
    public var origin: ConfigSource

    /// Values the checks share.
    public struct Settings: Sendable, Codable, Equatable {
        /// Oldest security assessment accepted, in days (DSP Art. 15).
        public var assessmentMaxAgeDays: Int = 365
        /// Days between a cancelled filing's suspension and its takedown (daily management).
        public var cancellationGraceDays: Int = 30

        public init() {}
    }

    public init(
        name: String, settings: Settings, rules: [PolicyRule], daily: [String: DailyMeasure] = [:],
        complaints: ComplaintPolicy = ComplaintPolicy(), digest: String, source: String
    ) {
        self.name = name
        self.settings = settings
        self.rules = rules
        self.daily = daily
        self.complaints = complaints
        self.digest = digest
        self.source = source
        self.origin = .file(source)
    }

    /// The measure daily management takes for a finding: the policy's `daily` entry for its
    /// rule, else by the rule's outcome (refuse → suspend, manual_review → manual_review,
    /// warn → warn, info → none).
    public func dailyMeasure(rule: String, severity: Severity) -> Measure {
        if let entry = daily[rule] { return entry.measure }
        switch severity {
        case .refuse: return .suspend
        case .manualReview: return .manualReview
        case .warn: return .warn
        case .info: return .none
        }
    }
}

/// Daily management's graded measure for one rule (DSP Art. 13: 警示, 暂停服务, 下架), and the
/// stronger one it escalates to when the rule still fires after a grace period.
public struct DailyMeasure: Sendable, Codable, Equatable {
    public var rule: String
    public var measure: Measure
    public var escalateTo: Measure?
    /// Days in the measure's state before escalating; nil: the policy's `cancellation_grace_days`.
    public var afterDays: Int?
    public var definedAt: String

    public init(rule: String, measure: Measure, escalateTo: Measure? = nil, afterDays: Int? = nil, definedAt: String) {
        self.rule = rule
        self.measure = measure
        self.escalateTo = escalateTo
        self.afterDays = afterDays
        self.definedAt = definedAt
    }
}

/// One rule of a policy.
public struct PolicyRule: Sendable, Codable, Equatable {
    /// snake_case; the SARIF rule id.
    public var id: String
    public var check: PolicyCheck
    /// The legal basis, as cited ("DSP Art. 15").
    public var basis: String
    public var outcome: Severity
    public var description: String
    /// What the developer should do.
    public var remedy: String
    /// For `undeclared_feature`: the detection confidence the rule is about.
    public var confidence: Signature.Confidence?
    /// For `structural_hazards`: the hazard kinds the rule is about.
    public var hazards: [HazardKind]?
    /// For `assessment_age`: overrides the policy's `assessment_max_age_days`.
    public var maxAgeDays: Int?
    public var definedAt: String
}

/// The checks a policy rule can run. Each has a fixed meaning, documented here and in the README;
/// the policy chooses which run, with which outcome, basis and remedy.
public enum PolicyCheck: String, Sendable, Codable, CaseIterable {
    case declarationPresent = "declaration_present"
    case declarationValid = "declaration_valid"
    case aiStatement = "ai_statement"
    case labelingMaterials = "labeling_materials"
    case materialBesideUnread = "material_beside_unread"
    case undeclaredFeature = "undeclared_feature"
    case possibleFeature = "possible_feature"
    case aiGenerationDenied = "ai_generation_denied"
    case appIdMatches = "app_id_matches"
    case filingPresent = "filing_present"
    case filingFormat = "filing_format"
    case filingCheckDigit = "filing_check_digit"
    case filingRegistered = "filing_registered"
    case filingCancelled = "filing_cancelled"
    case filingType = "filing_type"
    case filingOwner = "filing_owner"
    case filingProduct = "filing_product"
    case supplierFiling = "supplier_filing"
    case genaiNumber = "genai_number"
    case securityAssessment = "security_assessment"
    case assessmentAge = "assessment_age"
    case biometricConsent = "biometric_consent"
    case explicitLabeling = "explicit_labeling"
    case implicitLabeling = "implicit_labeling"
    case materialLabelPresent = "material_label_present"
    case materialLabelValid = "material_label_valid"
    case materialLabelProducer = "material_label_producer"
    case materialLabelReadable = "material_label_readable"
    case labelWriter = "label_writer"
    case usccValid = "uscc_valid"
    case icpFiling = "icp_filing"
    case bundleUnreadable = "bundle_unreadable"
    case bundlePacked = "bundle_packed"
    case manifestUnreadable = "manifest_unreadable"
    case structuralHazards = "structural_hazards"
    case declaredNotDetected = "declared_not_detected"
    case otherAIDetected = "other_ai_detected"

    /// What the check verifies, for `shelfguard policy checks` and the README.
    public var summary: String {
        switch self {
        case .declarationPresent: "A declaration was found (LM Art. 7: the platform must ask)."
        case .declarationValid:
            "The declaration parses against the schema; each problem is a finding at its line and column."
        case .aiStatement: "ai_generation is stated (true or false)."
        case .labelingMaterials: "With ai_generation: true, labeling materials are listed and each exists."
        case .materialBesideUnread:
            "A labeling material the bundle carries was not also given beside the declaration (that copy is not read: the bundle's is what users receive)."
        case .undeclaredFeature: "A deep-synthesis feature detected at the rule's confidence is declared."
        case .possibleFeature:
            "A vendor's service is called with no evidence of which feature it provides, and none of its possible features is declared (a question for a reviewer; never a refusal)."
        case .aiGenerationDenied: "ai_generation: false is not contradicted by declared features or strong detections."
        case .appIdMatches: "The declaration's app id is the manifest's."
        case .filingPresent: "Every feature offered as service provider has an algorithm filing."
        case .filingFormat: "Every algorithm filing number parses."
        case .filingCheckDigit: "Every algorithm filing number's check digit follows the derived rule."
        case .filingRegistered: "Every algorithm filing is in the published lists loaded."
        case .filingCancelled: "No algorithm filing has been cancelled."
        case .filingType: "Every algorithm filing is of type 01 (generation and synthesis)."
        case .filingOwner:
            "Every algorithm filing belongs to the developer, or to a declared supplier as technical supporter."
        case .filingProduct: "The app's name is among the filing's 应用产品."
        case .supplierFiling:
            "Every declared supplier's filing is a registered, uncancelled technical-supporter filing of that supplier."
        case .genaiNumber: "A declared gen-AI filing or registration number parses and is in the lists loaded."
        case .securityAssessment:
            "Every biometric feature has a recorded security assessment that covers it, of the developer."
        case .assessmentAge:
            "Every biometric feature's security assessment is younger than max_age_days (default: the policy's assessment_max_age_days)."
        case .biometricConsent: "Every biometric feature declares how separate consent is obtained."
        case .explicitLabeling: "Every DSP Art. 17(1) feature declares explicit labels."
        case .implicitLabeling: "Every deep-synthesis feature declares implicit (metadata) labels."
        case .materialLabelPresent:
            "Every medium among the materials of a feature declaring implicit labels carries a GB 45438 implicit label."
        case .materialLabelValid:
            "Every implicit label in those materials passes strict validation (seven keys, Label 1-3, provider code and its USCC)."
        case .materialLabelProducer:
            "Every implicit label in those materials names the developer or a declared supplier as producer."
        case .materialLabelReadable:
            "Every medium among those materials could be read for its labels (within the limits, intact, a format read)."
        case .labelWriter:
            "An app that declares implicit labels shows code that writes them (the TC260 XMP namespace, the label's keys, a C2PA SDK); a question, never a refusal: a server may write them."
        case .usccValid: "The developer's USCC is valid."
        case .icpFiling: "An ICP filing of the right kind for the platform is declared."
        case .bundleUnreadable: "The bundle could be read completely."
        case .bundlePacked: "No packer hides the bundle's code."
        case .manifestUnreadable: "The app's manifest could be read."
        case .structuralHazards: "None of the rule's hazard kinds is present."
        case .declaredNotDetected:
            "A declared feature has no detection (information: generation on a server leaves no trace)."
        case .otherAIDetected: "Recognition and runtime detections, listed for the reviewer (information)."
        }
    }

    /// The optional keys a rule running this check may carry.
    public var parameters: [String] {
        switch self {
        case .undeclaredFeature: ["confidence"]
        case .structuralHazards: ["hazards"]
        case .assessmentAge: ["max_age_days"]
        default: []
        }
    }
}

/// The evidence the policy checks a declaration against: the published filing lists, their
/// cancellations, gen-AI filings and registrations, and the security assessments and waivers the
/// store recorded. Read-only here; the SQLite ledger and CSV files both provide it.
public protocol EvidenceRegistry: Sendable {
    /// The latest published row for a filing number (canonical `网信算备…号` text).
    func filing(_ number: String) throws -> AlgorithmFilingRecord?
    /// The cancellation of a filing number, if one was published.
    func cancellation(_ number: String) throws -> FilingCancellation?
    /// A gen-AI filing or registration by number.
    func genai(_ number: String) throws -> GenAIRecord?
    func assessment(_ id: String) throws -> SecurityAssessment?
    /// Every waiver recorded for an app id.
    func waivers(app: String) throws -> [Waiver]
    /// What the registry holds, for reports: how many rows of each kind.
    func counts() throws -> RegistryCounts
    /// Whether any published filing list is loaded: without one, "not in the registry" means
    /// "not checked", and the policy says so.
    func hasFilingLists() throws -> Bool
}

/// How many records a registry holds.
public struct RegistryCounts: Sendable, Codable, Equatable {
    public var filings: Int
    public var cancellations: Int
    public var genai: Int
    public var assessments: Int
    public var waivers: Int

    public init(filings: Int = 0, cancellations: Int = 0, genai: Int = 0, assessments: Int = 0, waivers: Int = 0) {
        self.filings = filings
        self.cancellations = cancellations
        self.genai = genai
        self.assessments = assessments
        self.waivers = waivers
    }
}

/// A registry held in memory: what `check --registry FILE` builds from CSV and YAML files, so that
/// a CI job needs no database. Later files win over earlier ones for the same number.
public struct InMemoryRegistry: EvidenceRegistry {
    private var filings: [String: AlgorithmFilingRecord] = [:]
    private var cancellations: [String: FilingCancellation] = [:]
    private var genaiRecords: [String: GenAIRecord] = [:]
    private var assessments: [String: SecurityAssessment] = [:]
    private var waiverList: [Waiver] = []
    private var filingListLoaded = false

    public init() {}

    /// A registry of every record of these files (their rejected rows are left out).
    public init(files: [RegistryFile]) {
        for file in files { add(file) }
    }

    /// A registry of these records; `filingListLoaded` says whether a published filing list is
    /// among them.
    public init(
        filings: [AlgorithmFilingRecord], cancellations: [FilingCancellation], genai: [GenAIRecord],
        assessments: [SecurityAssessment], waivers: [Waiver], filingListLoaded: Bool
    ) {
        for record in filings { self.filings[record.number] = record }
        for record in cancellations { self.cancellations[record.number] = record }
        for record in genai { genaiRecords[record.number] = record }
        for record in assessments { self.assessments[record.id] = record }
        waiverList = waivers
        self.filingListLoaded = filingListLoaded
    }

    public mutating func add(_ file: RegistryFile) {
        for record in file.filings { filings[record.number] = record }
        if file.kind == .filings { filingListLoaded = true }
        for record in file.cancellations { cancellations[record.number] = record }
        for record in file.genai { genaiRecords[record.number] = record }
        for record in file.assessments { assessments[record.id] = record }
        waiverList += file.waivers
    }

    public func filing(_ number: String) -> AlgorithmFilingRecord? { filings[number] }
    public func cancellation(_ number: String) -> FilingCancellation? { cancellations[number] }
    public func genai(_ number: String) -> GenAIRecord? { genaiRecords[number] }
    public func assessment(_ id: String) -> SecurityAssessment? { assessments[id] }
    public func waivers(app: String) -> [Waiver] { waiverList.filter { $0.app == app } }
    public func hasFilingLists() -> Bool { filingListLoaded }

    public func counts() -> RegistryCounts {
        RegistryCounts(
            filings: filings.count, cancellations: cancellations.count, genai: genaiRecords.count,
            assessments: assessments.count, waivers: waiverList.count)
    }
}

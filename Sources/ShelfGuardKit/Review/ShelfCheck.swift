import Foundation

/// The shelf-review decision for one bundle (DSP Art. 13, LM Art. 7): inspect it, find and read
/// its declaration, check both against the evidence registry under the policy, decide.
/// `shelfguard check` runs it for one bundle with no database; `review` runs it for batches.
public struct ShelfCheck: Sendable {
    public var inspector: Inspector
    public var policy: Policy
    public var taxonomy: FeatureTaxonomy
    public var registry: any EvidenceRegistry
    /// The day ages and expiries are counted to, `YYYY-MM-DD` (China's date when not given).
    public var asOf: String
    /// Bounds on reading declarations.
    public var declarationLimits: DeclarationLimits = .standard
    /// Bounds on reading the labels of labeling materials.
    public var materialLimits: MaterialLimits = .standard
    /// The shelf database read as evidence, named in reports; nil when none is read.
    public var evidenceDatabase: ConfigSource?

    public init(
        inspector: Inspector, policy: Policy, taxonomy: FeatureTaxonomy, registry: any EvidenceRegistry,
        asOf: String? = nil
    ) {
        self.inspector = inspector
        self.policy = policy
        self.taxonomy = taxonomy
        self.registry = registry
        self.asOf = asOf ?? CalendarDay.today()
    }

    /// Why the tool itself could not check a bundle (exit 1): not a verdict on the submission.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case bundle(BundleReadError)
        case declaration(DeclarationLocator.MissingFile)
        case registry(String)

        public var description: String {
            switch self {
            case .bundle(let error): error.description
            case .declaration(let error): error.description
            case .registry(let message): "the evidence registry failed: \(message)"
            }
        }
    }

    /// Checks the bundle at `path`, with the declaration named by `declaration` or found by
    /// `DeclarationLocator`. The labeling materials a declaration beside the bundle lists are kept
    /// while the bundle is read, so that their labels need no second pass. With `readingFrom`,
    /// the bytes are read from that file, a copy of the one at `path` (the bundle store's copy
    /// `review` keeps), while the declaration is looked for beside `path` and reports name it.
    public func check(
        path: String, readingFrom copy: String? = nil, declaration: String? = nil
    ) throws(Failure)
        -> CheckResult
    {
        let listed = MaterialLabelReading.prelisted(
            bundlePath: path, explicit: declaration, taxonomy: taxonomy, limits: declarationLimits)
        var keeper = MaterialKeeper(paths: listed, maxBytes: materialLimits.maxBundleBytes)
        let inspection: Inspection
        do {
            inspection = try inspector.inspect(
                path: copy ?? path, reportedAs: copy == nil ? nil : path, alongside: &keeper)
        } catch { throw .bundle(error) }
        return try judge(inspection, bundlePath: path, readingFrom: copy, declaration: declaration, kept: keeper.files)
    }

    /// Judges an inspection already made, finding its declaration as `check` does and reading
    /// the labels of its labeling materials: `kept` holds the entries already kept from the
    /// bundle; materials in the bundle not among them are read from it in one more pass.
    public func judge(
        _ inspection: Inspection, bundlePath: String, readingFrom copy: String? = nil, declaration: String? = nil,
        kept: [String: MaterialKeeper.File] = [:]
    ) throws(Failure)
        -> CheckResult
    {
        var located: LocatedDeclaration
        do {
            located = try DeclarationLocator.locate(
                bundlePath: bundlePath, explicit: declaration, inspection: inspection, taxonomy: taxonomy,
                limits: declarationLimits)
        } catch { throw .declaration(error) }
        if case .found(let declared, let found) = located.state {
            var kept = kept
            let missing = Set(
                MaterialLabelReading.verified(in: declared).filter { found[$0] == "bundle" && kept[$0] == nil })
            if !missing.isEmpty {
                // The declaration came from inside the bundle: its materials were not known in
                // the first pass. The reader's own limits bound this one too.
                var keeper = MaterialKeeper(paths: missing, maxBytes: materialLimits.maxBundleBytes)
                var options = inspector.options.read
                options.computeDigest = false
                _ = try? BundleReader(options: options).read(path: copy ?? bundlePath, visitor: &keeper)
                kept.merge(keeper.files) { first, _ in first }
            }
            located.snapshot.labels = MaterialLabelReading.read(
                declared, found: found, beside: located.besideFiles, kept: kept, limits: materialLimits.labels)
        }
        return try judge(inspection, declaration: located.snapshot, state: located.state)
    }

    /// Judges a stored inventory with the declaration snapshot kept with its submission: the
    /// same judgement as at submission, against today's registry, policy and day.
    public func judge(
        _ inspection: Inspection, declaration snapshot: DeclarationSnapshot
    ) throws(Failure) -> CheckResult {
        try judge(
            inspection, declaration: snapshot,
            state: snapshot.state(taxonomy: taxonomy, maxNodes: declarationLimits.maxNodes))
    }

    func judge(
        _ inspection: Inspection, declaration snapshot: DeclarationSnapshot, state: DeclarationState
    )
        throws(Failure) -> CheckResult
    {
        let engine = inspector.engine
        let context = ReviewContext(
            inspection: inspection, declaration: state, registry: registry, taxonomy: taxonomy, asOf: asOf,
            settings: policy.settings, materialLabels: snapshot.labels,
            unreadBesideMaterials: snapshot.unreadBeside ?? [:])
        let evaluation: (outcome: VerdictOutcome, findings: [Finding])
        let counts: RegistryCounts
        do {
            evaluation = try PolicyEvaluator(policy: policy).evaluate(context)
            counts = try registry.counts()
        } catch { throw .registry(String(describing: error)) }
        var declared: Declaration?
        if case .found(let declaration, _) = state { declared = declaration }
        var result = CheckResult(
            inspection: inspection, declaration: declared, declarationSource: snapshot.source,
            verdict: evaluation.outcome,
            findings: evaluation.findings,
            stamp: CheckResult.Stamp(
                toolVersion: ShelfGuardVersion.current, policyName: policy.name, policyDigest: policy.digest,
                signatureDigest: engine?.database.digest ?? "", asOf: asOf, registry: counts,
                policySource: policy.origin, signatureSource: engine?.database.origin,
                evidenceDatabase: evidenceDatabase))
        result.declarationSnapshot = snapshot
        return result
    }
}

/// The outcome of `check` for one bundle: the inspection's facts, the declaration as parsed, the
/// verdict and its findings, and what it was judged against.
public struct CheckResult: Sendable, Codable {
    public var inspection: Inspection
    public var declaration: Declaration?
    /// Where the declaration was read from (also set when it was defective).
    public var declarationSource: String?
    /// The declaration as found, as the ledger keeps it with the submission.
    public var declarationSnapshot = DeclarationSnapshot()
    public var verdict: VerdictOutcome
    /// Worst first, then in policy order.
    public var findings: [Finding]
    public var stamp: Stamp

    /// What the verdict was reached with, so that it can be reproduced and audited.
    public struct Stamp: Sendable, Codable, Equatable {
        public var toolVersion: String
        public var policyName: String
        /// SHA-256 of the policy file.
        public var policyDigest: String
        /// SHA-256 over the feature database's files.
        public var signatureDigest: String
        public var asOf: String
        public var registry: RegistryCounts
        /// Where the policy was read from (nil in records written before it was kept).
        public var policySource: ConfigSource?
        /// Where the feature database was read from.
        public var signatureSource: ConfigSource?
        /// The shelf database read as evidence; nil when none was.
        public var evidenceDatabase: ConfigSource?

        /// What reports print for the configuration: each source with its hash.
        public var configurationLines: [String] {
            var lines = [
                "policy \(policyName): \(policySource?.description ?? "?") sha256 \(policyDigest)",
                "feature database: \(signatureSource?.description ?? "?") sha256 \(signatureDigest)",
            ]
            if let evidenceDatabase { lines.append("evidence database: \(evidenceDatabase)") }
            return lines
        }
    }

    public init(
        inspection: Inspection, declaration: Declaration?, declarationSource: String?, verdict: VerdictOutcome,
        findings: [Finding], stamp: Stamp
    ) {
        self.inspection = inspection
        self.declaration = declaration
        self.declarationSource = declarationSource
        self.verdict = verdict
        // Stable order: severity, then the policy's order (a stable sort keeps it).
        self.findings = findings.enumerated().sorted {
            $0.element.severity != $1.element.severity
                ? $0.element.severity > $1.element.severity : $0.offset < $1.offset
        }.map(\.element)
        self.stamp = stamp
    }

    /// The exit status of `check`: 0 approve, 2 refuse, 3 warn or manual review.
    public var exitStatus: ExitStatus { verdict.exitStatus }
}

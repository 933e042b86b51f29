/// Runs a policy's rules over one bundle's review context and decides the verdict. Checks that need
/// a declaration are skipped when there is none (the rules that say so fire instead); waivers
/// recorded for the app turn their rule's findings into information until they expire.
public struct PolicyEvaluator: Sendable {
    public let policy: Policy

    public init(policy: Policy) { self.policy = policy }

    /// Findings of every rule, waivers applied, and the verdict they make.
    public func evaluate(_ context: ReviewContext) throws -> (outcome: VerdictOutcome, findings: [Finding]) {
        var findings: [Finding] = []
        if !policy.rules.isEmpty {
            // One Checks for every rule: the context is copied once, and what several rules work
            // out from it is shared.
            var checks = Checks(rules: policy.rules, context: context)
            for index in policy.rules.indices {
                checks.index = index
                let messages = try PolicyEvaluator.run(checks)
                guard !messages.isEmpty else { continue }
                let rule = policy.rules[index]
                findings += messages.map {
                    Finding(
                        rule: rule.id, severity: rule.outcome, message: $0.message, basis: rule.basis,
                        location: $0.location,
                        remedy: rule.remedy, subject: $0.subject)
                }
            }
        }
        findings = try applyWaivers(findings, context)
        return (VerdictOutcome(findings: findings), findings)
    }

    /// One message of a check, with where it points.
    struct Hit {
        var message: String
        var location: String
        /// See `Finding.subject`.
        var subject: String? = nil
    }

    static func run(_ checks: Checks) throws -> [Hit] {
        switch checks.rule.check {
        case .declarationPresent: return checks.declarationPresent()
        case .declarationValid: return checks.declarationValid()
        case .aiStatement: return checks.aiStatement()
        case .labelingMaterials: return checks.labelingMaterials()
        case .materialBesideUnread: return checks.materialBesideUnread()
        case .undeclaredFeature: return checks.undeclaredFeature()
        case .possibleFeature: return checks.possibleFeature()
        case .labelWriter: return checks.labelWriter()
        case .aiGenerationDenied: return checks.aiGenerationDenied()
        case .appIdMatches: return checks.appIdMatches()
        case .filingPresent: return checks.filingPresent()
        case .filingFormat: return checks.filingFormat()
        case .filingCheckDigit: return checks.filingCheckDigit()
        case .filingRegistered: return try checks.filingRegistered()
        case .filingCancelled: return try checks.filingCancelled()
        case .filingType: return checks.filingType()
        case .filingOwner: return try checks.filingOwner()
        case .filingProduct: return try checks.filingProduct()
        case .supplierFiling: return try checks.supplierFiling()
        case .genaiNumber: return try checks.genaiNumber()
        case .securityAssessment: return try checks.securityAssessment()
        case .assessmentAge: return try checks.assessmentAge()
        case .biometricConsent: return checks.biometricConsent()
        case .explicitLabeling: return checks.explicitLabeling()
        case .implicitLabeling: return checks.implicitLabeling()
        case .materialLabelPresent: return checks.materialLabelPresent()
        case .materialLabelValid: return checks.materialLabelValid()
        case .materialLabelProducer: return checks.materialLabelProducer()
        case .materialLabelReadable: return checks.materialLabelReadable()
        case .usccValid: return checks.usccValid()
        case .icpFiling: return checks.icpFiling()
        case .bundleUnreadable: return checks.bundleUnreadable()
        case .bundlePacked: return checks.bundlePacked()
        case .manifestUnreadable: return checks.manifestUnreadable()
        case .structuralHazards: return checks.structuralHazards()
        case .declaredNotDetected: return checks.declaredNotDetected()
        case .otherAIDetected: return checks.otherAIDetected()
        }
    }

    /// A waiver for (app, rule) that has not expired makes that rule's findings information.
    private func applyWaivers(_ findings: [Finding], _ context: ReviewContext) throws -> [Finding] {
        let apps = Set([context.declared?.app.id, context.inspection.manifest?.appId].compactMap { $0 })
        var waivers: [Waiver] = []
        for app in apps { waivers += try context.registry.waivers(app: app) }
        guard !waivers.isEmpty else { return findings }
        return findings.map { finding in
            guard finding.severity > .info,
                let waiver = waivers.first(where: { $0.rule == finding.rule && $0.expires >= context.asOf })
            else { return finding }
            var waived = finding
            waived.severity = .info
            waived.waiver = "waived by \(waiver.grantedBy) until \(waiver.expires): \(waiver.reason)"
            return waived
        }
    }
}

/// Security assessments, consent, labels, the developer's identity and the bundle itself.
extension Checks {
    /// Declared features that edit faces, voices or bodies (DSP Art. 14, 15).
    var biometricFeatures: [(index: Int, feature: Declaration.Feature)] {
        (declared?.features ?? []).enumerated().filter { taxonomy.features[$0.element.category]?.biometric == true }
            .map { ($0.offset, $0.element) }
    }

    func securityAssessment() throws -> [Hit] {
        guard let declared else { return [] }
        var hits: [Hit] = []
        for (i, feature) in biometricFeatures {
            let position = declared.position("features[\(i)]")
            guard let id = feature.securityAssessment, !id.isEmpty else {
                hits.append(
                    hit(
                        "\(feature.category) edits biometric information but no security assessment is declared",
                        at: position))
                continue
            }
            guard let assessment = try context.registry.assessment(id) else {
                hits.append(
                    hit(
                        "security assessment \(id) for \(feature.category) is not recorded in the registry",
                        at: declared.position("features[\(i)].security_assessment")))
                continue
            }
            if !assessment.features.contains(feature.category) {
                hits.append(
                    hit(
                        "security assessment \(id) covers \(assessment.features.joined(separator: ", ")), not \(feature.category) (a feature added since needs one: DSP Art. 20)",
                        at: declared.position("features[\(i)].security_assessment")))
            }
            if !Checks.sameEntity(assessment.entity, declared.developer.name) {
                hits.append(
                    hit(
                        "security assessment \(id) is of \(assessment.entity), not of the developer \(declared.developer.name)",
                        at: declared.position("features[\(i)].security_assessment")))
            }
        }
        return hits
    }

    func assessmentAge() throws -> [Hit] {
        guard let declared else { return [] }
        let maxAge = rule.maxAgeDays ?? context.settings.assessmentMaxAgeDays
        var hits: [Hit] = []
        for (i, feature) in biometricFeatures {
            guard let id = feature.securityAssessment, let assessment = try context.registry.assessment(id),
                let age = CalendarDay.days(from: assessment.date, to: context.asOf), age > maxAge
            else { continue }
            var found = hit(
                "security assessment \(id) of \(assessment.date) is \(age) days old as of \(context.asOf); the policy accepts \(maxAge)",
                at: declared.position("features[\(i)].security_assessment"))
            found.subject = "\(feature.category) \(id)"
            hits.append(found)
        }
        return hits
    }

    func biometricConsent() -> [Hit] {
        guard let declared else { return [] }
        return biometricFeatures.filter { ($0.feature.biometricConsent ?? "").isEmpty }.map { i, feature in
            hit(
                "\(feature.category) edits faces or voices but the declaration does not say how separate consent (单独同意) is obtained",
                at: declared.position("features[\(i)]"))
        }
    }

    func explicitLabeling() -> [Hit] {
        guard let declared else { return [] }
        return declared.features.enumerated().filter {
            taxonomy.features[$0.element.category]?.prominentLabel == true
                && ($0.element.labeling?.explicit ?? []).isEmpty
        }.map { i, feature in
            hit(
                "\(feature.category) is a DSP Art. 17(1) service but no explicit (prominent) label is declared",
                at: declared.position("features[\(i)]"))
        }
    }

    func implicitLabeling() -> [Hit] {
        guard let declared else { return [] }
        return declared.features.enumerated().filter { ($0.element.labeling?.implicit ?? []).isEmpty }.map {
            i, feature in
            hit(
                "\(feature.category) generates content but no implicit (metadata) label is declared",
                at: declared.position("features[\(i)]"))
        }
    }

    func usccValid() -> [Hit] {
        guard let declared else { return [] }
        guard let uscc = declared.developer.uscc else {
            return [hit("the developer's USCC (统一社会信用代码) is not declared", at: declared.position("developer.name"))]
        }
        guard let problem = USCC.problem(with: uscc) else { return [] }
        return [hit("USCC '\(uscc)' is not valid: it \(problem)", at: declared.position("developer.uscc"))]
    }

    func icpFiling() -> [Hit] {
        guard let declared else { return [] }
        let expected = ICPFiling.expectedKinds(for: context.platform)
        let suffixes = expected.map { $0.rawValue }.joined(separator: " or ")
        guard let text = declared.developer.icpFiling else {
            return [
                hit(
                    "no ICP filing (APP备案) is declared; a \(context.platform.rawValue) bundle needs one ending in \(suffixes)",
                    at: declared.position("developer.name"))
            ]
        }
        guard let filing = ICPFiling(text) else {
            return [
                hit(
                    "'\(text)' is not an ICP filing (expected e.g. 粤ICP备2024012345号-3A)",
                    at: declared.position("developer.icp_filing"))
            ]
        }
        guard expected.contains(filing.kind) else {
            let kind = filing.kind == .website ? "a website's (no suffix)" : "suffix \(filing.kind.rawValue)"
            return [
                hit(
                    "\(filing.text) is \(kind); a \(context.platform.rawValue) bundle needs suffix \(suffixes)",
                    at: declared.position("developer.icp_filing"))
            ]
        }
        return []
    }

    // MARK: - The bundle

    func bundleUnreadable() -> [Hit] {
        let excluded: Set<HazardKind> = [.packed, .manifestUnreadable]
        let unread = context.inspection.hazards.filter { $0.kind.meansContentUnread && !excluded.contains($0.kind) }
        // The reader already lists at most --max-hazards-per-kind of each kind.
        var hits = unread.map { hit("\($0.kind.rawValue): \($0.detail)", at: $0.location) }
        if unread.isEmpty && !context.inspection.bundle.complete {
            hits.append(hit("the bundle could not be read completely"))
        }
        return hits
    }

    func bundlePacked() -> [Hit] {
        context.inspection.hazards.filter { $0.kind == .packed }.map { hit($0.detail, at: $0.location) }
    }

    func manifestUnreadable() -> [Hit] {
        context.inspection.hazards.filter { $0.kind == .manifestUnreadable || $0.kind == .manifestMissing }.map {
            hit("\($0.kind.rawValue): \($0.detail)", at: $0.location)
        }
    }

    func structuralHazards() -> [Hit] {
        let kinds = Set(rule.hazards ?? [])
        return context.inspection.hazards.filter { kinds.contains($0.kind) }.map {
            hit("\($0.kind.rawValue): \($0.detail)", at: $0.location)
        }
    }
}

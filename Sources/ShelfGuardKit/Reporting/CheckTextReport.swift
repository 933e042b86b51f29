/// `check` for people: the verdict first, then each finding with where it points, its legal
/// basis and the remedy, then what the verdict was reached with. Colour only when asked for (the
/// command asks when standard output is a terminal and `NO_COLOR` is unset). Every text that
/// comes from a bundle or a declaration is escaped: nothing reaches the terminal raw.
public struct CheckTextReport: Sendable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    public func render(_ outputs: [CheckOutput]) -> String {
        var text = outputs.map(render(_:)).joined(separator: "\n")
        if outputs.count > 1 {
            let counts = VerdictOutcome.allCases.map { verdict in
                (verdict, outputs.filter { $0.result?.verdict == verdict }.count)
            }.filter { $0.1 > 0 }.map { "\($0.1) \(label($0.0))" }
            let errors = outputs.filter { $0.result == nil }.count
            text +=
                "\n\(outputs.count) bundles: "
                + (counts + (errors > 0 ? ["\(errors) not checked"] : []))
                .joined(separator: ", ") + "\n"
        }
        return text
    }

    func render(_ output: CheckOutput) -> String {
        guard let result = output.result else {
            return
                "\(clean(output.path))  \(paint("ERROR", .red, bold: true))\n  \(clean(output.error ?? "unknown error"))\n"
        }
        var lines: [String] = []
        let verdict = paint(label(result.verdict).uppercased(), color(of: result.verdict), bold: true)
        lines.append("\(clean(result.inspection.bundle.path))  \(verdict)  (exit \(result.exitStatus.rawValue))")
        if let m = result.inspection.manifest {
            var app = "\(m.platform.rawValue)  \(clean(m.appId ?? "(no app id)"))"
            if let version = m.versionName ?? m.versionCode { app += "  \(clean(version))" }
            if let name = m.displayName { app += "  \"\(clean(name))\"" }
            lines.append("  app          " + app)
        }
        if let declaration = result.declaration {
            let ai =
                declaration.aiGeneration.map { $0 ? "AI generation: yes" : "AI generation: no" }
                ?? "AI generation: not stated"
            let features = declaration.features.map(\.category)
            lines.append(
                "  declaration  \(clean(declaration.source))  (\(ai)\(features.isEmpty ? "" : "; " + features.joined(separator: ", ")))"
            )
        } else if let source = result.declarationSource {
            lines.append("  declaration  \(clean(source))  (defective)")
        } else {
            lines.append("  declaration  none found")
        }
        let detected = result.inspection.featureSummary.map {
            "\($0.feature) (\($0.confidence.rawValue)\($0.synthesis ? "" : ", not synthesis"))"
        }
        lines.append("  detected     " + (detected.isEmpty ? "no AI features" : detected.joined(separator: ", ")))
        // Vendors called without evidence of which feature: what they may provide, unproven.
        let found = Set(result.inspection.featureSummary.map(\.feature))
        var possible: [String] = []
        for detection in result.inspection.detections where detection.features.isEmpty {
            for feature in detection.possibleFeatures where !found.contains(feature) && !possible.contains(feature) {
                possible.append(feature)
            }
        }
        if !possible.isEmpty {
            lines.append("  possible     " + possible.joined(separator: ", ") + " (a vendor's service, not proven)")
        }
        if let writers = InspectionRenderer.labelWriters(result.inspection.detections) {
            lines.append("  labels       " + writers)
        }
        if result.findings.isEmpty {
            lines.append("  findings     none")
        } else {
            let tally = Severity.allCases.reversed().compactMap { severity -> String? in
                let n = result.findings.filter { $0.severity == severity }.count
                return n == 0 ? nil : "\(n) \(severity.rawValue)"
            }
            lines.append("  findings     \(result.findings.count): " + tally.joined(separator: ", "))
            for finding in result.findings {
                let tag = paint(finding.severity.rawValue.uppercased(), color(of: finding.severity), bold: true)
                lines.append("    \(tag)  \(paint(finding.rule, .none, bold: true))  \(clean(finding.message))")
                lines.append("      at \(clean(finding.location))  [\(finding.basis)]")
                if finding.severity > .info || finding.waiver == nil {
                    lines.append("      remedy: \(clean(finding.remedy))")
                }
                if let waiver = finding.waiver { lines.append("      \(clean(waiver))") }
            }
        }
        let s = result.stamp
        let registry =
            "registry \(s.registry.filings) filings, \(s.registry.cancellations) cancellations, \(s.registry.genai) gen-AI numbers, \(s.registry.assessments) assessments, \(s.registry.waivers) waivers"
        lines.append(
            paint(
                "  judged by shelfguard \(s.toolVersion), policy \(s.policyName) (\(s.policyDigest.prefix(12))), signatures \(s.signatureDigest.prefix(12)), \(registry), as of \(s.asOf)",
                .dim))
        for line in s.configurationLines { lines.append(paint("  \(clean(line))", .dim)) }
        return lines.joined(separator: "\n") + "\n"
    }

    func label(_ verdict: VerdictOutcome) -> String {
        switch verdict {
        case .approve: "approve"
        case .warn: "warn"
        case .manualReview: "manual review"
        case .refuse: "refuse"
        }
    }

    enum Colour: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case magenta = "35"
        case cyan = "36"
        case dim = "2"
        case none = ""
    }

    func color(of verdict: VerdictOutcome) -> Colour {
        switch verdict {
        case .approve: .green
        case .warn: .yellow
        case .manualReview: .magenta
        case .refuse: .red
        }
    }

    func color(of severity: Severity) -> Colour {
        switch severity {
        case .info: .cyan
        case .warn: .yellow
        case .manualReview: .magenta
        case .refuse: .red
        }
    }

    func paint(_ text: String, _ colour: Colour, bold: Bool = false) -> String {
        guard color else { return text }
        let codes = [bold ? "1" : nil, colour == .none ? nil : colour.rawValue].compactMap { $0 }
        guard !codes.isEmpty else { return text }
        return "\u{1B}[\(codes.joined(separator: ";"))m\(text)\u{1B}[0m"
    }

    func clean(_ text: String) -> String { SafeText.escape(text) }
}

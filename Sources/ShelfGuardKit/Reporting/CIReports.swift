import Foundation

/// JUnit XML, the test-report format every CI system shows: one test suite per bundle, one test
/// case per policy rule. A rule with refuse, manual-review or warning findings fails (its findings
/// in the failure text); information goes to the case's output; a waived rule is skipped with the
/// waiver; a bundle the tool could not check is an error.
public struct JUnitReport: Sendable {
    public var policy: Policy

    public init(policy: Policy) { self.policy = policy }

    public func render(_ outputs: [CheckOutput]) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        for output in outputs {
            guard let result = output.result else {
                totals.tests += 1
                totals.errors += 1
                suites.append(
                    """
                      <testsuite name="\(xml(output.path))" tests="1" failures="0" errors="1" skipped="0">
                        <testcase classname="shelfguard.check" name="bundle">
                          <error type="tool_error" message="\(xml(output.error ?? "not checked"))"/>
                        </testcase>
                      </testsuite>
                    """)
                continue
            }
            let bundle = result.inspection.bundle.path
            let className =
                "shelfguard.\(BundleReader.displayName(of: bundle).replacingOccurrences(of: ".", with: "_"))"
            var cases: [String] = []
            var failures = 0
            var skipped = 0
            for rule in policy.rules {
                let findings = result.findings.filter { $0.rule == rule.id }
                let counted = findings.filter { $0.severity > .info }
                let waived = findings.filter { $0.waiver != nil }
                var body: [String] = []
                if !counted.isEmpty {
                    failures += 1
                    let worst = counted.map(\.severity).max() ?? rule.outcome
                    let text = counted.map { "\($0.location): \($0.message)" }.joined(separator: "\n")
                    body.append(
                        "      <failure type=\"\(worst.rawValue)\" message=\"\(xml(counted[0].message))\">\(xml(text + "\nBasis: \(rule.basis)\nRemedy: \(rule.remedy)"))</failure>"
                    )
                } else if !waived.isEmpty {
                    skipped += 1
                    body.append("      <skipped message=\"\(xml(waived[0].waiver ?? "waived"))\"/>")
                }
                let info = findings.filter { $0.severity == .info && $0.waiver == nil }
                if !info.isEmpty {
                    let text = info.map { "\($0.location): \($0.message)" }.joined(separator: "\n")
                    body.append("      <system-out>\(xml(text))</system-out>")
                }
                let open = "    <testcase classname=\"\(xml(className))\" name=\"\(xml(rule.id))\""
                cases.append(
                    body.isEmpty ? open + "/>" : open + ">\n" + body.joined(separator: "\n") + "\n    </testcase>")
            }
            totals.tests += policy.rules.count
            totals.failures += failures
            totals.skipped += skipped
            suites.append(
                """
                  <testsuite name="\(xml(bundle))" tests="\(policy.rules.count)" failures="\(failures)" errors="0" skipped="\(skipped)">
                    <properties>
                      <property name="verdict" value="\(result.verdict.rawValue)"/>
                      <property name="app" value="\(xml(result.appIdentity))"/>
                      <property name="policy_sha256" value="\(result.stamp.policyDigest)"/>
                      <property name="signatures_sha256" value="\(result.stamp.signatureDigest)"/>
                      <property name="policy_source" value="\(xml(result.stamp.policySource?.description ?? "?"))"/>
                      <property name="signatures_source" value="\(xml(result.stamp.signatureSource?.description ?? "?"))"/>
                      <property name="evidence_database" value="\(xml(result.stamp.evidenceDatabase?.description ?? "none"))"/>
                      <property name="as_of" value="\(result.stamp.asOf)"/>
                    </properties>
                \(cases.joined(separator: "\n"))
                  </testsuite>
                """)
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="shelfguard check" tests="\(totals.tests)" failures="\(totals.failures)" errors="\(totals.errors)" skipped="\(totals.skipped)">
            \(suites.joined(separator: "\n"))
            </testsuites>

            """
    }

    /// XML text and attribute escaping; characters XML 1.0 cannot hold become U+FFFD, and DEL,
    /// C1 controls and direction overrides character references (`&#x202E;`), which parsers read
    /// back and terminals do not act on.
    func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            case _ where scalar.value >= 0x7F && SafeText.isUnsafe(scalar):
                out += "&#x" + String(scalar.value, radix: 16, uppercase: true) + ";"
            default:
                let v = scalar.value
                let allowed = v >= 0x20 && !(0xD800...0xDFFF).contains(v) && v != 0xFFFE && v != 0xFFFF
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}

/// GitHub Actions workflow commands: each finding an annotation on the declaration line or the
/// bundle (`::error file=…,line=…,title=…::message`), and one notice per bundle with its verdict.
public struct GitHubAnnotations: Sendable {
    public init() {}

    public func render(_ outputs: [CheckOutput]) -> String {
        var lines: [String] = []
        for output in outputs {
            guard let result = output.result else {
                lines.append(
                    "::error file=\(property(output.path)),title=shelfguard could not check::\(data(output.error ?? ""))"
                )
                continue
            }
            let bundle = result.inspection.bundle.path
            for finding in result.findings {
                let place = FindingPlace(finding.location, bundlePath: bundle)
                var properties = ["file=\(property(place.file))"]
                if let line = place.line { properties.append("line=\(line)") }
                if let column = place.column { properties.append("col=\(column)") }
                properties.append("title=\(property("\(finding.rule) (\(finding.basis))"))")
                var message = finding.message
                if let inner = place.inner { message += "\nat \(inner)" }
                message += finding.waiver.map { "\n\($0)" } ?? "\nRemedy: \(finding.remedy)"
                let command = finding.waiver != nil ? "notice" : GitHubAnnotations.command(finding.severity)
                lines.append("::\(command) \(properties.joined(separator: ","))::\(data(message))")
            }
            let command = result.verdict == .approve ? "notice" : result.verdict == .refuse ? "error" : "warning"
            lines.append(
                "::\(command) file=\(property(bundle)),title=ShelfGuard verdict::\(data("\(BundleReader.displayName(of: bundle)): \(result.verdict.rawValue) (\(result.findings.count) findings)"))"
            )
        }
        // What the verdicts were judged with, once: the policy, the feature database, the evidence.
        if let stamp = outputs.compactMap(\.result).first?.stamp {
            lines.append(
                "::notice title=ShelfGuard configuration::\(data(stamp.configurationLines.joined(separator: "\n")))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func command(_ severity: Severity) -> String {
        switch severity {
        case .refuse: "error"
        case .manualReview, .warn: "warning"
        case .info: "notice"
        }
    }

    /// Escaping of a command's message (GitHub's toolkit rules): `%`, CR and LF as `%25`, `%0D`,
    /// `%0A`, so that a message stays on its line and cannot start a command of its own; every
    /// other control character escaped as text (`\u{1B}`).
    func data(_ text: String) -> String {
        SafeText.escape(
            text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A"))
    }

    /// Escaping of a command's property value: the message's, plus `:` and `,`.
    func property(_ text: String) -> String {
        data(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

/// Markdown for merge-request comments and CI job summaries (`$GITHUB_STEP_SUMMARY`): the verdict
/// of each bundle and a table of its findings with basis and remedy.
public struct MarkdownReport: Sendable {
    public init() {}

    public func render(_ outputs: [CheckOutput]) -> String {
        var lines = ["# ShelfGuard check", ""]
        if outputs.count > 1 {
            lines.append("| Bundle | App | Verdict | Findings |")
            lines.append("|---|---|---|---|")
            for output in outputs {
                if let r = output.result {
                    lines.append(
                        "| \(cell(r.inspection.bundle.path)) | \(cell(r.appIdentity)) | **\(r.verdict.rawValue)** | \(r.findings.count) |"
                    )
                } else {
                    lines.append("| \(cell(output.path)) | | **error** | \(cell(output.error ?? "")) |")
                }
            }
            lines.append("")
        }
        for output in outputs {
            guard let result = output.result else {
                lines += ["## \(cell(output.path)): error", "", cell(output.error ?? "not checked"), ""]
                continue
            }
            lines.append("## \(cell(result.inspection.bundle.path)): **\(result.verdict.rawValue)**")
            lines.append("")
            var facts = ["- App: `\(code(result.appIdentity))`"]
            if let source = result.declarationSource { facts.append("- Declaration: `\(code(source))`") }
            let detected = result.inspection.featureSummary.map { "\($0.feature) (\($0.confidence.rawValue))" }
            facts.append("- Detected: " + (detected.isEmpty ? "no AI features" : detected.joined(separator: ", ")))
            lines += facts + [""]
            if result.findings.isEmpty {
                lines += ["No findings.", ""]
            } else {
                lines.append("| Severity | Rule | Finding | Where | Basis | Remedy |")
                lines.append("|---|---|---|---|---|---|")
                for f in result.findings {
                    let severity = f.waiver == nil ? f.severity.rawValue : "\(f.severity.rawValue) (waived)"
                    let remedy = f.waiver ?? f.remedy
                    lines.append(
                        "| \(severity) | `\(code(f.rule))` | \(cell(f.message)) | `\(code(f.location))` | \(cell(f.basis)) | \(cell(remedy)) |"
                    )
                }
                lines.append("")
            }
            let s = result.stamp
            lines.append(
                "<sub>shelfguard \(s.toolVersion) · policy \(cell(s.policyName)) `\(s.policyDigest.prefix(12))` · signatures `\(s.signatureDigest.prefix(12))` · as of \(s.asOf)</sub>"
            )
            lines.append("")
            lines.append(
                "<sub>" + s.configurationLines.map { cell($0) }.joined(separator: " · ") + "</sub>")
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// A table cell: pipes escaped, line breaks as <br>, HTML and control characters neutralised.
    func cell(_ text: String) -> String {
        SafeText.escape(text.replacingOccurrences(of: "\n", with: " "))
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "|", with: "\\|")
    }

    /// Text inside backticks: a backtick cannot end the span early.
    func code(_ text: String) -> String {
        SafeText.escape(text).replacingOccurrences(of: "`", with: "'").replacingOccurrences(
            of: "|", with: "\\|")
    }
}

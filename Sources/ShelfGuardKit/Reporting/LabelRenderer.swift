import Foundation

/// Renders `shelfguard labels` outputs as JSON or plain text. Every value read from a file is
/// escaped in text: nothing from a file reaches a terminal raw.
public enum LabelRenderer {
    /// Stable, pretty JSON: one object for one file, an array for several.
    public static func json(_ outputs: [LabelOutput]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = outputs.count == 1 ? try encoder.encode(outputs[0]) : try encoder.encode(outputs)
        return String(decoding: data, as: UTF8.self)
    }

    /// Text for people, one block per file.
    public static func text(_ outputs: [LabelOutput]) -> String {
        outputs.map(text(_:)).joined(separator: "\n")
    }

    static func clean(_ text: String) -> String { SafeText.escape(text) }

    static func text(_ output: LabelOutput) -> String {
        var lines: [String] = []
        switch output {
        case .failure(let path, let error):
            lines.append(clean(path))
            lines.append("  error       " + clean(error))
        case .report(let report):
            lines.append(clean(report.path))
            var facts = "\(report.container.rawValue), \(ByteCount.format(report.size))"
            if let digest = report.sha256 { facts += ", sha256 \(digest)" }
            facts += "; \(ByteCount.format(report.bytesRead)) read"
            lines.append("  container   " + facts)
            if report.labels.isEmpty { lines.append("  labels      none found") }
            for (i, label) in report.labels.enumerated() {
                lines += labelLines(label, number: i + 1, of: report.labels.count)
            }
            lines += c2paLines(report.c2pa)
            if report.hazards.isEmpty {
                lines.append("  hazards     none")
            } else {
                lines.append("  hazards     \(report.hazards.count)")
                let width = report.hazards.map(\.kind.rawValue.count).max() ?? 0
                for hazard in report.hazards {
                    let kind = hazard.kind.rawValue.paddedQuickly(to: width)
                    lines.append("    \(kind)  \(clean(hazard.location))")
                    lines.append("    " + String(repeating: " ", count: width) + "  " + clean(hazard.detail))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func labelLines(_ label: ImplicitLabel, number: Int, of count: Int) -> [String] {
        let title = count == 1 ? "label" : "label \(number)"
        var lines = [
            "  " + title.paddedQuickly(to: 12)
                + "\(label.carrier.rawValue), \(label.form): " + (label.valid ? "valid" : "INVALID")
        ]
        for field in label.fields {
            var line = "      \(clean(field.key)) = \(clean(field.value.jsonText))"
            if field.key == "ContentProducer", let uscc = label.producerUSCC { line += "  (USCC \(uscc))" }
            lines.append(line)
        }
        if let match = label.producerMatch {
            let who = match.party.map { " \(clean($0))" } ?? ""
            lines.append("      producer: \(match.outcome.rawValue)\(who): \(clean(match.detail))")
        }
        for problem in label.problems { lines.append("      - " + clean(problem)) }
        return lines
    }

    static func c2paLines(_ c2pa: C2PASummary) -> [String] {
        var lines: [String] = []
        if c2pa.present {
            var facts = "present (\(c2pa.carrier ?? "?")"
            if let manifests = c2pa.manifests { facts += ", \(manifests) manifest\(manifests == 1 ? "" : "s")" }
            facts += ")"
            lines.append("  c2pa        " + facts)
            if let active = c2pa.activeManifest { lines.append("      active manifest: " + clean(active)) }
            if let generator = c2pa.claimGenerator { lines.append("      claim generator: " + clean(generator)) }
            if let type = c2pa.digitalSourceType {
                let ai = c2pa.aiGenerated == true ? " (AI-generated media)" : ""
                lines.append("      digital source type: " + clean(type) + ai)
            }
            for problem in c2pa.problems ?? [] { lines.append("      - " + clean(problem)) }
            lines.append("      " + (c2pa.note ?? C2PASummary.notValidatedNote))
        } else {
            lines.append("  c2pa        none")
        }
        if let type = c2pa.xmpDigitalSourceType {
            lines.append("  xmp source  " + clean(type) + (C2PASummary.marksAI(type) ? " (AI-generated media)" : ""))
        }
        return lines
    }
}

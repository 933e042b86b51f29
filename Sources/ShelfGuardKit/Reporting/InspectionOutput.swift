import Foundation

/// What `shelfguard inspect` prints for one bundle: the contract's `bundle` and `hazards`, the
/// entry list when asked for, or an `error` when the tool could not read the file at all.
public struct InspectionOutput: Sendable, Codable {
    public var bundle: BundleSummary?
    public var hazards: [Hazard]?
    public var entries: [BundleEntry]?
    /// Set only when the tool itself failed (a missing file): exit 1.
    public var error: String?
    /// The path as given, repeated here for error objects.
    public var path: String?

    public init(report: BundleReport, includeEntries: Bool) {
        bundle = report.bundle
        hazards = report.hazards
        entries = includeEntries ? report.entries : nil
    }

    public init(path: String, error: String) {
        self.path = path
        self.error = error
    }

    /// The exit status this output stands for.
    public var status: ExitStatus {
        guard error == nil, let bundle else { return .toolError }
        if !bundle.complete { return .refused }
        return (hazards ?? []).isEmpty ? .pass : .warn
    }
}

/// Renders inspection outputs as JSON or plain text.
public enum InspectionRenderer {
    /// Stable, pretty JSON: one object for one bundle, an array for several.
    public static func json(_ outputs: [InspectionOutput]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = outputs.count == 1 ? try encoder.encode(outputs[0]) : try encoder.encode(outputs)
        return String(decoding: data, as: UTF8.self)
    }

    /// Text for people. Every name is escaped: nothing from a bundle reaches the terminal raw.
    public static func text(_ outputs: [InspectionOutput]) -> String {
        outputs.map(text(_:)).joined(separator: "\n")
    }

    static func text(_ output: InspectionOutput) -> String {
        var lines: [String] = []
        guard let bundle = output.bundle else {
            lines.append(EntryName.escapeControls(output.path ?? "?"))
            lines.append("  error     " + EntryName.escapeControls(output.error ?? "unknown error"))
            return lines.joined(separator: "\n") + "\n"
        }
        let hazards = output.hazards ?? []
        lines.append(EntryName.escapeControls(bundle.path))
        let digest = bundle.sha256.isEmpty ? "" : ", sha256 \(bundle.sha256)"
        lines.append("  format    \(bundle.format.rawValue) (\(ByteCount.format(bundle.size))\(digest))")
        lines.append(
            "  entries   \(bundle.entryCount) at the top level, \(bundle.entriesRead) in all, "
                + "\(bundle.nestedArchives) nested archive\(bundle.nestedArchives == 1 ? "" : "s"), "
                + "\(ByteCount.format(bundle.bytesRead)) read")
        lines.append("  read      " + (bundle.complete ? "completely" : "INCOMPLETE: some content could not be read"))
        if hazards.isEmpty {
            lines.append("  hazards   none")
        } else {
            lines.append("  hazards   \(hazards.count)")
            let width = hazards.map(\.kind.rawValue.count).max() ?? 0
            for hazard in hazards {
                let kind = hazard.kind.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append("    \(kind)  \(EntryName.escapeControls(hazard.location))")
                lines.append(
                    "    " + String(repeating: " ", count: width) + "  " + EntryName.escapeControls(hazard.detail))
            }
        }
        if let entries = output.entries {
            lines.append("  entry list (\(entries.count)):")
            let width = entries.map(\.kind.rawValue.count).max() ?? 0
            for entry in entries {
                let kind = entry.kind.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                let size = ByteCount.format(entry.size)
                let padded = String(repeating: " ", count: max(0, 10 - size.count)) + size
                lines.append("    \(kind)  \(padded)  \(EntryName.escapeControls(entry.path))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

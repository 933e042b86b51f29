import Foundation

/// What `shelfguard inspect` prints for one bundle: the contract's `bundle`, `manifest` and
/// `hazards`, the entry list when asked for, or an `error` when the tool could not read the file.
public struct InspectionOutput: Sendable, Codable {
    public var bundle: BundleSummary?
    public var manifest: AppManifest?
    public var detections: [Detection]?
    public var featureSummary: [FeatureEvidence]?
    public var hazards: [Hazard]?
    public var entries: [BundleEntry]?
    /// Set only when the tool itself failed (a missing file): exit 1.
    public var error: String?
    /// The path as given, repeated here for error objects.
    public var path: String?
    /// The feature database the detections come from: its hash and where it was read from.
    public var signatureDatabase: DatabaseStamp?

    /// A feature database as reports name it.
    public struct DatabaseStamp: Sendable, Codable, Equatable {
        public var sha256: String
        /// `built-in`, or the folder read.
        public var source: String
        /// `built-in`, `--policies`, `SHELFGUARD_POLICIES`…
        public var chosenBy: String

        public init(_ database: SignatureDatabase) {
            sha256 = database.digest
            source = database.origin.path ?? "built-in"
            chosenBy = database.origin.chosenBy
        }
    }

    public init(inspection: Inspection, includeEntries: Bool) {
        bundle = inspection.bundle
        manifest = inspection.manifest
        detections = inspection.detections
        featureSummary = inspection.featureSummary
        hazards = inspection.hazards
        entries = includeEntries ? inspection.entries : nil
    }

    public init(path: String, error: String) {
        self.path = path
        self.error = error
    }

    /// The exit status this output stands for.
    public var status: ExitStatus {
        guard error == nil, let bundle else { return .toolError }
        let hazards = hazards ?? []
        if !bundle.complete || hazards.contains(where: \.kind.meansContentUnread) { return .refused }
        return hazards.isEmpty ? .pass : .warn
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
            lines.append(SafeText.escape(output.path ?? "?"))
            lines.append("  error       " + SafeText.escape(output.error ?? "unknown error"))
            return lines.joined(separator: "\n") + "\n"
        }
        let hazards = output.hazards ?? []
        lines.append(SafeText.escape(bundle.path))
        let digest = bundle.sha256.isEmpty ? "" : ", sha256 \(bundle.sha256)"
        lines.append("  format      \(bundle.format.rawValue) (\(ByteCount.format(bundle.size))\(digest))")
        lines.append(
            "  entries     \(bundle.entryCount) at the top level, \(bundle.entriesRead) in all, "
                + "\(bundle.nestedArchives) nested archive\(bundle.nestedArchives == 1 ? "" : "s"), "
                + "\(ByteCount.format(bundle.bytesRead)) read")
        lines.append("  read        " + (bundle.complete ? "completely" : "INCOMPLETE: some content could not be read"))
        if let manifest = output.manifest { lines += manifestLines(manifest) }
        lines += detectionLines(output.featureSummary ?? [], output.detections ?? [])
        if hazards.isEmpty {
            lines.append("  hazards     none")
        } else {
            lines.append("  hazards     \(hazards.count)")
            let width = hazards.map(\.kind.rawValue.count).max() ?? 0
            for hazard in hazards {
                let kind = hazard.kind.rawValue.paddedQuickly(to: width)
                lines.append("    \(kind)  \(SafeText.escape(hazard.location))")
                lines.append(
                    "    " + String(repeating: " ", count: width) + "  " + SafeText.escape(hazard.detail))
            }
        }
        if let entries = output.entries {
            lines.append("  entry list (\(entries.count)):")
            let width = entries.map(\.kind.rawValue.count).max() ?? 0
            for entry in entries {
                let kind = entry.kind.rawValue.paddedQuickly(to: width)
                let size = ByteCount.format(entry.size)
                let padded = String(repeating: " ", count: max(0, 10 - size.count)) + size
                lines.append("    \(kind)  \(padded)  \(SafeText.escape(entry.path))")
            }
        }
        if let database = output.signatureDatabase {
            let source = database.chosenBy == "built-in" ? "built-in" : "\(database.source) (\(database.chosenBy))"
            lines.append("  feature database  \(SafeText.escape(source)) sha256 \(database.sha256)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func manifestLines(_ m: AppManifest) -> [String] {
        func clean(_ s: String?) -> String { SafeText.escape(s ?? "?") }
        var lines: [String] = []
        var identity = "\(m.platform.rawValue)  \(m.appId.map { clean($0) } ?? "(no app id in the bundle)")"
        if m.versionName != nil || m.versionCode != nil {
            identity += "  \(clean(m.versionName)) (\(clean(m.versionCode)))"
        }
        if let name = m.displayName { identity += "  \"\(clean(name))\"" }
        lines.append("  manifest    " + identity)
        let versions = [
            m.minPlatformVersion.map { "min \(clean($0))" }, m.targetPlatformVersion.map { "target \(clean($0))" },
        ]
        .compactMap { $0 }
        if !versions.isEmpty { lines.append("  platform    " + versions.joined(separator: ", ")) }
        func list(_ label: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            lines.append(
                "  " + label.paddedQuickly(to: 12)
                    + items.map { clean($0) }.joined(separator: ", "))
        }
        list("permissions", m.permissions)
        list("reaches", m.capabilities.map(\.rawValue))
        list("uses", m.features)
        list("plugins", m.plugins.map { "\($0.alias) (\($0.provider ?? "?") \($0.version ?? ""))" })
        list("code", m.codeUses.map { "\($0.api) → \($0.capability.rawValue)" })
        list("modules", m.modules.map { "\($0.kind) \($0.name)" })
        list("frameworks", m.frameworks)
        if let signing = m.signing { list("signing", ["team \(clean(signing.teamIdentifier))"] + signing.entitlements) }
        return lines
    }

    /// The label writers found (a labeling fact, not a feature), for one line of a report; nil
    /// when there are none.
    static func labelWriters(_ detections: [Detection]) -> String? {
        let writers = detections.filter { $0.category == .labeling }
        guard !writers.isEmpty else { return nil }
        return "written by the app's code: " + writers.map { "\($0.product) (\($0.signature))" }.joined(separator: ", ")
    }

    static func detectionLines(_ summary: [FeatureEvidence], _ detections: [Detection]) -> [String] {
        var lines: [String] = []
        if summary.isEmpty {
            lines.append("  features    none found")
        } else {
            let shown = summary.map {
                "\($0.feature) (\($0.confidence.rawValue)\($0.synthesis ? "" : ", not synthesis"))"
            }
            lines.append("  features    " + shown.joined(separator: ", "))
        }
        if let writers = labelWriters(detections) { lines.append("  labels      " + writers) }
        guard !detections.isEmpty else { return lines }
        lines.append("  detections  \(detections.count)")
        let width = detections.map(\.signature.count).max() ?? 0
        for d in detections {
            let id = d.signature.paddedQuickly(to: width)
            let confidence = d.confidence.rawValue.paddedQuickly(to: 6)
            let more = d.occurrences > 1 ? "  (+\(d.occurrences - 1) more)" : ""
            lines.append("    \(confidence)  \(id)  \(SafeText.escape(d.location))")
            lines.append(
                "            " + String(repeating: " ", count: width) + "  "
                    + SafeText.escape(d.evidence) + more)
            let indent = "            " + String(repeating: " ", count: width) + "  "
            // What proved each feature, when it is not the evidence shown above.
            for proof in d.proofs where proof.evidence != d.evidence || proof.location != d.location {
                lines.append(
                    indent + "\(proof.feature) (\(proof.confidence.rawValue)): "
                        + SafeText.escape(proof.evidence))
            }
            if !d.possibleFeatures.isEmpty {
                lines.append(indent + "possible, not proven: " + d.possibleFeatures.joined(separator: ", "))
            }
        }
        return lines
    }
}

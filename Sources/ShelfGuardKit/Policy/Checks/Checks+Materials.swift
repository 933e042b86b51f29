import Foundation

/// The implicit labels inside the labeling materials (LM Art. 5, 7; GB 45438): for each feature
/// that declares implicit labels, the media among its materials must carry a valid label naming
/// the developer or a declared supplier.
extension Checks {
    func materialLabelPresent() -> [Hit] { materialHits(.absent) }
    func materialLabelValid() -> [Hit] { materialHits(.malformed) }
    func materialLabelProducer() -> [Hit] { materialHits(.otherProducer) }
    func materialLabelReadable() -> [Hit] { materialHits(.unverified) }

    /// Features that declare implicit labels and that the app itself generates (proven by an SDK
    /// or model that runs on the device), in an app whose code shows nothing that writes a label
    /// (no label-writer detection): one question, at the first such feature. Features made by a
    /// vendor's servers (`runs: service`) or not seen in the bundle at all are not asked about:
    /// the server writes their labels. Never a proof of anything, so never a refusal.
    func labelWriter() -> [Hit] {
        guard let declared, !context.inspection.detections.contains(where: { $0.category == .labeling }) else {
            return []
        }
        var onDevice: [String: String] = [:]
        for detection in context.inspection.detections where detection.runs == .device {
            for proof in detection.proofs where onDevice[proof.feature] == nil {
                onDevice[proof.feature] = "\(detection.signature), \(proof.evidence)"
            }
        }
        let asked = declared.features.enumerated().filter {
            !($0.element.labeling?.implicit ?? []).isEmpty && onDevice[$0.element.category] != nil
        }
        guard let first = asked.first else { return [] }
        let named = asked.map { "\($0.element.category) (\(onDevice[$0.element.category]!))" }.joined(separator: ", ")
        return [
            hit(
                "the app generates \(named) on the device and declares implicit labels, but nothing in the bundle writes one (no TC260 XMP namespace, no GB 45438 label keys, no C2PA SDK); a reviewer asks where the labels are written",
                at: declared.position("features[\(first.offset)].labeling.implicit"))
        ]
    }

    /// The problems of one kind, each material once (at the first feature that lists it).
    private func materialHits(_ kind: MaterialLabelProblem.Kind) -> [Hit] {
        guard let declared else { return [] }
        var hits: [Hit] = []
        for (i, material, problems) in materialProblems {
            for problem in problems where problem.kind == kind {
                var found = hit(problem.message, at: declared.position("features[\(i)].labeling.materials"))
                found.subject = "\(material) \(kind)"
                hits.append(found)
            }
        }
        return hits
    }

    /// The label problems of every material of a feature that declares implicit labels, each
    /// material once (with the first feature that lists it), in declaration order: worked out
    /// once for the four rules that report them by kind.
    private var materialProblems: [(index: Int, material: String, problems: [MaterialLabelProblem])] {
        if let known = shared.materialProblems { return known }
        var list: [(index: Int, material: String, problems: [MaterialLabelProblem])] = []
        if let declared, let labels = context.materialLabels {
            let parties = DeclaredParties(declaration: declared)
            var seen = Set<String>()
            for (i, feature) in declared.features.enumerated() where !(feature.labeling?.implicit ?? []).isEmpty {
                for material in feature.labeling?.materials ?? [] where seen.insert(material).inserted {
                    guard let read = labels[material] else { continue }
                    list.append((i, material, read.problems(material: material, parties: parties)))
                }
            }
        }
        shared.materialProblems = list
        return list
    }
}

/// One thing wrong with the implicit labels of a labeling material.
struct MaterialLabelProblem: Equatable {
    enum Kind: Equatable, CustomStringConvertible {
        /// A medium with no implicit label at all.
        case absent
        /// A label that fails strict validation.
        case malformed
        /// A label whose producer is neither the developer nor a declared supplier.
        case otherProducer
        /// A material whose labels could not be read (too large, damaged, a format not read).
        case unverified

        var description: String {
            switch self {
            case .absent: "absent"
            case .malformed: "malformed"
            case .otherProducer: "other_producer"
            case .unverified: "unverified"
            }
        }
    }

    var kind: Kind
    var message: String
}

extension MaterialLabels {
    /// File extensions of media that should carry an implicit label: those ShelfGuard reads, and
    /// image formats it does not (their labels cannot be verified, which is said).
    static let mediaExtensions: Set<String> = [
        "jpg", "jpeg", "png", "mp4", "mov", "m4v", "m4a", "wav", "mp3", "docx", "xlsx", "pptx", "webp", "gif",
        "heic", "heif", "avif",
    ]

    /// Whether the material's name says it is a medium.
    static func namedAsMedia(_ material: String) -> Bool {
        guard let dot = material.lastIndex(of: "."), !material[dot...].contains("/") else { return false }
        return mediaExtensions.contains(material[material.index(after: dot)...].lowercased())
    }

    /// What is wrong with this material's labels; empty when it is no medium (a text such as
    /// the user agreement) or when its labels are valid and name a declared party.
    func problems(material: String, parties: DeclaredParties) -> [MaterialLabelProblem] {
        let named = "labeling material '\(material)'"
        guard let report else {
            guard MaterialLabels.namedAsMedia(material) else { return [] }
            return [
                MaterialLabelProblem(
                    kind: .unverified, message: "\(named) could not be read for its labels: \(unreadable ?? "unknown")")
            ]
        }
        let media = report.container != .unknown && report.container != .zip
        guard media else {
            guard MaterialLabels.namedAsMedia(material) else { return [] }
            let why = report.hazards.first?.detail ?? "its content is not a format labels are read from"
            return [
                MaterialLabelProblem(
                    kind: .unverified,
                    message:
                        "\(named) is named as a medium but its labels cannot be read: \(why); submit the sample as JPEG, PNG, MP4/MOV, WAV, MP3 or docx/xlsx/pptx"
                )
            ]
        }
        let unread = report.hazards.filter(\.kind.meansContentUnread)
        guard !report.labels.isEmpty else {
            if !unread.isEmpty {
                let details = unread.prefix(3).map { "\($0.kind.rawValue) at \($0.location): \($0.detail)" }
                return [
                    MaterialLabelProblem(
                        kind: .unverified,
                        message:
                            "\(named) (\(report.container.rawValue)) could not be read completely and no implicit label was found in what was read: "
                            + details.joined(separator: "; "))
                ]
            }
            return [
                MaterialLabelProblem(
                    kind: .absent,
                    message:
                        "\(named) (\(report.container.rawValue)) carries no implicit label: no GB 45438 AIGC metadata in any carrier of the file"
                )
            ]
        }
        var problems: [MaterialLabelProblem] = []
        let broken = report.labels.filter { !$0.problems.isEmpty }
        if !broken.isEmpty {
            let described = broken.map { label in
                "\(label.carrier.rawValue) (\(label.form)): " + label.problems.joined(separator: "; ")
            }
            problems.append(
                MaterialLabelProblem(
                    kind: .malformed,
                    message: "\(named) has a malformed implicit label: " + described.joined(separator: " | ")))
        }
        var producers = Set<String>()
        for label in report.labels {
            let match = LabelValidator.match(label, parties: parties)
            guard match.outcome == .mismatch else { continue }
            let producer = label.producerUSCC.map { "USCC \($0)" } ?? "\"\(label.string("ContentProducer") ?? "")\""
            // The same label written in two carriers is one finding.
            guard producers.insert(producer).inserted else { continue }
            problems.append(
                MaterialLabelProblem(
                    kind: .otherProducer,
                    message:
                        "\(named): its implicit label (\(label.carrier.rawValue)) names another producer: \(match.detail)"
                ))
        }
        return problems
    }
}

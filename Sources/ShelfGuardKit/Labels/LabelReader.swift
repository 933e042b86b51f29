#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why `LabelReader` could not read a file at all (a tool error, exit 1). Everything wrong
/// *inside* a file is a hazard or a label problem instead.
public enum LabelReadError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened (missing, unreadable).
    case cannotOpen(path: String, reason: String)
    /// A FIFO, device, socket or folder.
    case notARegularFile(path: String, what: String)

    /// The message: the file, what is wrong, what to do.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open \(path): \(reason); check the path and that the file is readable"
        case .notARegularFile(let path, let what):
            "\(path) is \(what), not a regular file; labels are read only from regular files: give the file itself (a copy of the sample output), not a pipe, device or folder"
        }
    }
}

/// Reads the implicit labels (GB 45438) and C2PA content credentials of a sample output: JPEG,
/// PNG, MP4/MOV, WAV, MP3 and Office documents (docx, xlsx, pptx), identified by content.
///
/// Each container is walked as the length-prefixed structure it is, every length bounded by the
/// bytes that remain; media payloads (`IDAT`, `mdat`, audio `data`, entropy-coded JPEG data) are
/// skipped by seeking, never read. Labels are read tolerantly (the variants real generators
/// write are named in each label's `form`) and validated strictly (`LabelValidator`).
public enum LabelReader {
    /// Reads the regular file at `path`. The SHA-256, when asked for, is computed on another core
    /// while the readers walk the file; it is the only thing that reads every byte.
    public static func read(
        path: String, limits: LabelLimits = .standard, computeDigest: Bool = true
    ) throws(LabelReadError) -> LabelReport {
        let descriptor: Int32
        let length: Int64
        do { (descriptor, length) = try RawPath.openRegular(path) } catch {
            switch error {
            case .cannotOpen(_, let reason): throw .cannotOpen(path: RawPath.display(path), reason: reason)
            case .notARegularFile(_, let what): throw .notARegularFile(path: RawPath.display(path), what: what)
            }
        }
        defer { close(descriptor) }
        let digestJob = computeDigest ? FileDigest.Job.hashing(descriptor: descriptor, length: length) : nil
        var report = read(
            source: FileSource(descriptor: descriptor, length: length), path: RawPath.display(path),
            name: BundleReader.displayName(of: path), limits: limits)
        if let digestJob {
            switch digestJob.wait() {
            case .success(let digest): report.sha256 = digest
            case .failure(let error):
                report.hazards.append(
                    LabelHazard(
                        kind: .truncated, location: report.path,
                        detail: "the file could not be read to its end: \(error)"))
            }
        }
        return report
    }

    /// Reads a file's bytes held in memory (no digest unless `computeDigest`).
    public static func read(
        bytes: [UInt8], name: String = "memory", limits: LabelLimits = .standard, computeDigest: Bool = false
    ) -> LabelReport {
        var report = read(source: MemorySource(bytes), path: name, name: name, limits: limits)
        if computeDigest { report.sha256 = try? FileDigest.sha256(MemorySource(bytes)) }
        return report
    }

    /// Identifies the container, runs its reader, then decodes and validates what was found.
    static func read(source: any RandomAccessSource, path: String, name: String, limits: LabelLimits) -> LabelReport {
        let scan = LabelScan(source: source, name: name, limits: limits)
        var container = LabelContainer.unknown
        do {
            let head = try scan.read(at: 0, count: 16)
            container = LabelContainer.identify(head)
            switch container {
            case .jpeg: try JPEGLabels.read(scan)
            case .png: try PNGLabels.read(scan)
            case .mp4, .mov: try MP4Labels.read(scan)
            case .wav: try WAVLabels.read(scan)
            case .mp3:
                try ID3Labels.read(scan, start: 0, end: scan.length, variants: [], location: scan.location(""))
            case .zip, .docx, .xlsx, .pptx, .ooxml: container = try OOXMLLabels.read(scan)
            case .unknown:
                scan.hazard(
                    .unsupported, at: name,
                    head.isEmpty
                        ? "the file is empty"
                        : "not a JPEG, PNG, MP4/MOV, WAV, MP3 or Office document (docx, xlsx, pptx; HEIF, AVIF, WebP and GIF are not read): no labels were read"
                )
            }
        } catch {
            scan.record(error, at: name)
        }
        let labels = scan.candidates.map { label(from: $0, limits: limits) }
        var hazards = scan.finishedHazards
        if let conflict = conflict(among: labels, name: name) { hazards.append(conflict) }
        return LabelReport(
            path: path, sha256: nil, size: source.length, container: container, labels: labels, c2pa: scan.c2pa,
            hazards: hazards, bytesRead: scan.bytesRead)
    }

    /// Decodes and validates one carrier's value.
    static func label(from candidate: LabelCandidate, limits: LabelLimits) -> ImplicitLabel {
        var variants = candidate.variants
        var problems = candidate.problems
        var fields: [LabelValue.Member] = []
        if let text = candidate.text {
            let payload = LabelPayload.interpret(text, limits: limits)
            variants.formUnion(payload.variants)
            problems += payload.problems
            fields = payload.members
        }
        var producerUSCC: String?
        if !fields.isEmpty || candidate.text != nil && problems.isEmpty {
            let validation = LabelValidator.validate(fields)
            problems += validation.problems
            producerUSCC = validation.producerUSCC
        }
        return ImplicitLabel(
            carrier: candidate.carrier, form: LabelVariant.form(variants), fields: fields, problems: problems,
            producerUSCC: producerUSCC)
    }

    /// A hazard when labels of the standard's shape disagree (the same label read from two
    /// carriers is no conflict).
    static func conflict(among labels: [ImplicitLabel], name: String) -> LabelHazard? {
        let keys = Set(LabelValidator.keys)
        let shaped = labels.filter { $0.fields.contains { keys.contains($0.key) } }
        // Compared by key, not by the order written: the same label is often written twice in
        // different orders (an XMP packet and a text chunk from different libraries).
        let distinct = Set(
            shaped.map { label in label.fields.filter { keys.contains($0.key) }.sorted { $0.key < $1.key } })
        guard distinct.count > 1 else { return nil }
        let described = shaped.map { label in
            "\(label.carrier.rawValue) says Label \(label.field("Label")?.jsonText ?? "-"), producer \(label.field("ContentProducer")?.jsonText ?? "-"), ProduceID \(label.field("ProduceID")?.jsonText ?? "-")"
        }
        return LabelHazard(
            kind: .conflictingLabels, location: name,
            detail: "\(shaped.count) labels disagree: " + described.joined(separator: "; "))
    }
}

/// What `LabelReader` found in one file: its implicit labels (each validated), its C2PA content
/// credentials, and the hazards met on the way. The JSON of `shelfguard labels` is its encoding.
public struct LabelReport: Sendable, Equatable {
    /// The path as given (raw bytes shown as `\xB2`).
    public var path: String
    /// The file's SHA-256 in hex; nil when it was not computed (`--no-digest`).
    public var sha256: String?
    /// The file's size in bytes.
    public var size: Int64
    /// What the file is, by content.
    public var container: LabelContainer
    /// Every implicit label found, in file order.
    public var labels: [ImplicitLabel]
    /// The C2PA store, if any.
    public var c2pa: C2PASummary
    /// Damage, hidden data, conflicting labels, limits reached.
    public var hazards: [LabelHazard]
    /// Bytes the readers read (structure headers and values; media payloads are skipped, the
    /// digest is not counted).
    public var bytesRead: Int64

    /// A report.
    public init(
        path: String, sha256: String?, size: Int64, container: LabelContainer, labels: [ImplicitLabel],
        c2pa: C2PASummary, hazards: [LabelHazard], bytesRead: Int64
    ) {
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.container = container
        self.labels = labels
        self.c2pa = c2pa
        self.hazards = hazards
        self.bytesRead = bytesRead
    }

    /// `shelfguard labels`'s exit status for this file: 0 when every label is valid (or there is
    /// none) and nothing is in the way, 3 otherwise.
    public var status: ExitStatus {
        labels.allSatisfy(\.valid) && hazards.isEmpty ? .pass : .warn
    }

    /// Judges every label's producer against the declared parties: sets `producerMatch`, and a
    /// mismatch becomes a problem (the label is then invalid).
    public mutating func judgeProducers(against parties: DeclaredParties) {
        for i in labels.indices {
            let match = LabelValidator.match(labels[i], parties: parties)
            labels[i].producerMatch = match
            if match.outcome == .mismatch {
                labels[i].problems.append(match.detail)
                labels[i].valid = false
            }
        }
    }
}

extension LabelReport: Codable {
    enum CodingKeys: String, CodingKey {
        case path, sha256, size, container, labels, c2pa, hazards, bytesRead
    }

    /// Encodes the contract's fields; `sha256` is null when it was not computed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(size, forKey: .size)
        try c.encode(container, forKey: .container)
        try c.encode(labels, forKey: .labels)
        try c.encode(c2pa, forKey: .c2pa)
        try c.encode(hazards, forKey: .hazards)
        try c.encode(bytesRead, forKey: .bytesRead)
    }

    /// Decodes what `encode(to:)` wrote.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
        size = try c.decode(Int64.self, forKey: .size)
        container = try c.decode(LabelContainer.self, forKey: .container)
        labels = try c.decode([ImplicitLabel].self, forKey: .labels)
        c2pa = try c.decode(C2PASummary.self, forKey: .c2pa)
        hazards = try c.decode([LabelHazard].self, forKey: .hazards)
        bytesRead = try c.decode(Int64.self, forKey: .bytesRead)
    }
}

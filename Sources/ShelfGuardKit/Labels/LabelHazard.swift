/// Something about a file's structure that a reviewer must know while judging its labels: damage,
/// a trick that hides data from some readers, labels that disagree, or a limit the reader stopped
/// at. Any hazard makes `shelfguard labels` exit 3.
public struct LabelHazard: Sendable, Codable, Hashable {
    /// What kind of hazard this is (a snake_case machine id).
    public var kind: LabelHazardKind
    /// Where: the file's name, then the structure (`clip.mp4!moov/udta/meta`, `a.png!iTXt@0x21`).
    public var location: String
    /// What exactly was seen, in plain words.
    public var detail: String

    /// A hazard of `kind` at `location`.
    public init(kind: LabelHazardKind, location: String, detail: String) {
        self.kind = kind
        self.location = location
        self.detail = detail
    }
}

/// The hazards the label readers report. Raw values are the ids in JSON output.
public enum LabelHazardKind: String, Sendable, Codable, CaseIterable {
    /// A structure claims more bytes than the file holds (a lying length, a cut file).
    case truncated
    /// A structure breaks its format: a size below its header, a bad signature, a value that
    /// cannot be decoded.
    case corrupt
    /// A PNG chunk whose CRC does not match its bytes (the chunk is still read).
    case crcMismatch = "crc_mismatch"
    /// Encrypted content (a zip entry, an ID3 frame): not read.
    case encrypted
    /// Data that most readers never look at: ExtendedXMP no packet names, bytes past the RIFF
    /// size, a second `docProps/custom.xml`.
    case hiddenData = "hidden_data"
    /// Two labels in one file that say different things.
    case conflictingLabels = "conflicting_labels"
    /// Not a container ShelfGuard reads labels from, or a version of it that it does not read.
    case unsupported
    /// `--max-read` was reached; the rest of the file was not read.
    case readLimit = "read_limit"
    /// A payload was larger than `--max-packet-size`; it was not read.
    case packetTooLarge = "packet_too_large"
    /// More structures than `--max-boxes`; the rest were not walked.
    case tooManyStructures = "too_many_structures"
    /// Nesting deeper than `--max-depth`; the deeper part was not read.
    case depthLimit = "depth_limit"
    /// `--timeout` was reached; reading stopped.
    case timeout
    /// More hazards of one kind than a report lists; the rest are counted here.
    case hazardsTruncated = "hazards_truncated"

    /// Whether the hazard means part of the file was not read (a limit or damage).
    public var meansContentUnread: Bool {
        switch self {
        case .truncated, .corrupt, .encrypted, .readLimit, .packetTooLarge, .tooManyStructures, .depthLimit,
            .timeout, .unsupported:
            true
        case .crcMismatch, .hiddenData, .conflictingLabels, .hazardsTruncated:
            false
        }
    }
}

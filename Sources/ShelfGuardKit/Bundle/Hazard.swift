/// Something about a bundle's structure that a reviewer must know: a hostile trick, damage, or a
/// limit the reader stopped at. Hazards are facts, not verdicts; policies decide what they cost.
public struct Hazard: Sendable, Codable, Hashable {
    /// What kind of hazard this is (a snake_case machine id).
    public var kind: HazardKind
    /// Where: the bundle's file name, then `!`-separated entry names down the nesting chain.
    public var location: String
    /// What exactly was seen, in plain words.
    public var detail: String

    public init(kind: HazardKind, location: String, detail: String) {
        self.kind = kind
        self.location = location
        self.detail = detail
    }
}

/// The hazards the bundle reader reports. Raw values are the ids in JSON output and policies.
public enum HazardKind: String, Sendable, Codable, CaseIterable, Comparable {
    case pathTraversal = "path_traversal"
    case absolutePath = "absolute_path"
    case controlCharacter = "control_character"
    case invalidName = "invalid_name"
    case nameTooLong = "name_too_long"
    case duplicateEntry = "duplicate_entry"
    case nameMismatch = "name_mismatch"
    case inconsistentHeader = "inconsistent_header"
    case hiddenEntry = "hidden_entry"
    case orphanEntry = "orphan_entry"
    case damagedDirectory = "damaged_directory"
    case endRecordConflict = "end_record_conflict"
    case overlappingEntries = "overlapping_entries"
    case encryptedEntry = "encrypted_entry"
    case fakeExtension = "fake_extension"
    case prependedData = "prepended_data"
    case symlink
    case emptyFile = "empty_file"
    case truncated
    case corrupt
    case crcMismatch = "crc_mismatch"
    case unsupportedCompression = "unsupported_compression"
    case offsetOutOfRange = "offset_out_of_range"
    case unreadable
    case zipBomb = "zip_bomb"
    case depthLimit = "depth_limit"
    case tooManyEntries = "too_many_entries"
    case entryTooLarge = "entry_too_large"
    case totalSizeLimit = "total_size_limit"
    case nestedTooLarge = "nested_too_large"
    case timeout
    case hazardsTruncated = "hazards_truncated"
    case manifestUnreadable = "manifest_unreadable"
    case manifestMissing = "manifest_missing"
    case manifestConflict = "manifest_conflict"
    case packed
    case dexUnwalkable = "dex_unwalkable"

    public static func < (lhs: HazardKind, rhs: HazardKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// One line for help texts and reports.
    public var summary: String {
        switch self {
        case .pathTraversal: "an entry name climbs out of the bundle with `..` (zip-slip)"
        case .absolutePath: "an entry name is an absolute path"
        case .controlCharacter: "an entry name holds NUL, CR, LF or another control character"
        case .invalidName: "an entry has an empty name"
        case .nameTooLong: "an entry name is longer than the name-length limit"
        case .duplicateEntry: "two entries share one name (the 'Master Key' trick); installers disagree on which wins"
        case .nameMismatch: "a zip local header names a different file than the central directory"
        case .inconsistentHeader:
            "an entry's headers disagree with each other (sizes, checksums, names, compression method)"
        case .hiddenEntry:
            "the central directory lists an entry that the reader never reached, or more records than its end record counts"
        case .orphanEntry:
            "a zip local header that no central-directory record lists: Android never installs it, local-header tools read it"
        case .damagedDirectory:
            "the zip's end record or central directory breaks the rules Android's installer enforces (trailing bytes, garbage, bad offsets)"
        case .endRecordConflict:
            "two end-of-central-directory records fit the file; readers that pick differently see different entries"
        case .overlappingEntries: "zip entries overlap each other's data (a sign of an overlapping zip bomb)"
        case .encryptedEntry: "an entry is encrypted; its content cannot be inspected"
        case .fakeExtension: "an entry's content contradicts its name (a DEX called .png, a zip called .dat)"
        case .prependedData: "data sits before the first zip entry (the Janus trick, CVE-2017-13156)"
        case .symlink: "an entry is a symbolic link"
        case .emptyFile: "the bundle file is empty"
        case .truncated: "the bundle or a nested archive ends early"
        case .corrupt: "the bundle or a nested archive is damaged"
        case .crcMismatch: "an entry's checksum does not match its content"
        case .unsupportedCompression: "an entry uses a compression method the reader does not support"
        case .offsetOutOfRange: "a package index points outside the file"
        case .unreadable: "the bundle or a nested package is not in a format the reader can open"
        case .zipBomb: "decompression expands past the compression-ratio limit"
        case .depthLimit: "archives are nested deeper than the depth limit"
        case .tooManyEntries: "the bundle holds more entries than the entry-count limit"
        case .entryTooLarge: "an entry is larger than the per-entry size limit"
        case .totalSizeLimit: "the bundle expands past the total-size limit"
        case .nestedTooLarge: "a nested package needs random access and is larger than the buffer limit"
        case .timeout: "reading the bundle took longer than the time limit"
        case .hazardsTruncated: "more hazards of one kind than the report lists"
        case .manifestUnreadable: "the app's manifest is there but cannot be read (the reason says why)"
        case .manifestMissing: "the bundle has no app manifest where its format needs one"
        case .manifestConflict: "two manifests in one bundle disagree (an XAPK's wrapper and its base APK)"
        case .packed: "a packer encrypted the real code: the bundle is opaque and needs manual review"
        case .dexUnwalkable:
            "a DEX's string table is laid out so that it cannot be walked (strings before or past the id table, too many strings); it was searched byte by byte instead"
        }
    }
}

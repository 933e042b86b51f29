/// What a file's C2PA content credentials say, as far as they can be read without verifying
/// them: the store's presence, the active manifest's claim generator and the IPTC digital source
/// type it claims. **Signatures are not validated**: COSE signatures, certificate chains and
/// trust lists are not checked, so nothing here proves who made the file.
public struct C2PASummary: Sendable, Codable, Equatable {
    /// Whether a C2PA manifest store was found.
    public var present: Bool
    /// Where the store sits: `jpeg_app11`, `png_cabx`, `mp4_uuid`, `wav_chunk`, `id3_geob`.
    public var carrier: String?
    /// Manifests in the store.
    public var manifests: Int?
    /// The active (last) manifest's label, usually a `urn:uuid:` (or `urn:c2pa:`).
    public var activeManifest: String?
    /// The active manifest's claim generator (`claim_generator`, or `claim_generator_info`'s
    /// name and version).
    public var claimGenerator: String?
    /// The IPTC digital source type the active manifest's actions claim.
    public var digitalSourceType: String?
    /// True when the claimed source type marks AI media (`trainedAlgorithmicMedia`,
    /// `compositeWithTrainedAlgorithmicMedia`); bare `algorithmicMedia` does not.
    public var aiGenerated: Bool?
    /// The IPTC digital source type an XMP packet states (`Iptc4xmpExt:DigitalSourceType`),
    /// whether or not there is a C2PA store.
    public var xmpDigitalSourceType: String?
    /// Always false when present: ShelfGuard does not validate C2PA signatures.
    public var signaturesValidated: Bool?
    /// Says so in words when a store is present.
    public var note: String?
    /// What could not be read in the store.
    public var problems: [String]?

    /// The words every report with a store carries.
    public static let notValidatedNote =
        "signatures are not validated: this is what the manifest claims, not proof of who made the file"

    /// No store found.
    public init() { present = false }

    /// Whether a digital source type marks AI media.
    public static func marksAI(_ type: String) -> Bool {
        let last = type.split(separator: "/").last.map(String.init) ?? type
        return last == "trainedAlgorithmicMedia" || last == "compositeWithTrainedAlgorithmicMedia"
    }
}

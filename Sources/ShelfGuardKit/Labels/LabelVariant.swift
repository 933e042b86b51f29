/// How a label departs from the standard's canonical form, as real generators write it. A label's
/// `form` is `canonical`, or the ids of its variants joined by `+` in this enum's order.
public enum LabelVariant: String, Sendable, Codable, CaseIterable {
    /// MP4: `meta` directly under `moov` or without the FullBox header (QuickTime style).
    case quicktimeMeta = "quicktime_meta"
    /// MP4: an iTunes-style freeform item (`----` with `name` `AIGC`) instead of `keys`.
    case itunesFreeform = "itunes_freeform"
    /// MP4: XMP in a `uuid` or `XMP_` box instead of `moov/udta/meta`.
    case xmpInVideo = "xmp_in_video"
    /// PNG: the XMP text chunk is compressed (`iTXt` with the flag set, or `zTXt`).
    case compressed
    /// PNG: the chunk comes after the image data (`IDAT`).
    case afterImageData = "after_image_data"
    /// PNG: raw JSON in a text chunk keyed `AIGC`, no XMP.
    case textChunk = "text_chunk"
    /// PNG: XMP in a `tEXt` or `zTXt` chunk instead of `iTXt`.
    case xmpInTextChunk = "xmp_in_text_chunk"
    /// WAV: an ID3 tag in a RIFF chunk instead of an `AIGC` chunk.
    case id3InRIFF = "id3_in_riff"
    /// WAV: placeholder sizes (`0x7FFFFFBF`, or past the file's end) left by a streaming writer.
    case placeholderSizes = "placeholder_sizes"
    /// JPEG or PNG: a vendor's JSON in EXIF `ImageDescription`.
    case exifDescription = "exif_description"
    /// XMP: `AIGC` as an attribute of `rdf:Description` instead of an element.
    case xmpAttribute = "xmp_attribute"
    /// XMP: the `TC260` prefix bound to a namespace other than the standard's.
    case nonstandardNamespace = "nonstandard_namespace"
    /// XMP: the packet is not well-formed XML; the label was found by a textual scan.
    case malformedXMP = "malformed_xmp"
    /// XMP: base64 under the key `XmpKvBase64`.
    case xmpKvBase64 = "xmp_kv_base64"
    /// The value is `AIGC=` followed by the JSON.
    case keyValueText = "key_value_text"
    /// The JSON is HTML-entity-escaped (`&quot;`) once more than XML requires.
    case htmlEscaped = "html_escaped"
    /// The JSON is wrapped: `{"AIGC": {…}}`.
    case aigcWrapper = "aigc_wrapper"
    /// The key is written in lowercase: `aigc` (ID3 description, MP4 key, the wrapper's key).
    case lowercaseKey = "lowercase_key"

    /// The `form` of a label with these variants: `canonical` when there are none.
    public static func form(_ variants: Set<LabelVariant>) -> String {
        let ordered = allCases.filter(variants.contains)
        return ordered.isEmpty ? "canonical" : ordered.map(\.rawValue).joined(separator: "+")
    }
}

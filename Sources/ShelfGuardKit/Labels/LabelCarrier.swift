/// Where in a file an implicit label was found. Raw values are the ids in JSON output.
public enum LabelCarrier: String, Sendable, Codable, CaseIterable {
    /// JPEG: the XMP packet in an APP1 segment (`http://ns.adobe.com/xap/1.0/`).
    case jpegXMP = "jpeg_xmp"
    /// JPEG: the ExtendedXMP the main packet names (`xmpNote:HasExtendedXMP`).
    case jpegExtendedXMP = "jpeg_extended_xmp"
    /// JPEG or PNG: EXIF `ImageDescription` holding a vendor's JSON.
    case exifDescription = "exif_description"
    /// PNG: the XMP packet in an `iTXt` chunk keyed `XML:com.adobe.xmp`.
    case pngXMP = "png_xmp"
    /// PNG: a text chunk (`tEXt`, `zTXt`, `iTXt`) keyed `AIGC`.
    case pngText = "png_text"
    /// MP4 / MOV: an `ilst` item keyed `AIGC` in a `meta` box.
    case mp4Meta = "mp4_meta"
    /// MP4 / MOV: an XMP packet in a `uuid` or `XMP_` box.
    case mp4XMP = "mp4_xmp"
    /// WAV: a top-level RIFF chunk `AIGC`.
    case wavChunk = "wav_chunk"
    /// MP3 (or an ID3 chunk in WAV): an ID3v2 `TXXX` frame described `AIGC`.
    case id3TXXX = "id3_txxx"
    /// docx, xlsx, pptx: a custom property `AIGC` in `docProps/custom.xml`.
    case ooxmlCustomProperty = "ooxml_custom_property"
}

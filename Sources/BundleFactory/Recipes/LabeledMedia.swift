import Foundation

/// A labeled sample output for every carrier and every variant ShelfGuard reads, with what a
/// reader should find in it: the label tests, the end-to-end tests and `shelfguard-factory`
/// share them.
public enum LabeledMedia {
    /// One generated file and what it carries.
    public struct Sample: Sendable {
        /// A file name with the right extension.
        public var name: String
        /// The file's bytes.
        public var bytes: [UInt8]
        /// The container a reader should identify.
        public var container: String
        /// The carrier of the (first) label, nil when there is none.
        public var carrier: String?
        /// The label's form: `canonical` or the variants joined by `+`.
        public var form: String?
        /// Whether the label is valid.
        public var valid: Bool
        /// Whether a C2PA store is present.
        public var c2pa: Bool
    }

    static let label = LabelFields.valid.json
    static let trained = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

    /// The sample with this name.
    public static func sample(_ name: String) -> Sample {
        all().first { $0.name == name }!
    }

    /// Every sample.
    public static func all() -> [Sample] {
        jpeg() + png() + video() + audio() + office() + credentials()
    }

    static func s(
        _ name: String, _ bytes: [UInt8], _ container: String, _ carrier: String?, _ form: String?, valid: Bool = true,
        c2pa: Bool = false
    ) -> Sample {
        Sample(name: name, bytes: bytes, container: container, carrier: carrier, form: form, valid: valid, c2pa: c2pa)
    }

    static func jpeg(_ xmp: XMPBuilder) -> [UInt8] {
        var j = JPEGBuilder()
        j.xmp(xmp.bytes)
        return j.bytes
    }

    static func jpeg() -> [Sample] {
        var attribute = XMPBuilder(label: label)
        attribute.asAttribute = true
        var escaped = XMPBuilder(label: label)
        escaped.doubleEscaped = true
        var otherNamespace = XMPBuilder(label: label)
        otherNamespace.namespace = "http://www.tc260.org.cn/ns/AIGC/1.0"
        var kv = XMPBuilder()
        kv.kvBase64 = Data(("AIGC=" + label).utf8).base64EncodedString()
        var kvWrapped = XMPBuilder()
        kvWrapped.kvBase64 = Data(LabelFields.valid.wrapped().utf8).base64EncodedString()
        var broken = XMPBuilder(label: label)
        broken.malformed = true
        var extended = JPEGBuilder()
        let extensionPacket = XMPBuilder(label: label).bytes
        let guid = extended.extendedXMP(extensionPacket, chunk: 200)
        var main = XMPBuilder()
        main.extendedGUID = guid
        var withMain = JPEGBuilder()
        withMain.xmp(main.bytes)
        _ = withMain.extendedXMP(extensionPacket, chunk: 200)
        var exif = JPEGBuilder()
        exif.exif(
            description:
                #"{"AIGC":{"ServiceProvider":"示例智能","ServiceUser":"u123","Time":"2026-12-02T10:00:00Z","ContentId":"c-42"}}"#
        )
        return [
            s("canonical.jpg", jpeg(XMPBuilder(label: label)), "jpeg", "jpeg_xmp", "canonical"),
            s("attribute.jpg", jpeg(attribute), "jpeg", "jpeg_xmp", "xmp_attribute"),
            s("escaped.jpg", jpeg(escaped), "jpeg", "jpeg_xmp", "html_escaped"),
            s("wrapped.jpg", jpeg(XMPBuilder(label: LabelFields.valid.wrapped())), "jpeg", "jpeg_xmp", "aigc_wrapper"),
            s("namespace.jpg", jpeg(otherNamespace), "jpeg", "jpeg_xmp", "nonstandard_namespace"),
            s("kvbase64.jpg", jpeg(kv), "jpeg", "jpeg_xmp", "xmp_kv_base64+key_value_text"),
            s("kvbase64-wrapped.jpg", jpeg(kvWrapped), "jpeg", "jpeg_xmp", "xmp_kv_base64+aigc_wrapper"),
            s("malformed.jpg", jpeg(broken), "jpeg", "jpeg_xmp", "malformed_xmp"),
            s("extended.jpg", withMain.bytes, "jpeg", "jpeg_extended_xmp", "canonical"),
            s("exif.jpg", exif.bytes, "jpeg", "exif_description", "exif_description+aigc_wrapper", valid: false),
        ]
    }

    static func png() -> [Sample] {
        let packet = XMPBuilder(label: label).text
        func make(_ body: (inout PNGBuilder) -> Void) -> [UInt8] {
            var p = PNGBuilder()
            body(&p)
            return p.bytes
        }
        return [
            s("canonical.png", make { $0.iTXt(keyword: "XML:com.adobe.xmp", packet) }, "png", "png_xmp", "canonical"),
            s(
                "compressed.png", make { $0.iTXt(keyword: "XML:com.adobe.xmp", packet, compressed: true) }, "png",
                "png_xmp", "compressed"),
            s(
                "after-idat.png", make { $0.iTXt(keyword: "XML:com.adobe.xmp", packet, afterImage: true) }, "png",
                "png_xmp", "after_image_data"),
            s(
                "compressed-after-idat.png",
                make { $0.iTXt(keyword: "XML:com.adobe.xmp", packet, compressed: true, afterImage: true) }, "png",
                "png_xmp", "compressed+after_image_data"),
            s("text.png", make { $0.tEXt(keyword: "AIGC", label) }, "png", "png_text", "text_chunk"),
            s("ztxt.png", make { $0.zTXt(keyword: "AIGC", label) }, "png", "png_text", "compressed+text_chunk"),
            s(
                "xmp-in-text.png", make { $0.tEXt(keyword: "XML:com.adobe.xmp", packet) }, "png", "png_xmp",
                "xmp_in_text_chunk"),
        ]
    }

    static func video() -> [Sample] {
        var quicktime = MP4Builder(label: label)
        quicktime.form = .quicktime
        quicktime.brand = "qt  "
        var freeform = MP4Builder(label: label)
        freeform.form = .freeform
        var xmp = MP4Builder()
        xmp.xmp = XMPBuilder(label: label).bytes
        var lowercase = MP4Builder(label: LabelFields.valid.wrapped(key: "aigc"))
        lowercase.key = "aigc"
        return [
            s("canonical.mp4", MP4Builder(label: label).bytes, "mp4", "mp4_meta", "canonical"),
            s("quicktime.mov", quicktime.bytes, "mov", "mp4_meta", "quicktime_meta"),
            s("freeform.m4a", freeform.bytes, "mp4", "mp4_meta", "itunes_freeform"),
            s("xmp.mp4", xmp.bytes, "mp4", "mp4_xmp", "xmp_in_video"),
            s("lowercase.mp4", lowercase.bytes, "mp4", "mp4_meta", "aigc_wrapper+lowercase_key"),
        ]
    }

    static func audio() -> [Sample] {
        var wav = RIFFBuilder()
        wav.add("AIGC", Array(label.utf8))
        var streamed = RIFFBuilder()
        streamed.add("AIGC", Array(label.utf8))
        streamed.placeholderSizes = true
        var inner = ID3Builder(version: 3)
        inner.txxx("AIGC", label)
        var id3Chunk = RIFFBuilder()
        id3Chunk.add("id3 ", inner.tag)
        var v24 = ID3Builder(version: 4)
        v24.txxx("AIGC", label)
        var v23 = ID3Builder(version: 3)
        v23.txxx("AIGC", label, encoding: 1)
        var lower = ID3Builder(version: 3)
        lower.txxx("aigc", LabelFields.valid.wrapped(key: "aigc"))
        var latin = ID3Builder(version: 4)
        latin.txxx("AIGC", label, encoding: 0)
        return [
            s("canonical.wav", wav.bytes, "wav", "wav_chunk", "canonical"),
            s("streamed.wav", streamed.bytes, "wav", "wav_chunk", "placeholder_sizes"),
            s("id3-chunk.wav", id3Chunk.bytes, "wav", "id3_txxx", "id3_in_riff"),
            s("canonical.mp3", v24.bytes, "mp3", "id3_txxx", "canonical"),
            s("utf16.mp3", v23.bytes, "mp3", "id3_txxx", "canonical"),
            s("lowercase.mp3", lower.bytes, "mp3", "id3_txxx", "aigc_wrapper+lowercase_key"),
            s("latin1.mp3", latin.bytes, "mp3", "id3_txxx", "canonical"),
        ]
    }

    static func office() -> [Sample] {
        let custom = OfficeBuilder.customXML([("Company", "lpwstr", "示例"), ("AIGC", "lpwstr", label)])
        return [
            s(
                "canonical.docx", OfficeBuilder.document(.docx, custom: custom), "docx", "ooxml_custom_property",
                "canonical"),
            s(
                "stored.xlsx", OfficeBuilder.document(.xlsx, custom: custom, method: .stored), "xlsx",
                "ooxml_custom_property", "canonical"),
            s(
                "canonical.pptx", OfficeBuilder.document(.pptx, custom: custom), "pptx", "ooxml_custom_property",
                "canonical"),
        ]
    }

    /// Labeled files that also carry a C2PA store, in each container's place for it.
    static func credentials() -> [Sample] {
        let store = JUMBFBuilder.store([
            JUMBFBuilder.Manifest(
                label: "urn:uuid:00000000-0000-0000-0000-000000000001", claimGenerator: "Ingredient/0.9"),
            JUMBFBuilder.Manifest(),
        ])
        var jpeg = JPEGBuilder()
        var xmp = XMPBuilder(label: label)
        xmp.digitalSourceType = trained
        jpeg.xmp(xmp.bytes)
        jpeg.jumbf(store, chunk: 300)
        var png = PNGBuilder()
        png.add("caBX", store)
        png.iTXt(keyword: "XML:com.adobe.xmp", XMPBuilder(label: label).text)
        var mp4 = MP4Builder(label: label)
        mp4.c2pa = store
        var wav = RIFFBuilder()
        wav.add("AIGC", Array(label.utf8))
        wav.add("C2PA", store)
        var mp3 = ID3Builder(version: 4)
        mp3.txxx("AIGC", label)
        mp3.c2pa(store)
        return [
            s("c2pa.jpg", jpeg.bytes, "jpeg", "jpeg_xmp", "canonical", c2pa: true),
            s("c2pa.png", png.bytes, "png", "png_xmp", "canonical", c2pa: true),
            s("c2pa.mp4", mp4.bytes, "mp4", "mp4_meta", "canonical", c2pa: true),
            s("c2pa.wav", wav.bytes, "wav", "wav_chunk", "canonical", c2pa: true),
            s("c2pa.mp3", mp3.bytes, "mp3", "id3_txxx", "canonical", c2pa: true),
        ]
    }
}

/// The sample outputs the demo's declarations list (`samples/labeling/`), so that `check` and
/// `review` over `samples/` meet every outcome of label verification: `shelfguard-factory
/// labeled --samples samples/labeling` writes them.
extension LabeledMedia {
    /// A label whose producer is `producer` (a provider code or a name), otherwise well formed.
    static func labelFields(producer: String, id: String) -> LabelFields {
        LabelFields.valid.with("ContentProducer", producer).with("ProduceID", id)
    }

    /// Path under `samples/labeling/` → bytes, and what the file shows.
    public static func demo() -> [(path: String, bytes: [UInt8], shows: String)] {
        // FaceFun's developer, 91440300MA5G0FFN02, in its own provider code.
        var facefun = PNGBuilder()
        facefun.iTXt(
            keyword: "XML:com.adobe.xmp",
            XMPBuilder(label: labelFields(producer: "001191440300MA5G0FFN021FFUN", id: "FF-20261120-0001").json).text)
        // ChatPal's pictures come from its declared supplier, named as producer.
        var chatpal = JPEGBuilder()
        chatpal.xmp(XMPBuilder(label: labelFields(producer: "北京示例模型科技有限公司", id: "BJMX-20261118-0042").json).bytes)
        // VoiceChat's sample reply was labeled by another company (USCC 91110108MA01KP2T5U).
        let reply = OfficeBuilder.customXML([("AIGC", "lpwstr", LabelFields.otherProducer.json)])
        // Storybook's story: Label "4" and no ProduceID.
        var story = ID3Builder(version: 4)
        story.txxx(
            "AIGC",
            labelFields(producer: "001191320106MA1BK0RY0H1STBK", id: "").with("Label", "4").without("ProduceID").json)
        // Portrait's picture: a plain JPEG, no label anywhere.
        var plain = JPEGBuilder()
        plain.add(0xE0, Array("JFIF\0".utf8) + [1, 2, 0, 0, 1, 0, 1, 0, 0])
        // Portrait's poster: its label sits after the image data, and the file is cut inside it
        // (the IDAT chunk claims more bytes than remain).
        var poster = PNGBuilder()
        poster.iTXt(
            keyword: "XML:com.adobe.xmp",
            XMPBuilder(label: labelFields(producer: "001191440101MA5P0RTR021PRTR", id: "PT-20261101-0007").json).text,
            afterImage: true)
        let whole = poster.bytes
        let idat = Array("IDAT".utf8)
        let at = (0...(whole.count - 4)).first { Array(whole[$0..<($0 + 4)]) == idat } ?? whole.count - 4
        let cut = Array(whole.prefix(at + 6))
        return [
            ("facefun/sample-output.png", facefun.bytes, "a valid label naming the developer"),
            ("chatpal/sample-picture.jpg", chatpal.bytes, "a valid label naming the declared supplier"),
            (
                "voicechat/sample-reply.docx", OfficeBuilder.document(.docx, custom: reply),
                "a valid label of another company"
            ),
            ("storybook/sample-story.mp3", story.bytes, "a malformed label"),
            ("portrait/sample-output.jpg", plain.bytes, "no label"),
            ("portrait/sample-poster.png", cut, "a file cut short: its label cannot be read"),
        ]
    }
}

import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Hostile files, generated in code: lying lengths, truncated structures, a chunk declaring 4 GB,
/// deep nesting, huge and compressed payloads. Each is read in bounded time, within the read
/// budget, with a hazard that says what was wrong.
@Suite("Label readers: hostile files")
struct HostileLabelTests {
    static let label = LabelFields.valid.json

    /// Reads in memory, checking the bytes read, and that the read ends: `seconds` is a guard
    /// against a hang on a loaded machine, not a speed measurement (the benchmarks measure speed).
    static func read(
        _ bytes: [UInt8], limits: LabelLimits = .standard, seconds: Double = 20,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> LabelReport {
        let start = Monotonic.now()
        let report = LabelReader.read(bytes: bytes, name: "hostile", limits: limits)
        let elapsed = Monotonic.seconds(since: start)
        #expect(elapsed < seconds, "took \(elapsed) s", sourceLocation: sourceLocation)
        #expect(report.bytesRead <= limits.maxReadBytes, sourceLocation: sourceLocation)
        return report
    }

    static func kinds(_ report: LabelReport) -> [LabelHazardKind] { report.hazards.map(\.kind) }

    // MARK: - JPEG

    @Test("JPEG: a segment longer than the file, a length below 2, garbage where a marker belongs")
    func jpegLengths() {
        var lying = JPEGBuilder()
        lying.raw([0xFF, 0xE1, 0xFF, 0xFF] + Array("http://ns.adobe.com/xap/1.0/".utf8))
        let cut = Array(lying.bytes.prefix(40))
        #expect(Self.kinds(Self.read(cut)) == [.truncated])
        var tiny = JPEGBuilder()
        tiny.raw([0xFF, 0xE1, 0x00, 0x01])
        #expect(Self.kinds(Self.read(tiny.bytes)) == [.corrupt])
        #expect(Self.kinds(Self.read([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 0x12, 0x34])) == [.corrupt])
    }

    @Test("JPEG: a million fill bytes stop at the structure limit, quickly")
    func jpegFill() {
        let bytes: [UInt8] = [0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 1_000_000) + [0xD9]
        #expect(Self.kinds(Self.read(bytes)) == [.tooManyStructures])
    }

    @Test("ExtendedXMP: a 4 GB full length, a chunk past its length, a wrong MD5, chunks no packet names")
    func extendedXMP() {
        func jpeg(guid: String, full: UInt32, offset: UInt32, data: [UInt8], named: Bool = true) -> [UInt8] {
            var j = JPEGBuilder()
            var main = XMPBuilder()
            if named { main.extendedGUID = guid }
            j.xmp(main.bytes)
            j.add(
                0xE1,
                Array("http://ns.adobe.com/xmp/extension/".utf8) + [0] + Array(guid.utf8) + JPEGBuilder.be32(Int(full))
                    + JPEGBuilder.be32(Int(offset)) + data)
            return j.bytes
        }
        let guid = String(repeating: "A", count: 32)
        let huge = Self.read(jpeg(guid: guid, full: 0xFFFF_FFFF, offset: 0, data: [1, 2, 3]))
        #expect(Self.kinds(huge) == [.packetTooLarge])
        let past = Self.read(jpeg(guid: guid, full: 10, offset: 8, data: [1, 2, 3, 4]))
        #expect(Self.kinds(past) == [.corrupt])
        let packet = XMPBuilder(label: Self.label).bytes
        let wrong = Self.read(jpeg(guid: guid, full: UInt32(packet.count), offset: 0, data: packet))
        #expect(Self.kinds(wrong) == [.corrupt])
        #expect(wrong.labels.first?.carrier == .jpegExtendedXMP)
        let orphan = Self.read(jpeg(guid: guid, full: UInt32(packet.count), offset: 0, data: packet, named: false))
        #expect(Self.kinds(orphan) == [.hiddenData])
        #expect(orphan.labels.isEmpty)
    }

    // MARK: - PNG

    @Test("PNG: a chunk declaring 4 GB, a chunk longer than the file, a bad CRC, bytes after IEND, no IEND")
    func pngLengths() {
        var four = PNGBuilder()
        four.raw([0xFF, 0xFF, 0xFF, 0xF0] + Array("tEXt".utf8) + [1, 2, 3])
        #expect(Self.kinds(Self.read(four.bytes)) == [.corrupt])
        var long = PNGBuilder()
        long.raw([0x7F, 0xFF, 0xFF, 0xFF] + Array("iTXt".utf8) + [1, 2, 3])
        #expect(Self.kinds(Self.read(long.bytes)) == [.truncated])
        var crc = PNGBuilder()
        crc.raw(PNGBuilder.chunk("tEXt", Array("AIGC".utf8) + [0] + Array(Self.label.utf8), crc: 1))
        let badCRC = Self.read(crc.bytes)
        #expect(Self.kinds(badCRC) == [.crcMismatch])
        #expect(badCRC.labels.first?.valid == true)
        let trailing = Self.read(PNGBuilder().bytes + Array("AIGC hidden".utf8))
        #expect(Self.kinds(trailing) == [.hiddenData])
        #expect(Self.kinds(Self.read(Array(PNGBuilder().bytes.dropLast(12)))) == [.truncated])
    }

    @Test("PNG: a compressed XMP bomb stops at the packet limit; a broken stream and header are corrupt")
    func pngCompressed() {
        let bomb = PNGBuilder.zlib([UInt8](repeating: 0x20, count: 40 << 20))
        var png = PNGBuilder()
        png.add("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 1, 0, 0, 0] + bomb)
        #expect(bomb.count < 100_000)
        #expect(Self.kinds(Self.read(png.bytes)) == [.packetTooLarge])
        var broken = PNGBuilder()
        broken.add("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 1, 0, 0, 0] + [0x78, 0x9C, 0xFF, 0xFF, 0xFF])
        #expect(Self.kinds(Self.read(broken.bytes)) == [.corrupt])
        var header = PNGBuilder()
        header.add("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0] + [0x41])
        #expect(Self.kinds(Self.read(header.bytes)) == [.corrupt])
    }

    // MARK: - MP4

    @Test("MP4: a box below its header, a box past the file, a 64-bit size past the file, a keys count that lies")
    func mp4Sizes() {
        let ftyp = MP4Builder().ftyp
        #expect(Self.kinds(Self.read(ftyp + [0, 0, 0, 4] + Array("free".utf8))) == [.corrupt])
        #expect(Self.kinds(Self.read(ftyp + [0, 0, 1, 0] + Array("moov".utf8) + [0, 0])) == [.truncated])
        let large: [UInt8] = [0, 0, 0, 1] + Array("mdat".utf8) + [0, 0, 0, 1, 0, 0, 0, 0]
        #expect(Self.kinds(Self.read(ftyp + large + [0, 0])) == [.truncated])
        let keys = MP4Builder.box("keys", [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        let moov = MP4Builder.box("moov", MP4Builder.box("udta", MP4Builder.box("meta", [0, 0, 0, 0] + keys)))
        #expect(Self.kinds(Self.read(ftyp + moov)) == [.corrupt])
    }

    @Test("MP4: boxes nested 100,000 deep are walked only as far as labels live")
    func mp4Nesting() {
        var inner = MP4Builder.box("free", [])
        for _ in 0..<2_000 { inner = MP4Builder.box("udta", inner) }
        let report = Self.read(MP4Builder().ftyp + MP4Builder.box("moov", inner))
        #expect(report.hazards.isEmpty && report.labels.isEmpty)
        // 100,000 levels: only the outer headers are read.
        var header: [UInt8] = []
        for level in 0..<100_000 { header += JPEGBuilder.be32(8 * (100_000 - level)) + Array("udta".utf8) }
        let deep = Self.read(
            MP4Builder().ftyp + JPEGBuilder.be32(8 + header.count) + Array("moov".utf8) + header)
        #expect(deep.bytesRead < 4096)
    }

    @Test("MP4: a 1 GB mdat before moov is skipped, not read: a few hundred bytes")
    func mp4Gigabyte() throws {
        let folder = try TestFiles.directory("labels-gigabyte")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("clip.mp4").path
        var builder = MP4Builder(label: Self.label)
        builder.mdatBytes = 1 << 30
        try builder.writeSparse(path: path)
        let report = try LabelReader.read(path: path, computeDigest: false)
        #expect(report.size > 1 << 30)
        #expect(report.labels.first?.valid == true)
        // The bytes read prove the mdat was skipped; `scripts/bench labels` measures the time.
        #expect(report.bytesRead < 2048, "read \(report.bytesRead) bytes")
    }

    // MARK: - WAV

    @Test("WAV: an AIGC chunk declaring 4 GB is clamped to the file, with a hazard; bytes past RIFF are hidden")
    func wavSizes() {
        var wav = RIFFBuilder()
        wav.raw(Array("AIGC".utf8) + RIFFBuilder.le32(0xFFFF_FFF0) + Array(Self.label.utf8))
        let lying = Self.read(wav.bytes)
        #expect(Self.kinds(lying) == [.truncated])
        #expect(lying.labels.count == 1 && !lying.labels[0].valid)
        var plain = RIFFBuilder()
        plain.add("AIGC", Array(Self.label.utf8))
        let hidden = Self.read(plain.bytes + RIFFBuilder.chunk("AIGC", Array(LabelFields.otherProducer.json.utf8)))
        #expect(Self.kinds(hidden) == [.hiddenData])
        #expect(hidden.labels.count == 1)
        var riff = plain.bytes
        riff.replaceSubrange(4..<8, with: RIFFBuilder.le32(0x0FFF_FFFF))
        #expect(Self.kinds(Self.read(riff)) == [.truncated])
    }

    // MARK: - MP3

    @Test("ID3: a size that is not syncsafe, a tag past the file, a frame past the tag, v2.2, an encrypted frame")
    func id3Sizes() {
        #expect(Self.kinds(Self.read(Array("ID3".utf8) + [4, 0, 0, 0x80, 0, 0, 0] + [0xFF, 0xFB])) == [.corrupt])
        var tag = ID3Builder(version: 4)
        tag.txxx("AIGC", Self.label)
        var cut = tag.tag
        cut.replaceSubrange(6..<10, with: ID3Builder.syncsafe(100_000))
        let clamped = Self.read(cut)
        #expect(Self.kinds(clamped) == [.truncated])
        #expect(clamped.labels.first?.valid == true)
        var frame = ID3Builder(version: 3)
        frame.raw(Array("TXXX".utf8) + JPEGBuilder.be32(1 << 30) + [0, 0, 3])
        #expect(Self.kinds(Self.read(frame.bytes)) == [.truncated])
        #expect(
            Self.kinds(Self.read(Array("ID3".utf8) + [2, 0, 0, 0, 0, 0, 10] + [UInt8](repeating: 0, count: 10))) == [
                .unsupported
            ])
        var encrypted = ID3Builder(version: 4)
        encrypted.frame("TXXX", [3] + Array("AIGC".utf8) + [0] + Array(Self.label.utf8), flags: [0, 0x04])
        #expect(Self.kinds(Self.read(encrypted.bytes)) == [.encrypted])
    }

    @Test("ID3: compressed, unsynchronised and grouped frames are undone and read")
    func id3Transformations() {
        let body: [UInt8] = [3] + Array("AIGC".utf8) + [0] + Array(Self.label.utf8)
        var v24 = ID3Builder(version: 4)
        let packed = PNGBuilder.zlib(body)
        v24.frame("TXXX", [0x11] + ID3Builder.syncsafe(body.count) + packed, flags: [0, 0x49])
        #expect(Self.read(v24.bytes).labels.first?.valid == true)
        var v23 = ID3Builder(version: 3)
        v23.frame("TXXX", JPEGBuilder.be32(body.count) + packed, flags: [0, 0x80])
        #expect(Self.read(v23.bytes).labels.first?.valid == true)
        var unsync = ID3Builder(version: 4)
        let withFF = [3] + Array("AIGC".utf8) + [0] + Array(LabelFields.valid.with("ReservedCode1", "ÿ").json.utf8)
        var stuffed: [UInt8] = []
        for byte in withFF {
            stuffed.append(byte)
            if byte == 0xFF { stuffed.append(0) }
        }
        unsync.frame("TXXX", stuffed, flags: [0, 0x02])
        let read = Self.read(unsync.bytes)
        #expect(read.labels.first?.string("ReservedCode1") == "ÿ")
    }

    // MARK: - OOXML

    @Test("OOXML: a custom.xml zip bomb, an encrypted entry, two custom.xml, a DTD, a value that is no string")
    func office() {
        let bomb = "<Properties>" + String(repeating: " ", count: 40 << 20) + "</Properties>"
        let bombed = Self.read(OfficeBuilder.document(custom: bomb))
        #expect(Self.kinds(bombed) == [.packetTooLarge])
        #expect(bombed.bytesRead < 1 << 20)

        let custom = OfficeBuilder.customXML([("AIGC", "lpwstr", Self.label)])
        let builder = ZipBuilder()
        var flagged = ZipBuilder.EntryOptions()
        flagged.encryptedFlag = true
        builder.addFile("[Content_Types].xml", Array("<Types/>".utf8))
        builder.addFile("docProps/custom.xml", Array(custom.utf8), options: flagged)
        builder.finish()
        #expect(Self.kinds(Self.read(builder.bytes)) == [.encrypted])

        let twice = OfficeBuilder.document(
            custom: custom,
            extra: [
                (
                    "docProps/Custom.xml",
                    Array(OfficeBuilder.customXML([("AIGC", "lpwstr", LabelFields.otherProducer.json)]).utf8)
                )
            ])
        let two = Self.read(twice)
        #expect(Set(Self.kinds(two)) == [.hiddenData, .conflictingLabels])
        #expect(two.labels.count == 2)

        let laughs =
            "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><Properties>&b;</Properties>"
        #expect(Self.kinds(Self.read(OfficeBuilder.document(custom: laughs))) == [.corrupt])

        let number = Self.read(OfficeBuilder.document(custom: OfficeBuilder.customXML([("AIGC", "i4", "1")])))
        #expect(number.labels.first?.problems.first?.contains("vt:i4, not a string") == true)
    }

    @Test("a zip that is no Office document, a GIF, a HEIF image: unsupported, not an empty container")
    func unsupported() {
        #expect(Self.kinds(Self.read(ZipBuilder.archive([("a.txt", [1])]))) == [.unsupported])
        #expect(Self.kinds(Self.read(Array("GIF89a....".utf8))) == [.unsupported])
        var heic = MP4Builder(label: Self.label)
        heic.brand = "heic"
        let image = Self.read(heic.bytes)
        #expect(image.container == .unknown && Self.kinds(image) == [.unsupported])
        let empty = Self.read([])
        #expect(empty.hazards.first?.detail == "the file is empty")
    }

    // MARK: - XMP

    @Test("XMP: nested 10,000 deep stops at the depth limit; 200,000 attributes at the structure limit")
    func xmpNesting() {
        var deep = XMPBuilder(label: Self.label)
        deep.nesting = 10_000
        var png = PNGBuilder()
        png.iTXt(keyword: "XML:com.adobe.xmp", deep.text)
        #expect(Self.kinds(Self.read(png.bytes)) == [.depthLimit])
        let attributes = (0..<200_000).map { " a\($0)=\"1\"" }.joined()
        var wide = PNGBuilder()
        wide.iTXt(keyword: "XML:com.adobe.xmp", "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"" + attributes + "/>")
        #expect(Self.kinds(Self.read(wide.bytes)) == [.tooManyStructures])
        // Spread over elements, the same attributes are counted as they are parsed.
        let spread = (0..<2_000).map { i in "<e" + (0..<60).map { " a\($0)=\"\(i)\"" }.joined() + "/>" }.joined()
        var many = PNGBuilder()
        many.iTXt(keyword: "XML:com.adobe.xmp", "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">" + spread + "</x:xmpmeta>")
        #expect(Self.kinds(Self.read(many.bytes)) == [.tooManyStructures])
    }

    @Test("XMP: a 20 MB packet is refused at the packet limit without being read")
    func hugeXMP() {
        var xmp = XMPBuilder(label: Self.label)
        xmp.padding = 20 << 20
        var png = PNGBuilder()
        png.iTXt(keyword: "XML:com.adobe.xmp", xmp.text)
        let report = Self.read(png.bytes)
        #expect(Self.kinds(report) == [.packetTooLarge])
        #expect(report.bytesRead < 4096)
    }

    @Test("XMP: 50,000 unclosed label elements are searched in linear time")
    func unclosed() {
        func packet(_ count: Int) -> [UInt8] {
            var png = PNGBuilder()
            png.iTXt(
                keyword: "XML:com.adobe.xmp",
                "<!DOCTYPE x><x:xmpmeta>" + String(repeating: "<TC260:AIGC>{", count: count))
            return png.bytes
        }
        let report = Self.read(packet(50_000))
        #expect(report.hazards.first?.kind == .corrupt)
        // Ten times the elements take about ten times as long, not a hundred: the fastest of three
        // reads of each, compared in the same process, so a loaded machine slows both alike.
        func fastest(_ bytes: [UInt8]) -> Double {
            (0..<3).map { _ in
                let start = Monotonic.now()
                _ = LabelReader.read(bytes: bytes, name: "unclosed", limits: .standard)
                return Monotonic.seconds(since: start)
            }.min()!
        }
        let small = fastest(packet(5_000))
        let large = fastest(packet(50_000))
        #expect(large < max(small, 0.000_5) * 40, "5,000: \(small) s, 50,000: \(large) s")
    }

    @Test("XMP: a DTD is refused (XMP forbids them), and the packet is searched as text")
    func dtd() {
        let packet =
            "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><TC260:AIGC>"
            + XMLEscape.escape(Self.label)
            + "</TC260:AIGC></x:xmpmeta>"
        var png = PNGBuilder()
        png.iTXt(keyword: "XML:com.adobe.xmp", packet)
        let report = Self.read(png.bytes)
        #expect(Self.kinds(report) == [.corrupt])
        #expect(report.labels.first?.form == "malformed_xmp")
    }

    @Test("two carriers that disagree: conflicting labels; the same label in another key order: none")
    func conflicting() {
        var png = PNGBuilder()
        png.iTXt(keyword: "XML:com.adobe.xmp", XMPBuilder(label: Self.label).text)
        png.tEXt(keyword: "AIGC", LabelFields.otherProducer.json, afterImage: true)
        let report = Self.read(png.bytes)
        #expect(Self.kinds(report) == [.conflictingLabels])
        #expect(report.hazards[0].detail.contains("png_xmp says Label \"1\""))
        #expect(report.status == .warn)
        // The same label with its keys in another order is no conflict.
        var same = PNGBuilder()
        same.iTXt(keyword: "XML:com.adobe.xmp", XMPBuilder(label: Self.label).text)
        same.tEXt(keyword: "AIGC", LabelFields(pairs: LabelFields.valid.pairs.reversed()).json, afterImage: true)
        let agreeing = Self.read(same.bytes)
        #expect(agreeing.labels.count == 2 && agreeing.hazards.isEmpty)
        #expect(agreeing.status == .pass)
    }

    @Test("hazards of one kind past fifty are counted, not listed")
    func hazardCap() {
        var png = PNGBuilder()
        for _ in 0..<80 { png.raw(PNGBuilder.chunk("tEXt", Array("AIGC".utf8) + [0] + Array(Self.label.utf8), crc: 7)) }
        let report = Self.read(png.bytes)
        #expect(report.hazards.filter { $0.kind == .crcMismatch }.count == 50)
        #expect(report.hazards.last?.kind == .hazardsTruncated)
        #expect(report.hazards.last?.detail == "30 more crc_mismatch hazards not listed")
    }
}

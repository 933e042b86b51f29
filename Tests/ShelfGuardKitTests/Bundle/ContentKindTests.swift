import BundleFactory
import Testing

@testable import ShelfGuardKit

@Suite("Content kinds are told by magic numbers")
struct ContentKindTests {
    static let cases: [([UInt8], ContentKind)] = {
        var g = ContentGenerator(seed: 1)
        return [
            ([], .empty),
            (Array("PK\u{3}\u{4}rest".utf8), .zip),
            ([0x1F, 0x8B, 8, 0], .gzip),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0], .xz),
            ([0x28, 0xB5, 0x2F, 0xFD, 0], .zstd),
            (Array("V1MMWX".utf8) + [0, 0], .wxapkgEncrypted),
            ([0xBE] + [UInt8](repeating: 0, count: 12) + [0xED, 0, 0], .wxapkg),
            (Array("TPKG".utf8) + [1, 0, 0, 0], .tpkg),
            (g.dex(size: 200, strings: []), .dex),
            (g.elf(size: 100), .elf),
            ([0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1], .machO),
            ([0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 2], .machO),
            ([0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52], .javaClass),
            (Array("PANDA\0\0\0".utf8) + [1], .arkBytecode),
            (g.binaryXMLLike(size: 100), .binaryXML),
            ([0x00, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0x01, 0x00, 0x1C, 0x00], .binaryXML),
            ([0x02, 0x00, 0x0C, 0x00, 1, 2], .resourceTable),
            (Array("bplist00".utf8) + [0], .binaryPlist),
            (g.tflite(size: 64), .tflite),
            ([0x10, 0, 0, 0] + Array("ORTM".utf8), .ort),
            (g.gguf(size: 64), .gguf),
            ([12, 0, 0, 0, 0, 0, 0, 0] + Array("{\"w\":{}}".utf8), .safetensors),
            (Array("7767517\n3 3\n".utf8), .ncnnParam),
            (g.png(size: 40), .png),
            ([0xFF, 0xD8, 0xFF, 0xE0], .jpeg),
            (Array("GIF89a".utf8), .gif),
            (Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), .webp),
            (Array("%PDF-1.7".utf8), .pdf),
            (Array("<?xml version=\"1.0\"?><plist/>".utf8), .xml),
            (Array("  {\"pages\": []}".utf8), .json),
            (Array("hello world\n".utf8), .text),
            ([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0xF0, 0x11, 0x00, 0x02], .binary),
            (Array("BZh91AY&SY".utf8), .bzip2),
        ]
    }()

    @Test("sniff identifies", arguments: cases)
    func sniff(bytes: [UInt8], expected: ContentKind) {
        #expect(ContentKind.sniff(bytes) == expected)
    }

    @Test("tar is recognised by the ustar magic at offset 257")
    func tarMagic() {
        var header = [UInt8](repeating: 0, count: 512)
        header.replaceSubrange(257..<262, with: Array("ustar".utf8))
        header.replaceSubrange(0..<8, with: Array("file.txt".utf8))
        #expect(ContentKind.sniff(header) == .tar)
        #expect(ContentKind.sniff(TarBuilder.archive([("a.txt", [1, 2])], compression: .none)) == .tar)
    }

    static let disguises: [(ContentKind, String, Bool)] = [
        (.dex, "res/drawable/icon.png", true),
        (.dex, "classes2.dex", false),
        (.dex, "assets/payload", false),
        (.zip, "assets/data.dat", true),
        (.zip, "assets/plugin.apk", false),
        (.zip, "libs/thing.jar", false),
        (.elf, "assets/config.json", true),
        (.elf, "lib/arm64-v8a/libfoo.so", false),
        (.elf, "lib/arm64-v8a/libfoo.so.1", false),
        (.elf, "assets/bin/helper", false),
        (.png, "assets/icon.dex", false),
        (.tpkg, "app.ttpkg.js", false),
        (.gzip, "assets/image.png", true),
        (.gzip, "assets/data.bin.gz", false),
    ]

    @Test("content that contradicts its name", arguments: disguises)
    func contradicts(kind: ContentKind, name: String, expected: Bool) {
        #expect(kind.contradicts(name: name) == expected)
    }
}

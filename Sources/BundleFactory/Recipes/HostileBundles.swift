/// Bundles built to attack a reader, one trick each. Tests generate them on the fly; none is
/// stored in the repository.
public enum HostileBundles {
    /// A valid binary AndroidManifest.xml, so that the tricks below are the only problem.
    public static func manifest(_ package: String = "com.example.hostile") -> [UInt8] {
        BinaryXMLWriter.write(
            AndroidManifestBuilder.manifest(package: package, versionCode: 1, versionName: .string("1.0")))
    }

    /// A zip with one entry of `size` zeros, deflated at the highest level (about 1000:1).
    public static func zipBomb(size: Int64, name: String = "classes.dex") -> [UInt8] {
        let zip = ZipBuilder()
        zip.addDeflated(name: Array(name.utf8), zeros(size))
        zip.finish()
        return zip.bytes
    }

    /// Deflated zeros, made a megabyte at a time.
    public static func zeros(_ size: Int64) -> Deflate.Output {
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        return Deflate.compress(size: size, level: 9) { write in
            var left = size
            chunk.withUnsafeBytes { raw in
                while left > 0 {
                    let n = Int(min(left, Int64(raw.count)))
                    write(UnsafeRawBufferPointer(rebasing: raw[..<n]))
                    left -= Int64(n)
                }
            }
        }
    }

    /// A nested bomb in the style of 42.zip: `levels` of zips, each holding `fanout` copies of the
    /// level below, with `leafSize` bytes of zeros at the bottom. It claims
    /// fanout^levels × leafSize bytes.
    public static func nestedBomb(levels: Int, fanout: Int, leafSize: Int64) -> [UInt8] {
        var current = zipBomb(size: leafSize, name: "0.dat")
        for level in 1...max(1, levels) {
            let zip = ZipBuilder()
            for i in 0..<fanout { zip.addFile("\(level)-\(i).zip", current, method: .deflated(level: 9)) }
            zip.finish()
            current = zip.bytes
        }
        return current
    }

    /// Zips nested `depth` levels deep (`level1.zip!level2.zip!…!leaf.txt`), stored or deflated.
    public static func nested(depth: Int, method: ZipBuilder.Method = .stored) -> [UInt8] {
        var current = ZipBuilder.archive([("leaf.txt", Array("the bottom".utf8))])
        for level in stride(from: depth, through: 1, by: -1) {
            let zip = ZipBuilder()
            zip.addFile("level\(level).zip", current, method: method)
            zip.finish()
            current = zip.bytes
        }
        return current
    }

    /// Names that climb out (`..`), absolute names, NUL/CR/LF inside names, a duplicate name.
    public static func hostileNames() -> [UInt8] {
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", manifest())
        zip.addFile("../../../../data/local/tmp/evil.so", Array("x".utf8))
        zip.addFile("assets/../../escape.txt", Array("x".utf8))
        zip.addFile("/system/bin/sh", Array("x".utf8))
        zip.addFile("C:\\Windows\\evil.dll", Array("x".utf8))
        zip.addFile(name: Array("lib/nul\u{0}.so".utf8), Array("x".utf8))
        zip.addFile("res/line\nbreak.xml", Array("x".utf8))
        zip.addFile("res/carriage\rreturn.xml", Array("x".utf8))
        zip.addFile("res/\u{1B}[31mred.txt", Array("x".utf8))
        zip.addFile(
            "classes.dex", [0x64, 0x65, 0x78, 0x0A, 0x30, 0x33, 0x35, 0x00] + [UInt8](repeating: 1, count: 120))
        zip.addFile(
            "classes.dex", [0x64, 0x65, 0x78, 0x0A, 0x30, 0x33, 0x35, 0x00] + [UInt8](repeating: 2, count: 120))
        zip.finish()
        return zip.bytes
    }

    /// A DEX glued in front of an APK, offsets left absolute (CVE-2017-13156).
    public static func janus() -> [UInt8] {
        var generator = ContentGenerator(seed: 7)
        let zip = ZipBuilder()
        zip.writePrefix(generator.dex(size: 1032, strings: ["Lcom/evil/Payload;"]))
        zip.addFile("AndroidManifest.xml", manifest("com.example.janus"))
        zip.addFile("classes.dex", generator.dex(size: 4000, strings: ["Lcom/example/Main;"]))
        zip.finish()
        return zip.bytes
    }

    /// A well-formed small APK-like zip.
    public static func plainAPK(seed: UInt64 = 1) -> [UInt8] {
        var generator = ContentGenerator(seed: seed)
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", manifest("com.example.plain"))
        zip.addFile("classes.dex", generator.dex(size: 20_000, strings: ["Lcom/example/Main;"]))
        zip.addFile("resources.arsc", [0x02, 0x00, 0x0C, 0x00] + generator.text(3000), method: .stored)
        zip.addFile("res/drawable/icon.png", generator.png(size: 3000), method: .stored)
        zip.addFile("lib/arm64-v8a/libnative.so", generator.elf(size: 30_000))
        zip.finish()
        return zip.bytes
    }

    /// Entries flagged as encrypted (the data itself is plain).
    public static func encryptedEntry() -> [UInt8] {
        var options = ZipBuilder.EntryOptions()
        options.encryptedFlag = true
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", manifest())
        zip.addFile("classes.dex", Array("secret".utf8), method: .stored, options: options)
        zip.finish()
        return zip.bytes
    }

    /// Content that contradicts its name: a DEX called .png, a zip called .dat, an ELF called .json.
    public static func fakeExtensions() -> [UInt8] {
        var generator = ContentGenerator(seed: 3)
        let zip = ZipBuilder()
        zip.addFile("res/drawable/icon.png", generator.dex(size: 500, strings: ["Lcom/hidden/Loader;"]))
        zip.addFile("assets/data.dat", ZipBuilder.archive([("inner.txt", Array("hi".utf8))]), method: .stored)
        zip.addFile("assets/config.json", generator.elf(size: 400))
        zip.addFile("assets/real.png", generator.png(size: 300))
        zip.finish()
        return zip.bytes
    }

    /// `count` tiny entries.
    public static func manyEntries(_ count: Int) -> [UInt8] {
        let zip = ZipBuilder()
        for i in 0..<count { zip.addFile("res/raw/f\(i).txt", [UInt8(truncatingIfNeeded: i)], method: .stored) }
        zip.finish()
        return zip.bytes
    }

    /// `count` one-byte entries whose names are `nameLength` bytes long (deep folders of long
    /// names), written to `sink`: the cost of the per-entry work, not of the bytes.
    public static func longNames(count: Int, nameLength: Int, into sink: any ByteSink = MemorySink()) -> ZipBuilder {
        let zip = ZipBuilder(sink: sink)
        for i in 0..<count {
            let head = "assets/d\(i % 100)/"
            let tail = "-\(i).txt"
            let filler = String(repeating: "n", count: max(1, nameLength - head.utf8.count - tail.utf8.count))
            zip.addFile(head + filler + tail, [UInt8(truncatingIfNeeded: i)], method: .stored)
        }
        zip.finish()
        return zip
    }

    /// Two central-directory records for one local header: a name only installers see.
    public static func hiddenAlias() -> [UInt8] {
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", manifest())
        zip.addFile("classes.dex", Array("dex\n035\0".utf8) + [UInt8](repeating: 0, count: 100))
        zip.addCentralAlias(of: 1, name: "classes2.dex")
        zip.finish()
        return zip.bytes
    }

    /// The local header calls the entry one thing, the central directory another.
    public static func nameMismatch() -> [UInt8] {
        var options = ZipBuilder.EntryOptions()
        options.centralName = Array("classes.dex".utf8)
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", manifest())
        zip.addFile("innocent.txt", Array("dex\n035\0".utf8) + [UInt8](repeating: 0, count: 100), options: options)
        zip.finish()
        return zip.bytes
    }

    /// A wxapkg whose second file points past the end of the package.
    public static func wxapkgOutOfRange() -> [UInt8] {
        PackageBuilder.wxapkg([
            ("/app-config.json", Array("{\"pages\":[]}".utf8)),
            ("/app-service.js", Array("console.log(1)".utf8)),
        ]) { records in
            records[1].offset = 0x00FF_FFFF
        }
    }
}

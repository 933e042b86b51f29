import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

@Suite("The bundle reader on well-formed bundles")
struct BundleReaderTests {
    @Test("an APK: format, entries, kinds, every byte delivered as packed")
    func apk() throws {
        var g = ContentGenerator(seed: 5)
        let dex = g.dex(size: 50_000, strings: ["Lcom/example/Main;"])
        let so = g.elf(size: 70_000)
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", g.binaryXMLLike(size: 900))
        zip.addFile("classes.dex", dex)
        zip.addFile("lib/arm64-v8a/libfoo.so", so, method: .stored)
        zip.addDirectory("assets/")
        zip.addFile("assets/empty.txt", [])
        zip.finish()
        var visitor = CollectingVisitor()
        let report = try TestFiles.read(zip.bytes, name: "app.apk", visitor: &visitor)
        #expect(report.bundle.format == .apk)
        #expect(report.bundle.entryCount == 5)
        #expect(report.bundle.complete)
        #expect(report.hazards.isEmpty)
        #expect(report.entry("classes.dex")?.kind == .dex)
        #expect(report.entry("lib/arm64-v8a/libfoo.so")?.kind == .elf)
        #expect(report.entry("assets/")?.kind == .directory)
        #expect(report.entry("assets/empty.txt")?.kind == .empty)
        #expect(visitor.contents["classes.dex"] == dex)
        #expect(visitor.contents["lib/arm64-v8a/libfoo.so"] == so)
        #expect(visitor.finished["classes.dex"] == true)
        #expect(report.bundle.sha256.count == 64)
    }

    @Test("the SHA-256 is the file's")
    func digest() throws {
        let bytes = HostileBundles.plainAPK()
        let report = try TestFiles.read(bytes)
        let expected = "\(SHA256Hex.of(bytes))"
        #expect(report.bundle.sha256 == expected)
    }

    @Test("the SHA-256 is the file's on both paths: after the walk up to 16 MiB, on a thread of its own past it")
    func digestBothPaths() throws {
        #expect(FileDigest.hashesAfterWalk(length: 16 << 20) && !FileDigest.hashesAfterWalk(length: (16 << 20) + 1))
        var g = ContentGenerator(seed: 3)
        let small = ZipBuilder.archive([("assets/a.bin", g.randomBytes(100_000))], method: .stored)
        let large = ZipBuilder.archive([("assets/a.bin", g.randomBytes((16 << 20) + 10_000))], method: .stored)
        #expect(large.count > 16 << 20)
        for bytes in [small, large] {
            #expect(try TestFiles.read(bytes).bundle.sha256 == SHA256Hex.of(bytes))
        }
    }

    @Test("a digest the caller took is used only while the file is the one it hashed")
    func knownDigest() throws {
        let bytes = HostileBundles.plainAPK()
        let path = try TestFiles.write(bytes, name: "app.apk")
        let (sha256, known) = try KnownDigest.of(path: path)
        #expect(sha256 == SHA256Hex.of(bytes))
        var taken = try #require(known)
        #expect(try BundleReader(options: ReadOptions(knownDigest: taken)).read(path: path).bundle.sha256 == sha256)
        // Taken as it is while the identity matches: the reader does not hash the file again.
        taken.sha256 = String(repeating: "0", count: 64)
        #expect(
            try BundleReader(options: ReadOptions(knownDigest: taken)).read(path: path).bundle.sha256 == taken.sha256)
        // The file written since: hashed, not taken. (Its size changes too, so that the test
        // does not hang on the file system's clock ticking between the two writes.)
        let changed = bytes + [0]
        try Data(changed).write(to: URL(fileURLWithPath: path))
        #expect(
            try BundleReader(options: ReadOptions(knownDigest: taken)).read(path: path).bundle.sha256
                == SHA256Hex.of(changed))
        // No digest wanted: none given either.
        #expect(
            try BundleReader(options: ReadOptions(computeDigest: false, knownDigest: taken)).read(path: path).bundle
                .sha256 == "")
    }

    @Test(
        "nested archives: stored (read in place), deflated (buffered) and over the buffer (streamed)",
        arguments: [
            ("stored", ZipBuilder.Method.stored, Int64(64 << 20)),
            ("deflated", ZipBuilder.Method.deflated, Int64(64 << 20)),
            ("streamed", ZipBuilder.Method.deflated, Int64(1_000)),
        ])
    func nested(label: String, method: ZipBuilder.Method, buffer: Int64) throws {
        var g = ContentGenerator(seed: 9)
        let dex = g.dex(size: 40_000, strings: ["Lcom/inner/Main;"])
        let inner = ZipBuilder.archive([("AndroidManifest.xml", g.binaryXMLLike(size: 500)), ("classes.dex", dex)])
        let outer = ZipBuilder()
        outer.addFile("manifest.json", Array("{\"package_name\":\"com.inner\"}".utf8))
        outer.addFile("com.inner.apk", inner, method: method)
        outer.finish()
        var limits = ReadLimits()
        limits.maxBufferedBytes = buffer
        var visitor = CollectingVisitor()
        let path = try TestFiles.write(outer.bytes, name: "app.xapk")
        let report = try BundleReader(options: ReadOptions(limits: limits)).read(path: path, visitor: &visitor)
        #expect(report.bundle.format == .xapk, "\(label)")
        #expect(report.bundle.entryCount == 2)
        #expect(report.bundle.entriesRead == 4)
        #expect(report.bundle.nestedArchives == 1)
        #expect(report.hazards.isEmpty, "\(report.hazards)")
        #expect(report.entry("com.inner.apk!classes.dex")?.kind == .dex)
        #expect(visitor.contents["com.inner.apk!classes.dex"] == dex)
        #expect(report.entry("com.inner.apk")?.kind == .zip)
        #expect(report.bundle.peakBufferedBytes <= buffer)
    }

    @Test("tarballs with each compression", arguments: TarBuilder.Compression.allCases)
    func tarball(compression: TarBuilder.Compression) throws {
        var g = ContentGenerator(seed: 4)
        let js = g.text(30_000)
        let bytes = TarBuilder.archive(
            [
                ("game/main.js", js), ("game/sprite.png", g.png(size: 900)),
                ("game/inner.zip", ZipBuilder.archive([("x.txt", [1])])),
            ],
            compression: compression)
        var visitor = CollectingVisitor()
        let report = try TestFiles.read(bytes, name: "game.tar", visitor: &visitor)
        #expect(report.bundle.format == .tar)
        #expect(report.bundle.entryCount == 3)
        #expect(report.entry("game/inner.zip!x.txt") != nil)
        #expect(visitor.contents["game/main.js"] == js)
        #expect(report.hazards.isEmpty)
    }

    @Test("a WeChat wxapkg, read with its own index")
    func wxapkg() throws {
        var visitor = CollectingVisitor()
        let report = try TestFiles.read(SampleBundles.voiceChatWxapkg(), name: "app.wxapkg", visitor: &visitor)
        #expect(report.bundle.format == .wxapkg)
        #expect(report.bundle.entryCount == 4)
        #expect(report.hazards.isEmpty)
        #expect(report.entry("/app-config.json")?.kind == .json)
        #expect(String(decoding: visitor.contents["/app-service.js"] ?? [], as: UTF8.self).contains("WechatSI"))
    }

    @Test("a PC-encrypted wxapkg is read with its appid, reported unreadable without it or with a wrong one")
    func encryptedWxapkg() throws {
        var g = ContentGenerator(seed: 2)
        let files: [(String, [UInt8])] = [
            ("/app-config.json", Array("{\"pages\":[\"index\"]}".utf8)),
            ("/app-service.js", g.text(5_000)),
        ]
        let encrypted = try PackageBuilder.encryptedWxapkg(files, appID: "wx0123456789abcdef")
        #expect(ContentKind.sniff(encrypted) == .wxapkgEncrypted)

        var visitor = CollectingVisitor()
        let path = try TestFiles.write(encrypted, name: "pc.wxapkg")
        let report = try BundleReader(options: ReadOptions(wechatAppID: "wx0123456789abcdef"))
            .read(path: path, visitor: &visitor)
        #expect(report.bundle.format == .wxapkg)
        #expect(report.hazards.isEmpty)
        #expect(visitor.contents["/app-service.js"] == files[1].1)

        let without = try TestFiles.read(encrypted, name: "pc.wxapkg")
        #expect(without.hazards(.unreadable).count == 1)
        #expect(!without.bundle.complete)
        let wrong = try TestFiles.read(encrypted, name: "pc.wxapkg", appID: "wxffffffffffffffff")
        #expect(wrong.hazards(.unreadable).first?.detail.contains("appid") == true)
    }

    @Test("a TPKG in the known layout is read; an unknown layout is unreadable, never a guess")
    func tpkg() throws {
        let files: [(String, [UInt8])] = [("app.json", Array("{}".utf8)), ("game.js", Array("run()".utf8))]
        let report = try TestFiles.read(PackageBuilder.tpkg(files), name: "app.ttpkg.js")
        #expect(report.bundle.format == .ttpkg)
        #expect(report.bundle.entryCount == 2)
        #expect(report.hazards.isEmpty)

        let unknownVersion = try TestFiles.read(PackageBuilder.tpkg(files, version: 99), name: "app.pkg")
        #expect(unknownVersion.hazards(.unreadable).count == 1)
        var garbage = Array("TPKG".utf8) + [1, 0, 0, 0, 2, 0, 0, 0]
        var g = ContentGenerator(seed: 1)
        garbage += g.randomBytes(300)
        #expect(try TestFiles.read(garbage, name: "app.pkg").hazards(.unreadable).count == 1)
    }

    @Test("HarmonyOS HAP and .app packs are told apart by their entries")
    func harmony() throws {
        let hap = try TestFiles.read(SampleBundles.notesHAP(), name: "entry.bin")
        #expect(hap.bundle.format == .hap)
        let pack = ZipBuilder()
        pack.addFile("pack.info", Array("{}".utf8), method: .stored)
        pack.addFile("entry-default.hap", SampleBundles.notesHAP(), method: .stored)
        pack.finish()
        let app = try TestFiles.read(pack.bytes, name: "notes.app")
        #expect(app.bundle.format == .app)
        #expect(app.entry("entry-default.hap!module.json") != nil)
    }

    @Test("files that are not bundles are unreadable, not errors")
    func notBundles() throws {
        let text = try TestFiles.read(Array("just a text file".utf8), name: "x.apk")
        #expect(text.bundle.format == .unknown)
        #expect(text.hazards(.unreadable).count == 1)
        #expect(text.inspectStatus == .refused)
    }

    @Test("a missing file and a directory are tool errors")
    func toolErrors() throws {
        #expect(throws: BundleReadError.self) { try BundleReader().read(path: "/nonexistent/bundle.apk") }
        let dir = try TestFiles.directory()
        #expect(throws: BundleReadError.notARegularFile(path: dir.path, what: "a folder")) {
            try BundleReader().read(path: dir.path)
        }
    }
}

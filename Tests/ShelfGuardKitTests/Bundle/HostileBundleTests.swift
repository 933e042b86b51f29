import BundleFactory
import Testing

@testable import ShelfGuardKit

@Suite("Hostile structure is reported as hazards, never a crash")
struct HostileBundleTests {
    @Test("traversal, absolute, control-character and duplicate names")
    func names() throws {
        let report = try TestFiles.read(HostileBundles.hostileNames(), name: "names.apk")
        #expect(report.hazards(.pathTraversal).count == 2)
        #expect(report.hazards(.absolutePath).count == 2)
        let control = report.hazards(.controlCharacter)
        #expect(control.count == 4)
        #expect(control.contains { $0.detail.contains("NUL") })
        #expect(control.contains { $0.detail.contains("LF") })
        #expect(control.contains { $0.detail.contains("CR") })
        #expect(report.hazards(.duplicateEntry).map(\.location) == ["names.apk!classes.dex"])
        // Names reach reports escaped: no raw control character anywhere.
        for hazard in report.hazards {
            #expect(!hazard.location.unicodeScalars.contains { $0.value < 0x20 }, "\(hazard.location)")
        }
        #expect(report.bundle.complete)
        #expect(report.inspectStatus == .warn)
    }

    @Test("a DEX glued in front of the zip (Janus)")
    func janus() throws {
        let report = try TestFiles.read(HostileBundles.janus(), name: "janus.apk")
        let hazard = try #require(report.hazards(.prependedData).first)
        #expect(hazard.detail.contains("1032 bytes"))
        #expect(hazard.detail.contains("CVE-2017-13156"))
        #expect(report.bundle.format == .apk)
        #expect(report.bundle.entryCount == 2)
    }

    @Test("encrypted entries are reported and left unread")
    func encrypted() throws {
        let report = try TestFiles.read(HostileBundles.encryptedEntry())
        #expect(report.hazards(.encryptedEntry).map(\.location) == ["bundle.apk!classes.dex"])
        #expect(!report.bundle.complete)
    }

    @Test("content that contradicts its name")
    func fakeExtensions() throws {
        let report = try TestFiles.read(HostileBundles.fakeExtensions())
        let locations = Set(report.hazards(.fakeExtension).map(\.location))
        #expect(
            locations == [
                "bundle.apk!res/drawable/icon.png", "bundle.apk!assets/data.dat", "bundle.apk!assets/config.json",
            ])
        // The disguised zip is still opened.
        #expect(report.entry("assets/data.dat!inner.txt") != nil)
    }

    @Test("a central-directory record the archive reader never returns")
    func hidden() throws {
        let report = try TestFiles.read(HostileBundles.hiddenAlias())
        #expect(report.hazards(.hiddenEntry).map(\.location) == ["bundle.apk!classes2.dex"])
        #expect(report.hazards(.overlappingEntries).count == 1)
    }

    @Test("local header and central directory name different files")
    func nameMismatch() throws {
        let report = try TestFiles.read(HostileBundles.nameMismatch())
        let hazard = try #require(report.hazards(.nameMismatch).first)
        #expect(hazard.location == "bundle.apk!classes.dex")
        #expect(hazard.detail.contains("innocent.txt"))
    }

    @Test("a truncated zip: a hazard, incomplete, at every cut point")
    func truncated() throws {
        let good = HostileBundles.plainAPK()
        for cut in stride(from: 1, to: good.count - 1, by: max(1, good.count / 40)) {
            let report = try TestFiles.read(Array(good.prefix(cut)))
            #expect(!report.bundle.complete, "cut at \(cut)")
            #expect(report.inspectStatus == .refused, "cut at \(cut)")
            #expect(!report.hazards.isEmpty, "cut at \(cut)")
        }
        let nearEnd = try TestFiles.read(Array(good.prefix(good.count - 10)))
        #expect(nearEnd.hazards(.truncated).count == 1)
    }

    @Test("a damaged entry inside an intact directory")
    func damagedEntry() throws {
        var bytes = HostileBundles.plainAPK()
        let directory = try ZipDirectory.scan(MemorySource(bytes), maxEntries: 100)
        let dex = try #require(directory.records.first { $0.name == Array("classes.dex".utf8) })
        let data = Int(try #require(directory.dataOffset(of: dex, in: MemorySource(bytes))))
        for i in data..<(data + 64) { bytes[i] ^= 0x5A }
        let report = try TestFiles.read(bytes)
        #expect(!report.bundle.complete)
        #expect(report.hazards.contains { [.corrupt, .crcMismatch, .truncated].contains($0.kind) })
        // The entries after it are still read.
        #expect(report.entry("lib/arm64-v8a/libnative.so")?.kind == .elf)
    }

    @Test("an empty file")
    func empty() throws {
        let report = try TestFiles.read([])
        #expect(report.hazards.map(\.kind) == [.emptyFile])
        #expect(report.inspectStatus == .refused)
    }

    @Test("wxapkg offsets outside the file")
    func wxapkgOffsets() throws {
        let report = try TestFiles.read(HostileBundles.wxapkgOutOfRange(), name: "bad.wxapkg")
        #expect(report.hazards(.offsetOutOfRange).map(\.location) == ["bad.wxapkg!/app-service.js"])
        #expect(report.entry("/app-config.json")?.kind == .json)
        #expect(!report.bundle.complete)
    }

    @Test("a wxapkg whose index runs past the file")
    func wxapkgTruncatedIndex() throws {
        let good = SampleBundles.voiceChatWxapkg()
        let report = try TestFiles.read(Array(good.prefix(40)), name: "cut.wxapkg")
        #expect(report.hazards(.truncated).count == 1)
    }

    @Test("symbolic links are reported, not followed")
    func symlink() throws {
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", [1, 2, 3])
        zip.addSymlink("lib/evil.so", target: "/system/lib/libc.so")
        zip.finish()
        let report = try TestFiles.read(zip.bytes)
        #expect(report.hazards(.symlink).first?.detail.contains("/system/lib/libc.so") == true)
        #expect(report.entry("lib/evil.so")?.kind == .symlink)
    }

    @Test("a high-ratio zip bomb stops at the ratio limit in bounded bytes")
    func zipBomb() throws {
        let bomb = HostileBundles.zipBomb(size: 256 << 20)
        let limits = ReadLimits()
        let report = try TestFiles.read(bomb)
        #expect(report.hazards(.zipBomb).count == 1)
        #expect(!report.bundle.complete)
        let bound = Int64(limits.maxCompressionRatio * Double(bomb.count)) + Int64(ArchiveInput.bufferSize) * 4
        #expect(report.bundle.bytesRead <= bound)
        #expect(report.bundle.bytesRead < 256 << 20)
    }

    @Test("a nested bomb (42.zip style) stops at its limits in bounded bytes and memory")
    func nestedBomb() throws {
        let bomb = HostileBundles.nestedBomb(levels: 3, fanout: 8, leafSize: 16 << 20)
        let report = try TestFiles.read(bomb, name: "42.zip")
        #expect(report.hazards(.zipBomb).count >= 1)
        #expect(report.bundle.bytesRead < 64 << 20)
        #expect(report.bundle.peakBufferedBytes <= ReadLimits.standard.maxBufferedBytes)
        // With the ratio out of the way, the total-size limit stops it instead.
        var limits = ReadLimits()
        limits.maxCompressionRatio = 1e12
        limits.maxTotalBytes = 48 << 20
        let unbounded = try TestFiles.read(bomb, name: "42.zip", limits: limits)
        #expect(unbounded.hazards(.totalSizeLimit).count == 1)
        #expect(unbounded.bundle.bytesRead <= (48 << 20) + Int64(ArchiveInput.bufferSize) * 4)
    }

    @Test("nesting deeper than the limit is not opened")
    func deepNesting() throws {
        var limits = ReadLimits()
        limits.maxDepth = 3
        let report = try TestFiles.read(HostileBundles.nested(depth: 12), name: "deep.zip", limits: limits)
        let hazard = try #require(report.hazards(.depthLimit).first)
        #expect(hazard.location == "deep.zip!level1.zip!level2.zip!level3.zip!level4.zip")
        #expect(report.entries.map(\.depth).max() == 3)
        #expect(!report.bundle.complete)
        // Deflated nesting goes through the buffer, and is bounded the same way.
        let deflated = try TestFiles.read(
            HostileBundles.nested(depth: 12, method: .deflated), name: "deep.zip", limits: limits)
        #expect(deflated.hazards(.depthLimit).count == 1)
    }
}

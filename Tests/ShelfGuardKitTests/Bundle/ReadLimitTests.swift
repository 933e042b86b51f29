import BundleFactory
import Testing

@testable import ShelfGuardKit

/// Every limit: its default, and what crossing it does. (Each flag is tested end to end in
/// `InspectCommandTests`.)
@Suite("Read limits")
struct ReadLimitTests {
    @Test("defaults are as documented")
    func defaults() {
        let limits = ReadLimits.standard
        #expect(limits.maxEntries == 100_000)
        #expect(limits.maxEntryBytes == 2 << 30)
        #expect(limits.maxTotalBytes == 8 << 30)
        #expect(limits.maxCompressionRatio == 100)
        #expect(limits.ratioFloorBytes == 1 << 20)
        #expect(limits.maxDepth == 6)
        #expect(limits.maxNameLength == 1024)
        #expect(limits.timeLimitSeconds == 300)
        #expect(limits.maxBufferedBytes == 64 << 20)
        #expect(limits.maxSpooledBytes == 4 << 30)
        #expect(limits.maxWholeInflateBytes == 32 << 20)
        #expect(limits.maxHazardsPerKind == 50)
    }

    @Test("entry count: a directory over the limit is not handed to libarchive at all")
    func entryCount() throws {
        var limits = ReadLimits()
        limits.maxEntries = 10
        let report = try TestFiles.read(HostileBundles.manyEntries(50), limits: limits)
        #expect(report.hazards(.tooManyEntries).count == 1)
        #expect(report.bundle.entriesRead == 0)
        #expect(!report.bundle.complete)
    }

    @Test("entry count across nesting levels")
    func entryCountNested() throws {
        let outer = ZipBuilder()
        for i in 0..<5 { outer.addFile("f\(i).txt", [UInt8(i)]) }
        outer.addFile("inner.zip", HostileBundles.manyEntries(10), method: .stored)
        outer.finish()
        var limits = ReadLimits()
        limits.maxEntries = 12
        let report = try TestFiles.read(outer.bytes, limits: limits)
        #expect(report.hazards(.tooManyEntries).count == 1)
        #expect(report.bundle.entriesRead <= 12)
    }

    @Test("bytes per entry: the rest of that entry is skipped, the others are read")
    func entryBytes() throws {
        var g = ContentGenerator(seed: 1)
        let zip = ZipBuilder()
        zip.addFile("big.bin", g.randomBytes(3 << 20), method: .stored)
        zip.addFile("small.txt", Array("after the big one".utf8))
        zip.finish()
        var limits = ReadLimits()
        limits.maxEntryBytes = 1 << 20
        let report = try TestFiles.read(zip.bytes, limits: limits)
        #expect(report.hazards(.entryTooLarge).map(\.location) == ["bundle.apk!big.bin"])
        #expect(report.entry("small.txt")?.size == 17)
        #expect(report.bundle.bytesRead < (1 << 20) + 2 * Int64(ArchiveInput.bufferSize) + 17)
    }

    @Test("total bytes: reading stops")
    func totalBytes() throws {
        var g = ContentGenerator(seed: 2)
        let zip = ZipBuilder()
        for i in 0..<4 { zip.addFile("part\(i).bin", g.randomBytes(1 << 20), method: .stored) }
        zip.finish()
        var limits = ReadLimits()
        limits.maxTotalBytes = (2 << 20) + 1000
        let report = try TestFiles.read(zip.bytes, limits: limits)
        #expect(report.hazards(.totalSizeLimit).count == 1)
        #expect(report.entries.count == 3)
        #expect(report.bundle.bytesRead <= limits.maxTotalBytes + Int64(ArchiveInput.bufferSize))
    }

    @Test("compression ratio, and its floor")
    func ratio() throws {
        let bomb = HostileBundles.zipBomb(size: 4 << 20)
        #expect(try TestFiles.read(bomb).hazards(.zipBomb).count == 1)
        var limits = ReadLimits()
        limits.ratioFloorBytes = 8 << 20
        let underFloor = try TestFiles.read(bomb, limits: limits)
        #expect(underFloor.hazards.isEmpty)
        #expect(underFloor.bundle.bytesRead == 4 << 20)
        limits = ReadLimits()
        limits.maxCompressionRatio = 5_000
        #expect(try TestFiles.read(bomb, limits: limits).hazards.isEmpty)
    }

    @Test("nesting depth 0 opens no nested archive")
    func depthZero() throws {
        var limits = ReadLimits()
        limits.maxDepth = 0
        let report = try TestFiles.read(SampleBundles.faceFunXAPK(), limits: limits)
        #expect(report.hazards(.depthLimit).count == 2)
        #expect(report.bundle.entriesRead == report.bundle.entryCount)
    }

    @Test("name length")
    func nameLength() throws {
        let long = String(repeating: "a", count: 300) + ".txt"
        let zip = ZipBuilder()
        zip.addFile(long, [1])
        zip.finish()
        var limits = ReadLimits()
        limits.maxNameLength = 100
        let report = try TestFiles.read(zip.bytes, limits: limits)
        let hazard = try #require(report.hazards(.nameTooLong).first)
        #expect(hazard.detail.contains("304 bytes"))
        #expect(report.entries[0].name.count == 101)  // cut to the limit, with an ellipsis
        #expect(try TestFiles.read(zip.bytes).hazards.isEmpty)
    }

    @Test("time per bundle")
    func timeout() throws {
        var g = ContentGenerator(seed: 3)
        let zip = ZipBuilder()
        for i in 0..<40 { zip.addFile("part\(i).bin", g.randomBytes(1 << 20), method: .stored) }
        zip.finish()
        var limits = ReadLimits()
        limits.timeLimitSeconds = 0.000_001
        let report = try TestFiles.read(zip.bytes, limits: limits)
        #expect(report.hazards(.timeout).count == 1)
        #expect(report.bundle.entriesRead < 40)
        #expect(!report.bundle.complete)
    }

    @Test("nested buffer and spool: a compressed nested package past the buffer is spooled, past both it is not read")
    func nestedBuffer() throws {
        let outer = ZipBuilder()
        outer.addFile("sub.wxapkg", SampleBundles.voiceChatWxapkg() + [UInt8](repeating: 0, count: 5_000))
        outer.finish()
        var limits = ReadLimits()
        limits.maxBufferedBytes = 1_000
        let spooled = try TestFiles.read(outer.bytes, name: "bundle.zip", limits: limits)
        #expect(spooled.hazards.isEmpty, "\(spooled.hazards)")
        #expect(spooled.entry("sub.wxapkg!/app-config.json") != nil, "read from the temporary file")
        #expect(spooled.bundle.peakBufferedBytes <= 1_000)
        limits.maxSpooledBytes = 1_000
        let report = try TestFiles.read(outer.bytes, name: "bundle.zip", limits: limits)
        #expect(report.hazards(.nestedTooLarge).map(\.location) == ["bundle.zip!sub.wxapkg"])
        #expect(report.entry("sub.wxapkg!/app-config.json") == nil)
        let roomy = try TestFiles.read(outer.bytes, name: "bundle.zip")
        #expect(roomy.entry("sub.wxapkg!/app-config.json") != nil)
    }

    @Test("hazards per kind are capped and the rest counted")
    func hazardCap() throws {
        let zip = ZipBuilder()
        for i in 0..<20 { zip.addFile("../escape\(i).txt", [1]) }
        zip.finish()
        var limits = ReadLimits()
        limits.maxHazardsPerKind = 5
        let report = try TestFiles.read(zip.bytes, limits: limits)
        #expect(report.hazards(.pathTraversal).count == 5)
        let summary = try #require(report.hazards(.hazardsTruncated).first)
        #expect(summary.detail.hasPrefix("15 more path_traversal"))
    }
}

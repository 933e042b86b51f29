import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Deflated zip entries inflated in one call (libdeflate, `WholeInflater`) must give exactly what
/// streaming them through libarchive's zlib gives, and anything irregular must go to libarchive,
/// which reads and reports it as it always has. Each case reads the same file twice, with whole
/// inflate on (the default) and off (`maxWholeInflateBytes = 0`), and compares everything the
/// reader reports and delivers.
@Suite("Whole-entry inflate")
struct WholeInflateTests {
    /// The report and the bytes delivered, read with whole inflate on or off.
    struct Reading: Equatable {
        var summary: BundleSummary
        var hazards: [Hazard]
        var entries: [BundleEntry]
        var contents: [String: [UInt8]]
        var finished: [String: Bool]
    }

    static func reading(_ path: String, whole: Bool, limits base: ReadLimits = .standard) throws -> Reading {
        var limits = base
        if !whole { limits.maxWholeInflateBytes = 0 }
        var visitor = CollectingVisitor()
        let report = try BundleReader(options: ReadOptions(limits: limits, wechatAppID: "wx1234567890abcdef"))
            .read(path: path, visitor: &visitor)
        return Reading(
            summary: report.bundle, hazards: report.hazards, entries: report.entries, contents: visitor.contents,
            finished: visitor.finished)
    }

    /// Reads `bytes` both ways; fails unless they agree. Returns the reading.
    @discardableResult
    static func sameEitherWay(
        _ bytes: [UInt8], limits: ReadLimits = .standard, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Reading {
        let path = try TestFiles.write(bytes)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let whole = try reading(path, whole: true, limits: limits)
        let streamed = try reading(path, whole: false, limits: limits)
        #expect(whole.hazards == streamed.hazards, sourceLocation: sourceLocation)
        #expect(whole.entries == streamed.entries, sourceLocation: sourceLocation)
        #expect(whole.summary == streamed.summary, sourceLocation: sourceLocation)
        #expect(whole.finished == streamed.finished, sourceLocation: sourceLocation)
        #expect(whole.contents == streamed.contents, sourceLocation: sourceLocation)
        return whole
    }

    /// What the inflater makes of each record of a zip held in memory (nil: left to libarchive).
    static func inflated(_ bytes: [UInt8], maxBytes: Int64 = 32 << 20) throws -> [[UInt8]?] {
        let source = MemorySource(bytes)
        let directory = try ZipDirectory.scan(source, maxEntries: 1_000)
        let inflater = WholeInflater()
        return directory.records.map { record in
            inflater.inflate(record, from: source, depth: 0, maxBytes: maxBytes).map { Array($0) }
        }
    }

    static var contents: [(String, [UInt8])] {
        var g = ContentGenerator(seed: 5)
        return [
            ("assets/empty.txt", []),
            ("assets/one.txt", [0x41]),
            ("assets/story.txt", g.text(300_000)),
            ("lib/arm64-v8a/libx.so", g.elf(size: 90_000)),
            ("assets/noise.bin", g.randomBytes(70_000)),
            ("classes.dex", g.dex(size: 40_000, strings: ["Lcom/example/Main;", "Lcom/faceunity/wrapper/faceunity;"])),
        ]
    }

    @Test("regular deflated entries are inflated whole, byte for byte")
    func regular() throws {
        let zip = ZipBuilder()
        for (name, data) in Self.contents { zip.addFile(name, data) }
        var descriptor = ZipBuilder.EntryOptions()
        descriptor.dataDescriptor = true  // zeros in the local header: libarchive takes the directory's
        zip.addFile("assets/described.txt", Self.contents[2].1, options: descriptor)
        zip.finish()
        let results = try Self.inflated(zip.bytes)
        let expected = Self.contents.map(\.1) + [Self.contents[2].1]
        #expect(results.count == expected.count)
        for (result, data) in Swift.zip(results, expected) { #expect(result == data) }
        let reading = try Self.sameEitherWay(zip.bytes)
        #expect(reading.summary.complete)
        #expect(reading.contents["assets/story.txt"] == Self.contents[2].1)
    }

    /// A zip of one entry with `count` more bytes of extra field in its local header (the
    /// directory's offsets moved to match), as zipalign's padding would make it.
    static func withLocalExtra(_ bytes: [UInt8], _ count: Int) -> [UInt8] {
        var out = bytes
        let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8
        let extraLength = Int(bytes[28]) | Int(bytes[29]) << 8
        DifferentialZipTests.put16(&out, 28, extraLength + count)
        out.insert(contentsOf: [UInt8](repeating: 0, count: count), at: 30 + nameLength + extraLength)
        let end = out.count - 22
        DifferentialZipTests.put32(&out, end + 16, DifferentialZipTests.le32(out, end + 16) + count)
        return out
    }

    @Test("a local extra field longer than the read ahead: the data is read again where it starts")
    func longLocalExtra() throws {
        let data = Self.contents[2].1
        let padded = Self.withLocalExtra(ZipBuilder.archive([("assets/a.txt", data)]), 4 + WholeInflater.extraSlack)
        #expect(try Self.inflated(padded) == [data])
        let reading = try Self.sameEitherWay(padded)
        #expect(reading.summary.complete && reading.contents["assets/a.txt"] == data)
    }

    @Test("a local name that differs from the directory's: inflated by libarchive, named by the directory")
    func namesDisagree() throws {
        let zip = ZipBuilder()
        var options = ZipBuilder.EntryOptions()
        options.centralName = Array("assets/b.txt".utf8)
        zip.addFile("assets/a.txt", Self.contents[2].1, options: options)
        zip.finish()
        #expect(try Self.inflated(zip.bytes) == [Self.contents[2].1])  // the inflater would; the reader does not ask
        let reading = try Self.sameEitherWay(zip.bytes)
        #expect(reading.hazards.contains { $0.kind == .nameMismatch })
    }

    @Test("the buffers of all nesting levels together stay within twice --max-whole-inflate and a megabyte")
    func memoryBudget() throws {
        var g = ContentGenerator(seed: 12)
        let data = g.randomBytes(100_000)  // does not compress: 128 KiB in, 128 KiB out per level
        let zip = ZipBuilder.archive([("assets/a.txt", data)])
        let source = MemorySource(zip)
        let record = try #require(try ZipDirectory.scan(source, maxEntries: 10).records.first)
        let maxBytes: Int64 = 128 << 10
        let budget = WholeInflater.budget(maxBytes: maxBytes)
        let inflater = WholeInflater()
        var fitted = 0
        for depth in 0..<6 {
            if let bytes = inflater.inflate(record, from: source, depth: depth, maxBytes: maxBytes) {
                #expect(Array(bytes) == data)
                fitted += 1
            }
            #expect(inflater.mappedBytes <= budget, "depth \(depth): \(inflater.mappedBytes) > \(budget)")
        }
        #expect(fitted == 5, "five levels of 256 KiB fit in 1.25 MiB, the sixth streams")
        // A shallower entry lets go of the deeper levels' buffers when it needs the room.
        let bigger = Array(Self.contents[2].1.prefix(120_000))
        let big = ZipBuilder.archive([("assets/b.txt", bigger)], method: .deflated(level: 0))
        let bigSource = MemorySource(big)
        let bigRecord = try #require(try ZipDirectory.scan(bigSource, maxEntries: 10).records.first)
        #expect(bigRecord.compressedSize > 100_000)
        #expect(inflater.inflate(bigRecord, from: bigSource, depth: 0, maxBytes: maxBytes).map(Array.init) == bigger)
        #expect(inflater.mappedBytes <= budget)
    }

    /// Byte positions in a zip of one entry written by `ZipBuilder`, no prefix, no comment.
    enum Field {
        case localMethod, localFlags, localCRC, centralCRC, centralCompressed, centralSize, centralFlags, dataMiddle
    }

    static func offset(of field: Field, in bytes: [UInt8]) -> Int {
        let end = bytes.count - 22
        let central = DifferentialZipTests.le32(bytes, end + 16)
        switch field {
        case .localFlags: return 6
        case .localMethod: return 8
        case .localCRC: return 14
        case .centralFlags: return central + 8
        case .centralCRC: return central + 16
        case .centralCompressed: return central + 20
        case .centralSize: return central + 24
        case .dataMiddle: return 30 + 10 + (central - 30 - 10) / 2
        }
    }

    /// One entry of 300 KB of text named `assets/a.txt` (10 bytes), whatever is changed below.
    static var oneEntry: [UInt8] { ZipBuilder.archive([("assets/a.txt", contents[2].1)]) }

    static let mutations: [(String, Field, Int)] = [
        ("the directory's CRC-32 is wrong", .centralCRC, 1),
        ("the local CRC-32 differs from the directory's", .localCRC, 1),
        ("the directory's size is one byte short", .centralSize, -1),
        ("the directory's size is one byte long", .centralSize, 1),
        ("the directory's compressed size is one byte short", .centralCompressed, -1),
        ("the directory's compressed size is one byte long", .centralCompressed, 1),
        ("the local header says stored", .localMethod, -8),
        ("the local header says encrypted", .localFlags, 1),
        ("the directory says encrypted", .centralFlags, 1),
        ("a byte of the deflate stream is damaged", .dataMiddle, 0x55),
    ]

    @Test("irregular entries are left to libarchive, which reports them as before", arguments: mutations.indices)
    func irregular(_ index: Int) throws {
        let (what, field, delta) = Self.mutations[index]
        var bytes = Self.oneEntry
        let at = Self.offset(of: field, in: bytes)
        switch field {
        case .dataMiddle: bytes[at] ^= UInt8(delta)
        case .localMethod, .localFlags, .centralFlags:
            DifferentialZipTests.put16(&bytes, at, Int(bytes[at]) | Int(bytes[at + 1]) << 8 + delta)
        default:
            DifferentialZipTests.put32(&bytes, at, DifferentialZipTests.le32(bytes, at) + delta)
        }
        #expect(try Self.inflated(bytes) == [nil], "\(what)")
        let reading = try Self.sameEitherWay(bytes)
        #expect(!reading.hazards.isEmpty, "\(what): no hazard")
    }

    @Test(
        "a local header that names another method than the directory: read as the directory says, as Android does",
        arguments: [("stored", ZipBuilder.Method.stored, 8), ("deflate", ZipBuilder.Method.deflated, 0)])
    func methodsDisagree(_ label: String, method: ZipBuilder.Method, localMethod: Int) throws {
        let dex = DifferentialZipTests.dexWithSDK
        var bytes = ZipBuilder.archive([("classes.dex", dex)], method: method)
        DifferentialZipTests.put16(&bytes, 8, localMethod)
        var visitor = CollectingVisitor()
        let report = try TestFiles.read(bytes, visitor: &visitor)
        #expect(visitor.contents["classes.dex"] == dex, "\(label): the DEX Android installs")
        #expect(report.bundle.complete, "\(label): \(report.hazards)")
        #expect(report.hazards.map(\.kind) == [.inconsistentHeader], "\(label)")
        // Damaged data under the same disagreement: reported, never a crash.
        bytes[40 + dex.count / 3] ^= 0x5A
        let damaged = try TestFiles.read(bytes)
        #expect(!damaged.bundle.complete && damaged.hazards.contains { $0.kind.meansContentUnread }, "\(label)")
    }

    @Test("a local header that says encrypted where the directory does not: read, as Android does")
    func localEncryptionOnly() throws {
        let dex = DifferentialZipTests.dexWithSDK
        var bytes = ZipBuilder.archive([("classes.dex", dex)])
        bytes[6] |= 0x01
        var visitor = CollectingVisitor()
        let report = try TestFiles.read(bytes, visitor: &visitor)
        #expect(visitor.contents["classes.dex"] == dex)
        #expect(report.bundle.complete && report.hazards.map(\.kind) == [.inconsistentHeader])
        // Encrypted in the directory too: Android cannot read it either, and neither does ShelfGuard.
        var options = ZipBuilder.EntryOptions()
        options.encryptedFlag = true
        let zip = ZipBuilder()
        zip.addFile("classes.dex", dex, options: options)
        zip.finish()
        #expect(try TestFiles.read(zip.bytes).hazards.contains { $0.kind == .encryptedEntry })
    }

    @Test("entries that cross a limit stream, so that the limit is reported as before")
    func limits() throws {
        var g = ContentGenerator(seed: 8)
        var limits = ReadLimits()
        limits.maxEntryBytes = 100_000
        let big = ZipBuilder.archive([("assets/a.txt", g.text(150_000)), ("assets/b.txt", g.text(1_000))])
        #expect(try Self.sameEitherWay(big, limits: limits).hazards.contains { $0.kind == .entryTooLarge })
        limits = ReadLimits()
        limits.maxCompressionRatio = 2
        limits.ratioFloorBytes = 1_000
        #expect(try Self.sameEitherWay(big, limits: limits).hazards.contains { $0.kind == .zipBomb })
        limits = ReadLimits()
        limits.maxTotalBytes = 120_000
        #expect(try Self.sameEitherWay(big, limits: limits).hazards.contains { $0.kind == .totalSizeLimit })
        // Past the whole-inflate limit an entry streams: read in full all the same.
        #expect(try Self.inflated(big, maxBytes: 100_000).map { $0 == nil } == [true, false])
        limits = ReadLimits()
        limits.maxWholeInflateBytes = 100_000
        let reading = try Self.sameEitherWay(big, limits: limits)
        #expect(reading.summary.complete && reading.contents["assets/a.txt"]?.count == 150_000)
        // Archives nested five deep, deflated, with a budget that cannot hold every level.
        limits.maxWholeInflateBytes = 4_096
        #expect(
            try Self.sameEitherWay(HostileBundles.nested(depth: 5, method: .deflated), limits: limits).summary.complete)
    }

    @Test("the samples, nested archives and generated hostile bundles read the same either way")
    func samples() throws {
        var bundles: [[UInt8]] = [
            HostileBundles.plainAPK(), SampleBundles.faceFunXAPK(), SampleBundles.faceFunAPK(),
            HostileBundles.nested(depth: 3, method: .deflated), HostileBundles.zipBomb(size: 4 << 20),
            DifferentialZipTests.apk(), DifferentialZipTests.apk(zip64: true),
        ]
        let folder = TestFiles.packageRoot.appendingPathComponent("samples")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        where !name.hasSuffix(".yaml") {
            if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) {
                bundles.append(Array(data))
            }
        }
        #expect(bundles.count > 15)
        for bytes in bundles { try Self.sameEitherWay(bytes) }
    }

    /// Deflate bits, least significant first; Huffman codes most significant bit first.
    struct BitWriter {
        var bytes: [UInt8] = []
        var used = 0

        mutating func bits(_ value: Int, _ count: Int) {
            for i in 0..<count { bit((value >> i) & 1) }
        }

        mutating func code(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bit((value >> i) & 1) }
        }

        private mutating func bit(_ b: Int) {
            if used % 8 == 0 { bytes.append(0) }
            bytes[bytes.count - 1] |= UInt8(b) << (used % 8)
            used += 1
        }
    }

    /// A zip of one entry whose deflate stream uses the reserved length code 286, which
    /// libdeflate reads as 258 and zlib refuses, with the CRC-32 and size of what libdeflate gives.
    static var reservedCodeZip: (bytes: [UInt8], expected: [UInt8]) {
        // One fixed-Huffman block: 'a', then length code 286 at distance 1, then end of block.
        var w = BitWriter()
        w.bits(1, 1)  // final block
        w.bits(1, 2)  // fixed Huffman codes
        w.code(0x30 + 0x61, 8)  // literal 'a'
        w.code(0xC0 + (286 - 280), 8)  // length code 286: reserved; libdeflate reads it as 258
        w.code(0, 5)  // distance code 0: distance 1
        w.code(0, 7)  // end of block
        let expected = [UInt8](repeating: 0x61, count: 259)
        var stream = Deflate.compress(expected)  // the right CRC-32 and size; the bits replaced
        stream.data = w.bytes
        let zip = ZipBuilder()
        zip.addDeflated(name: Array("assets/a.txt".utf8), stream)
        zip.finish()
        return (zip.bytes, expected)
    }

    @Test("reserved length code 286: inflated whole; zlib, as on a phone, refuses the entry")
    func reservedCodes() throws {
        let (bytes, expected) = Self.reservedCodeZip
        #expect(try Self.inflated(bytes) == [expected])
        let path = try TestFiles.write(bytes)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let whole = try Self.reading(path, whole: true)
        let streamed = try Self.reading(path, whole: false)
        #expect(whole.contents["assets/a.txt"] == expected && whole.summary.complete)
        #expect(!streamed.summary.complete && streamed.hazards.contains { $0.kind.meansContentUnread })
    }

    @Test("--max-whole-inflate reaches the reader and changes nothing but memory")
    func flag() throws {
        let path = try TestFiles.write(SampleBundles.faceFunXAPK(), name: "facefun.xapk")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let plain = try ShelfGuardBinary.run(["inspect", "--format", "json", path])
        for value in ["0", "1KiB", "64MiB"] {
            let flagged = try ShelfGuardBinary.run(["inspect", "--format", "json", "--max-whole-inflate", value, path])
            #expect(flagged.status == plain.status)
            #expect(flagged.stdout == plain.stdout, "--max-whole-inflate \(value)")
        }
        let bad = try ShelfGuardBinary.run(["inspect", "--max-whole-inflate", "-1", path])
        #expect(bad.status == 1)
        // The one entry the two paths read differently shows that the flag reaches the reader:
        // whole, it reads; streamed (0, or a limit below its 259 bytes), zlib refuses it.
        let reserved = try TestFiles.write(Self.reservedCodeZip.bytes, name: "reserved.zip")
        defer { try? FileManager.default.removeItem(atPath: (reserved as NSString).deletingLastPathComponent) }
        for (value, unread) in [("1KiB", false), ("0", true), ("100", true)] {
            let result = try ShelfGuardBinary.run([
                "inspect", "--format", "json", "--max-whole-inflate", value, reserved,
            ])
            let complete = try #require((try result.json()["bundle"] as? [String: Any])?["complete"] as? Bool)
            #expect(complete == !unread, "--max-whole-inflate \(value)")
        }
    }
}

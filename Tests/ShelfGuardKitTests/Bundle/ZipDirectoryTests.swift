import BundleFactory
import Testing

@testable import ShelfGuardKit

@Suite("The raw central-directory scan")
struct ZipDirectoryTests {
    func scan(_ bytes: [UInt8], maxEntries: Int = 1000) throws(ZipDirectory.Failure) -> ZipDirectory {
        try ZipDirectory.scan(MemorySource(bytes), maxEntries: maxEntries)
    }

    @Test("lists every record with sizes, methods and offsets")
    func records() throws {
        let zip = ZipBuilder()
        zip.addFile("a.txt", Array("hello hello hello hello".utf8))
        zip.addFile("b.bin", [1, 2, 3], method: .stored)
        zip.finish()
        let directory = try scan(zip.bytes)
        #expect(directory.records.map { String(decoding: $0.name, as: UTF8.self) } == ["a.txt", "b.bin"])
        #expect(directory.records[0].method == 8)
        #expect(directory.records[1].isStored)
        #expect(directory.records[1].uncompressedSize == 3)
        #expect(directory.prefixLength == 0)
        let offset = try #require(directory.dataOffset(of: directory.records[1], in: MemorySource(zip.bytes)))
        #expect(Array(zip.bytes[Int(offset)..<Int(offset) + 3]) == [1, 2, 3])
    }

    @Test("measures data glued in front (Janus)")
    func prefix() throws {
        let directory = try scan(HostileBundles.janus())
        #expect(directory.prefixLength == 1032)
    }

    @Test("finds the end record behind a comment")
    func comment() throws {
        let zip = ZipBuilder()
        zip.addFile("a.txt", [1])
        zip.finish(comment: Array("signed by nobody PK\u{5}\u{6} fake".utf8))
        #expect(try scan(zip.bytes).records.count == 1)
    }

    @Test("not a zip, truncated, corrupt, too many")
    func failures() {
        #expect(throws: ZipDirectory.Failure.notZip) { try scan(Array("just some text, no zip here".utf8)) }
        let good = HostileBundles.plainAPK()
        #expect(throws: ZipDirectory.Failure.notZip) { try scan(Array(good.prefix(good.count - 30))) }
        var corrupt = good
        let directory = try? scan(good)
        let cd = Int(directory!.centralDirectoryOffset)
        corrupt[cd] = 0x00
        let salvaged = try? scan(corrupt)
        #expect(salvaged?.isSalvaged == true && salvaged?.records.isEmpty == true)
        #expect(salvaged?.anomalies.map(\.kind) == [.truncated], "a damaged directory is reported, not thrown")
        #expect(throws: ZipDirectory.Failure.tooManyEntries(declared: 5)) { try scan(good, maxEntries: 3) }
    }

    @Test("overlapping entries are paired")
    func overlapping() throws {
        let zip = ZipBuilder()
        zip.addFile("a.bin", [UInt8](repeating: 7, count: 500), method: .stored)
        zip.addCentralAlias(of: 0, name: "b.bin")
        zip.finish()
        let directory = try scan(zip.bytes)
        #expect(directory.overlappingPairs(limit: 10).count == 1)
        #expect(try scan(HostileBundles.plainAPK()).overlappingPairs(limit: 10).isEmpty)
    }
}

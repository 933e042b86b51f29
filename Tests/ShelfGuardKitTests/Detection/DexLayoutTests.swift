import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// A DEX file laid out as a hostile submitter might: the header, the string-id table and the
/// string data in any order, an id table that claims more ids than the file holds, a header that
/// lies about the file's size.
struct HostileDEX {
    enum Layout {
        /// Header, ids, strings: as d8 writes it.
        case idsFirst
        /// Header, strings, ids.
        case stringsFirst
        /// Header, `gap` bytes no string lies in, ids, strings.
        case gapBeforeIDs(gap: [UInt8])
    }

    var strings: [String]
    var layout = Layout.idsFirst
    /// Ids the header claims beyond those written: the table runs on into whatever follows.
    var missingIDs = 0
    /// The header's `file_size`; nil writes the real one.
    var fileSize: Int?
    /// Bytes after everything (bytecode, say).
    var trailer: [UInt8] = []

    func build() -> [UInt8] {
        let idsSize = 4 * strings.count
        let data = strings.map { ContentGenerator.uleb128(UInt32($0.utf16.count)) + Array($0.utf8) + [0] }
        let dataSize = data.reduce(0) { $0 + $1.count }
        let idsOffset: Int
        let dataOffset: Int
        var gap: [UInt8] = []
        switch layout {
        case .idsFirst:
            idsOffset = 0x70
            dataOffset = 0x70 + idsSize
        case .stringsFirst:
            dataOffset = 0x70
            idsOffset = (0x70 + dataSize + 3) / 4 * 4
        case .gapBeforeIDs(let bytes):
            gap = bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
            idsOffset = 0x70 + gap.count
            dataOffset = idsOffset + idsSize
        }
        var offsets: [UInt32] = []
        var at = dataOffset
        for string in data {
            offsets.append(UInt32(at))
            at += string.count
        }
        let ids = offsets.flatMap { Self.le32($0) }
        var body: [UInt8]
        switch layout {
        case .idsFirst, .gapBeforeIDs: body = gap + ids + data.flatMap { $0 }
        case .stringsFirst:
            body = data.flatMap { $0 }
            body += [UInt8](repeating: 0, count: idsOffset - 0x70 - body.count) + ids
        }
        body += trailer
        var header = Array("dex\n035\0".utf8) + [UInt8](repeating: 0, count: 0x70 - 8)
        header.replaceSubrange(0x20..<0x24, with: Self.le32(UInt32(fileSize ?? (0x70 + body.count))))
        header.replaceSubrange(0x24..<0x28, with: Self.le32(0x70))
        header.replaceSubrange(0x38..<0x3C, with: Self.le32(UInt32(strings.count + missingIDs)))
        header.replaceSubrange(0x3C..<0x40, with: Self.le32(UInt32(idsOffset)))
        return header + body
    }

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
}

/// What the string-table walker made of a DEX: the strings it walked, the bytes it handed on to be
/// searched byte by byte (in order), and why.
struct WalkTrace {
    var strings: [String] = []
    var raw: [UInt8] = []
    var unwalkable: [DexStringWalker.Unwalkable] = []
    var walked = 0

    init(_ dex: [UInt8], chunk size: Int, stringLimit: Int = DetectorVisitor.defaultDexStringLimit) {
        var walker = DexStringWalker(stringLimit: stringLimit)
        var current: [UInt8] = []
        var trace = self
        func handle(_ event: DexStringWalker.Event) {
            switch event {
            case .begin: current = []
            case .bytes(let bytes): current += bytes
            case .end: trace.strings.append(String(decoding: current, as: UTF8.self))
            case .raw(let bytes): trace.raw += bytes
            case .unwalkable(let reason): trace.unwalkable.append(reason)
            case .walked:
                trace.walked += 1
                trace.raw = []
            }
        }
        dex.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + size)
                walker.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end]), handle)
                offset = end
            }
        }
        walker.finish(handle)
        self = trace
    }
}

@Suite("DEX layouts that defeat a forward string walk")
struct DexLayoutTests {
    static let sdk = "Lcom/faceunity/wrapper/faceunity;"
    static let app = ["Lcom/example/app/MainActivity;", "onCreate", "https://cdn.example.com/a.json"]
    static let chunkSizes = [1, 3, 7, 64, 4096]

    static func inspect(
        _ dex: [UInt8], name: String = "x.apk", options: InspectOptions = InspectOptions()
    ) throws
        -> Inspection
    {
        let bytes = DetectorTests.apk([("classes.dex", dex, .deflated)])
        let path = try TestFiles.write(bytes, name: name)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        return try Inspector(options: options, signatures: SeedDatabase.engine).inspect(path: path)
    }

    static func code(_ count: Int) -> [UInt8] {
        var g = ContentGenerator(seed: 77)
        return g.code(count)
    }

    // MARK: - The walker, byte for byte

    @Test("a DEX as d8 lays it out is walked string by string: nothing raw", arguments: chunkSizes)
    func normal(chunk: Int) {
        let dex = HostileDEX(strings: Self.app + [Self.sdk], trailer: Self.code(3_000)).build()
        let trace = WalkTrace(dex, chunk: chunk)
        #expect(trace.strings.sorted() == (Self.app + [Self.sdk]).sorted())
        #expect(trace.raw.isEmpty && trace.unwalkable.isEmpty)
    }

    @Test("strings before the id table: everything up to the table's end is raw", arguments: chunkSizes)
    func stringsFirst(chunk: Int) {
        let dex = HostileDEX(strings: Self.app + [Self.sdk], layout: .stringsFirst, trailer: Self.code(2_000)).build()
        let trace = WalkTrace(dex, chunk: chunk)
        let idsEnd = dex.count - 2_000
        #expect(trace.unwalkable == [.stringsBeforeIDs(count: 4, idsEnd: idsEnd)])
        #expect(trace.raw == Array(dex[..<idsEnd]))
        #expect(trace.strings.isEmpty)
    }

    @Test("an id table that does not follow the header but has no string before it is walked", arguments: chunkSizes)
    func gap(chunk: Int) {
        // The decoy lies in the gap, where no string id points: it is not a string.
        let decoy = Array("\u{21}Lcom/faceunity/Decoy;\0".utf8)
        let dex = HostileDEX(strings: Self.app + [Self.sdk], layout: .gapBeforeIDs(gap: decoy + Self.code(500)))
            .build()
        let trace = WalkTrace(dex, chunk: chunk)
        #expect(trace.strings.sorted() == (Self.app + [Self.sdk]).sorted())
        #expect(trace.unwalkable.isEmpty)
        #expect(trace.walked == 1 && trace.raw.isEmpty)
    }

    @Test("an id table past the end of the entry, header size forged: all raw at the end", arguments: chunkSizes)
    func idsPastEnd(chunk: Int) {
        let dex = HostileDEX(strings: Self.app + [Self.sdk], missingIDs: 5_000, fileSize: 1 << 30).build()
        let trace = WalkTrace(dex, chunk: chunk)
        #expect(trace.unwalkable == [.idsPastEnd(idsEnd: 0x70 + 4 * 5_004, entrySize: dex.count)])
        #expect(trace.raw == dex)
    }

    @Test("an id table past the header's file size: all raw from the start", arguments: chunkSizes)
    func idsPastFileSize(chunk: Int) {
        let dex = HostileDEX(strings: Self.app + [Self.sdk], missingIDs: 5_000).build()
        let trace = WalkTrace(dex, chunk: chunk)
        #expect(trace.unwalkable == [.idsPastFileSize(idsEnd: 0x70 + 4 * 5_004, fileSize: dex.count)])
        #expect(trace.raw == dex)
    }

    @Test("more strings than the limit: all raw; at the limit: walked", arguments: chunkSizes)
    func limit(chunk: Int) {
        let strings = (0..<20).map { "Lcom/example/c\($0);" } + [Self.sdk]
        let dex = HostileDEX(strings: strings).build()
        let over = WalkTrace(dex, chunk: chunk, stringLimit: 20)
        #expect(over.unwalkable == [.tooManyStrings(count: 21, limit: 20)])
        #expect(over.raw == dex)
        let at = WalkTrace(dex, chunk: chunk, stringLimit: 21)
        #expect(at.unwalkable.isEmpty && at.strings.count == 21)
    }

    @Test("the default limit: a header listing 4,000,001 strings is not walked, 4,000,000 are")
    func defaultLimit() {
        var over = HostileDEX(strings: [Self.sdk], missingIDs: 4_000_000, fileSize: 1 << 30).build()
        #expect(WalkTrace(over, chunk: 4096).unwalkable == [.tooManyStrings(count: 4_000_001, limit: 4_000_000)])
        over = HostileDEX(strings: [Self.sdk], missingIDs: 3_999_999, fileSize: 1 << 30).build()
        #expect(
            WalkTrace(over, chunk: 4096).unwalkable == [.idsPastEnd(idsEnd: 0x70 + 16_000_000, entrySize: over.count)])
    }

    @Test("a DEX cut short inside its header is raw")
    func shortHeader() {
        let dex = Array(HostileDEX(strings: [Self.sdk]).build().prefix(0x50))
        let trace = WalkTrace(dex, chunk: 16)
        #expect(trace.unwalkable == [.shortHeader(size: 0x50)])
        #expect(trace.raw == dex)
    }

    // MARK: - Through the detector

    @Test("a normal DEX: the SDK class is found by the walk, with no hazard")
    func normalDetected() throws {
        let inspection = try Self.inspect(HostileDEX(strings: Self.app + [Self.sdk], trailer: Self.code(5_000)).build())
        let detection = try #require(inspection.detections.first { $0.signature == "faceunity_nama" })
        #expect(detection.evidence == Self.sdk)
        #expect(inspection.hazards.isEmpty)
    }

    static let hostile: [(String, HostileDEX, String)] = [
        (
            "strings before the ids",
            HostileDEX(strings: app + [sdk], layout: .stringsFirst, trailer: code(5_000)),
            "lie before the end of its string-id table"
        ),
        (
            "ids past the end, size forged", HostileDEX(strings: app + [sdk], missingIDs: 100_000, fileSize: 1 << 30),
            "past the end of the entry"
        ),
        (
            "ids past the header's file size", HostileDEX(strings: app + [sdk], missingIDs: 100_000),
            "past the file size its header gives"
        ),
    ]

    @Test("a hostile layout hides nothing: the SDK class is found byte by byte, with a hazard", arguments: hostile)
    func hostileDetected(label: String, dex: HostileDEX, detail: String) throws {
        let inspection = try Self.inspect(dex.build())
        let detection = try #require(inspection.detections.first { $0.signature == "faceunity_nama" }, "\(label)")
        #expect(detection.evidence == "Lcom/faceunity/… (DEX byte scan)")
        #expect(detection.location == "x.apk!classes.dex")
        let hazards = inspection.hazards.filter { $0.kind == .dexUnwalkable }
        #expect(hazards.count == 1, "\(label)")
        #expect(hazards.first?.location == "x.apk!classes.dex")
        #expect(hazards.first?.detail.contains(detail) == true, "\(label): \(hazards)")
        #expect(!HazardKind.dexUnwalkable.meansContentUnread)
    }

    @Test("the string limit has a default, can be lowered, and a DEX over it is searched byte by byte")
    func stringLimit() throws {
        #expect(InspectOptions().dexStringLimit == 4_000_000)
        let strings = (0..<50).map { "Lcom/example/app/C\($0);" } + [Self.sdk, "api.openai.com"]
        let dex = HostileDEX(strings: strings, trailer: Self.code(2_000)).build()
        let walked = try Self.inspect(dex)
        #expect(walked.hazards.isEmpty)
        #expect(walked.detections.first { $0.signature == "faceunity_nama" }?.evidence == Self.sdk)

        let over = try Self.inspect(dex, options: InspectOptions(dexStringLimit: 40))
        #expect(
            over.detections.first { $0.signature == "faceunity_nama" }?.evidence == "Lcom/faceunity/… (DEX byte scan)")
        #expect(over.detections.first { $0.signature == "openai_api" }?.evidence == "api.openai.com (DEX byte scan)")
        let hazard = try #require(over.hazards.first { $0.kind == .dexUnwalkable })
        #expect(hazard.detail.contains("lists 52 strings, more than the limit of 40"))
        #expect(over.status == .warn)
    }

    @Test("an unwalked gap that no string lies in counts for nothing")
    func gapDetected() throws {
        let decoy = Array("\u{21}Lcom/faceunity/Decoy;\0".utf8)
        let dex = HostileDEX(strings: Self.app, layout: .gapBeforeIDs(gap: decoy + Self.code(500))).build()
        let inspection = try Self.inspect(dex)
        #expect(!inspection.detections.contains { $0.signature == "faceunity_nama" })
        #expect(inspection.hazards.isEmpty)
    }

    @Test("dex_unwalkable hazards are capped per kind like the reader's")
    func capped() throws {
        let bad = HostileDEX(strings: [Self.sdk], layout: .stringsFirst).build()
        let bytes = DetectorTests.apk((0..<4).map { ("classes\($0 + 2).dex", bad, .deflated) })
        let path = try TestFiles.write(bytes, name: "x.apk")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var limits = ReadLimits.standard
        limits.maxHazardsPerKind = 2
        let inspection = try Inspector(
            options: InspectOptions(read: ReadOptions(limits: limits)), signatures: SeedDatabase.engine
        )
        .inspect(path: path)
        #expect(inspection.hazards.filter { $0.kind == .dexUnwalkable }.count == 2)
        #expect(
            inspection.hazards.contains { $0.kind == .hazardsTruncated && $0.detail.hasPrefix("2 more dex_unwalkable") }
        )
    }

    @Test("the default policy sends a DEX that cannot be walked to manual review")
    func policy() throws {
        var scenario = ReviewScenario()
        scenario.inspection.hazards.append(
            Hazard(kind: .dexUnwalkable, location: "facefun.apk!classes.dex", detail: "strings before the ids"))
        let findings = try scenario.findings()
        #expect(findings.map(\.rule) == ["hostile_structure"])
        #expect(VerdictOutcome(findings: findings) == .manualReview)
    }

    @Test("the same results on the reading thread and on a second thread")
    func background() throws {
        for (label, dex, _) in Self.hostile {
            let bytes = DetectorTests.apk([("classes.dex", dex.build(), .deflated)])
            let path = try TestFiles.write(bytes, name: "x.apk")
            defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
            let threaded = try Inspector(
                options: InspectOptions(detectInBackground: true), signatures: SeedDatabase.engine
            )
            .inspect(path: path)
            let inline = try Inspector(
                options: InspectOptions(detectInBackground: false), signatures: SeedDatabase.engine
            )
            .inspect(path: path)
            #expect(threaded.detections == inline.detections, "\(label)")
            #expect(threaded.hazards == inline.hazards, "\(label)")
        }
    }
}

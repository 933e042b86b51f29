import Foundation
import Testing

@testable import ShelfGuardKit

#if canImport(Glibc)
    import Glibc
#endif

/// The compiled feature database kept between runs: used only while its YAML and the
/// executable are unchanged, never when damaged, never an error when it cannot be kept, and
/// always the same database as the YAML gives.
@Suite("signature snapshot cache")
struct SignatureSnapshotTests {
    /// A copy of the project's policies folder to edit.
    static func policiesCopy() throws -> URL {
        let folder = try TestFiles.directory("snapshot-policies").appendingPathComponent("policies")
        try FileManager.default.copyItem(at: TestFiles.packageRoot.appendingPathComponent("policies"), to: folder)
        return folder
    }

    static func snapshots(in folder: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter {
            $0.hasSuffix(".snapshot")
        }.sorted().map { folder.appendingPathComponent($0) }
    }

    static func expectSame(_ a: SignatureDatabase, _ b: SignatureDatabase) {
        #expect(a.signatures == b.signatures)
        #expect(a.taxonomy == b.taxonomy)
        #expect(a.digest == b.digest)
        #expect(a.origin == b.origin)
    }

    @Test("the built-in database: written once, then read, and the same as the YAML's")
    func builtInRoundTrip() throws {
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("snapshot-cache"))
        let parsed = try SignatureDatabase.load(source: .builtIn)
        let first = try SignatureDatabase.load(source: .builtIn, cache: cache)
        #expect(Self.snapshots(in: cache.folder).count == 1)
        let second = try SignatureDatabase.load(source: .builtIn, cache: cache)
        Self.expectSame(first, parsed)
        Self.expectSame(second, parsed)
        // What the snapshot holds decodes to the same database, field by field.
        let key = try #require(
            SignatureSnapshotCache.key(
                taxonomy: try PolicySource.builtIn.file("taxonomy.yaml"),
                signatures: try PolicySource.builtIn.files(in: "signatures"), builtIn: true))
        var decoded = try #require(cache.load(key: key))
        decoded.origin = parsed.origin
        Self.expectSame(decoded, parsed)
        // The built-in texts are named by the executable, not hashed; the same files from a
        // folder are keyed by their texts too, so the two never share a snapshot.
        let asFiles = try #require(
            SignatureSnapshotCache.key(
                taxonomy: try PolicySource.builtIn.file("taxonomy.yaml"),
                signatures: try PolicySource.builtIn.files(in: "signatures")))
        #expect(asFiles != key)
    }

    @Test("an edited, added or removed YAML file is read again, never taken from the snapshot")
    func staleYAML() throws {
        let policies = try Self.policiesCopy()
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("snapshot-cache"))
        let source = PolicySource.folder(policies)
        _ = try SignatureDatabase.load(source: source, cache: cache)
        let face = policies.appendingPathComponent("signatures/face.yaml")
        let text = try String(contentsOf: face, encoding: .utf8)
        let vendor = try #require(text.range(of: "vendor: "))
        try text.replacingCharacters(in: vendor, with: "vendor: Edited ").write(
            to: face, atomically: true, encoding: .utf8)
        let edited = try SignatureDatabase.load(source: source, cache: cache)
        Self.expectSame(edited, try SignatureDatabase.load(source: source))
        #expect(edited.signatures.contains { $0.vendor.hasPrefix("Edited ") })
        try FileManager.default.removeItem(at: policies.appendingPathComponent("signatures/packers.yaml"))
        let removed = try SignatureDatabase.load(source: source, cache: cache)
        Self.expectSame(removed, try SignatureDatabase.load(source: source))
        #expect(!removed.signatures.contains { $0.category == .packer })
        // The same files in another folder: their places (definedAt) differ, so does the key.
        let elsewhere = try Self.policiesCopy()
        try FileManager.default.removeItem(at: elsewhere.appendingPathComponent("signatures/packers.yaml"))
        try FileManager.default.copyItem(at: face, to: elsewhere.appendingPathComponent("signatures/face.yaml.tmp"))
        try FileManager.default.removeItem(at: elsewhere.appendingPathComponent("signatures/face.yaml"))
        try FileManager.default.moveItem(
            at: elsewhere.appendingPathComponent("signatures/face.yaml.tmp"),
            to: elsewhere.appendingPathComponent("signatures/face.yaml"))
        let moved = try SignatureDatabase.load(source: .folder(elsewhere), cache: cache)
        Self.expectSame(moved, try SignatureDatabase.load(source: .folder(elsewhere)))
        #expect(moved.signatures.allSatisfy { $0.definedAt.hasPrefix(elsewhere.path) })
    }

    @Test("a broken database is reported as without a cache, and never kept")
    func brokenYAML() throws {
        let policies = try Self.policiesCopy()
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("snapshot-cache"))
        try "signatures: [".write(
            to: policies.appendingPathComponent("signatures/zz-broken.yaml"), atomically: true, encoding: .utf8)
        let source = PolicySource.folder(policies)
        let plain = #expect(throws: SignatureDatabase.LoadError.self) { try SignatureDatabase.load(source: source) }
        let cached = #expect(throws: SignatureDatabase.LoadError.self) {
            try SignatureDatabase.load(source: source, cache: cache)
        }
        #expect(plain?.problems == cached?.problems)
        #expect(Self.snapshots(in: cache.folder).isEmpty)
    }

    @Test("a damaged snapshot is ignored and replaced")
    func corruptSnapshot() throws {
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("snapshot-cache"))
        let parsed = try SignatureDatabase.load(source: .builtIn)
        _ = try SignatureDatabase.load(source: .builtIn, cache: cache)
        let file = try #require(Self.snapshots(in: cache.folder).first)
        let good = try Data(contentsOf: file)
        var damages: [Data] = [Data(), good.prefix(20), good.prefix(good.count / 2), good + Data([0])]
        for offset in [0, 9, 45, 60, good.count / 3, good.count - 1] {
            var flipped = good
            flipped[offset] ^= 0x20
            damages.append(flipped)
        }
        for damaged in damages {
            try damaged.write(to: file)
            Self.expectSame(try SignatureDatabase.load(source: .builtIn, cache: cache), parsed)
            #expect(try Data(contentsOf: file) == good, "rewritten after a damaged read")
        }
    }

    @Test("the checksum changes with any one bit flipped, in every lane and in the tail, and with the length")
    func checksumCatchesDamage() {
        var generator = QuickPathTests.SeededGenerator(seed: 23)
        for length in [0, 1, 7, 8, 31, 32, 33, 75, 200] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let sum = SignatureSnapshot.checksum(bytes[...])
            for at in 0..<length {
                for bit in 0..<8 {
                    var damaged = bytes
                    damaged[at] ^= 1 << UInt8(bit)
                    #expect(SignatureSnapshot.checksum(damaged[...]) != sum, "bit \(bit) of byte \(at) of \(length)")
                }
            }
            #expect(SignatureSnapshot.checksum((bytes + [0])[...]) != sum)
            if length > 0 { #expect(SignatureSnapshot.checksum(bytes.dropLast()) != sum) }
        }
    }

    @Test("damaged payloads that pass the checksum decode to nothing or to a database, never a crash")
    func forgedPayloads() throws {
        let database = try SignatureDatabase.load(source: .builtIn)
        let key = [UInt8](repeating: 7, count: 32)
        let good = SignatureSnapshot.encode(database, key: key)
        let header = SignatureSnapshot.magic.count + key.count + 16
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var payload = Array(good[header...])
            switch round % 3 {
            case 0: payload[Int.random(in: 0..<payload.count, using: &generator)] = UInt8.random(in: 0...255)
            case 1: payload.removeLast(Int.random(in: 1...min(64, payload.count), using: &generator))
            default:
                let at = Int.random(in: 0..<payload.count, using: &generator)
                for i in at..<min(at + 8, payload.count) { payload[i] = 0xFF }
            }
            var forged = SignatureSnapshot.magic + key
            SnapshotWriter.append(UInt64(payload.count), to: &forged)
            SnapshotWriter.append(SignatureSnapshot.checksum(payload[...]), to: &forged)
            // Whatever decodes must also scan: its automata were checked, not merely read.
            if let decoded = SignatureSnapshot.decode(forged + payload, key: key) {
                let engine = SignatureEngine(decoded)
                _ = engine.content.matches(in: Array("libfaceunity.so com/faceunity api.openai.com \0fuSetup".utf8))
                _ = engine.dexFallback.matches(in: Array(good[header..<min(good.count, header + 4096)]))
            }
        }
        #expect(SignatureSnapshot.decode(good, key: key)?.signatures == database.signatures)
        #expect(SignatureSnapshot.decode(good, key: [UInt8](repeating: 8, count: 32)) == nil)
        // The payload opens with where the automata start (they are read on a second thread):
        // any other place, with the checksum made right, gives nothing.
        let payload = Array(good[header...])
        let start = payload.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect(start > 8 && start < payload.count)
        for moved in [0, 7, 8, start - 1, start + 1, start + 8, payload.count - 1, payload.count, payload.count + 1] {
            var forged = payload
            withUnsafeBytes(of: UInt64(moved).littleEndian) { for i in 0..<8 { forged[i] = $0[i] } }
            var framed = SignatureSnapshot.magic + key
            SnapshotWriter.append(UInt64(forged.count), to: &framed)
            SnapshotWriter.append(SignatureSnapshot.checksum(forged[...]), to: &framed)
            #expect(SignatureSnapshot.decode(framed + forged, key: key) == nil, "automata said to start at \(moved)")
        }
    }

    @Test("the snapshot keeps the compiled automata: the same tables as compiling the YAML's patterns")
    func keptAutomata() throws {
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("snapshot-cache"))
        let parsed = try SignatureDatabase.load(source: .builtIn)
        #expect(parsed.compiled == nil)
        let fresh = SignatureEngine(parsed)
        _ = try SignatureDatabase.load(source: .builtIn, cache: cache)
        let read = try SignatureDatabase.load(source: .builtIn, cache: cache)
        let kept = try #require(read.compiled)
        // Used where they lie in the snapshot's bytes (which `encode` aligns), not copied.
        #expect(kept.content.table.isBorrowed && kept.dexFallback.table.isBorrowed)
        for (a, b) in [(kept.content, fresh.content), (kept.dexFallback, fresh.dexFallback)] {
            #expect(a.patterns == b.patterns && a.classOf == b.classOf && a.classCount == b.classCount)
            #expect(a.next == b.next && a.firstOutput == b.firstOutput && a.outputLink == b.outputLink)
            #expect(a.extraOutputs == b.extraOutputs && a.startsPattern == b.startsPattern)
        }
        let engine = SignatureEngine(read)
        #expect(engine.content.next == fresh.content.next && engine.dexFallback.next == fresh.dexFallback.next)
        // The tables lie in the snapshot's bytes, read into the process's own memory: valid after
        // the load returned, and unchanged when the file is then rewritten in place (a mapping of
        // the file would show the change, after the tables were checked).
        let sample = Array("com/faceunity/wrapper/faceunity; libarcsoft_face_engine.so ksyun tts".utf8)
        let expected = fresh.content.matches(in: sample)
        #expect(!expected.isEmpty)
        let file = try #require(Self.snapshots(in: cache.folder).first)
        let length = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data(repeating: 0xFF, count: length))
        try handle.close()
        #expect(kept.content.matches(in: sample) == expected)
        #expect(kept.content.next == fresh.content.next && kept.dexFallback.next == fresh.dexFallback.next)
        // Tables of other patterns (a database edited after they were compiled) are not used.
        var edited = read
        edited.signatures.removeFirst(5)
        let rebuilt = SignatureEngine(edited)
        #expect(
            rebuilt.content.patterns
                == SignatureEngine(
                    SignatureDatabase(
                        signatures: edited.signatures, taxonomy: edited.taxonomy, digest: edited.digest)
                ).content.patterns)
        #expect(rebuilt.content.patterns != kept.content.patterns)
    }

    @Test("automaton tables that would lead a scan astray are refused, not used, whether used in place or copied")
    func forgedAutomata() throws {
        let set = PatternSet(strings: ["faceunity", "interface", "arcsoft", "face"])
        var w = SnapshotWriter()
        set.write(to: &w)
        let good = w.bytes
        // Read in place (aligned, with an owner), copied (no owner), and copied because misaligned.
        func read(_ bytes: [UInt8], inPlace: Bool, shift: Int = 0) throws -> PatternSet {
            let owned = Owned([UInt8](repeating: 0, count: shift) + bytes)
            var r = SnapshotReader(bytes: UnsafeRawBufferPointer(owned.raw), at: shift)
            r.owner = inPlace ? owned : nil
            let set = try PatternSet.read(from: &r)
            guard r.atEnd else { throw SnapshotReader.Invalid() }
            return set
        }
        let text = Array("my faceunity sdk, an interface by arcsoft".utf8)
        for (inPlace, shift) in [(true, 0), (false, 0), (true, 1), (true, 2)] {
            let back = try read(good, inPlace: inPlace, shift: shift)
            #expect(back.matches(in: text) == set.matches(in: text) && back.next == set.next)
        }
        // Used in place, the table is the owner's bytes themselves, and keeps them alive.
        var inPlace: PatternSet?
        weak var released: Owned?
        do {
            let owned = Owned(good)
            released = owned
            var r = SnapshotReader(bytes: UnsafeRawBufferPointer(owned.raw), at: 0)
            r.owner = owned
            inPlace = try PatternSet.read(from: &r)
            let base = UnsafeRawPointer(try #require(inPlace?.table.entries.baseAddress))
            #expect(base >= UnsafeRawPointer(owned.raw.baseAddress!) && base < owned.raw.baseAddress! + owned.raw.count)
        }
        #expect(released != nil && inPlace?.matches(in: text) == set.matches(in: text))
        inPlace = nil
        #expect(released == nil)
        // Where the table starts: flag, patterns, classes (256 and their count), the table's
        // count, the byte that says how many bytes pad it to a multiple of four, the padding.
        let patternsBytes = 8 + set.patterns.reduce(0) { $0 + 8 + $1.count }
        let padAt = 1 + patternsBytes + (8 + 256) + 8 + 8
        let nextAt = padAt + 1 + Int(good[padAt])
        #expect(nextAt % 4 == 0)
        let classes = Int32(set.classCount)
        let states = set.next.count / set.classCount
        let firstOutputAt = nextAt + 4 * set.next.count + 8
        let linkAt = firstOutputAt + 4 * states + 8
        func patched(_ at: Int, _ value: Int32) -> [UInt8] {
            var bytes = good
            withUnsafeBytes(of: value) { for i in 0..<4 { bytes[at + i] = $0[i] } }
            return bytes
        }
        // A transition to the last state, either sign, is still inside the table.
        for value in [Int32(states - 1) * classes, -Int32(states - 1) * classes] {
            #expect(throws: Never.self) {
                _ = try read(patched(nextAt + 4 * (set.next.count - 1), value), inPlace: true)
            }
        }
        let stateWithLink = try #require(set.outputLink.firstIndex { $0 >= 0 })
        let forgeries = [
            patched(nextAt, Int32(states) * classes),  // a transition past the table
            patched(nextAt + 4, -Int32(states) * classes),  // the same, to a state with an output
            patched(nextAt + 4, Int32(states - 1) * classes + 1),  // past the last row's start
            patched(nextAt + 4, -Int32(states - 1) * classes - 1),
            patched(nextAt, Int32.min),
            patched(nextAt, Int32.max),
            patched(firstOutputAt, Int32(set.patterns.count)),  // an output naming no pattern
            patched(linkAt + 4 * stateWithLink, Int32(stateWithLink)),  // a link to itself
            patched(linkAt, Int32(states)),
            {
                var bytes = good; bytes[padAt] = 4; return bytes
            }(),  // padding of four
        ]
        for (index, forged) in forgeries.enumerated() {
            for (inPlace, shift) in [(true, 0), (false, 0), (true, 3)] {
                #expect(throws: SnapshotReader.Invalid.self, "forgery \(index)") {
                    _ = try read(forged, inPlace: inPlace, shift: shift)
                }
            }
        }
    }

    /// Bytes that live as long as this does: stands for a snapshot's mapping.
    final class Owned {
        let raw: UnsafeMutableRawBufferPointer
        init(_ bytes: [UInt8]) {
            raw = .allocate(byteCount: bytes.count, alignment: 16)
            raw.copyBytes(from: bytes)
        }
        deinit { raw.deallocate() }
    }

    @Test("the check of a transition table finds every entry that leads outside its rows, for any class count")
    func transitionCheck() {
        var generator = QuickPathTests.SeededGenerator(seed: 45_438)
        for classCount in [1, 2, 3, 4, 7, 8, 64, 96, 127, 128, 200, 255, 256] {
            let states = 1 + Int.random(in: 0..<50, using: &generator)
            let rows = (0..<(states * classCount)).map { _ in
                Int32(Int.random(in: 0..<states, using: &generator) * classCount)
                    * (Bool.random(using: &generator) ? -1 : 1)
            }
            rows.withUnsafeBufferPointer { #expect(SnapshotReader.validTransitions($0, classCount: classCount)) }
            let last = (states - 1) * classCount  // the last row's start: the largest magnitude allowed
            var values = [last, -last, last + 1, -last - 1, 0, Int(Int32.max), Int(Int32.min), Int(Int32.min) + 1]
            values += (0..<100).map { _ in Int(Int32.random(in: Int32.min...Int32.max, using: &generator)) }
            for value in values {
                var forged = rows
                forged[Int.random(in: 0..<forged.count, using: &generator)] = Int32(value)
                forged.withUnsafeBufferPointer {
                    #expect(
                        SnapshotReader.validTransitions($0, classCount: classCount) == (abs(value) <= last),
                        "\(classCount) \(value)")
                }
            }
        }
    }

    @Test("matchers come back as written; a scope naming no content kind or text that is not UTF-8 is refused")
    func matcherFields() throws {
        let kinds = ContentKind.allCases
        let matchers: [Matcher] = [
            .string(Array("faceunity".utf8), scope: [.dex, .elf]), .host("api.example.cn", scope: [.dex]),
            .string([0xFF, 0x00], scope: Set(kinds)), .host("审核.cn", scope: []), .file("libface.so"),
            .string(Array("x".utf8), scope: [kinds[kinds.count - 1]]),
        ]
        var w = SnapshotWriter()
        for matcher in matchers { w.matcher(matcher) }
        let good = w.bytes
        let read = try good.withUnsafeBytes { raw in
            var r = SnapshotReader(bytes: raw, at: 0)
            return try matchers.map { _ in try r.matcher() }
        }
        #expect(read == matchers)
        func decodes(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { raw in
                var r = SnapshotReader(bytes: raw, at: 0)
                return (try? r.matcher()) != nil
            }
        }
        // The first matcher: tag, length and bytes, then the scope's mask.
        let maskAt = 1 + 8 + "faceunity".utf8.count
        for bit in [kinds.count, 63] {
            var forged = good
            forged[maskAt + bit / 8] |= 1 << UInt8(bit % 8)
            #expect(!decodes(forged), "a scope with bit \(bit)")
        }
        // The second: a host name; a byte that cannot start UTF-8 is refused.
        var second = SnapshotWriter()
        second.matcher(matchers[1])
        var forged = second.bytes
        forged[1 + 8] = 0xFF
        #expect(decodes(second.bytes) && !decodes(forged))
        // Text: ASCII of every length around the eight-byte steps, UTF-8, and broken UTF-8 at
        // each place, come back as written or are refused.
        for length in 0...17 {
            for text in [String(repeating: "a", count: length), String(repeating: "a", count: length) + "审核"] {
                var writer = SnapshotWriter()
                writer.string(text)
                let bytes = writer.bytes
                #expect(
                    bytes.withUnsafeBytes { raw in
                        var r = SnapshotReader(bytes: raw, at: 0)
                        return try? r.string()
                    } == text)
                for at in 8..<bytes.count {
                    var broken = bytes
                    broken[at] = 0xC0
                    #expect(
                        broken.withUnsafeBytes { raw in
                            var r = SnapshotReader(bytes: raw, at: 0)
                            return try? r.string()
                        } == nil, "0xC0 at \(at) of \(text)")
                }
            }
        }
    }

    #if os(Linux)
        @Test("the executable is known by its build ID, read from its ELF notes")
        func buildID() throws {
            let fingerprint = try #require(SignatureSnapshot.executableFingerprint)
            #expect(fingerprint.hasPrefix("build-id:"), "\(fingerprint)")
            let hex = fingerprint.dropFirst("build-id:".count)
            #expect(hex.count >= 16 && hex.allSatisfy { $0.isHexDigit })
            // Notes: another vendor's first, then GNU's build ID; and notes cut short.
            func note(_ name: String, _ type: UInt32, _ desc: [UInt8]) -> [UInt8] {
                var out: [UInt8] = []
                let n = Array(name.utf8) + [0]
                for v in [UInt32(n.count), UInt32(desc.count), type] {
                    withUnsafeBytes(of: v.littleEndian) { out += $0 }
                }
                out += n + [UInt8](repeating: 0, count: (4 - n.count % 4) % 4)
                out += desc + [UInt8](repeating: 0, count: (4 - desc.count % 4) % 4)
                return out
            }
            let id: [UInt8] = [0xAB, 0xCD, 0xEF, 0x01, 0x23]
            let notes = note("Go", 4, [1, 2, 3]) + note("GNU", 1, [0, 0, 0, 0]) + note("GNU", 3, id)
            #expect(notes.withUnsafeBytes { ExecutableBuildID.scan($0) } == id)
            #expect(Array(notes.dropLast(4)).withUnsafeBytes { ExecutableBuildID.scan($0) } == nil)
            var huge = note("GNU", 3, id)
            huge[4] = 0xFF  // a description longer than the notes
            #expect(huge.withUnsafeBytes { ExecutableBuildID.scan($0) } == nil)
        }
    #endif

    @Test("a cache folder that cannot be written: the YAML is read, and nothing fails")
    func unwritableFolder() throws {
        let parsed = try SignatureDatabase.load(source: .builtIn)
        // A folder below a regular file cannot be made, even by root.
        let file = try TestFiles.directory("snapshot-cache").appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let below = SignatureSnapshotCache(folder: file.appendingPathComponent("cache"))
        Self.expectSame(try SignatureDatabase.load(source: .builtIn, cache: below), parsed)
        Self.expectSame(try SignatureDatabase.load(source: .builtIn, cache: below), parsed)
        // A read-only folder (root ignores the mode: then it is simply written).
        let readOnly = try TestFiles.directory("snapshot-readonly")
        chmod(readOnly.path, 0o555)
        defer { chmod(readOnly.path, 0o755) }
        let cache = SignatureSnapshotCache(folder: readOnly)
        Self.expectSame(try SignatureDatabase.load(source: .builtIn, cache: cache), parsed)
        Self.expectSame(try SignatureDatabase.load(source: .builtIn, cache: cache), parsed)
        if geteuid() != 0 { #expect(Self.snapshots(in: readOnly).isEmpty) }
    }

    @Test("the cache folder: --policy-cache, else $SHELFGUARD_CACHE, else the XDG cache folder; off for none")
    func folderChoice() {
        let home = ["HOME": "/home/u"]
        #expect(
            SignatureSnapshotCache.choose(explicit: nil, environment: home)?.folder.path == "/home/u/.cache/shelfguard")
        #expect(
            SignatureSnapshotCache.choose(explicit: nil, environment: home.merging(["XDG_CACHE_HOME": "/x"]) { $1 })?
                .folder.path == "/x/shelfguard")
        #expect(
            SignatureSnapshotCache.choose(explicit: nil, environment: home.merging(["SHELFGUARD_CACHE": "/c"]) { $1 })?
                .folder.path == "/c")
        #expect(
            SignatureSnapshotCache.choose(explicit: "/d", environment: ["SHELFGUARD_CACHE": "/c"])?.folder.path == "/d")
        #expect(SignatureSnapshotCache.choose(explicit: "off", environment: home) == nil)
        #expect(SignatureSnapshotCache.choose(explicit: nil, environment: ["SHELFGUARD_CACHE": "off"]) == nil)
        #expect(SignatureSnapshotCache.choose(explicit: nil, environment: [:]) == nil)
        #expect(SignatureSnapshotCache.choose(explicit: "/d/./e/../f/", environment: [:])?.path == "/d/f")
        #expect(
            SignatureSnapshotCache.choose(explicit: nil, environment: ["HOME": "/h/"])?.path == "/h/.cache/shelfguard")
    }

    @Test("paths are made absolute by name, as Foundation's standardized file URL makes them")
    func absolutePaths() {
        let paths = [
            "a", "./a", "a/../b", "/a/./b/", "../x", "//a//b", "/..", "/a/b/..", "/a/b/../..", "/a/b/../../..", ".",
            "..", "/", "a/", "a//b/./", "/a/..b/.c", "/a/...", "x/..", "x/../..", "~/x", "~", "a b/c",
            "/t/\u{5E94}\u{7528}.apk",
        ]
        for path in paths {
            #expect(
                PolicySource.absolute(path) == URL(fileURLWithPath: path).standardizedFileURL.path, "\(path)")
        }
    }
}

/// The binary with and without the cache: the same reports for every sample.
@Suite("signature snapshot cache, end to end")
struct SignatureSnapshotCommandTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")

    static func bundles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samples.path).filter {
            !$0.hasSuffix(".yaml") && !["labeling", "registry"].contains($0)
        }.sorted().map { samples.appendingPathComponent($0).path }
    }

    @Test("check --format json of every sample: the same without a cache, writing it, and reading it")
    func sameReports() throws {
        let cache = try TestFiles.directory("snapshot-e2e")
        let arguments = [
            "check", "--as-of", "2026-11-24", "--registry", Self.samples.appendingPathComponent("registry").path,
            "--format", "json",
        ]
        let bundles = try Self.bundles()
        let off = try ShelfGuardBinary.run(arguments + ["--policy-cache", "off"] + bundles)
        #expect(!off.stdout.isEmpty && off.status == 2, "\(off.stderr)")
        let writing = try ShelfGuardBinary.run(arguments + bundles, environment: ["SHELFGUARD_CACHE": cache.path])
        // One feature database and one policy.
        #expect(
            SignatureSnapshotTests.snapshots(in: cache).map { String($0.lastPathComponent.prefix(7)) } == [
                "policy-", "signatu",
            ])
        let reading = try ShelfGuardBinary.run(arguments + ["--policy-cache", cache.path] + bundles)
        for run in [writing, reading] {
            #expect(run.status == off.status)
            #expect(run.stdout == off.stdout)
            #expect(run.stderr == off.stderr)
        }
        let inspectOff = try ShelfGuardBinary.run(["inspect", "--format", "json", "--policy-cache", "off"] + bundles)
        let inspectCached = try ShelfGuardBinary.run(
            ["inspect", "--format", "json", "--policy-cache", cache.path] + bundles)
        #expect(inspectCached.stdout == inspectOff.stdout && inspectCached.status == inspectOff.status)
    }

    @Test("a copy of the same binary (a CI cache restored to new files) reads the snapshot the original wrote")
    func copiedBinary() throws {
        let folder = try TestFiles.directory("snapshot-copied")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let copy = folder.appendingPathComponent("shelfguard")
        try FileManager.default.copyItem(at: ShelfGuardBinary.url, to: copy)
        let arguments = [
            "check", "--as-of", "2026-11-24", "--format", "json", "--policy-cache", cache.path,
            Self.samples.appendingPathComponent("calculator.apk").path,
        ]
        let original = try ShelfGuardBinary.run(arguments)
        let snapshots = SignatureSnapshotTests.snapshots(in: cache)
        #expect(snapshots.count == 2, "the feature database's and the policy's")
        let written = try snapshots.map {
            try FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date
        }
        let copied = try ShelfGuardBinary.launch(copy, arguments, in: nil, environment: [:], standardOutput: nil)
        #expect(copied.stdout == original.stdout && copied.status == original.status)
        #expect(SignatureSnapshotTests.snapshots(in: cache) == snapshots, "no second snapshot")
        #expect(
            try snapshots.map { try FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date }
                == written, "read, not written again")
    }

    @Test("check works the bundle's SHA-256 out whenever a report shows it: JSON and SARIF, also through -o")
    func digestWhenShown() throws {
        let folder = try TestFiles.directory("snapshot-digest")
        let bundle = Self.samples.appendingPathComponent("calculator.apk").path
        let expected = try FileDigest.sha256(path: bundle)
        let base = ["check", "--as-of", "2026-11-24", "--policy-cache", "off"]
        let json = try ShelfGuardBinary.run(base + ["--format", "json", bundle])
        #expect(json.stdout.contains(expected))
        let sarif = try ShelfGuardBinary.run(base + ["--format", "sarif", bundle])
        #expect(sarif.stdout.contains(expected))
        let file = folder.appendingPathComponent("report.json")
        let text = try ShelfGuardBinary.run(base + ["-o", "json=\(file.path)", bundle])
        #expect(text.status == 0 && !text.stdout.contains(expected))
        #expect(try String(contentsOf: file, encoding: .utf8).contains(expected))
    }

    @Test("every command names itself: no command name is worked out by reflection at start-up")
    func explicitCommandNames() throws {
        let folder = TestFiles.packageRoot.appendingPathComponent("Sources/shelfguard")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            var rest = Substring(text)
            while let range = rest.range(of: "CommandConfiguration(") {
                let call = rest[range.upperBound...].prefix(40).drop { $0 == " " || $0 == "\n" }
                #expect(call.hasPrefix("commandName:"), "\(name): \(call)")
                rest = rest[range.upperBound...]
            }
        }
    }
}

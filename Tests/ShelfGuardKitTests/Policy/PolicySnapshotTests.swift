import Foundation
import Testing

@testable import ShelfGuardKit

#if canImport(Glibc)
    import Glibc
#endif

/// The review policy kept between runs in the snapshot cache folder: used only while its text,
/// its path and the executable are unchanged, never when damaged, never an error when it cannot
/// be kept, and always the same policy as its YAML gives.
@Suite("policy snapshot cache")
struct PolicySnapshotTests {
    static func policySnapshots(in folder: URL) -> [URL] {
        SignatureSnapshotTests.snapshots(in: folder).filter { $0.lastPathComponent.hasPrefix("policy-") }
    }

    @Test("the built-in policy: written once, then read, and the same as the YAML's")
    func builtInRoundTrip() throws {
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("policy-cache"))
        let parsed = try PolicyLoader.load(source: .builtIn)
        let first = try PolicyLoader.load(source: .builtIn, cache: cache)
        #expect(Self.policySnapshots(in: cache.folder).count == 1)
        let second = try PolicyLoader.load(source: .builtIn, cache: cache)
        #expect(first == parsed && second == parsed)
        // What the snapshot holds is that policy, field by field.
        let file = try PolicySource.builtIn.file(PolicyLoader.defaultFileName)
        let key = try #require(PolicySnapshot.key(text: file.text, source: file.path))
        let kept = try #require(cache.policy(key: key))
        #expect(kept == (try PolicyLoader.parse(file.text, source: file.path)))
        #expect(!kept.rules.isEmpty && !kept.daily.isEmpty)
    }

    @Test("an edited policy, or the same text at another path, is read again, never taken from a snapshot")
    func staleText() throws {
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("policy-cache"))
        let folder = try TestFiles.directory("policy-files")
        let text = try PolicySource.builtIn.file(PolicyLoader.defaultFileName).text
        let a = folder.appendingPathComponent("a.yaml")
        try Data(text.utf8).write(to: a)
        let original = try PolicyLoader.load(file: a, cache: cache)
        #expect(original == (try PolicyLoader.load(file: a)))
        // Only the day count changes: a snapshot of the old text would keep 365.
        #expect(text.contains("assessment_max_age_days: 365"))
        try Data(
            text.replacingOccurrences(of: "assessment_max_age_days: 365", with: "assessment_max_age_days: 200").utf8
        )
        .write(to: a)
        let edited = try PolicyLoader.load(file: a, cache: cache)
        #expect(edited.settings.assessmentMaxAgeDays == 200)
        #expect(edited == (try PolicyLoader.load(file: a)))
        // The first text again, at another path: its own snapshot, naming its own path.
        let b = folder.appendingPathComponent("b.yaml")
        try Data(text.utf8).write(to: b)
        let other = try PolicyLoader.load(file: b, cache: cache)
        let otherParsed = try PolicyLoader.load(file: b)
        #expect(other.source == b.path && other == otherParsed)
        #expect(Self.policySnapshots(in: cache.folder).count == 3)
    }

    @Test(
        "a damaged snapshot, or one whose payload is not a policy, is ignored and replaced; the checksum catches damage, not forgery"
    )
    func damagedSnapshot() throws {
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("policy-cache"))
        let parsed = try PolicyLoader.load(source: .builtIn)
        _ = try PolicyLoader.load(source: .builtIn, cache: cache)
        let file = try #require(Self.policySnapshots(in: cache.folder).first)
        let good = try Data(contentsOf: file)
        let header = PolicySnapshot.magic.count + 32 + 16
        var damages: [Data] = [
            Data(), good.prefix(20), good.prefix(header), good.prefix(good.count / 2), good + Data([0]),
        ]
        for offset in [0, 9, 45, header - 1, header + 10, good.count / 2, good.count - 1] {
            var flipped = good
            flipped[offset] ^= 0x01
            damages.append(flipped)
        }
        // A payload that passes the checksum but is not the policy: bad JSON, and another
        // policy's JSON under this key.
        let key = Array(good[PolicySnapshot.magic.count..<(PolicySnapshot.magic.count + 32)])
        var other = parsed
        other.settings.assessmentMaxAgeDays = 1
        let forged = try #require(PolicySnapshot.encode(other, key: key))
        #expect(forged.withUnsafeBytes { PolicySnapshot.decode($0, key: key) } == other)
        let notJSON = SignatureSnapshot.framed(Array("{\"name\":".utf8), magic: PolicySnapshot.magic, key: key)
        #expect(notJSON.withUnsafeBytes { PolicySnapshot.decode($0, key: key) } == nil)
        damages.append(Data(notJSON))
        for damaged in damages {
            try damaged.write(to: file)
            #expect(try PolicyLoader.load(source: .builtIn, cache: cache) == parsed)
            // Replaced by a good one.
            #expect(try Data(contentsOf: file) == good)
        }
        // A forgery with the right checksum is trusted only as far as its key: another key misses.
        #expect(forged.withUnsafeBytes { PolicySnapshot.decode($0, key: [UInt8](repeating: 7, count: 32)) } == nil)
    }

    @Test("a broken policy is reported as without a cache, and never kept")
    func brokenPolicy() throws {
        let cache = SignatureSnapshotCache(folder: try TestFiles.directory("policy-cache"))
        let file = try TestFiles.directory("policy-files").appendingPathComponent("broken.yaml")
        try Data("name: broken\nrules:\n  - id: x\n    check: no_such_check\n".utf8).write(to: file)
        let plain = #expect(throws: PolicyLoader.LoadError.self) { try PolicyLoader.load(file: file) }
        let cached = #expect(throws: PolicyLoader.LoadError.self) { try PolicyLoader.load(file: file, cache: cache) }
        #expect(plain?.description == cached?.description)
        #expect(Self.policySnapshots(in: cache.folder).isEmpty)
    }

    @Test("a cache folder that cannot be written: the YAML is read, and nothing fails")
    func unwritableFolder() throws {
        let parsed = try PolicyLoader.load(source: .builtIn)
        let file = try TestFiles.directory("policy-cache").appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let below = SignatureSnapshotCache(folder: file.appendingPathComponent("cache"))
        #expect(try PolicyLoader.load(source: .builtIn, cache: below) == parsed)
        let readOnly = try TestFiles.directory("policy-readonly")
        chmod(readOnly.path, 0o555)
        defer { chmod(readOnly.path, 0o755) }
        let cache = SignatureSnapshotCache(folder: readOnly)
        #expect(try PolicyLoader.load(source: .builtIn, cache: cache) == parsed)
        #expect(try PolicyLoader.load(source: .builtIn, cache: cache) == parsed)
        if geteuid() != 0 { #expect(Self.policySnapshots(in: readOnly).isEmpty) }
    }
}

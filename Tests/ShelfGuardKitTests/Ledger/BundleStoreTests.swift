import BundleFactory
import Crypto
import Foundation
import Testing

@testable import ShelfGuardKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bundle store keeps its own read-only copy of each reviewed bundle under its SHA-256:
/// never a link to the submitted file, never a file that does not match its name.
@Suite("bundle store: read-only copies by digest")
struct BundleStoreTests {
    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).hexString }

    static func info(_ path: String) throws -> stat {
        var info = stat()
        try #require(stat(path, &info) == 0, "stat \(path)")
        return info
    }

    /// Writes `bytes` over the start of the file in place (same inode), as an editor or a
    /// developer's re-upload into the same file would.
    static func overwriteInPlace(_ path: String, with bytes: [UInt8]) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    /// Files in the store other than kept bundles (temporary files left behind).
    static func leftovers(_ store: BundleStore) -> [String] {
        let names = FileManager.default.enumerator(atPath: store.directory)?.allObjects as? [String] ?? []
        return names.filter { $0.hasSuffix(".tmp") }
    }

    @Test("a copy, not a link: editing the submitted file later leaves the kept bundle and its digest as they were")
    func copyNotLink() throws {
        let folder = try TestFiles.directory("bundle-store")
        // Past the copy's one-megabyte buffer, and not a multiple of it.
        let original = (0..<(3 << 20) + 123).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let source = folder.appendingPathComponent("intake.apk").path
        try Data(original).write(to: URL(fileURLWithPath: source))
        let digest = Self.sha256(original)
        let store = BundleStore(directory: folder.appendingPathComponent("shelf.bundles").path)

        let staged = try store.stage(source)
        #expect(staged.sha256 == digest && staged.known?.sha256 == digest)
        #expect(!store.contains(digest), "kept before the review is done")
        #expect(try staged.upload.finish() == (digest, store.path(of: digest)))
        let kept = store.path(of: digest)
        #expect(store.contains(digest) && store.holds(kept) && !store.holds(source))
        #expect(try Self.info(kept).st_ino != Self.info(source).st_ino, "a hard link to the submitted file")
        #expect(try Self.info(kept).st_mode & 0o7777 == 0o444)
        #expect(Self.leftovers(store).isEmpty)

        try Self.overwriteInPlace(source, with: Array(repeating: 0x41, count: 4096))
        let after = try [UInt8](Data(contentsOf: URL(fileURLWithPath: kept)))
        #expect(after == original)
        #expect(try FileDigest.sha256(path: kept) == digest)
    }

    @Test("a bundle kept already is left alone, and a copy dropped (a review skipped or failed) leaves nothing")
    func keptAlready() throws {
        let folder = try TestFiles.directory("bundle-store-kept")
        let bytes: [UInt8] = Array("a bundle".utf8)
        let digest = Self.sha256(bytes)
        let store = BundleStore(directory: folder.appendingPathComponent("shelf.bundles").path)
        let source = folder.appendingPathComponent("a.apk").path
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        _ = try store.stage(source).upload.finish()
        let first = try Self.info(store.path(of: digest))
        _ = try store.stage(source).upload.finish()
        let second = try Self.info(store.path(of: digest))
        #expect(first.st_ino == second.st_ino && first.st_mtim.tv_nsec == second.st_mtim.tv_nsec)
        #expect(Self.leftovers(store).isEmpty)
        do {
            let dropped = try store.stage(source)
            #expect(FileManager.default.fileExists(atPath: dropped.path))
        }
        #expect(Self.leftovers(store).isEmpty)
    }

    @Test(
        "the copy is what is reviewed: a submitted file changed after it was copied changes neither digest nor verdict")
    func changedMeanwhile() throws {
        let folder = try TestFiles.directory("bundle-store-changed")
        let store = BundleStore(directory: folder.appendingPathComponent("shelf.bundles").path)
        let source = folder.appendingPathComponent("app.apk").path
        let clean = SampleBundles.calculatorAPK()
        try Data(clean).write(to: URL(fileURLWithPath: source))
        let staged = try store.stage(source)
        // Replaced after the copy: a face-swap app where the clean one was.
        try Data(SampleBundles.faceFunAPK()).write(to: URL(fileURLWithPath: source))
        let inspector = Inspector(signatures: SignatureEngine(SeedDatabase.database))
        var none = NoVisitor()
        let inspection = try inspector.inspect(path: staged.path, reportedAs: source, alongside: &none)
        #expect(inspection.bundle.sha256 == Self.sha256(clean) && inspection.bundle.path == source)
        #expect(inspection.detections.isEmpty)
        #expect(!(try inspector.inspect(path: source).detections.isEmpty))
        _ = try staged.upload.finish()
        #expect(try FileDigest.sha256(path: store.path(of: staged.sha256)) == Self.sha256(clean))
    }

    @Test("only the store's own bundle paths are held by it")
    func holds() throws {
        let store = BundleStore(directory: "/srv/shelf.bundles")
        let digest = String(repeating: "ab", count: 32)
        #expect(store.holds("/srv/shelf.bundles/ab/\(digest).bundle"))
        #expect(store.holds("/srv/./shelf.bundles/ab/../ab/\(digest).bundle"))
        #expect(!store.holds("/srv/shelf.bundles/cd/\(digest).bundle"))
        #expect(!store.holds("/srv/other/ab/\(digest).bundle"))
        #expect(!store.holds("/srv/shelf.bundles/ab/\(digest.uppercased()).bundle"))
        #expect(!store.holds("/srv/shelf.bundles/ab/\(digest).apk"))
    }
}

@Suite("bundle store: unfinished temporary copies swept")
struct BundleStoreSweepTests {
    /// Sets a file's modification time.
    static func age(_ path: String, to date: Date) throws {
        var times = [
            timespec(tv_sec: Int(date.timeIntervalSince1970), tv_nsec: 0),
            timespec(tv_sec: Int(date.timeIntervalSince1970), tv_nsec: 0),
        ]
        try #require(utimensat(AT_FDCWD, path, &times, 0) == 0, "utimensat \(path)")
    }

    @Test("only .upload.*.tmp files at the store's top, idle longer than the age, are removed")
    func sweep() throws {
        let folder = try TestFiles.directory("bundle-store-sweep")
        let store = BundleStore(directory: folder.appendingPathComponent("shelf.bundles").path)
        #expect(store.sweep(olderThan: 3600, now: Date()).isEmpty, "no store yet")
        let then = Date(timeIntervalSince1970: 1_900_000_000)
        let top = URL(fileURLWithPath: store.directory)
        try FileManager.default.createDirectory(at: top.appendingPathComponent("ab"), withIntermediateDirectories: true)
        let files = [
            ".upload.11.22.tmp": 48.0, ".upload.33.44.tmp": 1.0, ".upload.55.66": 48.0, "upload.77.88.tmp": 48.0,
            "ab/.upload.99.00.tmp": 48.0,
        ]
        for (name, hours) in files {
            let path = top.appendingPathComponent(name).path
            try Data("x".utf8).write(to: URL(fileURLWithPath: path))
            try Self.age(path, to: then.addingTimeInterval(-hours * 3600))
        }
        let folderLikeOne = top.appendingPathComponent(".upload.12.34.tmp").path
        try FileManager.default.createDirectory(atPath: folderLikeOne, withIntermediateDirectories: true)
        try Self.age(folderLikeOne, to: then.addingTimeInterval(-48 * 3600))

        // Ages are taken from the times as `stat` reads them back: under libfaketime (the test
        // command's second pass) they come back shifted, and the sweep reads them the same way.
        let written = try #require(
            (try? FileManager.default.attributesOfItem(atPath: top.appendingPathComponent(".upload.33.44.tmp").path))?[
                .modificationDate] as? Date)
        let now = written.addingTimeInterval(3600)
        #expect(store.sweep(olderThan: 24 * 3600, now: now) == [".upload.11.22.tmp"])
        let left = Set(files.keys).subtracting([".upload.11.22.tmp"])
        for name in left {
            #expect(FileManager.default.fileExists(atPath: top.appendingPathComponent(name).path), "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: folderLikeOne))
        // A shorter age takes the hour-old one too.
        #expect(store.sweep(olderThan: 1800, now: now) == [".upload.33.44.tmp"])
    }

    @Test(
        "an unfinished .upload.*.dir folder (a declaration and its materials put together) is swept whole by its own age"
    )
    func sweepFolders() throws {
        let folder = try TestFiles.directory("bundle-store-sweep-folders")
        let store = BundleStore(directory: folder.appendingPathComponent("shelf.bundles").path)
        let top = URL(fileURLWithPath: store.directory)
        let old = top.appendingPathComponent(".upload.1.2.dir")
        let recent = top.appendingPathComponent(".upload.3.4.dir")
        for made in [old, recent] {
            let inside = made.appendingPathComponent("labeling/sample.png")
            try FileManager.default.createDirectory(
                at: inside.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("png".utf8).write(to: inside)
            try #require(chmod(inside.path, 0o444) == 0, "read-only, as the store keeps them")
        }
        let fileNamedLikeOne = top.appendingPathComponent(".upload.5.6.dir")
        try Data("x".utf8).write(to: fileNamedLikeOne)
        let then = Date(timeIntervalSince1970: 1_900_000_000)
        try Self.age(old.path, to: then.addingTimeInterval(-48 * 3600))
        try Self.age(fileNamedLikeOne.path, to: then.addingTimeInterval(-48 * 3600))
        try Self.age(recent.path, to: then.addingTimeInterval(-60))
        let written = try #require(
            (try? FileManager.default.attributesOfItem(atPath: recent.path))?[.modificationDate] as? Date)
        #expect(store.sweep(olderThan: 24 * 3600, now: written.addingTimeInterval(60)) == [".upload.1.2.dir"])
        #expect(!FileManager.default.fileExists(atPath: old.path))
        #expect(FileManager.default.fileExists(atPath: recent.appendingPathComponent("labeling/sample.png").path))
        #expect(FileManager.default.fileExists(atPath: fileNamedLikeOne.path), "a file is not a folder")
    }

    @Test("review removes the unfinished copies --sweep-after names, says so, and 0 keeps them")
    func reviewSweeps() throws {
        let folder = try TestFiles.directory("bundle-store-sweep-e2e")
        let store = folder.appendingPathComponent("shelf.bundles")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        let stale = store.appendingPathComponent(".upload.1.2.tmp").path
        let recent = store.appendingPathComponent(".upload.3.4.tmp").path
        // Idle since 2001, and written "in the future": clear cases whatever the clock says
        // (the test command's second pass runs 15 years ahead).
        for (path, time) in [
            (stale, Date(timeIntervalSince1970: 1_000_000_000)),
            (recent, Date(timeIntervalSinceNow: 10 * 366 * 86_400)),
        ] {
            try Data("half a bundle".utf8).write(to: URL(fileURLWithPath: path))
            try Self.age(path, to: time)
        }
        let bundle = folder.appendingPathComponent("calculator.apk").path
        try Data(SampleBundles.calculatorAPK()).write(to: URL(fileURLWithPath: bundle))
        func review(_ extra: [String]) throws -> ShelfGuardBinary.Result {
            try ShelfGuardBinary.run(
                [
                    "review", "--db", folder.appendingPathComponent("shelf.db").path, "--as-of", "2026-11-24",
                    "--no-progress", "--bundle-store", store.path, "--report-dir",
                    folder.appendingPathComponent("report").path,
                ] + extra + [bundle])
        }
        let kept = try review(["--sweep-after", "0"])
        #expect(kept.status != 1, "\(kept.stderr)")
        #expect(FileManager.default.fileExists(atPath: stale) && !kept.stderr.contains("unfinished"))
        let swept = try review([])
        #expect(!FileManager.default.fileExists(atPath: stale) && FileManager.default.fileExists(atPath: recent))
        #expect(swept.stderr.contains("removed 1 unfinished temporary copy idle for more than 24 h"), "\(swept.stderr)")
        for bad in ["-1", "0.5", "90000"] {
            let refused = try review(["--sweep-after=\(bad)"])
            #expect(
                refused.status != 0 && refused.stderr.contains("--sweep-after must be 0 (never) or between 1 and"),
                "\(bad): \(refused.stderr)")
        }
    }
}

import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// The gatekeeper never sees less than the installer.
///
/// Each case below is a zip built by hand the way a hostile submitter would (long comments, a
/// second end record, data before or after, names and sizes that disagree, duplicates, zip64,
/// data descriptors, damaged directories, orphan headers, nested archives at every depth), with a
/// face-swap SDK hidden somewhere in it. ShelfGuard's reading is compared with a model of Android's
/// installer and with Python's `zipfile` and `bsdtar`, which share no code with it:
/// - every entry Android would extract, ShelfGuard reads, byte for byte the same;
/// - when Android would install the SDK, ShelfGuard detects it;
/// - whatever another reader lists that ShelfGuard does not read, ShelfGuard explains with a hazard.
@Suite("Differential: ShelfGuard against Android's rules, Python's zipfile and bsdtar")
struct DifferentialZipTests {
    /// One generated bundle.
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var bytes: [UInt8]
        /// Whether Android's installer opens it (checked against the model, so that a case
        /// cannot silently stop testing what it says).
        var androidOpens: Bool
        /// Limits for ShelfGuard's read (the spool case lowers the nested buffer).
        var limits: ReadLimits = .standard
        /// Hazards ShelfGuard must report.
        var hazards: Set<HazardKind> = []
        var testDescription: String { id }
    }

    /// Hazards that say "some reader sees entries another does not".
    static let explaining: Set<HazardKind> = [
        .hiddenEntry, .orphanEntry, .endRecordConflict, .damagedDirectory, .truncated, .duplicateEntry, .nameMismatch,
        .corrupt,
    ]

    // MARK: - The pieces every case is made of

    static let manifest = HostileBundles.manifest("com.example.differential")
    static let sdkName = "lib/arm64-v8a/libCNamaSDK.so"
    static var sdk: [UInt8] {
        var g = ContentGenerator(seed: 41)
        return g.elf(size: 6_000)
    }
    static var dexWithSDK: [UInt8] {
        var g = ContentGenerator(seed: 42)
        return g.dex(size: 8_000, strings: ["Lcom/example/Main;", "Lcom/faceunity/wrapper/faceunity;"])
    }
    static var cleanDex: [UInt8] {
        var g = ContentGenerator(seed: 43)
        return g.dex(size: 8_000, strings: ["Lcom/example/Main;"])
    }

    /// A small APK with the SDK in native code and in the DEX.
    static func apk(method: ZipBuilder.Method = .deflated, comment: [UInt8] = [], zip64: Bool = false) -> [UInt8] {
        let zip = ZipBuilder()
        var options = ZipBuilder.EntryOptions()
        options.zip64 = zip64
        zip.addFile("AndroidManifest.xml", manifest, method: method, options: options)
        zip.addFile("classes.dex", dexWithSDK, method: method, options: options)
        zip.addFile(sdkName, sdk, method: method, options: options)
        zip.finish(comment: comment, zip64: zip64)
        return zip.bytes
    }

    /// Offset of the last end record, and the fields a surgery needs.
    static func endRecord(_ bytes: [UInt8]) -> Int {
        var i = bytes.count - 22
        while i >= 0 && !(bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 5 && bytes[i + 3] == 6) {
            i -= 1
        }
        return i
    }

    static func le32(_ b: [UInt8], _ o: Int) -> Int {
        Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24
    }

    static func put16(_ b: inout [UInt8], _ o: Int, _ v: Int) {
        b[o] = UInt8(v & 0xFF)
        b[o + 1] = UInt8(v >> 8 & 0xFF)
    }

    static func put32(_ b: inout [UInt8], _ o: Int, _ v: Int) {
        for k in 0..<4 { b[o + k] = UInt8(v >> (8 * k) & 0xFF) }
    }

    // MARK: - The cases

    static let cases: [Case] = {
        var cases: [Case] = []
        cases.append(Case(id: "plain", bytes: apk(), androidOpens: true))
        cases.append(Case(id: "stored", bytes: apk(method: .stored), androidOpens: true))
        // Comments past libarchive's 16 KiB search, up to the most a zip allows.
        for length in [16 * 1024 + 1, 40_000, 65_535] {
            cases.append(
                Case(
                    id: "comment-\(length)", bytes: apk(comment: [UInt8](repeating: 0x43, count: length)),
                    androidOpens: true))
        }
        cases.append(Case(id: "zip64", bytes: apk(zip64: true), androidOpens: true))

        // Data descriptors, with and without their signature.
        for signed in [true, false] {
            let zip = ZipBuilder()
            var options = ZipBuilder.EntryOptions()
            options.dataDescriptor = true
            options.unsignedDataDescriptor = !signed
            zip.addFile("AndroidManifest.xml", manifest, options: options)
            zip.addFile(sdkName, sdk, options: options)
            zip.finish()
            cases.append(Case(id: "descriptor-\(signed ? "signed" : "unsigned")", bytes: zip.bytes, androidOpens: true))
        }

        // Data glued in front, offsets absolute (Janus).
        do {
            var g = ContentGenerator(seed: 44)
            let zip = ZipBuilder()
            zip.writePrefix(g.dex(size: 2_000, strings: ["Lcom/evil/Payload;"]))
            zip.addFile("AndroidManifest.xml", manifest)
            zip.addFile(sdkName, sdk)
            zip.finish()
            cases.append(Case(id: "prefix", bytes: zip.bytes, androidOpens: true, hazards: [.prependedData]))
        }

        // Bytes after the end record: Android refuses; ShelfGuard reads and says so.
        cases.append(
            Case(
                id: "trailing", bytes: apk() + Array("<html>502</html>".utf8), androidOpens: false,
                hazards: [.damagedDirectory]))

        // Garbage between the directory and its end record: v1-only APKs still install.
        do {
            let bytes = apk()
            let end = endRecord(bytes)
            let garbage = [UInt8](repeating: 0x47, count: 64)
            cases.append(
                Case(
                    id: "garbage-before-end-record", bytes: Array(bytes[..<end]) + garbage + Array(bytes[end...]),
                    androidOpens: true, hazards: [.damagedDirectory]))
        }

        // A directory cut short: the end record claims more than is there.
        do {
            var bytes = apk(method: .stored)
            let end = endRecord(bytes)
            let size = le32(bytes, end + 12)
            let cut = 30
            bytes.removeSubrange((end - cut)..<end)
            put32(&bytes, end - cut + 12, size - cut)
            cases.append(Case(id: "truncated-directory", bytes: bytes, androidOpens: false, hazards: [.truncated]))
        }

        // The end record counts fewer records than the directory holds: Android ignores the rest.
        do {
            var bytes = apk()
            let end = endRecord(bytes)
            put16(&bytes, end + 8, 2)
            put16(&bytes, end + 10, 2)
            cases.append(Case(id: "records-past-count", bytes: bytes, androidOpens: true, hazards: [.hiddenEntry]))
        }

        // A second end record at the very end, inside the first's comment, with a directory of its
        // own that lists the SDK: Android reads the last one.
        do {
            let zip = ZipBuilder()
            zip.addFile("AndroidManifest.xml", manifest, method: .stored)
            zip.addFile("classes.dex", cleanDex, method: .stored)
            var orphan = ZipBuilder.EntryOptions()
            orphan.inCentralDirectory = false
            zip.addFile(sdkName, sdk, method: .stored, options: orphan)
            zip.finish()
            var bytes = zip.bytes
            let realEnd = endRecord(bytes)
            // The SDK's local header sits just before the real directory: find it by name.
            let sdkHeader = bytes.indices.first { i in
                i + 30 + sdkName.utf8.count <= bytes.count && bytes[i] == 0x50 && bytes[i + 1] == 0x4B
                    && bytes[i + 2] == 3 && bytes[i + 3] == 4
                    && bytes[(i + 30)..<(i + 30 + sdkName.utf8.count)]
                        .elementsEqual(sdkName.utf8)
            }!
            let realDirectory = le32(bytes, realEnd + 16)
            let realSize = le32(bytes, realEnd + 12)
            // The fake directory: the real one's first record (the manifest) and a record for the SDK.
            var directory = Array(bytes[realDirectory..<(realDirectory + realSize)])
            let firstRecordLength = 46 + Int(directory[28]) + Int(directory[29]) << 8
            directory = Array(directory[..<firstRecordLength])
            var record = Array(bytes[realDirectory..<(realDirectory + 46)])
            put16(&record, 28, sdkName.utf8.count)
            put16(&record, 30, 0)
            put16(&record, 32, 0)
            put32(&record, 16, le32(bytes, sdkHeader + 14))  // CRC
            put32(&record, 20, sdk.count)
            put32(&record, 24, sdk.count)
            put32(&record, 42, sdkHeader)
            record[10] = 0
            record[11] = 0
            directory += record + Array(sdkName.utf8)
            let fakeDirectoryOffset = realEnd + 22
            var fakeEnd = [UInt8](repeating: 0, count: 22)
            put32(&fakeEnd, 0, 0x0605_4B50)
            put16(&fakeEnd, 8, 2)
            put16(&fakeEnd, 10, 2)
            put32(&fakeEnd, 12, directory.count)
            put32(&fakeEnd, 16, fakeDirectoryOffset)
            let comment = directory + fakeEnd
            put16(&bytes, realEnd + 20, comment.count)
            bytes += comment
            cases.append(
                Case(
                    id: "second-end-record", bytes: bytes, androidOpens: true,
                    hazards: [.endRecordConflict]))
        }

        // An orphan local header: Android never installs it; ShelfGuard names it.
        do {
            let zip = ZipBuilder()
            zip.addFile("AndroidManifest.xml", manifest)
            zip.addFile("classes.dex", cleanDex)
            var orphan = ZipBuilder.EntryOptions()
            orphan.inCentralDirectory = false
            zip.addFile(sdkName, sdk, options: orphan)
            zip.finish()
            cases.append(Case(id: "orphan", bytes: zip.bytes, androidOpens: true, hazards: [.orphanEntry]))
        }

        // Local header and directory disagree on the name, or on the sizes.
        do {
            let zip = ZipBuilder()
            zip.addFile("AndroidManifest.xml", manifest)
            var renamed = ZipBuilder.EntryOptions()
            renamed.centralName = Array(sdkName.utf8)
            zip.addFile("assets/readme.txt", sdk, options: renamed)
            zip.finish()
            cases.append(Case(id: "name-mismatch", bytes: zip.bytes, androidOpens: true, hazards: [.nameMismatch]))
        }
        do {
            let zip = ZipBuilder()
            zip.addFile("AndroidManifest.xml", manifest)
            var lying = ZipBuilder.EntryOptions()
            lying.localSizes = (10, 10)
            zip.addFile(sdkName, sdk, method: .stored, options: lying)
            zip.finish()
            cases.append(Case(id: "size-mismatch", bytes: zip.bytes, androidOpens: true))
        }

        // Duplicates (Android refuses the file), case and slash variants (distinct names).
        do {
            let zip = ZipBuilder()
            zip.addFile("AndroidManifest.xml", manifest)
            zip.addFile("classes.dex", cleanDex)
            zip.addFile("classes.dex", dexWithSDK)
            zip.finish()
            cases.append(Case(id: "duplicate", bytes: zip.bytes, androidOpens: false, hazards: [.duplicateEntry]))
        }
        do {
            let zip = ZipBuilder()
            zip.addFile("AndroidManifest.xml", manifest)
            zip.addFile("androidmanifest.xml", manifest)
            zip.addFile("lib/arm64-v8a/LIBCNAMASDK.SO", sdk)
            zip.addFile("lib\\arm64-v8a\\libCNamaSDK.so", sdk)
            zip.addFile("lib//arm64-v8a/libCNamaSDK.so", sdk)
            zip.addFile("classes.dex", dexWithSDK)
            zip.finish()
            cases.append(Case(id: "case-and-slash-variants", bytes: zip.bytes, androidOpens: true))
        }

        // Nested archives at every depth, stored and deflated.
        for depth in 1...3 {
            for method in [ZipBuilder.Method.stored, .deflated] {
                var inner = apk()
                for level in stride(from: depth, to: 0, by: -1) {
                    let zip = ZipBuilder()
                    zip.addFile("manifest.json", Array("{\"package_name\":\"com.example.differential\"}".utf8))
                    zip.addFile("split\(level).apk", inner, method: method)
                    zip.finish()
                    inner = zip.bytes
                }
                let label = if case .stored = method { "stored" } else { "deflated" }
                cases.append(Case(id: "nested-\(depth)-\(label)", bytes: inner, androidOpens: true))
            }
        }

        // A deflated base APK past the nested buffer, with a stray end record and a lying local
        // name inside: it must be read through its own central directory, from a spool file.
        do {
            var g = ContentGenerator(seed: 45)
            let base = ZipBuilder()
            base.addFile("AndroidManifest.xml", manifest)
            base.addFile(
                "assets/blob.bin", g.randomBytes(30_000) + [0x50, 0x4B, 5, 6] + g.randomBytes(30_000), method: .stored)
            var lying = ZipBuilder.EntryOptions()
            lying.centralName = Array(sdkName.utf8)
            base.addFile("assets/notes.txt", sdk, options: lying)
            base.addFile("classes.dex", dexWithSDK)
            base.finish()
            let xapk = ZipBuilder()
            xapk.addFile("manifest.json", Array("{\"package_name\":\"com.example.differential\"}".utf8))
            xapk.addFile("base.apk", base.bytes, method: .deflated)
            xapk.finish()
            var limits = ReadLimits()
            limits.maxBufferedBytes = 16 * 1024
            cases.append(
                Case(
                    id: "nested-spooled", bytes: xapk.bytes, androidOpens: true, limits: limits,
                    hazards: [.nameMismatch]))
        }
        return cases
    }()

    // MARK: - The comparison

    /// What ShelfGuard read: every file entry's content digest by path chain, and the hazards.
    static func shelfGuardRead(
        _ item: Case, path: String
    ) throws -> (contents: [String: String], hazards: Set<HazardKind>, report: BundleReport) {
        var visitor = CollectingVisitor()
        let report = try BundleReader(options: ReadOptions(limits: item.limits)).read(path: path, visitor: &visitor)
        var contents: [String: String] = [:]
        for (path, bytes) in visitor.contents { contents[path] = SHA256Hex.of(bytes) }
        for entry in report.entries where entry.size == 0 && entry.kind != .directory && contents[entry.path] == nil {
            contents[entry.path] = SHA256Hex.of([])
        }
        return (contents, Set(report.hazards.map(\.kind)), report)
    }

    @Test("ShelfGuard reads at least what Android installs, and explains what others see", arguments: cases)
    func differential(_ item: Case) throws {
        try #require(IndependentReaders.pythonAvailable, "python3 is needed (scripts/setup --with-tools installs it)")
        let path = try TestFiles.write(item.bytes, name: "\(item.id).apk")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let (contents, hazards, report) = try Self.shelfGuardRead(item, path: path)

        let android = try IndependentReaders.android(path)
        #expect(android.opens == item.androidOpens, "the Android model: \(android.reason)")
        for (name, digest) in android.extracted where !name.hasSuffix(".apk") {
            #expect(
                contents[name] == digest, "Android extracts \(name); ShelfGuard read \(contents[name] ?? "nothing")")
        }
        #expect(hazards.isSuperset(of: item.hazards), "expected hazards \(item.hazards), found \(hazards)")

        // The SDK that Android would install is detected.
        let sdkDigests = [SHA256Hex.of(Self.sdk), SHA256Hex.of(Self.dexWithSDK)]
        let installsSDK =
            android.opens
            && android.extracted.contains { name, digest in
                sdkDigests.contains(digest) && (name.hasSuffix("libCNamaSDK.so") || name.hasSuffix(".dex"))
            }
        if installsSDK && item.limits == .standard {
            let inspection = try SeedDatabase.inspect(item.bytes, name: "\(item.id).apk")
            #expect(inspection.detections.contains { $0.signature == "faceunity_nama" }, "the hidden SDK is found")
        }

        // Whatever another reader lists that ShelfGuard did not read is explained by a hazard.
        let read = Set(report.entries.map(\.path))
        let zipfile = try IndependentReaders.zipfile(path)
        let unexplained = zipfile.entries.map(\.name).filter { !read.contains($0) && !$0.hasSuffix("/") }
        if !unexplained.isEmpty {
            #expect(!hazards.isDisjoint(with: Self.explaining), "zipfile lists \(unexplained) and no hazard says why")
        }
        if IndependentReaders.bsdtarAvailable {
            let listed = try IndependentReaders.bsdtar(path).filter { !$0.hasSuffix("/") && !read.contains($0) }
            if !listed.isEmpty {
                #expect(!hazards.isDisjoint(with: Self.explaining), "bsdtar lists \(listed) and no hazard says why")
            }
        }
    }

    @Test("the apksig max-sized comment layouts read in full")
    func maxComment() throws {
        // As apksig's v1-only-max-sized-eocd-comment.apk: a 65,535-byte comment.
        let bytes = Self.apk(comment: [UInt8](repeating: 0, count: 65_535))
        let report = try TestFiles.read(bytes)
        #expect(report.bundle.entryCount == 3 && report.bundle.complete)
        #expect(report.hazards.isEmpty, "\(report.hazards)")
    }
}

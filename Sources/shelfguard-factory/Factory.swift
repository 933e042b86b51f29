import ArgumentParser
import BundleFactory
import Foundation

/// `shelfguard-factory`: writes the bundles ShelfGuard's samples, tests and benchmarks use.
@main
struct Factory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shelfguard-factory",
        abstract: "Write sample, hostile and benchmark bundles (for developers of ShelfGuard).",
        subcommands: [Samples.self, Benchmark.self, Batch.self, Hostile.self, Labeled.self])
}

/// Writes a labeled sample output for every carrier and variant `shelfguard labels` reads.
struct Labeled: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write labeled images, video, audio and Office files, one per carrier and variant (see LabeledMedia)."
    )

    @Argument(help: "Folder to write into.")
    var directory: String

    @Flag(
        help:
            "Write the demo's sample outputs instead (samples/labeling/: a valid label, a supplier's, another company's, a malformed one, none, a cut file)."
    )
    var samples = false

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if samples {
            for sample in LabeledMedia.demo() {
                let path = (directory as NSString).appendingPathComponent(sample.path)
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(sample.bytes).write(to: URL(fileURLWithPath: path))
                print("wrote \(path) (\(sample.bytes.count) bytes): \(sample.shows)")
            }
            return
        }
        for sample in LabeledMedia.all() {
            let path = (directory as NSString).appendingPathComponent(sample.name)
            try Data(sample.bytes).write(to: URL(fileURLWithPath: path))
            print("wrote \(path): \(sample.carrier ?? "no label"), \(sample.form ?? "-")")
        }
    }
}

/// Writes a batch of submissions, each bundle with its declaration beside it.
struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a batch of distinct APKs with declarations, for `shelfguard review` (see BatchBundles).")

    @Argument(help: "Folder to write into.")
    var directory: String

    @Option(help: "How many submissions.")
    var count: Int = 200

    @Option(help: "Size multiplier (1: 0.84 MB per bundle on average).")
    var scale: Double = 1

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var total = 0
        for i in 0..<count {
            let submission = BatchBundles.submission(i, scale: scale)
            let path = (directory as NSString).appendingPathComponent(submission.name)
            try Data(submission.bytes).write(to: URL(fileURLWithPath: path))
            try submission.declaration.write(toFile: path + ".declaration.yaml", atomically: true, encoding: .utf8)
            total += submission.bytes.count
        }
        print("wrote \(count) bundles with declarations to \(directory) (\(total) bytes)")
    }
}

/// Regenerates `samples/`.
struct Samples: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the sample bundles the README's demo reads (same bytes every time).")

    @Argument(help: "Folder to write into.")
    var directory: String = "samples"

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, bytes) in try SampleBundles.all() {
            let path = (directory as NSString).appendingPathComponent(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            print("wrote \(path) (\(bytes.count) bytes)")
        }
    }
}

/// Writes the large benchmark bundle.
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the large benchmark APK.")

    @Argument(help: "File to write.")
    var path: String

    @Option(help: "Size multiplier for the large files (1 gives over 200 MB uncompressed).")
    var scale: Int = 1

    func run() throws {
        let stats = try BenchmarkBundle.write(to: path, scale: scale)
        print(
            "wrote \(path): \(stats.fileBytes) bytes, \(stats.entries) entries (+\(stats.nestedEntries) nested), \(stats.uncompressedBytes) bytes uncompressed"
        )
    }
}

/// Writes one hostile bundle, for trying ShelfGuard by hand.
struct Hostile: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write one hostile bundle.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case bomb, nestedBomb = "nested-bomb", deep, names, janus, encrypted, fakeExtensions = "fake-extensions"
        case hidden, mismatch, wxapkgOffsets = "wxapkg-offsets"
    }

    @Argument(help: "Which trick: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kind: Kind

    @Argument(help: "File to write.")
    var path: String

    func run() throws {
        let bytes: [UInt8]
        switch kind {
        case .bomb: bytes = HostileBundles.zipBomb(size: 1 << 30)
        case .nestedBomb: bytes = HostileBundles.nestedBomb(levels: 3, fanout: 8, leafSize: 64 << 20)
        case .deep: bytes = HostileBundles.nested(depth: 12)
        case .names: bytes = HostileBundles.hostileNames()
        case .janus: bytes = HostileBundles.janus()
        case .encrypted: bytes = HostileBundles.encryptedEntry()
        case .fakeExtensions: bytes = HostileBundles.fakeExtensions()
        case .hidden: bytes = HostileBundles.hiddenAlias()
        case .mismatch: bytes = HostileBundles.nameMismatch()
        case .wxapkgOffsets: bytes = HostileBundles.wxapkgOutOfRange()
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        print("wrote \(path) (\(bytes.count) bytes)")
    }
}

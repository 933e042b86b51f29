import ArgumentParser
import BundleFactory
import Foundation

/// `shelfguard-factory`: writes the bundles ShelfGuard's samples, tests and benchmarks use.
@main
struct Factory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shelfguard-factory",
        abstract: "Write sample, hostile and benchmark bundles (for developers of ShelfGuard).",
        subcommands: [Samples.self, Benchmark.self, Hostile.self])
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

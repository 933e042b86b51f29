import Crypto
import Foundation
import ShelfGuardKit

/// Temporary files for tests: every fixture is generated in code and written here.
enum TestFiles {
    /// A fresh folder under the system's temporary folder.
    static func directory(_ label: String = "shelfguard-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` to a new temporary file called `name`; returns its path.
    static func write(_ bytes: [UInt8], name: String = "bundle.apk") throws -> String {
        let url = try directory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Reads generated bundle bytes through the reader, as if submitted under `name`.
    static func read(
        _ bytes: [UInt8], name: String = "bundle.apk", limits: ReadLimits = .standard, appID: String? = nil
    ) throws -> BundleReport {
        let path = try write(bytes, name: name)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        return try BundleReader(options: ReadOptions(limits: limits, wechatAppID: appID)).read(path: path)
    }

    /// The same, with a visitor.
    static func read<V: EntryVisitor>(
        _ bytes: [UInt8], name: String = "bundle.apk", limits: ReadLimits = .standard, visitor: inout V
    ) throws -> BundleReport {
        let path = try write(bytes, name: name)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        return try BundleReader(options: ReadOptions(limits: limits)).read(path: path, visitor: &visitor)
    }

    /// The package's root folder (the one holding Package.swift).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }
}

extension BundleReport {
    /// Hazards of one kind.
    func hazards(_ kind: HazardKind) -> [Hazard] { hazards.filter { $0.kind == kind } }

    /// The entry at a `!`-separated path, if any.
    func entry(_ path: String) -> BundleEntry? { entries.first { $0.path == path } }
}

/// Collects every entry's bytes, to compare what the reader delivered with what was packed.
struct CollectingVisitor: EntryVisitor {
    var contents: [String: [UInt8]] = [:]
    var finished: [String: Bool] = [:]

    func wantsContent(of entry: BundleEntry) -> Bool { true }

    mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        contents[entry.path, default: []].append(contentsOf: chunk)
    }

    mutating func finish(_ entry: BundleEntry, complete: Bool) {
        finished[entry.path] = complete
    }
}

/// SHA-256 in hex, from swift-crypto, for comparing digests.
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).hexString
    }
}

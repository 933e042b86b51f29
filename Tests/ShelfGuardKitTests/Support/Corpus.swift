import Foundation
import Testing
import Yams

/// The shared corpus of real bundles (`../shared/corpus` beside the project, or
/// `$SHELFGUARD_CORPUS`) and the facts an independent tool read from them (`expected.yaml`).
enum Corpus {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["SHELFGUARD_CORPUS"] {
            return URL(fileURLWithPath: override)
        }
        return TestFiles.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    }

    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("expected.yaml").path)
    }

    /// Why corpus tests are skipped, printed by the test runner.
    static var absenceNote: Comment {
        "the shared corpus is absent: no \(directory.path)/expected.yaml (clone ../shared beside the project, or set SHELFGUARD_CORPUS)"
    }

    /// The manifest facts an independent tool read.
    struct Facts: Sendable, Equatable {
        var appId: String?
        var versionCode: String?
        var versionName: String?
        var minSdk: String?
        var targetSdk: String?
        var permissions: [String]?
        var requestsCamera: Bool?
        var requestsMicrophone: Bool?

        init(_ d: [String: Any]) {
            func text(_ key: String) -> String? {
                switch d[key] {
                case let s as String: s
                case let i as Int: String(i)
                default: nil
                }
            }
            appId = text("package") ?? text("bundle_id")
            versionCode = text("versionCode")
            versionName = text("versionName")
            minSdk = text("minSdkVersion") ?? text("minAPIVersion")
            targetSdk = text("targetSdkVersion") ?? text("targetAPIVersion")
            permissions = d["permissions"] as? [String]
            requestsCamera = d["requests_camera"] as? Bool
            requestsMicrophone = d["requests_microphone"] as? Bool
        }
    }

    /// One file of the corpus with its expected facts.
    struct Item: CustomTestStringConvertible, Sendable {
        var file: String
        var platform: String
        var sha256: String
        var size: Int64
        var zipEntries: Int?
        var bytesBeforeFirstLocalHeader: Int64?
        var facts: Facts
        /// False when the independent tool refused the file (a strict parser's view).
        var parseOK: Bool?
        /// What a tolerant parser should read where the strict one refused.
        var lenient: Facts?

        var path: String { Corpus.directory.appendingPathComponent(file).path }
        var isBundle: Bool { platform != "axml" }
        var testDescription: String { file }
    }

    /// Every file listed in expected.yaml (empty when the corpus is absent).
    static let items: [Item] = {
        guard isPresent,
            let text = try? String(contentsOf: directory.appendingPathComponent("expected.yaml"), encoding: .utf8),
            let root = (try? Yams.load(yaml: text)) as? [String: Any],
            let files = root["files"] as? [[String: Any]]
        else { return [] }
        return files.compactMap { file in
            guard let name = file["file"] as? String else { return nil }
            let expected = file["expected"] as? [String: Any] ?? [:]
            let zip = expected["zip"] as? [String: Any] ?? [:]
            return Item(
                file: name, platform: file["platform"] as? String ?? "", sha256: file["sha256"] as? String ?? "",
                size: Int64(file["size"] as? Int ?? -1), zipEntries: zip["zip_entries"] as? Int,
                bytesBeforeFirstLocalHeader: (zip["bytes_before_first_local_header"] as? Int).map(Int64.init),
                facts: Facts(expected), parseOK: expected["parse_ok"] as? Bool,
                lenient: (expected["lenient_reading"] as? [String: Any]).map(Facts.init))
        }
    }()

    static var bundles: [Item] { items.filter(\.isBundle) }
    static var manifests: [Item] { items.filter { !$0.isBundle } }
}

/// External tools some tests compare with.
enum Tools {
    /// The path of `bsdtar`, if installed (Debian: libarchive-tools).
    static let bsdtar: String? = ["/usr/bin/bsdtar", "/usr/local/bin/bsdtar", "/bin/bsdtar"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs a command and returns its standard output.
    static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Real rows of the published filing lists (`../shared/registry` beside the project, or
/// `$SHELFGUARD_REGISTRY`).
enum PublishedLists {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["SHELFGUARD_REGISTRY"] {
            return URL(fileURLWithPath: override)
        }
        return TestFiles.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/registry")
    }

    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("cancellations.csv").path)
    }

    static var absenceNote: Comment {
        "the published lists are absent: no \(directory.path)/cancellations.csv (clone ../shared beside the project, or set SHELFGUARD_REGISTRY)"
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

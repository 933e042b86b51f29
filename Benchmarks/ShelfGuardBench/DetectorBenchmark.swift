import ArgumentParser
import BundleFactory
import Foundation
import ShelfGuardKit

/// Issue 4's benchmark: what growing the feature database from 80 to 800 signatures costs a full
/// inspection of the benchmark bundle, both databases timed in the same process, interleaved.
/// (The inspect-against-bsdtar ratio is in `shelfguard-bench reader`.)
struct DetectorBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detector",
        abstract: "Time inspect with 80 and with 800 signatures on the benchmark bundle.")

    @Option(help: "Runs of each database (the median is reported).")
    var runs = 7

    @Option(help: "Folder for the generated bundles and databases.")
    var workDirectory = ".build/bench-bundles"

    @Option(help: "The policies folder with the seed database.")
    var policies = "policies"

    @Flag(help: "Run the detector on the reading thread (no second core) to see its own cost.")
    var singleThread = false

    @Option(help: "Only this kind of synthetic matcher (host, class, file, string, path); default: the seed's mix.")
    var only: String?

    func run() throws {
        let bundle = "\(workDirectory)/bench-\(BenchmarkBundle.version)-x1.apk"
        if !FileManager.default.fileExists(atPath: bundle) {
            print("generating \(bundle)…")
            _ = try BenchmarkBundle.write(to: bundle, scale: 1)
        }
        let seed = try SignatureDatabase.load(policies: URL(fileURLWithPath: policies))
        let small = SignatureDatabase(
            signatures: Array(seed.signatures.prefix(80)), taxonomy: seed.taxonomy, digest: "first-80")

        let folder = URL(fileURLWithPath: workDirectory).appendingPathComponent("synthetic-signatures")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.syntheticYAML(count: 720, only: only).write(
            to: folder.appendingPathComponent("synthetic.yaml"), atomically: true, encoding: .utf8)
        var loadStart = Date()
        let extra = try SignatureDatabase.load(signatures: folder, taxonomy: seed.taxonomy)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let large = SignatureDatabase(
            signatures: small.signatures + extra.signatures, taxonomy: seed.taxonomy, digest: "first-80+720")

        loadStart = Date()
        let smallEngine = SignatureEngine(small)
        let smallCompile = Date().timeIntervalSince(loadStart)
        loadStart = Date()
        let largeEngine = SignatureEngine(large)
        let largeCompile = Date().timeIntervalSince(loadStart)

        print("Detector benchmark: inspect (read + manifests + detection) of \(bundle), \(runs) interleaved runs each.")
        print(
            "  80 signatures: automaton \(smallEngine.content.stateCount) states, \(smallEngine.content.tableBytes / 1024) KiB; compiled in \(String(format: "%.1f", smallCompile * 1000)) ms"
        )
        print(
            "  800 signatures: automaton \(largeEngine.content.stateCount) states, \(largeEngine.content.tableBytes / 1024) KiB; compiled in \(String(format: "%.1f", largeCompile * 1000)) ms; 720 loaded and linted in \(String(format: "%.1f", loadSeconds * 1000)) ms"
        )
        let options = InspectOptions(detectInBackground: !singleThread)
        print("  detector: \(singleThread ? "on the reading thread" : "on a second thread (the default)")")
        var times80: [Double] = []
        var times800: [Double] = []
        var found = (0, 0)
        _ = try Inspector(options: options, signatures: smallEngine).inspect(path: bundle)  // warm the page cache
        for _ in 0..<runs {
            var start = Date()
            found.0 = try Inspector(options: options, signatures: smallEngine).inspect(path: bundle).detections.count
            times80.append(Date().timeIntervalSince(start))
            start = Date()
            found.1 = try Inspector(options: options, signatures: largeEngine).inspect(path: bundle).detections.count
            times800.append(Date().timeIntervalSince(start))
        }
        let a = Summary(times80)
        let b = Summary(times800)
        print("  database        median     min        max        detections")
        print(
            "  80 signatures   \(secondsText(a.median))    \(secondsText(a.min))    \(secondsText(a.max))    \(found.0)"
        )
        print(
            "  800 signatures  \(secondsText(b.median))    \(secondsText(b.min))    \(secondsText(b.max))    \(found.1)"
        )
        print(
            String(
                format: "  800 / 80: %.3f× (%+.1f%%); target: at most +10%%", b.median / a.median,
                (b.median / a.median - 1) * 100))
    }

    /// Signatures in the seed's proportions of matcher kinds, for vendors that do not exist.
    static func syntheticYAML(count: Int, only: String? = nil) -> String {
        var text = "signatures:\n"
        let features = ["text_generation", "voice_synthesis", "face_swap", "image_generation", "face_manipulation"]
        for i in 0..<count {
            let vendor = "vendor\(i)x"
            let matcher: String
            let positive: String
            let slot: Int =
                switch only {
                case "host": 0
                case "class": 3
                case "file": 5
                case "string": 8
                case "path": 9
                default: i % 10
                }
            switch slot {
            case 0, 1, 2:
                matcher = "host: api.\(vendor)-ai.example.com"
                positive = "content: \"https://api.\(vendor)-ai.example.com/v1/generate\"\n          kind: dex"
            case 3, 4:
                matcher = "class: Lcom/\(vendor)/sdk/"
                positive = "class: Lcom/\(vendor)/sdk/Engine;"
            case 5, 6, 7:
                matcher = "file: lib\(vendor)ai.so"
                positive = "path: lib/arm64-v8a/lib\(vendor)ai.so"
            case 8:
                matcher = "string: \(vendor)_generate_image"
                positive = "content: \"\(vendor)_generate_image\"\n          kind: elf"
            default:
                matcher = "path: \"assets/\(vendor)/**/*.bin\""
                positive = "path: assets/\(vendor)/models/m.bin"
            }
            text += """
                  - id: synthetic_\(vendor)
                    vendor: \(vendor)
                    product: synthetic SDK \(i)
                    category: synthesis
                    features: [\(features[i % features.count])]
                    confidence: medium
                    match:
                      - \(matcher)
                    examples:
                      positive:
                        - \(positive)
                      negative:
                        - path: lib/arm64-v8a/libunrelated.so

                """
        }
        return text
    }
}

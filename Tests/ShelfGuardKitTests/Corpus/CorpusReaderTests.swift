import Foundation
import Testing

@testable import ShelfGuardKit

/// The reader on real bundles that nobody on this project wrote.
@Suite("The shared corpus", .enabled(if: Corpus.isPresent, Corpus.absenceNote))
struct CorpusReaderTests {
    @Test("the corpus lists its bundles")
    func listed() {
        #expect(Corpus.bundles.count >= 9, "expected.yaml lists \(Corpus.bundles.count) bundles")
    }

    @Test(
        "every bundle is read completely, with the entry count, size and SHA-256 of expected.yaml",
        arguments: Corpus.bundles)
    func bundle(item: Corpus.Item) throws {
        let report = try BundleReader().read(path: item.path)
        #expect(report.bundle.complete, "\(report.hazards)")
        #expect(report.bundle.sha256 == item.sha256)
        #expect(report.bundle.size == item.size)
        if let expected = item.zipEntries {
            #expect(report.bundle.entryCount == expected)
        }
        if let prefix = item.bytesBeforeFirstLocalHeader {
            let hazard = report.hazards(.prependedData).first
            #expect(hazard?.detail.hasPrefix("\(prefix) bytes of dex") == true)
        } else {
            #expect(report.hazards.isEmpty, "\(report.hazards)")
        }
        let expectedFormat: BundleFormat? =
            switch item.platform {
            case "android-apk": .apk
            case "android-aab": .aab
            case "ios-ipa": .ipa
            case "harmony-hap": .hap
            default: nil
            }
        #expect(report.bundle.format == expectedFormat)
    }

    @Test(
        "entry counts equal what bsdtar -tf lists",
        .enabled(if: Tools.bsdtar != nil, "bsdtar is not installed (Debian: libarchive-tools)"),
        arguments: Corpus.bundles)
    func bsdtarCount(item: Corpus.Item) throws {
        let listing = try Tools.output(Tools.bsdtar!, ["-tf", item.path])
        let count = listing.split(separator: "\n", omittingEmptySubsequences: true).count
        let report = try BundleReader().read(path: item.path)
        #expect(report.bundle.entryCount == count)
    }

    @Test("bare binary manifests are not bundles: reported unreadable, never a crash", arguments: Corpus.manifests)
    func manifest(item: Corpus.Item) throws {
        let report = try BundleReader().read(path: item.path)
        #expect(report.hazards.map(\.kind) == [.unreadable])
        #expect(report.hazards.first?.detail.contains("binary_xml") == true)
    }
}

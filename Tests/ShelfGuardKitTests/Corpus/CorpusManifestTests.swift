import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Manifests of real bundles and real adversarial binary manifests, against what androguard,
/// protoc and plistlib read from them (`expected.yaml`).
@Suite("Corpus manifests", .enabled(if: Corpus.isPresent, Corpus.absenceNote))
struct CorpusManifestTests {
    static func check(_ manifest: AppManifest?, against facts: Corpus.Facts, _ label: String) {
        #expect(manifest?.appId == facts.appId, "\(label)")
        #expect(manifest?.versionCode == facts.versionCode, "\(label)")
        #expect(manifest?.versionName == facts.versionName, "\(label)")
        if let permissions = facts.permissions {
            #expect(manifest?.permissions == permissions, "\(label)")
        }
        if let minSdk = facts.minSdk { #expect(manifest?.minPlatformVersion == minSdk, "\(label)") }
        if let targetSdk = facts.targetSdk { #expect(manifest?.targetPlatformVersion == targetSdk, "\(label)") }
        if let camera = facts.requestsCamera {
            #expect(manifest?.capabilities.contains(.camera) == camera, "\(label)")
        }
        if let microphone = facts.requestsMicrophone {
            #expect(manifest?.capabilities.contains(.microphone) == microphone, "\(label)")
        }
    }

    @Test("every bundle's manifest matches expected.yaml", arguments: Corpus.bundles)
    func bundle(item: Corpus.Item) throws {
        let inspection = try Inspector().inspect(path: item.path)
        #expect(!inspection.hazards.contains { $0.kind == .manifestUnreadable || $0.kind == .manifestMissing })
        Self.check(inspection.manifest, against: item.facts, item.file)
    }

    @Test("every adversarial binary manifest is parsed, as Android and androguard read it", arguments: Corpus.manifests)
    func adversarial(item: Corpus.Item) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: item.path)))
        let parsed = Result { () throws(ManifestError) in try BinaryXML.parse(bytes, limits: .standard) }
        if item.parseOK == false {
            // The strict tool refused it: either refuse too, or read exactly the lenient values.
            if case .success(let document) = parsed, let lenient = item.lenient {
                Self.check(manifest(document), against: lenient, item.file)
            }
        } else {
            let document = try #require(try? parsed.get(), "\(item.file) was not parsed")
            Self.check(manifest(document), against: item.facts, item.file)
        }
    }

    @Test("an adversarial manifest inside an APK: the whole inspection reads it", arguments: Corpus.manifests)
    func adversarialInsideAPK(item: Corpus.Item) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: item.path)))
        let apk = ZipBuilder.archive([("AndroidManifest.xml", bytes)])
        let path = try TestFiles.write(apk, name: "wrapped.apk")
        let inspection = try Inspector().inspect(path: path)
        if let manifest = inspection.manifest {
            Self.check(manifest, against: item.parseOK == false ? item.lenient ?? item.facts : item.facts, item.file)
        } else {
            #expect(item.parseOK == false)
            #expect(inspection.hazards.contains { $0.kind == .manifestUnreadable })
        }
    }

    @Test("shelfguard inspect --format json reports the corpus's appId, versions and permissions")
    func endToEnd() throws {
        let items = Corpus.bundles
        let result = try ShelfGuardBinary.run(["inspect", "--format", "json"] + items.map(\.path))
        #expect(result.status == 3)  // janus.apk carries a hazard; the rest are clean
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == items.count)
        for (item, output) in zip(items, array) {
            let manifest = output["manifest"] as? [String: Any]
            #expect(manifest?["appId"] as? String == item.facts.appId, "\(item.file)")
            #expect(manifest?["versionCode"] as? String == item.facts.versionCode, "\(item.file)")
            #expect(manifest?["versionName"] as? String == item.facts.versionName, "\(item.file)")
            #expect(manifest?["permissions"] as? [String] == item.facts.permissions, "\(item.file)")
        }
    }

    private func manifest(_ document: XMLElement) -> AppManifest {
        let facts = AndroidManifestReader.facts(from: document, resources: nil)
        var manifest = AppManifest(platform: .android)
        manifest.appId = facts.package
        manifest.versionCode = facts.versionCode
        manifest.versionName = facts.versionName
        manifest.minPlatformVersion = facts.minSdk
        manifest.targetPlatformVersion = facts.targetSdk
        manifest.addPermissions(facts.permissions)
        manifest.deriveCapabilities()
        return manifest
    }
}

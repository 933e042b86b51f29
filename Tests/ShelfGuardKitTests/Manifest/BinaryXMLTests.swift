import BundleFactory
import Testing

@testable import ShelfGuardKit

@Suite("Android binary XML")
struct BinaryXMLTests {
    static let manifest = AndroidManifestBuilder.manifest(
        package: "com.example.app", versionCode: 42, versionName: .string("4.2"), label: .string("App"),
        minSdk: 24, targetSdk: 34, permissions: ["android.permission.CAMERA", "android.permission.RECORD_AUDIO"],
        features: ["android.hardware.camera"],
        components: [
            .init("activity", "com.example.app.Main", exported: true), .init("service", "com.example.app.Sync"),
        ],
        metaData: [("com.vendor.APP_KEY", "abc123")])

    static func facts(_ bytes: [UInt8], resources: ResourceTable? = nil) throws -> AndroidManifestFacts {
        AndroidManifestReader.facts(from: try BinaryXML.parse(bytes, limits: .standard), resources: resources)
    }

    @Test(
        "every fact is read, from UTF-16 and UTF-8 string pools, whatever the outer chunk type",
        arguments: [
            BinaryXMLWriter.Options(), BinaryXMLWriter.Options(utf8: true),
            BinaryXMLWriter.Options(outerType: 0x0000), BinaryXMLWriter.Options(terminateStrings: false),
        ])
    func roundTrip(options: BinaryXMLWriter.Options) throws {
        let facts = try Self.facts(BinaryXMLWriter.write(Self.manifest, options: options))
        #expect(facts.package == "com.example.app")
        #expect(facts.versionCode == "42")
        #expect(facts.versionName == "4.2")
        #expect(facts.label == "App")
        #expect(facts.minSdk == "24")
        #expect(facts.targetSdk == "34")
        #expect(facts.permissions == ["android.permission.CAMERA", "android.permission.RECORD_AUDIO"])
        #expect(facts.features == ["android.hardware.camera"])
        #expect(
            facts.components == [
                .init(type: "activity", name: "com.example.app.Main", exported: true),
                .init(type: "service", name: "com.example.app.Sync", exported: nil),
            ])
        #expect(facts.metaData == [.init(name: "com.vendor.APP_KEY", value: "abc123")])
    }

    @Test("attributes are identified by resource id: a blanked name still counts, a fake name does not")
    func resourceIDs() throws {
        var root = Self.manifest
        // Obfuscated: the versionCode attribute's name is blanked, its resource id kept.
        root.attributes[0] = .init(
            namespace: AndroidManifestBuilder.androidNamespace, name: "", resourceID: 0x0101_021B, value: .int(7))
        // A fake attribute called versionName without a resource id: Android ignores it.
        root.attributes[1] = .init(
            namespace: AndroidManifestBuilder.androidNamespace, name: "versionName", resourceID: nil,
            value: .string("fake"))
        let facts = try Self.facts(BinaryXMLWriter.write(root))
        #expect(facts.versionCode == "7")
        #expect(facts.versionName == nil)
    }

    @Test("permissions count only as direct children of <manifest>, once each, in order")
    func permissionPlacement() throws {
        var root = Self.manifest
        root.children.append(
            XMLNode("uses-permission-sdk-23", [.android("name", .string("android.permission.CAMERA"))]))
        root.children.append(
            XMLNode("uses-permission-sdk-23", [.android("name", .string("android.permission.READ_CONTACTS"))]))
        root.children[root.children.count - 3].children.append(
            XMLNode("uses-permission", [.android("name", .string("android.permission.SEND_SMS"))]))
        let facts = try Self.facts(BinaryXMLWriter.write(root))
        #expect(
            facts.permissions == [
                "android.permission.CAMERA", "android.permission.RECORD_AUDIO", "android.permission.READ_CONTACTS",
            ])
    }

    @Test("a versionName that is a reference resolves through resources.arsc")
    func reference() throws {
        let root = AndroidManifestBuilder.manifest(
            package: "com.example.ref", versionCode: 1, versionName: .reference(0x7F05_0001),
            label: .reference(0x7F05_0000))
        let table = try ResourceTable(ResourceTableWriter.write(strings: ["Ref App", "v1.6pre2"]), limits: .standard)
        let facts = try Self.facts(BinaryXMLWriter.write(root), resources: table)
        #expect(facts.versionName == "v1.6pre2")
        #expect(facts.label == "Ref App")
        // Without the table the raw reference is reported, as aapt prints it.
        #expect(try Self.facts(BinaryXMLWriter.write(root)).versionName == "@7F050001")
    }

    @Test("damaged documents are refused with a reason, never a crash")
    func damaged() throws {
        #expect(throws: ManifestError.self) { try BinaryXML.parse([1, 2, 3], limits: .standard) }
        #expect(throws: ManifestError.self) { try BinaryXML.parse(Array("<manifest/>".utf8), limits: .standard) }
        let good = BinaryXMLWriter.write(Self.manifest)
        for cut in stride(from: 0, to: good.count, by: 7) {
            _ = try? BinaryXML.parse(Array(good.prefix(cut)), limits: .standard)
        }
        // Cut after the first element: what was read is kept, the open elements are closed.
        let partial = try BinaryXML.parse(Array(good.prefix(good.count - 40)), limits: .standard)
        #expect(partial.name == "manifest")
    }

    @Test("the depth and node limits hold against deep and wide documents")
    func limits() throws {
        var deep = XMLNode("leaf")
        for _ in 0..<200 { deep = XMLNode("n", children: [deep]) }
        let document = BinaryXMLWriter.write(XMLNode("manifest", children: [deep]))
        #expect(throws: ManifestError.limit("nested more than 64 levels deep (limit: --max-manifest-depth)")) {
            try BinaryXML.parse(document, limits: .standard)
        }
        var limits = ManifestLimits()
        limits.maxDepth = 500
        #expect(try BinaryXML.parse(document, limits: limits).name == "manifest")

        let wide = BinaryXMLWriter.write(BenchmarkBundle.largeManifest(components: 2_000))
        limits = ManifestLimits()
        limits.maxNodes = 1_000
        #expect(throws: ManifestError.limit("more than 1000 nodes (limit: --max-manifest-nodes)")) {
            try BinaryXML.parse(wide, limits: limits)
        }
    }
}

@Suite("aapt2 protobuf XML (AAB manifests)")
struct ProtoXMLTests {
    @Test("every fact is read, values from strings or compiled items")
    func roundTrip() throws {
        let bytes = ProtoXMLWriter.write(BinaryXMLTests.manifest)
        let facts = AndroidManifestReader.facts(from: try ProtoXML.parse(bytes, limits: .standard), resources: nil)
        #expect(facts.package == "com.example.app")
        #expect(facts.versionCode == "42")
        #expect(facts.versionName == "4.2")
        #expect(facts.permissions == ["android.permission.CAMERA", "android.permission.RECORD_AUDIO"])
        #expect(facts.components.first?.exported == true)
        #expect(facts.metaData.first?.value == "abc123")
    }

    @Test("a split attribute marks a feature module")
    func split() throws {
        let root = AndroidManifestBuilder.manifest(
            package: "com.example.app", versionCode: 1, versionName: .string("1"), split: "voice")
        let facts = AndroidManifestReader.facts(
            from: try ProtoXML.parse(ProtoXMLWriter.write(root), limits: .standard), resources: nil)
        #expect(facts.split == "voice")
    }

    @Test("broken wire format is refused with a reason")
    func damaged() throws {
        let good = ProtoXMLWriter.write(BinaryXMLTests.manifest)
        #expect(throws: ManifestError.self) {
            try ProtoXML.parse(Array(good.prefix(good.count / 2)), limits: .standard)
        }
        #expect(throws: ManifestError.self) { try ProtoXML.parse([0x0B, 0x00], limits: .standard) }  // wire type 3
        #expect(throws: ManifestError.self) {
            try ProtoXML.parse([0x08] + [UInt8](repeating: 0xFF, count: 12), limits: .standard)
        }
        #expect(throws: ManifestError.self) { try ProtoXML.parse([], limits: .standard) }
    }

    @Test("nesting beyond the depth limit is refused")
    func depth() throws {
        var deep = XMLNode("leaf")
        for _ in 0..<100 { deep = XMLNode("n", children: [deep]) }
        #expect(throws: ManifestError.self) {
            try ProtoXML.parse(ProtoXMLWriter.write(XMLNode("manifest", children: [deep])), limits: .standard)
        }
    }
}

@Suite("resources.arsc")
struct ResourceTableTests {
    @Test("strings resolve by id; missing ids and other packages do not")
    func resolve() throws {
        let table = try ResourceTable(ResourceTableWriter.write(strings: ["zero", "one", "two"]), limits: .standard)
        #expect(table.resolve(0x7F05_0000) == "zero")
        #expect(table.resolve(0x7F05_0002) == "two")
        #expect(table.resolve(0x7F05_0003) == nil)
        #expect(table.resolve(0x7F06_0000) == nil)
        #expect(table.resolve(0x0105_0000) == nil)
    }

    @Test("a table that is not one is refused; a damaged one never crashes")
    func damaged() throws {
        #expect(throws: ManifestError.self) { try ResourceTable([1, 2, 3, 4], limits: .standard) }
        let good = ResourceTableWriter.write(strings: ["a", "b"])
        for cut in 0..<good.count {
            let table = try? ResourceTable(Array(good.prefix(cut)), limits: .standard)
            _ = table?.resolve(0x7F05_0001)
        }
    }
}

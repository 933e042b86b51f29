/// The facts of one AndroidManifest.xml, read from its element tree (binary XML or protobuf),
/// as Android's package parser reads them: android: attributes by resource id, permissions only
/// as direct children of `<manifest>`, references resolved through the resource table.
struct AndroidManifestFacts: Equatable {
    var package: String?
    var versionCode: String?
    var versionName: String?
    var label: String?
    /// Set on split APKs and AAB feature modules.
    var split: String?
    var minSdk: String?
    var targetSdk: String?
    var permissions: [String] = []
    var features: [String] = []
    var components: [AppManifest.Component] = []
    var metaData: [AppManifest.MetaData] = []
}

enum AndroidManifestReader {
    // android: attribute resource ids (AOSP frameworks/base/core/res/res/values/public.xml).
    static let name: UInt32 = 0x0101_0003
    static let label: UInt32 = 0x0101_0001
    static let exported: UInt32 = 0x0101_0010
    static let value: UInt32 = 0x0101_0024
    static let resource: UInt32 = 0x0101_0025
    static let versionCode: UInt32 = 0x0101_021B
    static let versionName: UInt32 = 0x0101_021C
    static let minSdkVersion: UInt32 = 0x0101_020C
    static let targetSdkVersion: UInt32 = 0x0101_0270

    static let permissionTags: Set<String> = ["uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"]
    static let componentTags: Set<String> = ["activity", "activity-alias", "service", "receiver", "provider"]

    static func facts(from document: XMLElement, resources: ResourceTable?) -> AndroidManifestFacts {
        let manifest = document.name == "manifest" ? document : (first(named: "manifest", in: document) ?? document)
        let ids = manifest.hasResourceIDs
        func text(_ value: XMLValue?) -> String? {
            guard let value else { return nil }
            if case .reference(let id) = value, let resolved = resources?.resolve(id) { return resolved }
            return value.text
        }

        var facts = AndroidManifestFacts()
        facts.package = manifest.plain("package").map { $0.text }
        facts.split = manifest.plain("split").map { $0.text }
        facts.versionCode = text(manifest.android(versionCode, "versionCode", idsPresent: ids))
        facts.versionName = text(manifest.android(versionName, "versionName", idsPresent: ids))
        for child in manifest.children {
            switch child.name {
            case _ where permissionTags.contains(child.name):
                if let permission = text(child.android(name, "name", idsPresent: ids)),
                    !facts.permissions.contains(permission)
                {
                    facts.permissions.append(permission)
                }
            case "uses-sdk":
                facts.minSdk = text(child.android(minSdkVersion, "minSdkVersion", idsPresent: ids))
                facts.targetSdk = text(child.android(targetSdkVersion, "targetSdkVersion", idsPresent: ids))
            case "uses-feature":
                if let feature = text(child.android(name, "name", idsPresent: ids)), !facts.features.contains(feature) {
                    facts.features.append(feature)
                }
            case "application":
                facts.label = text(child.android(label, "label", idsPresent: ids))
                read(application: child, into: &facts, ids: ids, text: text)
            default:
                break
            }
        }
        return facts
    }

    private static func read(
        application: XMLElement, into facts: inout AndroidManifestFacts, ids: Bool, text: (XMLValue?) -> String?
    ) {
        func metaData(_ element: XMLElement) {
            for item in element.children where item.name == "meta-data" {
                guard let key = text(item.android(name, "name", idsPresent: ids)) else { continue }
                let v =
                    item.android(value, "value", idsPresent: ids) ?? item.android(resource, "resource", idsPresent: ids)
                facts.metaData.append(AppManifest.MetaData(name: key, value: text(v)))
            }
        }
        metaData(application)
        for child in application.children where componentTags.contains(child.name) {
            guard let componentName = text(child.android(name, "name", idsPresent: ids)) else { continue }
            var isExported: Bool?
            switch child.android(exported, "exported", idsPresent: ids) {
            case .boolean(let b): isExported = b
            case .string("true"): isExported = true  // protobuf XML keeps the text form
            case .string("false"): isExported = false
            default: break
            }
            facts.components.append(AppManifest.Component(type: child.name, name: componentName, exported: isExported))
            metaData(child)
        }
    }

    private static func first(named name: String, in element: XMLElement) -> XMLElement? {
        if element.name == name { return element }
        for child in element.children {
            if let found = first(named: name, in: child) { return found }
        }
        return nil
    }
}

extension AppManifest {
    /// The normalised manifest of one Android manifest's facts.
    init(android facts: AndroidManifestFacts) {
        self.init(platform: .android)
        appId = facts.package
        versionCode = facts.versionCode
        versionName = facts.versionName
        displayName = facts.label.flatMap { $0.hasPrefix("@") ? nil : $0 }
        minPlatformVersion = facts.minSdk
        targetPlatformVersion = facts.targetSdk
        addPermissions(facts.permissions)
        features = facts.features
        components = facts.components
        metaData = facts.metaData
        deriveCapabilities()
    }

    /// Reads one binary AndroidManifest.xml on its own, outside any bundle (for tools and
    /// benchmarks); `resourceTable` is the app's resources.arsc, for references.
    public static func android(
        binaryXML bytes: [UInt8], resourceTable: [UInt8]? = nil, limits: ManifestLimits = .standard
    ) throws(ManifestError) -> AppManifest {
        let document = try BinaryXML.parse(bytes, limits: limits)
        let table = try resourceTable.map { (table) throws(ManifestError) in try ResourceTable(table, limits: limits) }
        return AppManifest(android: AndroidManifestReader.facts(from: document, resources: table))
    }
}

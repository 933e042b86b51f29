/// Android manifests as element trees, ready for `BinaryXMLWriter` (APK) or `ProtoXMLWriter` (AAB).
public enum AndroidManifestBuilder {
    public static let androidNamespace = "http://schemas.android.com/apk/res/android"

    /// android: attribute resource ids (AOSP public.xml).
    public static let resourceIDs: [String: UInt32] = [
        "label": 0x0101_0001, "name": 0x0101_0003, "exported": 0x0101_0010, "value": 0x0101_0024,
        "resource": 0x0101_0025, "minSdkVersion": 0x0101_020C, "versionCode": 0x0101_021B,
        "versionName": 0x0101_021C, "targetSdkVersion": 0x0101_0270, "required": 0x0101_028E,
    ]

    /// A component inside `<application>`.
    public struct Component: Sendable {
        public var type: String
        public var name: String
        public var exported: Bool?

        public init(_ type: String, _ name: String, exported: Bool? = nil) {
            self.type = type
            self.name = name
            self.exported = exported
        }
    }

    /// A manifest with the usual parts. `label` may be text or a reference into resources.arsc.
    public static func manifest(
        package: String, versionCode: Int32, versionName: XMLNode.Value, label: XMLNode.Value? = nil,
        minSdk: Int32 = 21, targetSdk: Int32 = 34, permissions: [String] = [], features: [String] = [],
        components: [Component] = [], metaData: [(String, String)] = [], split: String? = nil
    ) -> XMLNode {
        var attributes: [XMLNode.Attribute] = [
            .android("versionCode", .int(versionCode)), .android("versionName", versionName),
            .plain("package", package),
        ]
        if let split { attributes.append(.plain("split", split)) }
        var children: [XMLNode] = [
            XMLNode(
                "uses-sdk", [.android("minSdkVersion", .int(minSdk)), .android("targetSdkVersion", .int(targetSdk))])
        ]
        children += permissions.map { XMLNode("uses-permission", [.android("name", .string($0))]) }
        children += features.map {
            XMLNode("uses-feature", [.android("name", .string($0)), .android("required", .bool(false))])
        }
        var application = XMLNode("application", label.map { [.android("label", $0)] } ?? [])
        application.children += metaData.map {
            XMLNode("meta-data", [.android("name", .string($0.0)), .android("value", .string($0.1))])
        }
        application.children += components.map { component in
            var attrs: [XMLNode.Attribute] = [.android("name", .string(component.name))]
            if let exported = component.exported { attrs.append(.android("exported", .bool(exported))) }
            return XMLNode(component.type, attrs)
        }
        children.append(application)
        return XMLNode("manifest", attributes, children: children)
    }
}

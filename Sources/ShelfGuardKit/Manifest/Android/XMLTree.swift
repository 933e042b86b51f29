/// An element of a compiled Android XML document, from binary XML (APK) or from aapt2's
/// protobuf XML (AAB): one model, so that one reader extracts the manifest facts from both.
struct XMLElement: Equatable {
    var name: String
    var attributes: [XMLAttribute] = []
    var children: [XMLElement] = []

    /// The attribute Android itself would use: matched by resource id (obfuscators blank or fake
    /// names; Android never looks at them). Only when the document carries no resource ids at all
    /// does the name decide.
    func android(_ resourceID: UInt32, _ name: String, idsPresent: Bool) -> XMLValue? {
        if let match = attributes.first(where: { $0.resourceID == resourceID }) { return match.value }
        guard !idsPresent else { return nil }
        return attributes.first { $0.name == name && ($0.namespace == XMLElement.androidNamespace) }?.value
    }

    /// An attribute without namespace, matched by name (`package`, `split`).
    func plain(_ name: String) -> XMLValue? {
        attributes.first { $0.name == name && $0.namespace.isEmpty && $0.resourceID == nil }?.value
    }

    static let androidNamespace = "http://schemas.android.com/apk/res/android"

    /// Whether any attribute in the tree carries a resource id.
    var hasResourceIDs: Bool {
        attributes.contains { $0.resourceID != nil } || children.contains { $0.hasResourceIDs }
    }
}

struct XMLAttribute: Equatable {
    var namespace: String
    var name: String
    /// The android attribute's resource id (0x0101xxxx), when the document says.
    var resourceID: UInt32?
    var value: XMLValue
}

/// A typed attribute value.
enum XMLValue: Equatable {
    case string(String)
    case integer(Int64)
    case boolean(Bool)
    /// A resource reference (`@7F050026`), resolved through the resource table when there is one.
    case reference(UInt32)
    /// Any other typed value: its type byte and data.
    case other(type: UInt8, data: UInt32)

    /// The value as text: references as `@7F050026`, as Android's tools print them.
    var text: String {
        switch self {
        case .string(let s): s
        case .integer(let i): String(i)
        case .boolean(let b): b ? "true" : "false"
        case .reference(let id): "@" + String(id, radix: 16, uppercase: true).leftPadded(to: 8)
        case .other(let type, let data): "(type 0x\(String(type, radix: 16)))0x\(String(data, radix: 16))"
        }
    }
}

extension String {
    func leftPadded(to length: Int, with pad: Character = "0") -> String {
        count >= length ? self : String(repeating: pad, count: length - count) + self
    }
}

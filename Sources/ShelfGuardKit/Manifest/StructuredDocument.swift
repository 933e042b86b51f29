import Foundation

/// A parsed JSON or property-list document, navigated without trusting its shape: every lookup
/// that does not fit answers nil instead of failing.
struct StructuredNode {
    let value: Any?

    subscript(key: String) -> StructuredNode {
        StructuredNode(value: (value as? [String: Any])?[key])
    }

    /// Text for strings, and for numbers and booleans written as text.
    var string: String? {
        switch value {
        case let s as String: s
        case let n as NSNumber: n.stringValue
        default: nil
        }
    }

    var array: [StructuredNode] { (value as? [Any])?.map { StructuredNode(value: $0) } ?? [] }
    var dictionary: [String: Any]? { value as? [String: Any] }
    var keys: [String] { dictionary.map { Array($0.keys).sorted() } ?? [] }
    var exists: Bool { value != nil }

    /// The first of several keys that holds a string.
    func string(_ keys: String...) -> String? {
        for key in keys { if let s = self[key].string { return s } }
        return nil
    }

    /// Loads JSON within the limits. Foundation's parser stops at 512 levels itself; the walk
    /// that follows applies the manifest limits on depth and node count.
    static func json(_ bytes: [UInt8], limits: ManifestLimits) throws(ManifestError) -> StructuredNode {
        var data = bytes
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed])
        } catch {
            throw .malformed("not valid JSON: \(Self.reason(error))")
        }
        try checkShape(object, limits: limits)
        return StructuredNode(value: object)
    }

    /// Loads a property list, binary (`bplist00`) or XML, within the limits.
    static func propertyList(_ bytes: [UInt8], limits: ManifestLimits) throws(ManifestError) -> StructuredNode {
        let object: Any
        do {
            object = try PropertyListSerialization.propertyList(from: Data(bytes), options: [], format: nil)
        } catch {
            throw .malformed("not a valid property list: \(Self.reason(error))")
        }
        try checkShape(object, limits: limits)
        return StructuredNode(value: object)
    }

    /// The plist inside a provisioning profile: a CMS envelope around an XML plist.
    static func provisioningProfile(_ bytes: [UInt8], limits: ManifestLimits) throws(ManifestError) -> StructuredNode {
        guard let start = find(Array("<?xml".utf8), in: bytes) ?? find(Array("<plist".utf8), in: bytes),
            let endTag = find(Array("</plist>".utf8), in: bytes, from: start)
        else { throw .malformed("no property list inside the provisioning profile") }
        return try propertyList(Array(bytes[start..<(endTag + 8)]), limits: limits)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    private static func checkShape(_ object: Any, limits: ManifestLimits) throws(ManifestError) {
        var budget = NodeBudget(limits)
        var stack: [(Any, Int)] = [(object, 1)]
        while let (node, depth) = stack.popLast() {
            try budget.spend()
            try budget.check(depth: depth)
            if let dictionary = node as? [String: Any] {
                for child in dictionary.values { stack.append((child, depth + 1)) }
            } else if let array = node as? [Any] {
                for child in array { stack.append((child, depth + 1)) }
            }
        }
    }

    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}

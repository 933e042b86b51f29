/// Writes property lists with dictionary keys in sorted order, so that the same input always gives
/// the same bytes (Foundation's writer follows hash order, which changes from run to run).
/// Values: `String`, `Int`, `Bool`, `[Any]`, `[String: Any]`.
public enum PropertyListWriter {
    /// A binary property list (`bplist00`).
    public static func binary(_ root: Any) -> [UInt8] {
        var objects: [[UInt8]] = []
        var refs: [[Int]] = []  // per object, the object numbers it refers to (arrays, dicts)
        var kinds: [UInt8] = []  // 0xA0 array, 0xD0 dict, 0 other

        func add(_ value: Any) -> Int {
            let index = objects.count
            objects.append([])
            refs.append([])
            kinds.append(0)
            switch value {
            case let b as Bool:
                objects[index] = [b ? 0x09 : 0x08]
            case let i as Int:
                objects[index] = [0x13] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: i >> ($0 * 8)) }
            case let s as String:
                if s.utf8.allSatisfy({ $0 < 0x80 }) {
                    objects[index] = marker(0x50, s.utf8.count) + Array(s.utf8)
                } else {
                    let units = Array(s.utf16)
                    objects[index] = marker(0x60, units.count) + units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
                }
            case let array as [Any]:
                kinds[index] = 0xA0
                refs[index] = array.map { add($0) }
            case let dictionary as [String: Any]:
                kinds[index] = 0xD0
                let keys = dictionary.keys.sorted()
                let keyRefs = keys.map { add($0) }
                let valueRefs = keys.map { add(dictionary[$0]!) }
                refs[index] = keyRefs + valueRefs
            default:
                preconditionFailure("unsupported property-list value \(value)")
            }
            return index
        }
        _ = add(root)
        let refSize = objects.count < 256 ? 1 : 2
        func ref(_ n: Int) -> [UInt8] { refSize == 1 ? [UInt8(n)] : [UInt8(n >> 8), UInt8(n & 0xFF)] }
        for i in objects.indices where kinds[i] != 0 {
            let count = kinds[i] == 0xD0 ? refs[i].count / 2 : refs[i].count
            objects[i] = marker(kinds[i], count) + refs[i].flatMap(ref)
        }
        var out = Array("bplist00".utf8)
        var offsets: [Int] = []
        for object in objects {
            offsets.append(out.count)
            out += object
        }
        let offsetTable = out.count
        let offsetSize = offsetTable < 256 ? 1 : (offsetTable < 65_536 ? 2 : 4)
        for o in offsets { out += (0..<offsetSize).reversed().map { UInt8(truncatingIfNeeded: o >> ($0 * 8)) } }
        out += [UInt8](repeating: 0, count: 6) + [UInt8(offsetSize), UInt8(refSize)]
        out += be64(objects.count) + be64(0) + be64(offsetTable)
        return out
    }

    /// An XML property list.
    public static func xml(_ root: Any) -> [UInt8] {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        func node(_ value: Any, _ indent: String) -> String {
            switch value {
            case let b as Bool: return indent + (b ? "<true/>" : "<false/>") + "\n"
            case let i as Int: return indent + "<integer>\(i)</integer>\n"
            case let s as String: return indent + "<string>\(escape(s))</string>\n"
            case let array as [Any]:
                return indent + "<array>\n" + array.map { node($0, indent + "\t") }.joined() + indent + "</array>\n"
            case let dictionary as [String: Any]:
                var text = indent + "<dict>\n"
                for key in dictionary.keys.sorted() {
                    text += indent + "\t<key>\(escape(key))</key>\n" + node(dictionary[key]!, indent + "\t")
                }
                return text + indent + "</dict>\n"
            default:
                preconditionFailure("unsupported property-list value \(value)")
            }
        }
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">

            """ + node(root, "") + "</plist>\n"
        return Array(text.utf8)
    }

    private static func marker(_ high: UInt8, _ count: Int) -> [UInt8] {
        if count < 15 { return [high | UInt8(count)] }
        let size: [UInt8] =
            count < 256 ? [0x10, UInt8(count)] : [0x11, UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
        return [high | 0x0F] + size
    }

    private static func be64(_ v: Int) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) }
    }
}

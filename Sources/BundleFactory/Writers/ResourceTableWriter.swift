/// Writes a minimal `resources.arsc`: one package (0x7f) with one type of string resources in the
/// default configuration, enough for references such as `@7F050000` to resolve.
public enum ResourceTableWriter {
    /// `strings[i]` becomes resource 0x7F<typeID>0000 + i.
    public static func write(strings: [String], typeID: UInt8 = 0x05) -> [UInt8] {
        let global = BinaryXMLWriter.stringPool(strings)
        let typeNames = BinaryXMLWriter.stringPool(Array(repeating: "string", count: Int(typeID)))
        let keyNames = BinaryXMLWriter.stringPool(strings.indices.map { "s\($0)" })

        var spec = LittleEndianWriter()
        spec.u16(0x0202)
        spec.u16(16)
        spec.u32(UInt32(16 + 4 * strings.count))
        spec.bytes([typeID, 0, 0, 0])
        spec.u32(UInt32(strings.count))
        for _ in strings { spec.u32(0) }

        let configSize = 64
        let headerSize = 20 + configSize
        var entries = LittleEndianWriter()
        var offsets: [UInt32] = []
        for i in strings.indices {
            offsets.append(UInt32(entries.output.count))
            entries.u16(8)
            entries.u16(0)
            entries.u32(UInt32(i))
            entries.u16(8)
            entries.bytes([0, 0x03])
            entries.u32(UInt32(i))
        }
        var type = LittleEndianWriter()
        type.u16(0x0201)
        type.u16(UInt16(headerSize))
        type.u32(UInt32(headerSize + 4 * strings.count + entries.output.count))
        type.bytes([typeID, 0, 0, 0])
        type.u32(UInt32(strings.count))
        type.u32(UInt32(headerSize + 4 * strings.count))
        type.u32(UInt32(configSize))
        type.bytes([UInt8](repeating: 0, count: configSize - 4))
        for o in offsets { type.u32(o) }
        type.bytes(entries.output)

        let packageHeader = 288
        var package = LittleEndianWriter()
        package.u16(0x0200)
        package.u16(UInt16(packageHeader))
        package.u32(UInt32(packageHeader + typeNames.count + keyNames.count + spec.output.count + type.output.count))
        package.u32(0x7F)
        var name = Array("com.example".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        name += [UInt8](repeating: 0, count: 256 - name.count)
        package.bytes(name)
        package.u32(UInt32(packageHeader))
        package.u32(UInt32(typeID))
        package.u32(UInt32(packageHeader + typeNames.count))
        package.u32(UInt32(strings.count))
        package.u32(0)
        package.bytes(typeNames + keyNames + spec.output + type.output)

        var table = LittleEndianWriter()
        table.u16(0x0002)
        table.u16(12)
        table.u32(UInt32(12 + global.count + package.output.count))
        table.u32(1)
        table.bytes(global + package.output)
        return table.output
    }
}

import ShelfGuardKit

/// Writes mini-program packages: WeChat wxapkg (plain and PC-encrypted) and Douyin TPKG in the
/// layout ShelfGuard knows.
public enum PackageBuilder {
    /// One index record; change `offset` or `size` after layout to make a hostile package.
    public struct Record: Sendable {
        public var name: [UInt8]
        public var offset: UInt32
        public var size: UInt32
    }

    /// A wxapkg from (name, content) pairs; names should start with `/`. `tamper` may edit the
    /// index records after their offsets are laid out.
    public static func wxapkg(_ files: [(String, [UInt8])], tamper: (inout [Record]) -> Void = { _ in }) -> [UInt8] {
        var records = files.map { Record(name: Array($0.0.utf8), offset: 0, size: UInt32($0.1.count)) }
        let indexLength = 4 + records.reduce(0) { $0 + 12 + $1.name.count }
        var offset = UInt32(14 + indexLength)
        for i in records.indices {
            records[i].offset = offset
            offset += records[i].size
        }
        let dataLength = Int(offset) - 14 - indexLength
        tamper(&records)
        var out = BigEndianWriter()
        out.bytes([0xBE])
        out.u32(0)
        out.u32(UInt32(indexLength))
        out.u32(UInt32(dataLength))
        out.bytes([0xED])
        out.u32(UInt32(records.count))
        for record in records {
            out.u32(UInt32(record.name.count))
            out.bytes(record.name)
            out.u32(record.offset)
            out.u32(record.size)
        }
        for (_, data) in files { out.bytes(data) }
        return out.output
    }

    /// A wxapkg encrypted as WeChat's PC client stores it (`V1MMWX…`).
    public static func encryptedWxapkg(_ files: [(String, [UInt8])], appID: String) throws -> [UInt8] {
        try WxapkgCrypto.encrypt(wxapkg(files), appID: appID)
    }

    /// A TPKG in the layout ShelfGuard reads: `TPKG`, LE u32 version 1, u32 count, then
    /// `u32 nameLength, name, u32 offset, u32 size` per file, then the data.
    public static func tpkg(_ files: [(String, [UInt8])], version: UInt32 = 1) -> [UInt8] {
        let names = files.map { Array($0.0.utf8) }
        let indexLength = 12 + names.reduce(0) { $0 + 12 + $1.count }
        var out = LittleEndianWriter()
        out.bytes(Array("TPKG".utf8))
        out.u32(version)
        out.u32(UInt32(files.count))
        var offset = UInt32(indexLength)
        for (name, file) in zip(names, files) {
            out.u32(UInt32(name.count))
            out.bytes(name)
            out.u32(offset)
            out.u32(UInt32(file.1.count))
            offset += UInt32(file.1.count)
        }
        for (_, data) in files { out.bytes(data) }
        return out.output
    }
}

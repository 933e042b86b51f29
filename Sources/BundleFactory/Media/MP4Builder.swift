import Foundation

/// MP4 and QuickTime files for fixtures: `ftyp`, `mdat` (zeros, of any size: large ones are
/// written sparse), and `moov` holding the label in the form asked for, plus XMP and C2PA `uuid`
/// boxes.
public struct MP4Builder {
    /// Where the label sits in `moov`.
    public enum MetaForm: Sendable {
        /// `moov/udta/meta` (FullBox) with `hdlr mdta`, `keys` and `ilst`: the canonical form.
        case udta
        /// `moov/meta` without the FullBox header: QuickTime style.
        case quicktime
        /// `moov/udta/meta` with an iTunes-style `----` freeform item named by `name`.
        case freeform
    }

    /// `ftyp`'s major brand (`isom`, `qt  `).
    public var brand = "isom"
    /// Zero bytes in `mdat`.
    public var mdatBytes: Int64 = 64
    /// The label's value (JSON text); nil for none.
    public var label: String?
    /// The key the label is stored under.
    public var key = "AIGC"
    /// Where the label sits.
    public var form = MetaForm.udta
    /// An XMP packet in a top-level `uuid` box.
    public var xmp: [UInt8]?
    /// A C2PA store in a top-level `uuid` box.
    public var c2pa: [UInt8]?

    /// A file carrying `label` (JSON text), or none.
    public init(label: String? = nil) { self.label = label }

    /// A box with a 32-bit size.
    public static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { box(Array(type.utf8), payload) }

    /// A box whose type is given as bytes (an `ilst` item's key index).
    public static func box(_ type: [UInt8], _ payload: [UInt8]) -> [UInt8] {
        JPEGBuilder.be32(8 + payload.count) + type + payload
    }

    static let xmpUUID: [UInt8] = [
        0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
    ]
    static let c2paUUID: [UInt8] = [
        0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81,
    ]

    /// `ftyp`.
    public var ftyp: [UInt8] {
        Self.box("ftyp", Array(brand.utf8) + [0, 0, 2, 0] + Array(brand.utf8) + Array("mp41".utf8))
    }

    /// `moov`: a movie header, and the label and XMP as asked.
    public var moov: [UInt8] {
        var children = Self.box("mvhd", [0, 0, 0, 0] + [UInt8](repeating: 0, count: 96))
        if let label {
            let value = Array(label.utf8)
            let data = Self.box("data", JPEGBuilder.be32(1) + JPEGBuilder.be32(0) + value)
            switch form {
            case .udta, .quicktime:
                let keyNames = ["com.apple.quicktime.title", key]
                let keys = Self.box(
                    "keys",
                    [0, 0, 0, 0] + JPEGBuilder.be32(keyNames.count)
                        + keyNames.flatMap { JPEGBuilder.be32(8 + $0.utf8.count) + Array("mdta".utf8) + Array($0.utf8) }
                )
                let title = Self.box(
                    JPEGBuilder.be32(1),
                    Self.box("data", JPEGBuilder.be32(1) + JPEGBuilder.be32(0) + Array("clip".utf8)))
                let ilst = Self.box("ilst", title + Self.box(JPEGBuilder.be32(2), data))
                let hdlr = Self.box(
                    "hdlr", [0, 0, 0, 0, 0, 0, 0, 0] + Array("mdta".utf8) + [UInt8](repeating: 0, count: 13))
                if form == .udta {
                    children += Self.box("udta", Self.box("meta", [0, 0, 0, 0] + hdlr + keys + ilst))
                } else {
                    children += Self.box("meta", hdlr + keys + ilst)
                }
            case .freeform:
                let item = Self.box(
                    "----",
                    Self.box("mean", [0, 0, 0, 0] + Array("com.apple.iTunes".utf8))
                        + Self.box("name", [0, 0, 0, 0] + Array(key.utf8)) + data)
                let hdlr = Self.box(
                    "hdlr", [0, 0, 0, 0, 0, 0, 0, 0] + Array("mdir".utf8) + [UInt8](repeating: 0, count: 13))
                children += Self.box("udta", Self.box("meta", [0, 0, 0, 0] + hdlr + Self.box("ilst", item)))
            }
        }
        return Self.box("moov", children)
    }

    /// The top-level boxes after `moov`: XMP and C2PA.
    public var extras: [UInt8] {
        var out: [UInt8] = []
        if let xmp { out += Self.box("uuid", Self.xmpUUID + xmp) }
        if let c2pa {
            out += Self.box(
                "uuid",
                Self.c2paUUID + [0, 0, 0, 0] + Array("manifest".utf8) + [0] + [UInt8](repeating: 0, count: 8) + c2pa)
        }
        return out
    }

    /// The whole file in memory: `ftyp`, `mdat`, `moov`, extras.
    public var bytes: [UInt8] {
        ftyp + JPEGBuilder.be32(Int(mdatBytes) + 8) + Array("mdat".utf8) + [UInt8](repeating: 0, count: Int(mdatBytes))
            + moov + extras
    }

    /// Writes the file at `path` with `moov` after an `mdat` of `mdatBytes` (a 64-bit size),
    /// the zeros left as a hole: a 1 GB file takes no time and no disk.
    public func writeSparse(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let large = UInt64(mdatBytes + 16)
        let mdatHeader: [UInt8] =
            [0, 0, 0, 1] + Array("mdat".utf8) + (0..<8).reversed().map { UInt8(large >> ($0 * 8) & 0xFF) }
        try handle.write(contentsOf: Data(ftyp + mdatHeader))
        try handle.seek(toOffset: UInt64(ftyp.count) + large)
        try handle.write(contentsOf: Data(moov + extras))
    }
}

/// Minimal native images, laid out as the dynamic linker and binutils read them: what `signatures
/// lint` feeds the detector for a `symbol:` example, and what tests build libraries from. Small,
/// but real: `readelf --dyn-syms` and `llvm-nm` list their symbols.
public enum NativeImage {
    /// A 64-bit little-endian AArch64 ELF shared object: `exports` defined in `.text`, `imports`
    /// undefined, both in `.dynsym` with their names in `.dynstr`; DT_SONAME and DT_NEEDED in
    /// `.dynamic`; `strings` NUL-separated in `.rodata` (as FindClass and RegisterNatives names
    /// are); section headers and PT_LOAD and PT_DYNAMIC program headers.
    public static func elf(
        soname: String? = nil, needed: [String] = [], exports: [String] = [], imports: [String] = [],
        strings: [String] = []
    ) -> [UInt8] {
        var dynstr = StringTable()
        let sonameIndex = soname.map { dynstr.add($0) }
        let neededIndexes = needed.map { dynstr.add($0) }
        let symbols = exports.map { (dynstr.add($0), true) } + imports.map { (dynstr.add($0), false) }

        let phoff = 64
        let textOffset = phoff + 2 * 56
        let text: [UInt8] = Array(repeating: [0xC0, 0x03, 0x5F, 0xD6], count: 4).flatMap { $0 }  // ret
        let rodataOffset = textOffset + text.count
        let rodata: [UInt8] = [0] + strings.flatMap { Array($0.utf8) + [0] }
        let dynsymOffset = align(rodataOffset + rodata.count, 8)
        var dynsym = [UInt8](repeating: 0, count: 24)  // the null symbol
        for (name, defined) in symbols {
            dynsym += le(UInt64(name), 4) + [0x12, 0]  // STB_GLOBAL, STT_FUNC; default visibility
            dynsym += le(defined ? 1 : 0, 2) + le(defined ? UInt64(textOffset) : 0, 8) + le(defined ? 4 : 0, 8)
        }
        let dynstrOffset = dynsymOffset + dynsym.count
        let dynamicOffset = align(dynstrOffset + dynstr.bytes.count, 8)
        var entries: [(UInt64, UInt64)] = neededIndexes.map { (1, UInt64($0)) }  // DT_NEEDED
        if let sonameIndex { entries.append((14, UInt64(sonameIndex))) }  // DT_SONAME
        entries += [
            (5, UInt64(dynstrOffset)), (6, UInt64(dynsymOffset)), (10, UInt64(dynstr.bytes.count)), (11, 24), (0, 0),
        ]
        let dynamic = entries.flatMap { le($0.0, 8) + le($0.1, 8) }
        var shstrtab = StringTable()
        let names = [".text", ".rodata", ".dynsym", ".dynstr", ".dynamic", ".shstrtab"].map { shstrtab.add($0) }
        let shstrtabOffset = dynamicOffset + dynamic.count
        let shoff = align(shstrtabOffset + shstrtab.bytes.count, 8)

        var out: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        out += le(3, 2) + le(0xB7, 2) + le(1, 4)  // ET_DYN, EM_AARCH64, EV_CURRENT
        out += le(0, 8) + le(UInt64(phoff), 8) + le(UInt64(shoff), 8) + le(0, 4)  // entry, phoff, shoff, flags
        out += le(64, 2) + le(56, 2) + le(2, 2) + le(64, 2) + le(7, 2) + le(6, 2)  // sizes, counts, shstrndx
        // PT_LOAD over the whole image, PT_DYNAMIC over .dynamic (addresses are file offsets).
        out += programHeader(type: 1, flags: 5, offset: 0, size: shoff, align: 0x1000)
        out += programHeader(type: 2, flags: 6, offset: dynamicOffset, size: dynamic.count, align: 8)
        out += text + rodata
        out += [UInt8](repeating: 0, count: dynsymOffset - out.count) + dynsym + dynstr.bytes
        out += [UInt8](repeating: 0, count: dynamicOffset - out.count) + dynamic + shstrtab.bytes
        out += [UInt8](repeating: 0, count: shoff - out.count)
        out += [UInt8](repeating: 0, count: 64)  // the null section
        out += sectionHeader(names[0], type: 1, flags: 6, offset: textOffset, size: text.count, align: 4)
        out += sectionHeader(names[1], type: 1, flags: 2, offset: rodataOffset, size: rodata.count, align: 1)
        out += sectionHeader(
            names[2], type: 11, flags: 2, offset: dynsymOffset, size: dynsym.count, link: 4, info: 1, align: 8,
            entrySize: 24)
        out += sectionHeader(names[3], type: 3, flags: 2, offset: dynstrOffset, size: dynstr.bytes.count, align: 1)
        out += sectionHeader(
            names[4], type: 6, flags: 3, offset: dynamicOffset, size: dynamic.count, link: 4, align: 8, entrySize: 16)
        out += sectionHeader(
            names[5], type: 3, flags: 0, offset: shstrtabOffset, size: shstrtab.bytes.count, align: 1, addressed: false)
        return out
    }

    /// A 64-bit little-endian arm64 Mach-O dylib: a `__TEXT,__text` section, its install name
    /// (LC_ID_DYLIB), and an LC_SYMTAB with `exports` defined in `__text` and `imports` undefined,
    /// each with the leading underscore C names carry (`_fuSetup`).
    public static func machO(
        exports: [String], imports: [String] = [], installName: String = "@rpath/Example.framework/Example"
    ) -> [UInt8] {
        let name = Array(installName.utf8) + [0]
        let idSize = align(24 + name.count, 8)
        let commandsSize = 152 + idSize + 24
        let textOffset = 32 + commandsSize
        let text: [UInt8] = [0xC0, 0x03, 0x5F, 0xD6]  // ret
        let symoff = align(textOffset + text.count, 8)
        var strings: [UInt8] = [0x20, 0]  // ld64 starts the string table with " \0"
        var symbols: [UInt8] = []
        for (symbol, defined) in exports.map({ ($0, true) }) + imports.map({ ($0, false) }) {
            let type: UInt8 = defined ? 0x0F : 0x01  // N_SECT | N_EXT, N_UNDF | N_EXT
            symbols += le(UInt64(strings.count), 4) + [type, defined ? 1 : 0] + le(0, 2)
            symbols += le(defined ? UInt64(textOffset) : 0, 8)
            strings += Array("_\(symbol)".utf8) + [0]
        }
        let stroff = symoff + symbols.count
        let end = stroff + strings.count
        func fixed(_ text: String) -> [UInt8] { Array(text.utf8) + [UInt8](repeating: 0, count: 16 - text.utf8.count) }

        var out = le(0xFEED_FACF, 4) + le(0x0100_000C, 4) + le(0, 4) + le(6, 4)  // magic, arm64, MH_DYLIB
        out += le(3, 4) + le(UInt64(commandsSize), 4) + le(0x0010_0000, 4) + le(0, 4)  // MH_NO_REEXPORTED_DYLIBS
        // LC_SEGMENT_64 __TEXT over the whole file, with one section, __text.
        out += le(0x19, 4) + le(152, 4) + fixed("__TEXT") + le(0, 8) + le(UInt64(end), 8) + le(0, 8)
        out += le(UInt64(end), 8) + le(5, 4) + le(5, 4) + le(1, 4) + le(0, 4)
        out += fixed("__text") + fixed("__TEXT") + le(UInt64(textOffset), 8) + le(UInt64(text.count), 8)
        out += le(UInt64(textOffset), 4) + le(2, 4) + le(0, 4) + le(0, 4) + le(0x8000_0400, 4) + le(0, 12)
        // LC_ID_DYLIB.
        out += le(0xD, 4) + le(UInt64(idSize), 4) + le(24, 4) + le(2, 4) + le(0x1_0000, 4) + le(0x1_0000, 4)
        out += name + [UInt8](repeating: 0, count: idSize - 24 - name.count)
        out += le(2, 4) + le(24, 4) + le(UInt64(symoff), 4) + le(UInt64(exports.count + imports.count), 4)
        out += le(UInt64(stroff), 4) + le(UInt64(strings.count), 4)
        out += text + [UInt8](repeating: 0, count: symoff - textOffset - text.count)
        return out + symbols + strings
    }

    /// A string table: a NUL first, then each name once, NUL-terminated.
    private struct StringTable {
        var bytes: [UInt8] = [0]
        var index: [String: Int] = [:]

        mutating func add(_ name: String) -> Int {
            if let existing = index[name] { return existing }
            index[name] = bytes.count
            bytes += Array(name.utf8) + [0]
            return bytes.count - name.utf8.count - 1
        }
    }

    private static func programHeader(type: UInt64, flags: UInt64, offset: Int, size: Int, align: UInt64) -> [UInt8] {
        le(type, 4) + le(flags, 4) + le(UInt64(offset), 8) + le(UInt64(offset), 8) + le(UInt64(offset), 8)
            + le(UInt64(size), 8) + le(UInt64(size), 8) + le(align, 8)
    }

    private static func sectionHeader(
        _ name: Int, type: UInt64, flags: UInt64, offset: Int, size: Int, link: UInt64 = 0, info: UInt64 = 0,
        align: UInt64, entrySize: UInt64 = 0, addressed: Bool = true
    ) -> [UInt8] {
        le(UInt64(name), 4) + le(type, 4) + le(flags, 8) + le(addressed ? UInt64(offset) : 0, 8)
            + le(UInt64(offset), 8) + le(UInt64(size), 8) + le(link, 4) + le(info, 4) + le(align, 8) + le(entrySize, 8)
    }

    private static func le(_ value: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    private static func align(_ value: Int, _ alignment: Int) -> Int { (value + alignment - 1) / alignment * alignment }
}

/// Deterministic file contents that look like the real thing to a reader: the right magic
/// numbers and headers, and bodies that compress about as well as real DEX, native code, text or
/// model weights do. Same seed, same bytes. Also a seeded `RandomNumberGenerator`, for anything
/// that must be shuffled the same way on every run.
public struct ContentGenerator: Sendable, RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
    }

    /// xorshift64*.
    public mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    public mutating func next(below bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

    /// Bytes that do not compress (images, encrypted data, quantised weights).
    public mutating func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            var i = 0
            while i + 8 <= count {
                raw.storeBytes(of: next(), toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < count {
                raw[i] = UInt8(truncatingIfNeeded: next())
                i += 1
            }
        }
        return out
    }

    private static let words: [String] = """
        the of and to in is for on with as by at from this that which activity view layout string
        color drawable button text image model face voice audio camera record synth generate style
        config service request response token user session network cache buffer frame render
        android content intent bundle context fragment adapter holder manager provider receiver
        public private static final class interface return void boolean int long float double
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    /// Text that compresses about 3–4× (source, JSON, XML, JavaScript).
    public mutating func text(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 16)
        let words = ContentGenerator.words
        while out.count < count {
            out += Array(words[next(below: words.count)].utf8)
            out.append(next(below: 12) == 0 ? 0x0A : 0x20)
        }
        return Array(out.prefix(count))
    }

    /// Machine-code-like bytes that compress about 2× (DEX bytecode, native code): 8-byte
    /// instructions drawn, mostly, from a small repertoire, with one operand byte varying.
    public mutating func code(_ count: Int) -> [UInt8] {
        var templates: [UInt64] = []
        for _ in 0..<256 { templates.append(next()) }
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            var i = 0
            while i < count {
                let r = next()
                // Skewed choice: low template numbers are more common, as real opcodes are.
                let pick = Int(((r & 0xFF) * (r >> 8 & 0xFF)) >> 8) % templates.count
                var word = templates[pick]
                word ^= (r >> 16) & 0xFF00
                if r >> 62 == 3 { word ^= (r >> 24) & 0xFF_0000 }
                withUnsafeBytes(of: word.littleEndian) { bytes in
                    for b in bytes where i < count {
                        raw[i] = b
                        i += 1
                    }
                }
            }
        }
        return out
    }

    /// A DEX file whose string table holds `strings` (class descriptors like
    /// `Lcom/example/Foo;`), padded with bytecode-like bytes to `size`.
    public mutating func dex(size: Int, strings: [String]) -> [UInt8] {
        let sorted = strings.sorted()
        let idsOffset = 0x70
        let dataOffset = idsOffset + 4 * sorted.count
        var data: [UInt8] = []
        var offsets: [UInt32] = []
        for s in sorted {
            offsets.append(UInt32(dataOffset + data.count))
            data += Self.uleb128(UInt32(s.utf16.count))
            data += Array(s.utf8)
            data.append(0)
        }
        var header = [UInt8](repeating: 0, count: 0x70)
        header.replaceSubrange(0..<8, with: Array("dex\n035\0".utf8))
        let total = max(size, dataOffset + data.count)
        put32(&header, 0x20, UInt32(total))
        put32(&header, 0x24, 0x70)
        put32(&header, 0x28, 0x1234_5678)
        put32(&header, 0x38, UInt32(sorted.count))
        put32(&header, 0x3C, UInt32(sorted.isEmpty ? 0 : idsOffset))
        var out = header
        for o in offsets { out += le32(o) }
        out += data
        out += code(total - out.count)
        return out
    }

    /// Strings as a real app's DEX string table holds them: class descriptors, member names, log
    /// messages and URLs, about `bytes` long in all.
    public mutating func dexStrings(bytes: Int, package: String) -> [String] {
        let words = ContentGenerator.words
        var strings: [String] = []
        var total = 0
        var n = 0
        while total < bytes {
            let w = words[next(below: words.count)]
            let s: String
            switch n % 6 {
            case 0, 1: s = "L\(package)/\(w)\(n / 7)/\(w.capitalized)\(n);"
            case 2: s = "\(w)\(words[next(below: words.count)].capitalized)\(n % 97)"
            case 3: s = String(decoding: text(20 + next(below: 60)), as: UTF8.self)
            case 4: s = "https://cdn.example.com/\(w)/\(n).json"
            default: s = "(L\(package)/\(w);I)V"
            }
            strings.append(s)
            total += s.utf8.count + 2
            n += 1
        }
        return strings
    }

    /// An ELF shared object carrying `strings` in its data, padded with code-like bytes.
    public mutating func elf(size: Int, strings: [String] = []) -> [UInt8] {
        var out: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        out += [3, 0, 0xB7, 0]  // ET_DYN, EM_AARCH64
        out += [UInt8](repeating: 0, count: 64 - out.count)
        let body = max(0, size - out.count - strings.reduce(0) { $0 + $1.utf8.count + 1 })
        out += code(body / 2)
        for s in strings { out += Array(s.utf8) + [0] }
        out += code(max(0, size - out.count))
        return out
    }

    /// A 64-bit Mach-O image with `strings` in it.
    public mutating func machO(size: Int, strings: [String] = []) -> [UInt8] {
        var out: [UInt8] = [0xCF, 0xFA, 0xED, 0xFE, 0x0C, 0x00, 0x00, 0x01] + [UInt8](repeating: 0, count: 24)
        out += code(size / 2)
        for s in strings { out += Array(s.utf8) + [0] }
        out += code(max(0, size - out.count))
        return out
    }

    /// HarmonyOS Ark bytecode (`modules.abc`) carrying `strings`.
    public mutating func arkBytecode(size: Int, strings: [String] = []) -> [UInt8] {
        var out = Array("PANDA\0\0\0".utf8) + code(size / 2)
        for s in strings { out += Array(s.utf8) + [0] }
        return out + code(max(0, size - out.count))
    }

    /// An ONNX Runtime model: `ORTM` at bytes 4–7.
    public mutating func ort(size: Int) -> [UInt8] {
        [0x14, 0, 0, 0] + Array("ORTM".utf8) + randomBytes(max(0, size - 8))
    }

    /// safetensors: a little-endian header length, a JSON header, weights.
    public mutating func safetensors(size: Int) -> [UInt8] {
        let header = Array(#"{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}"#.utf8)
        var length = [UInt8](repeating: 0, count: 8)
        length[0] = UInt8(header.count)
        return length + header + randomBytes(max(0, size - 8 - header.count))
    }

    /// An ncnn model's `.param` text.
    public mutating func ncnnParam() -> [UInt8] {
        Array("7767517\n3 3\nInput data 0 1 data 0=224 1=224 2=3\n".utf8)
    }

    /// A TensorFlow Lite flatbuffer: `TFL3` at bytes 4–7, then weights.
    public mutating func tflite(size: Int) -> [UInt8] {
        [0x1C, 0, 0, 0] + Array("TFL3".utf8) + randomBytes(max(0, size - 8))
    }

    /// A GGUF model file (llama.cpp): `GGUF`, version 3, then weights.
    public mutating func gguf(size: Int) -> [UInt8] {
        Array("GGUF".utf8) + [3, 0, 0, 0] + randomBytes(max(0, size - 8))
    }

    /// A PNG signature and IHDR, then incompressible pixels.
    public mutating func png(size: Int) -> [UInt8] {
        let head: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        return head + randomBytes(max(0, size - head.count))
    }

    /// Android binary XML framing around text: enough for the content-kind sniffer.
    public mutating func binaryXMLLike(size: Int) -> [UInt8] {
        let head: [UInt8] = [0x03, 0x00, 0x08, 0x00] + le32(UInt32(size)) + [0x01, 0x00, 0x1C, 0x00]
        return head + text(max(0, size - head.count))
    }

    /// A DEX/Dalvik unsigned LEB128 number.
    public static func uleb128(_ value: UInt32) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat {
            var byte = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { byte |= 0x80 }
            out.append(byte)
        } while v != 0
        return out
    }

    private func le32(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }

    private func put32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        b.replaceSubrange(o..<(o + 4), with: le32(v))
    }
}

import Crypto
import CryptoExtras
import Foundation

/// The encryption of wxapkg files that WeChat's PC client keeps on disk (they start `V1MMWX`).
///
/// Key: PBKDF2-HMAC-SHA1 of the appid with salt `saltiest`, 1000 rounds, 32 bytes. Bytes
/// 6..<1030 are AES-256-CBC with IV `the iv: 16 bytes`; the first 1023 decrypted bytes are kept.
/// The rest is XORed with the appid's second-to-last character (0x66 when the appid is shorter
/// than 2). The result is a plain 0xBE…0xED package.
public enum WxapkgCrypto {
    /// The magic of an encrypted package.
    public static let magic = Array("V1MMWX".utf8)
    static let salt = Array("saltiest".utf8)
    static let iv = Array("the iv: 16 bytes".utf8)
    static let encryptedHeadLength = 1024
    static let plainHeadLength = 1023

    /// What went wrong decrypting.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static func key(appID: String) throws -> SymmetricKey {
        try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(appID.utf8), salt: salt, using: .insecureSHA1, outputByteCount: 32,
            unsafeUncheckedRounds: 1000)
    }

    static func xorKey(appID: String) -> UInt8 {
        let bytes = Array(appID.utf8)
        return bytes.count >= 2 ? bytes[bytes.count - 2] : 0x66
    }

    /// A view of an encrypted package as its plain bytes; only the 1023-byte head is held in memory.
    static func plainSource(of source: any RandomAccessSource, appID: String) throws -> any RandomAccessSource {
        let prefixLength = magic.count + encryptedHeadLength
        let encrypted = try source.bytes(at: Int64(magic.count), count: encryptedHeadLength)
        guard encrypted.count == encryptedHeadLength else {
            throw Failure(description: "encrypted wxapkg is shorter than its 1030-byte encrypted head")
        }
        let decrypted: Data
        do {
            decrypted = try AES._CBC.decrypt(
                encrypted, using: key(appID: appID), iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
        } catch {
            throw Failure(description: "AES decryption of the head failed: \(error)")
        }
        let head = Array(decrypted.prefix(plainHeadLength))
        return DecryptedWxapkgSource(
            parent: source, head: head, bodyOffset: Int64(prefixLength), xorKey: xorKey(appID: appID))
    }

    /// Encrypts a plain package the way the PC client does (for test fixtures and samples).
    public static func encrypt(_ plain: [UInt8], appID: String) throws -> [UInt8] {
        let head = Array(plain.prefix(plainHeadLength))
        let encryptedHead = try AES._CBC.encrypt(
            head, using: key(appID: appID), iv: AES._CBC.IV(ivBytes: iv), noPadding: false)
        guard encryptedHead.count == encryptedHeadLength else {
            throw Failure(description: "package is shorter than the 1023-byte encrypted head")
        }
        let k = xorKey(appID: appID)
        return magic + Array(encryptedHead) + plain.dropFirst(plainHeadLength).map { $0 ^ k }
    }
}

/// The plain bytes of an encrypted wxapkg: a decrypted head in memory, the body XORed on the fly.
final class DecryptedWxapkgSource: RandomAccessSource {
    let parent: any RandomAccessSource
    let head: [UInt8]
    let bodyOffset: Int64
    let xorKey: UInt8
    let length: Int64

    init(parent: any RandomAccessSource, head: [UInt8], bodyOffset: Int64, xorKey: UInt8) {
        self.parent = parent
        self.head = head
        self.bodyOffset = bodyOffset
        self.xorKey = xorKey
        self.length = Int64(head.count) + max(0, parent.length - bodyOffset)
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard offset >= 0, offset < length, buffer.count > 0 else { return 0 }
        let headCount = Int64(head.count)
        if offset < headCount {
            let n = Int(min(Int64(buffer.count), headCount - offset))
            head.withUnsafeBytes { raw in
                buffer.baseAddress!.copyMemory(from: raw.baseAddress! + Int(offset), byteCount: n)
            }
            return n
        }
        let n = try parent.read(at: bodyOffset + (offset - headCount), into: buffer)
        for i in 0..<n { buffer[i] ^= xorKey }
        return n
    }
}

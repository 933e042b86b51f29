import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File paths exactly as the file system stores them, inside ordinary `String`s.
///
/// Linux file names are bytes, not text: a bundle zipped on a Chinese Windows machine arrives
/// named in GBK, which is not UTF-8. Swift's `CommandLine.arguments`, `FileManager` and `URL`
/// replace such bytes with U+FFFD, so the file can no longer be opened by its name. ShelfGuard
/// instead carries each byte that is not part of valid UTF-8 as one character of a private-use
/// range (U+10FC00 + byte) and turns it back into that byte whenever it touches the file system,
/// through the functions here. Every place that opens, lists or tests a user's file goes through
/// them; people see such bytes as `\xB2`.
public enum RawPath {
    /// The private-use characters standing for raw bytes.
    static let base: UInt32 = 0x10_FC00

    /// A path from the bytes the file system gave: valid UTF-8 as it is, other bytes mapped.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var result = String.UnicodeScalarView()
        var rest = Array(bytes)[...]
        while !rest.isEmpty {
            // The longest valid UTF-8 prefix, then one raw byte.
            var decoder = UTF8()
            var iterator = rest.makeIterator()
            var consumed = 0
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    result.append(scalar)
                    consumed += UTF8.width(scalar)
                case .emptyInput:
                    break loop
                case .error:
                    break loop
                }
            }
            rest = rest.dropFirst(consumed)
            if let byte = rest.first {
                result.append(Unicode.Scalar(base + UInt32(byte))!)
                rest = rest.dropFirst()
            }
        }
        return String(result)
    }

    /// The bytes the file system knows the path by.
    public static func bytes(_ path: String) -> [UInt8] {
        guard path.unicodeScalars.contains(where: isRawByte) else { return Array(path.utf8) }
        var bytes: [UInt8] = []
        for scalar in path.unicodeScalars {
            if isRawByte(scalar) {
                bytes.append(UInt8(scalar.value - base))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// The path as people may see it: raw bytes as `\xB2`.
    public static func display(_ path: String) -> String {
        guard path.unicodeScalars.contains(where: isRawByte) else { return path }
        var shown = ""
        for scalar in path.unicodeScalars {
            if isRawByte(scalar) {
                let hex = String(scalar.value - base, radix: 16, uppercase: true)
                shown += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    private static func isRawByte(_ scalar: Unicode.Scalar) -> Bool {
        (base...(base + 0xFF)).contains(scalar.value)
    }

    /// The process's arguments, each byte kept.
    public static func arguments() -> [String] {
        (0..<Int(CommandLine.argc)).map { i in
            guard let argument = CommandLine.unsafeArgv[i] else { return "" }
            return decode(UnsafeRawBufferPointer(start: argument, count: strlen(argument)))
        }
    }

    /// Calls `body` with the path as a C string.
    static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) -> T) -> T {
        let raw = bytes(path).map { CChar(bitPattern: $0) } + [0]
        return raw.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// What is at a path.
    public enum Kind: Equatable {
        case missing, regular, directory, other
    }

    /// What is at `path` (links followed).
    public static func kind(_ path: String) -> Kind {
        var info = stat()
        guard withCString(path, { stat($0, &info) }) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Why a file could not be opened for reading.
    public enum OpenError: Error, Equatable, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        /// A FIFO, device, socket or folder: ShelfGuard reads only regular files (a FIFO would
        /// block forever, a device never end).
        case notARegularFile(path: String, what: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): "cannot open \(RawPath.display(path)): \(reason)"
            case .notARegularFile(let path, let what):
                "\(RawPath.display(path)) is \(what), not a regular file; ShelfGuard reads only regular files"
            }
        }
    }

    /// Opens a regular file for reading and returns its descriptor and length. Never blocks:
    /// opening a FIFO without a writer would wait forever, so the file is opened non-blocking,
    /// refused unless it is regular, and only then switched back to blocking reads.
    public static func openRegular(_ path: String) throws(OpenError) -> (descriptor: Int32, length: Int64) {
        let descriptor = withCString(path) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotOpen(path: path, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            let what =
                switch info.st_mode & S_IFMT {
                case S_IFIFO: "a FIFO (named pipe)"
                case S_IFDIR: "a folder"
                case S_IFCHR, S_IFBLK: "a device"
                case S_IFSOCK: "a socket"
                default: "a special file"
                }
            throw .notARegularFile(path: path, what: what)
        }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        return (descriptor, Int64(info.st_size))
    }

    /// Reads a whole regular file of at most `maxBytes`; nil past that size.
    public static func read(_ path: String, maxBytes: Int) throws(OpenError) -> [UInt8]? {
        let (descriptor, length) = try openRegular(path)
        defer { close(descriptor) }
        guard length <= Int64(maxBytes) else { return nil }
        let source = FileSource(descriptor: descriptor, length: length)
        do {
            let bytes = try source.bytes(at: 0, count: Int(length))
            return bytes
        } catch {
            throw .cannotOpen(path: path, reason: error.description)
        }
    }

    /// The names in a folder, each byte kept, `.` and `..` left out; nil when it cannot be listed.
    public static func names(inFolder path: String) -> [String]? {
        guard let folder = withCString(path, { opendir($0) }) else { return nil }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return decode(bytes[..<length])
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One record of an evidence file.
public enum RegistryRecord: Sendable, Equatable {
    case filing(AlgorithmFilingRecord)
    case cancellation(FilingCancellation)
    case genai(GenAIRecord)
    case assessment(SecurityAssessment)
    case waiver(Waiver)
}

extension RegistryFile {
    /// Reads one file as it streams, in chunks: each record goes to `each` as soon as its row
    /// is read, and the file returned holds what was found (kind, rows, rejected rows with their
    /// lines, notes, the SHA-256 of the bytes) but no records. Memory does not grow with the
    /// file. A CSV list is read row by row; YAML evidence (the store's own, small records) is
    /// read whole. A file larger than `limits.maxFileBytes` is refused, and so is one that is
    /// not UTF-8: `each` may then have been called for rows before the problem, so a caller that
    /// stores records does it in one transaction and gives it up on `FileError`.
    public static func read(
        _ url: URL, limits: RegistryLimits = .standard, each: (RegistryRecord) throws -> Void
    ) throws -> RegistryFile {
        let path = url.path
        var hasher = SHA256()
        let yaml = url.pathExtension == "yaml" || url.pathExtension == "yml"
        var file: RegistryFile
        if yaml {
            var bytes: [UInt8] = []
            try chunks(of: path, limits: limits) { chunk in
                hasher.update(bufferPointer: chunk)
                bytes.append(contentsOf: chunk)
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw FileError(description: "cannot read \(path) as UTF-8 text: it holds bytes that are not UTF-8")
            }
            bytes = []
            file = try evidence(text, path: path, limits: limits)
            for record in file.records { try each(record) }
            file.assessments = []
            file.waivers = []
        } else {
            file = try csv(path: path, limits: limits, each: each) { feed in
                try chunks(of: path, limits: limits) { chunk in
                    hasher.update(bufferPointer: chunk)
                    try feed(chunk)
                }
            }
        }
        file.sha256 = Array(hasher.finalize()).hexString
        return file
    }

    /// Hands the bytes of the file at `path` to `body`, a chunk at a time. A regular file or a
    /// pipe (`<(iconv …)`) is read to its end; a folder, device or socket is refused, and so is
    /// a file past `limits.maxFileBytes`, before reading when its size is known, else as soon as
    /// it goes past it.
    static func chunks(
        of path: String, limits: RegistryLimits, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        // Non-blocking, so that a pipe nobody writes to reads as empty instead of waiting.
        let descriptor = RawPath.withCString(path) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        guard descriptor >= 0 else {
            throw FileError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw FileError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFIFO else {
            let what =
                switch type {
                case S_IFDIR: "a folder"
                case S_IFCHR, S_IFBLK: "a device"
                case S_IFSOCK: "a socket"
                default: "a special file"
                }
            throw FileError(description: "\(path) is \(what), not a file of evidence")
        }
        let limit = limits.maxFileBytes
        func tooLarge(_ size: String) -> FileError {
            FileError(
                description:
                    "\(path) is \(size), larger than \(ByteCount.format(limit)), the limit for one evidence file (--max-file-size); nothing was imported from it"
            )
        }
        if type == S_IFREG && Int64(info.st_size) > limit { throw tooLarge(ByteCount.format(Int64(info.st_size))) }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let n = readBytes(descriptor, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { break }  // a pipe nobody opened for writing
                throw FileError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            total += Int64(n)
            if total > limit { throw tooLarge("more than that") }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }
}

/// `read(2)`, under a name that `RegistryFile.read` does not hide.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// The rows of a CSV list after its header: each becomes a record, or a rejected row with its
/// line. The header is the first row and tells the kind of list.
struct CSVRows {
    let limits: RegistryLimits
    var file: RegistryFile
    var header: [String] = []
    var columns: [(name: String, index: Int)] = []
    var headerRead = false

    init(path: String, limits: RegistryLimits) {
        self.limits = limits
        file = RegistryFile(path: path, kind: .filings, rowCount: 0)
        file.listLimit = limits.maxListedProblems
    }

    mutating func take(_ row: CSVReader.Row, _ each: (RegistryRecord) throws -> Void) throws {
        guard headerRead else { return try takeHeader(row) }
        file.rowCount += 1
        if let problem = row.problem { return file.reject(row.line, message(problem)) }
        guard row.fields.count == header.count else {
            return file.reject(row.line, "\(row.fields.count) columns where the header has \(header.count)")
        }
        if let record = file.take(row: row.fields, line: row.line, columns: columns) { try each(record) }
    }

    private mutating func takeHeader(_ row: CSVReader.Row) throws {
        if let problem = row.problem {
            throw RegistryFile.FileError(description: "\(file.path):\(row.line): the header row: \(message(problem))")
        }
        header = row.fields.map { $0.trimmedQuickly(newlines: false) }
        guard let kind = RegistryFile.kind(ofHeader: header) else {
            throw RegistryFile.unknownHeader(header, path: file.path)
        }
        file.kind = kind
        // Each column a row is read by, at its first place in the header.
        columns = RegistryFile.knownColumns.compactMap { name in header.firstIndex(of: name).map { (name, $0) } }
        headerRead = true
    }

    /// The file as read; a file with no header at all is no list.
    func finished() throws(RegistryFile.FileError) -> RegistryFile {
        guard headerRead else { throw RegistryFile.unknownHeader([], path: file.path) }
        return file
    }

    func message(_ problem: CSVReader.Problem) -> String {
        switch problem {
        case .fieldTooLong(let i):
            let column = i < header.count ? header[i] : "column \(i + 1)"
            return
                "\(column) is longer than \(ByteCount.format(Int64(limits.maxFieldBytes))), the limit for one field (--max-field-size)"
        case .rowTooLong:
            return
                "the row is longer than \(ByteCount.format(Int64(limits.maxRowBytes))), the limit for one row (--max-row-size)"
        case .openQuote(let line, let swallowed):
            return
                "a quoted field opened on line \(line) is never closed\(swallowed ? " (the rest of the file was read into it)" : "")"
        }
    }
}

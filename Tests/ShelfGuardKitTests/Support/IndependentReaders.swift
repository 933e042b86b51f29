import Foundation
import Testing

/// Readers of zips that share no code with ShelfGuard, for differential tests: Python's
/// `zipfile`, `bsdtar -tf`, and a model of Android's installer written here in Python from
/// AOSP's libziparchive rules (the end record is the last `PK\5\6` in the last 65,535 + 22 bytes
/// and its comment must end the file; exactly the counted records, each inside the directory,
/// with a valid name, no duplicates and a local header before the directory whose name is the
/// record's; each entry's data before the directory, inflated to its declared size with a good
/// CRC). The model says whether a phone opens the file at all and which entries it can extract.
enum IndependentReaders {
    /// What one reader read: whether it opened the zip, and each entry's name with the SHA-256 of
    /// its content (nil when that entry could not be extracted).
    struct Listing: Decodable {
        var opens: Bool
        var reason: String
        var entries: [Entry]

        struct Entry: Decodable {
            var name: String
            var sha256: String?
        }

        /// The entries whose content could be extracted.
        var extracted: [String: String] {
            var result: [String: String] = [:]
            for entry in entries { if let digest = entry.sha256 { result[entry.name] = digest } }
            return result
        }
    }

    /// Whether Python 3 is on the machine (scripts/setup installs it with the test tools).
    static let pythonAvailable: Bool = (try? run(["python3", "-c", "print(1)"]).status) == 0
    static let bsdtarAvailable: Bool = (try? run(["bsdtar", "--version"]).status) == 0

    static func android(_ path: String) throws -> Listing { try python("android", path) }
    static func zipfile(_ path: String) throws -> Listing { try python("zipfile", path) }

    /// Names `bsdtar -tf` lists (directories with their trailing slash), or nil when it failed
    /// before listing anything.
    static func bsdtar(_ path: String) throws -> [String] {
        let result = try run(["bsdtar", "-tf", path], environment: ["LC_ALL": "C.UTF-8"])
        return result.stdout.split(separator: "\n").map(String.init)
    }

    private static func python(_ mode: String, _ path: String) throws -> Listing {
        let result = try run(["python3", "-c", script, mode, path])
        guard result.status == 0 else {
            Issue.record("the \(mode) reader failed: \(result.stderr)")
            return Listing(opens: false, reason: result.stderr, entries: [])
        }
        return try JSONDecoder().decode(Listing.self, from: Data(result.stdout.utf8))
    }

    static func run(
        _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Both readers, one script: `python3 -c SCRIPT android|zipfile PATH` prints a Listing.
    static let script = #"""
        import hashlib, io, json, struct, sys, zlib

        def listing(opens, reason, entries):
            print(json.dumps({"opens": opens, "reason": reason, "entries": entries}))

        def name_of(raw):
            return raw.decode("utf-8", "replace")

        def android(data):
            opens, reason, entries = android_entries(data, 0)
            listing(opens, reason, entries)

        def android_entries(data, depth):
            n = len(data)
            if n < 22:
                return (False, "shorter than an end record", [])
            start = n - min(n, 65535 + 22)
            i = n - 22
            while i >= start and data[i:i + 4] != b"PK\x05\x06":
                i -= 1
            if i < start:
                return (False, "no end record", [])
            count, cd_size, cd_start, comment = struct.unpack("<HIIH", data[i + 10:i + 22])
            if i + 22 + comment != n:
                return (False, "bytes after the end record's comment", [])
            if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_start == 0xFFFFFFFF:
                if data[i - 20:i - 16] != b"PK\x06\x07":
                    return (False, "zip64 locator missing", [])
                (rec,) = struct.unpack("<Q", data[i - 12:i - 4])
                if data[rec:rec + 4] != b"PK\x06\x06":
                    return (False, "zip64 end record missing", [])
                count, _, cd_size, cd_start = struct.unpack("<QQQQ", data[rec + 24:rec + 56])
                eocd = rec
            else:
                eocd = i
            if cd_start + cd_size > eocd:
                return (False, "directory past its end record", [])
            if count == 0:
                return (False, "empty archive", [])
            records, seen, p, end = [], set(), cd_start, cd_start + cd_size
            for _ in range(count):
                if p + 46 > end or data[p:p + 4] != b"PK\x01\x02":
                    return (False, "bad directory record", [])
                flags, method = struct.unpack("<HH", data[p + 8:p + 12])
                crc, csize, usize, nlen, xlen, clen = struct.unpack("<IIIHHH", data[p + 16:p + 34])
                (lfh,) = struct.unpack("<I", data[p + 42:p + 46])
                if p + 46 + nlen + xlen + clen > end:
                    return (False, "record past the directory", [])
                name = data[p + 46:p + 46 + nlen]
                extra = data[p + 46 + nlen:p + 46 + nlen + xlen]
                q = 0
                while q + 4 <= len(extra):
                    tag, size = struct.unpack("<HH", extra[q:q + 4])
                    if tag == 1:
                        body, r = extra[q + 4:q + 4 + size], 0
                        if usize == 0xFFFFFFFF:
                            (usize,) = struct.unpack("<Q", body[r:r + 8]); r += 8
                        if csize == 0xFFFFFFFF:
                            (csize,) = struct.unpack("<Q", body[r:r + 8]); r += 8
                        if lfh == 0xFFFFFFFF:
                            (lfh,) = struct.unpack("<Q", body[r:r + 8]); r += 8
                    q += 4 + size
                if lfh >= cd_start:
                    return (False, "local header at or past the directory", [])
                if len(name) == 0 or b"\x00" in name:
                    return (False, "invalid entry name", [])
                try:
                    name.decode("utf-8")
                except UnicodeDecodeError:
                    return (False, "entry name not UTF-8", [])
                if name in seen:
                    return (False, "duplicate entry", [])
                seen.add(name)
                records.append((name, flags, method, crc, csize, usize, lfh))
                p += 46 + nlen + xlen + clen
            entries = []
            for name, flags, method, crc, csize, usize, lfh in records:
                digest = None
                h = data[lfh:lfh + 30]
                if len(h) == 30 and h[:4] == b"PK\x03\x04":
                    lnlen, lxlen = struct.unpack("<HH", h[26:30])
                    lcsize, lusize = struct.unpack("<II", h[18:26])
                    ok = data[lfh + 30:lfh + 30 + lnlen] == name
                    if ok and not flags & 8 and lcsize not in (csize, 0xFFFFFFFF):
                        ok = False
                    start_of_data = lfh + 30 + lnlen + lxlen
                    if ok and start_of_data + csize <= cd_start:
                        raw = data[start_of_data:start_of_data + csize]
                        try:
                            if method == 0 and csize == usize:
                                out = raw
                            elif method == 8:
                                out = zlib.decompressobj(-15).decompress(raw, usize)
                            else:
                                out = None
                            if out is not None and len(out) == usize and zlib.crc32(out) & 0xFFFFFFFF == crc:
                                digest = hashlib.sha256(out).hexdigest()
                                if out[:4] == b"PK\x03\x04" and depth < 4:
                                    _, _, inner = android_entries(out, depth + 1)
                                    for e in inner:
                                        e["name"] = name_of(name) + "!" + e["name"]
                                    entries.extend(inner)
                        except zlib.error:
                            pass
                entries.append({"name": name_of(name), "sha256": digest})
            return (True, "", entries)

        def python_zipfile(data):
            import zipfile
            try:
                z = zipfile.ZipFile(io.BytesIO(data))
            except Exception as e:
                return listing(False, str(e), [])
            entries = []
            for info in z.infolist():
                try:
                    digest = hashlib.sha256(z.read(info)).hexdigest()
                except Exception:
                    digest = None
                entries.append({"name": info.filename, "sha256": digest})
            listing(True, "", entries)

        data = open(sys.argv[2], "rb").read()
        android(data) if sys.argv[1] == "android" else python_zipfile(data)
        """#
}

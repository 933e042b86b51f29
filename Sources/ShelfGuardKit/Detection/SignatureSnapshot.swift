import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The feature database (signatures and taxonomy) as it was read from its YAML, kept as a binary
/// snapshot in a cache folder so that the next process loads it without parsing the YAML: about
/// 240 million instructions of YAML (Yams resolves the tag of every mapping key with regular
/// expressions) against well under a million to read the snapshot.
///
/// A snapshot is used only when everything it was made from is the same: its name and its header
/// carry the SHA-256 of the taxonomy's and every signature file's path and text, of the snapshot
/// format and of the running executable (its size, modification time and inode), so an edited,
/// added or removed YAML file, another folder or a rebuilt `shelfguard` all miss and parse the
/// YAML again. A snapshot whose key, length or checksum does not match, or whose contents do not
/// decode, is ignored (and replaced); a folder that cannot be created or written is not an error:
/// the YAML is parsed as without a cache. Only databases that load without a problem are kept.
///
/// The same folder keeps the review policy's snapshots (`PolicySnapshot`), in the same frame.
public struct SignatureSnapshotCache: Sendable, Equatable {
    /// The folder the snapshots are kept in, as an absolute path. Kept as a path, not a `URL`:
    /// a CI hook's `check` chooses it before anything else, on the thread that then reads the
    /// bundle, and Foundation's first `URL(fileURLWithPath:)` and `appendingPathComponent` took
    /// 0.6 ms of that thread (the feature database's load waited for them to start).
    public var path: String

    public init(path: String) { self.path = path }

    public init(folder: URL) { self.path = folder.path }

    /// The folder the snapshots are kept in.
    public var folder: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// The path of the file `name` in the folder.
    func filePath(_ name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }

    /// Names the cache folder, or `off` for none.
    public static let environmentVariable = "SHELFGUARD_CACHE"

    /// The variables `choose` reads.
    public static let variables = [environmentVariable, "XDG_CACHE_HOME", "HOME"]

    /// The cache folder chosen with `--policy-cache` (`explicit`), else `$SHELFGUARD_CACHE`, else
    /// `$XDG_CACHE_HOME/shelfguard`, else `~/.cache/shelfguard`; nil when the choice is `off` (or
    /// no home folder is known).
    public static func choose(
        explicit: String?, environment: [String: String] = ProcessEnvironment.values(SignatureSnapshotCache.variables)
    ) -> SignatureSnapshotCache? {
        func folder(_ path: String) -> SignatureSnapshotCache? {
            path == "off" ? nil : SignatureSnapshotCache(path: PolicySource.absolute(path))
        }
        if let explicit, !explicit.isEmpty { return folder(explicit) }
        if let named = environment[environmentVariable], !named.isEmpty { return folder(named) }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return SignatureSnapshotCache(path: SignatureSnapshotCache(path: xdg).filePath("shelfguard"))
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return SignatureSnapshotCache(path: SignatureSnapshotCache(path: home).filePath(".cache/shelfguard"))
        }
        return nil
    }

    /// Snapshots kept in the folder; the least recently written beyond these are removed.
    static let kept = 8

    /// The key of a database read from these files: nil when the executable cannot be identified
    /// (no snapshot is then trusted or written). The texts of `builtIn` files are part of the
    /// executable, which the key already names by its build ID (else its size, time and inode):
    /// they are not hashed again, which took 3.4 M instructions of every start of a CI hook.
    static func key(taxonomy: PolicySource.File, signatures: [PolicySource.File], builtIn: Bool = false) -> [UInt8]? {
        guard let executable = SignatureSnapshot.executableFingerprint else { return nil }
        var parts = [
            "shelfguard-signature-snapshot/\(SignatureSnapshot.formatVersion)", ShelfGuardVersion.current, executable,
        ]
        if builtIn { parts.append("built in: the texts are the executable's") }
        for file in [taxonomy] + signatures {
            parts += builtIn ? [file.name, file.path] : [file.name, file.path, file.text]
        }
        return SignatureSnapshot.hash(parts)
    }

    func snapshotPath(key: [UInt8]) -> String {
        filePath("signatures-\(key.prefix(16).hexString).snapshot")
    }

    /// The database kept under `key`, if there is one to trust. Its automaton tables are used
    /// where they lie in the snapshot's bytes, which live as long as they do (no copy into arrays
    /// of their own: 0.8 ms of a CI hook's start).
    func load(key: [UInt8]) -> SignatureDatabase? {
        guard let file = SnapshotBytes(path: snapshotPath(key: key)) else { return nil }
        return withExtendedLifetime(file) { SignatureSnapshot.decode(file.bytes, key: key, owner: file) }
    }

    /// Keeps `database` under `key`: written to a temporary file and renamed, so that another
    /// process never reads half a snapshot. Any failure leaves the cache as it was.
    func store(_ database: SignatureDatabase, key: [UInt8]) {
        store(
            SignatureSnapshot.encode(database, key: key), at: URL(fileURLWithPath: snapshotPath(key: key)),
            prefix: "signatures-")
    }

    /// Writes `bytes` to `target` in the folder through a temporary file and a rename, then keeps
    /// only the newest `kept` snapshots whose names start with `prefix`.
    func store(_ bytes: [UInt8], at target: URL, prefix: String) {
        let fileManager = FileManager.default
        guard
            (try? fileManager.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])) != nil
        else { return }
        let temporary = folder.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
        guard (try? Data(bytes).write(to: temporary)) != nil else {
            try? fileManager.removeItem(at: temporary)
            return
        }
        guard rename(temporary.path, target.path) == 0 else {
            try? fileManager.removeItem(at: temporary)
            return
        }
        prune(keeping: target.lastPathComponent, prefix: prefix)
    }

    /// Removes the oldest snapshots named `prefix…` beyond `kept`.
    private func prune(keeping newest: String, prefix: String) {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: folder.path) else { return }
        let snapshots = names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".snapshot") && $0 != newest }
        guard snapshots.count >= Self.kept else { return }
        let dated = snapshots.map { name -> (String, Date) in
            let path = folder.appendingPathComponent(name).path
            let attributes = try? fileManager.attributesOfItem(atPath: path)
            return (name, attributes?[.modificationDate] as? Date ?? .distantPast)
        }.sorted { $0.1 < $1.1 }
        for (name, _) in dated.prefix(snapshots.count - (Self.kept - 1)) {
            try? fileManager.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Hands a regular file's bytes to `body` (`SnapshotBytes`); nil when the file cannot be
    /// opened or read.
    static func withContents<T>(of path: String, _ body: (UnsafeRawBufferPointer) -> T) -> T? {
        guard let file = SnapshotBytes(path: path) else { return nil }
        return withExtendedLifetime(file) { body(file.bytes) }
    }
}

/// A regular file's bytes, read into memory of this process's own (an anonymous mapping, its pages
/// filled in at once, then made read-only) and kept while this lives. Read, not mapped from the
/// file: the automaton tables are used where they lie in these bytes (`TransitionTable`) and
/// checked once, and a mapping of the file would show a change someone made to it in place after
/// the check (or stop the process with SIGBUS had they cut it short). These bytes cannot change.
final class SnapshotBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0,
            info.st_size < 256 << 20
        else { return nil }
        let size = Int(info.st_size)
        #if os(Linux)
            let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE
        #else
            let flags = MAP_PRIVATE | MAP_ANON
        #endif
        guard let memory = mmap(nil, size, PROT_READ | PROT_WRITE, flags, -1, 0), memory != MAP_FAILED else {
            return nil
        }
        var done = 0
        while done < size {
            let n = read(descriptor, memory + done, size - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {  // cut short since fstat, or unreadable
                munmap(memory, size)
                return nil
            }
            done += n
        }
        mprotect(memory, size, PROT_READ)
        bytes = UnsafeRawBufferPointer(start: memory, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}

/// The snapshot's binary form: a header (magic, key, payload length, payload checksum) and the
/// database field by field, strings as UTF-8 with their length.
enum SignatureSnapshot {
    /// Raise when the encoding or the meaning of a field changes.
    static let formatVersion = 7
    static let magic = Array("SGSIGDB\u{1}".utf8)

    /// The running executable: its GNU build ID where the linker wrote one (Swift's does on
    /// Linux), read from the loaded program's notes in memory, else `size:mtime:inode`. A
    /// rebuilt binary (whose reader may differ) never trusts the snapshots of another. The build
    /// ID also survives a copy: a CI cache that restores the binary and the cache folder to new
    /// files still finds its snapshot, where inode and modification time change with every
    /// restore.
    static let executableFingerprint: String? = {
        #if os(Linux)
            if let id = ExecutableBuildID.current { return "build-id:\(id)" }
        #endif
        var info = stat()
        #if os(Linux)
            guard stat("/proc/self/exe", &info) == 0 else { return nil }
            return "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ino):\(info.st_dev)"
        #else
            guard let path = Bundle.main.executablePath, stat(path, &info) == 0 else { return nil }
            return "\(info.st_size):\(info.st_mtimespec.tv_sec).\(info.st_mtimespec.tv_nsec):\(info.st_ino)"
        #endif
    }()

    static func encode(_ database: SignatureDatabase, key: [UInt8]) -> [UInt8] {
        var w = SnapshotWriter()
        w.string(database.digest)
        let features = database.taxonomy.features.values.sorted { $0.id < $1.id }
        w.count(features.count)
        for feature in features {
            w.string(feature.id)
            w.string(feature.name)
            w.bool(feature.synthesis)
            w.bool(feature.biometric)
            w.bool(feature.prominentLabel)
        }
        w.count(database.signatures.count)
        for s in database.signatures {
            w.string(s.id)
            w.string(s.vendor)
            w.string(s.product)
            w.string(s.category.rawValue)
            w.strings(s.features)
            w.strings(s.possibleFeatures)
            w.string(s.confidence.rawValue)
            w.count(s.matchers.count)
            for matcher in s.matchers { w.matcher(matcher) }
            w.count(s.proofs.count)
            for proof in s.proofs {
                w.strings(proof.features)
                w.string(proof.confidence.rawValue)
            }
            w.strings(s.platforms.map(\.rawValue))
            w.bool(s.requireAll)
            w.optional(s.note)
            w.count(s.positiveExamples.count)
            for example in s.positiveExamples { w.example(example) }
            w.count(s.negativeExamples.count)
            for example in s.negativeExamples { w.example(example) }
            w.string(s.definedAt)
            w.string(s.runs.rawValue)
        }
        // The matcher's two automata, compiled: reading their tables costs a copy, compiling
        // them again about 33 million instructions (a third of a small bundle's `inspect`).
        let compiled = database.compiled ?? SignatureEngine(database).automata
        var tables = SnapshotWriter()
        compiled.content.write(to: &tables)
        compiled.dexFallback.write(to: &tables)
        // The automata begin a multiple of 8 bytes into the payload (zero bytes pad the rest), as
        // the payload does into the file, so that their tables are aligned where they lie.
        w.bytes += repeatElement(0, count: (8 - (8 + w.bytes.count) % 8) % 8)
        // Where the automata start, so that they can be read beside the rest (see `decode`).
        var payload: [UInt8] = []
        SnapshotWriter.append(UInt64(8 + w.bytes.count), to: &payload)
        return framed(payload + w.bytes + tables.bytes, magic: magic, key: key)
    }

    /// A snapshot file's bytes: `magic`, `key`, the payload's length and checksum, the payload.
    /// The feature database's and the policy's (`PolicySnapshot`) snapshots share this frame.
    static func framed(_ payload: [UInt8], magic: [UInt8], key: [UInt8]) -> [UInt8] {
        var out = magic + key
        SnapshotWriter.append(UInt64(payload.count), to: &out)
        SnapshotWriter.append(payload.withUnsafeBytes { checksum($0) }, to: &out)
        return out + payload
    }

    /// The payload of `framed` bytes when their magic, key, length and checksum all match; nil
    /// otherwise.
    static func payload(
        of bytes: UnsafeRawBufferPointer, magic: [UInt8], key: [UInt8]
    ) -> UnsafeRawBufferPointer? {
        guard let (payload, sum) = unverifiedPayload(of: bytes, magic: magic, key: key), sum == checksum(payload)
        else { return nil }
        return payload
    }

    /// The payload of `framed` bytes and the checksum the frame gives for it, when their magic,
    /// key and length match; the caller compares the checksum before trusting anything read.
    static func unverifiedPayload(
        of bytes: UnsafeRawBufferPointer, magic: [UInt8], key: [UInt8]
    ) -> (payload: UnsafeRawBufferPointer, checksum: UInt64)? {
        let header = magic.count + key.count + 16
        guard bytes.count >= header, bytes.starts(with: magic),
            bytes[magic.count..<(magic.count + key.count)].elementsEqual(key)
        else { return nil }
        var r = SnapshotReader(bytes: bytes, at: magic.count + key.count)
        let payload = UnsafeRawBufferPointer(rebasing: bytes[header...])
        guard let length = r.uint64(), let sum = r.uint64(), length == UInt64(payload.count) else { return nil }
        return (payload, sum)
    }

    /// SHA-256 of `parts`, each followed by a NUL: a snapshot's key.
    static func hash(_ parts: [String]) -> [UInt8] {
        var hasher = SHA256()
        for part in parts {
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            hasher.update(data: [0])
        }
        return Array(hasher.finalize())
    }

    /// The database in `bytes` if they are a whole snapshot made under `key`; nil otherwise.
    static func decode(_ bytes: [UInt8], key: [UInt8]) -> SignatureDatabase? {
        bytes.withUnsafeBytes { decode($0, key: key) }
    }

    /// Reads the signatures on this thread while a second one checks the checksum and reads the
    /// automata (the payload says where they start): the two halves each took about 4 M
    /// instructions of a CI hook's start-up one after the other, while the core that parsed the
    /// command line waited for them. Nothing is used unless the checksum matches.
    /// `owner` keeps `bytes` valid for as long as it lives: the automaton tables are then used
    /// where they lie (when aligned), else copied.
    static func decode(_ bytes: UnsafeRawBufferPointer, key: [UInt8], owner: AnyObject? = nil) -> SignatureDatabase? {
        guard let (payload, sum) = unverifiedPayload(of: bytes, magic: magic, key: key) else { return nil }
        var r = SnapshotReader(bytes: payload, at: 0)
        guard let start = r.uint64(), start >= 8, start <= UInt64(payload.count) else { return nil }
        // Read only until `wait()` below, while `bytes` is valid (or as long as `owner` lives).
        let shared = SharedBytes(
            payload: payload, tables: UnsafeRawBufferPointer(rebasing: payload[Int(start)...]), owner: owner)
        let side = BackgroundResult<SignatureDatabase.Automata?, Never>.onNewThread {
            guard checksum(shared.payload) == sum else { return nil }
            var t = SnapshotReader(bytes: shared.tables, at: 0)
            t.owner = shared.owner
            guard let content = try? PatternSet.read(from: &t), let dexFallback = try? PatternSet.read(from: &t),
                t.atEnd
            else { return nil }
            return SignatureDatabase.Automata(content: content, dexFallback: dexFallback)
        }
        let database = try? decodePayload(&r, end: Int(start))
        guard case .success(let automata?) = side.wait(), var database else { return nil }
        database.compiled = automata
        return database
    }

    /// A snapshot's bytes, handed to the thread that reads its automata.
    private struct SharedBytes: @unchecked Sendable {
        let payload: UnsafeRawBufferPointer
        let tables: UnsafeRawBufferPointer
        let owner: AnyObject?
    }

    /// The database but its automata, which end at `end`.
    private static func decodePayload(
        _ r: inout SnapshotReader, end: Int
    ) throws(SnapshotReader.Invalid)
        -> SignatureDatabase
    {
        let digest = try r.string()
        var features: [FeatureTaxonomy.Feature] = []
        for _ in 0..<(try r.count()) {
            features.append(
                FeatureTaxonomy.Feature(
                    id: try r.string(), name: try r.string(), synthesis: try r.bool(), biometric: try r.bool(),
                    prominentLabel: try r.bool()))
        }
        var signatures: [Signature] = []
        for _ in 0..<(try r.count()) {
            let id = try r.string()
            let vendor = try r.string()
            let product = try r.string()
            let category = try r.value(Signature.Category.self)
            let signatureFeatures = try r.strings()
            let possible = try r.strings()
            let confidence = try r.value(Signature.Confidence.self)
            var matchers: [Matcher] = []
            for _ in 0..<(try r.count()) { matchers.append(try r.matcher()) }
            var proofs: [Signature.Proof] = []
            for _ in 0..<(try r.count()) {
                proofs.append(
                    Signature.Proof(features: try r.strings(), confidence: try r.value(Signature.Confidence.self)))
            }
            var platforms: [AppManifest.Platform] = []
            for name in try r.strings() {
                guard let platform = AppManifest.Platform(rawValue: name) else { throw .init() }
                platforms.append(platform)
            }
            let requireAll = try r.bool()
            let note = try r.optional()
            var positive: [SignatureExample] = []
            for _ in 0..<(try r.count()) { positive.append(try r.example()) }
            var negative: [SignatureExample] = []
            for _ in 0..<(try r.count()) { negative.append(try r.example()) }
            let definedAt = try r.string()
            let runs = try r.value(Signature.Runs.self)
            guard matchers.count == proofs.count else { throw .init() }
            signatures.append(
                Signature(
                    id: id, vendor: vendor, product: product, category: category, features: signatureFeatures,
                    possibleFeatures: possible, confidence: confidence, matchers: matchers, proofs: proofs,
                    platforms: platforms, requireAll: requireAll, note: note, positiveExamples: positive,
                    negativeExamples: negative, definedAt: definedAt, runs: runs))
        }
        // Up to 7 zero bytes align the automata that follow (`encode`).
        guard r.at <= end, end - r.at < 8, r.bytes[r.at..<end].allSatisfy({ $0 == 0 }) else { throw .init() }
        return SignatureDatabase(signatures: signatures, taxonomy: FeatureTaxonomy(features: features), digest: digest)
    }

    /// FNV-1a over 64-bit words in four interleaved lanes (then the words and bytes left): catches a
    /// file cut short or damaged, not one forged on purpose (the cache folder is the user's own,
    /// created readable only by them). Four lanes, because one chain of multiplications waits on
    /// each result: the 2 MB of the built-in database took 2.8 M instructions in one.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 { bytes.withUnsafeBytes { checksum($0) } }

    static func checksum(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x100_0000_01b3
        let basis: UInt64 = 0xcbf2_9ce4_8422_2325
        var (a, b, c, d) = (basis, basis ^ 1, basis ^ 2, basis ^ 3)
        var i = 0
        while i + 32 <= raw.count {
            a = (a ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* prime
            b = (b ^ raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* prime
            c = (c ^ raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* prime
            d = (d ^ raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* prime
            i += 32
        }
        var hash = (((a &* prime) ^ b) &* prime ^ c) &* prime ^ d
        while i + 8 <= raw.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* prime
            i += 8
        }
        while i < raw.count {
            hash = (hash ^ UInt64(raw[i])) &* prime
            i += 1
        }
        return hash ^ UInt64(raw.count)
    }
}

/// Appends a snapshot's fields.
struct SnapshotWriter {
    var bytes: [UInt8] = []

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func count(_ n: Int) { Self.append(UInt64(n), to: &bytes) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func raw(_ value: [UInt8]) {
        count(value.count)
        bytes += value
    }
    mutating func string(_ value: String) { raw(Array(value.utf8)) }
    /// 32-bit integers in the machine's byte order (a snapshot is only read by the executable
    /// that wrote it).
    mutating func int32s(_ values: [Int32]) {
        count(values.count)
        values.withUnsafeBytes { bytes += $0 }
    }
    /// 32-bit integers as `int32s` writes them, but beginning a multiple of four bytes from the
    /// start of these bytes (after a byte that says how many zero bytes pad them), so that a
    /// reader of bytes aligned as these were can use them where they lie.
    mutating func alignedInt32s(_ values: UnsafeBufferPointer<Int32>) {
        count(values.count)
        let pad = (4 - (bytes.count + 1) % 4) % 4
        bytes.append(UInt8(pad))
        bytes += repeatElement(0, count: pad)
        bytes += UnsafeRawBufferPointer(values)
    }
    mutating func strings(_ values: [String]) {
        count(values.count)
        for value in values { string(value) }
    }
    mutating func optional(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }
    mutating func optionalStrings(_ values: [String]?) {
        bool(values != nil)
        if let values { strings(values) }
    }
    /// A scope as a mask of `ContentKind.allCases` positions (the reader needs no names, and
    /// the few distinct scopes of a database become one set each).
    mutating func scope(_ scope: Set<ContentKind>) {
        var mask: UInt64 = 0
        for (position, kind) in ContentKind.allCases.enumerated() where scope.contains(kind) {
            mask |= 1 << UInt64(position)
        }
        Self.append(mask, to: &bytes)
    }

    mutating func matcher(_ matcher: Matcher) {
        switch matcher {
        case .file(let name): tagged(0, name)
        case .path(let glob): tagged(1, glob.pattern)
        case .directory(let name): tagged(2, name)
        case .fileExtension(let ext): tagged(3, ext)
        case .kind(let kind): tagged(4, kind.rawValue)
        case .magic(let offset, let magic):
            bytes.append(5)
            count(offset)
            raw(magic)
        case .classPrefix(let prefix): tagged(6, prefix)
        case .string(let value, let scope):
            bytes.append(7)
            raw(value)
            self.scope(scope)
        case .host(let host, let scope):
            tagged(8, host)
            self.scope(scope)
        case .symbol(let name): tagged(9, name)
        case .permission(let name): tagged(10, name)
        case .metaData(let name): tagged(11, name)
        case .pluginProvider(let id): tagged(12, id)
        case .quickAppFeature(let name): tagged(13, name)
        }
    }

    private mutating func tagged(_ tag: UInt8, _ value: String) {
        bytes.append(tag)
        string(value)
    }

    mutating func example(_ e: SignatureExample) {
        string(e.platform.rawValue)
        optional(e.path)
        optional(e.content)
        optional(e.kind?.rawValue)
        optional(e.className)
        optional(e.symbol)
        optional(e.permission)
        optional(e.metaData)
        optional(e.pluginProvider)
        optional(e.feature)
        optionalStrings(e.proves)
        optionalStrings(e.rulesOut)
        string(e.definedAt)
    }
}

/// Reads a snapshot's fields; anything out of bounds or not what the field allows is `Invalid`.
/// It reads memory it does not own: use it only while `bytes` is valid.
struct SnapshotReader {
    struct Invalid: Error {}

    let bytes: UnsafeRawBufferPointer
    var at: Int
    /// What keeps `bytes` valid for as long as it lives, when tables may be used where they lie
    /// (`transitions`); nil: they are copied.
    var owner: AnyObject?
    /// The scopes read so far, by mask: a database has a handful, used by thousands of matchers.
    private var scopes: [UInt64: Set<ContentKind>] = [:]

    init(bytes: UnsafeRawBufferPointer, at: Int) {
        self.bytes = bytes
        self.at = at
    }

    var atEnd: Bool { at == bytes.count }

    mutating func uint64() -> UInt64? {
        guard bytes.count - at >= 8 else { return nil }
        let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        at += 8
        return value
    }

    /// A count no larger than the bytes left (every counted item takes at least one byte).
    mutating func count() throws(Invalid) -> Int {
        guard let value = uint64(), value <= UInt64(bytes.count - at) else { throw Invalid() }
        return Int(value)
    }

    mutating func byte() throws(Invalid) -> UInt8 {
        guard at < bytes.count else { throw Invalid() }
        at += 1
        return bytes[at - 1]
    }

    mutating func bool() throws(Invalid) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Invalid()
        }
    }

    mutating func raw() throws(Invalid) -> [UInt8] {
        let n = try count()
        defer { at += n }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]).assumingMemoryBound(to: UInt8.self))
    }

    mutating func int32s() throws(Invalid) -> [Int32] {
        guard let value = uint64(), value <= UInt64(bytes.count - at) / 4 else { throw Invalid() }
        let n = Int(value)
        let values = [Int32](unsafeUninitializedCapacity: n) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + 4 * n)]))
            initialized = n
        }
        at += 4 * n
        return values
    }

    /// A transition table as `PatternSet.write` leaves it (`SnapshotWriter.alignedInt32s`): a whole
    /// number of rows of `classCount` entries, each the start of a row, `state * classCount`,
    /// negated or not. Used where it lies when the bytes have an `owner` and the entries are
    /// aligned, else copied; checked either way (`validTransitions`), so that no scan can leave
    /// the table.
    mutating func transitions(classCount: Int) throws(Invalid) -> TransitionTable {
        guard let value = uint64(), (1...256).contains(classCount) else { throw Invalid() }
        let pad = Int(try byte())
        guard pad < 4, pad <= bytes.count - at, value <= UInt64(bytes.count - at - pad) / 4 else { throw Invalid() }
        at += pad
        let n = Int(value)
        guard n > 0, n % classCount == 0, n < Int(Int32.max) else { throw Invalid() }
        let source = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + 4 * n)])
        let table: TransitionTable
        if let owner, Int(bitPattern: source.baseAddress) % MemoryLayout<Int32>.alignment == 0 {
            let entries = UnsafeRawPointer(source.baseAddress!).bindMemory(to: Int32.self, capacity: n)
            table = TransitionTable(entries: UnsafeBufferPointer(start: entries, count: n), owner: owner)
        } else {
            let copy = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
            UnsafeMutableRawBufferPointer(copy).copyMemory(from: source)
            table = TransitionTable(entries: UnsafeBufferPointer(copy), owner: nil)
        }
        guard Self.validTransitions(table.entries, classCount: classCount) else { throw Invalid() }
        at += 4 * n
        return table
    }

    /// Whether every entry leads to a row inside the table: its magnitude at most
    /// `entries.count - classCount`, the start of the last row. A scan then never leaves the table
    /// (the class it adds is below `classCount`), and a report names a state of it. An entry that
    /// is not a row's start, which only a forged snapshot has (the checksum catches damage), makes
    /// the automaton wrong but never unsafe: the same as forged transitions between real rows.
    /// One pass over the 300,000 entries of the built-in database, vectorized: an entry is in
    /// bounds when it plus the bound, as an unsigned number, is at most twice the bound. Testing
    /// each for divisibility too (by the class count's inverse) took 4.3 M instructions, twice
    /// the copy it replaced.
    static func validTransitions(_ entries: UnsafeBufferPointer<Int32>, classCount: Int) -> Bool {
        guard entries.count >= classCount, entries.count < Int(Int32.max) else { return false }
        let bound = UInt32(entries.count - classCount)
        var largest: UInt32 = 0
        for entry in entries { largest = max(largest, UInt32(bitPattern: entry) &+ bound) }
        return largest <= 2 &* bound
    }

    /// UTF-8 text, validated (`String(exactUTF8:)`: `String(validating:)` took 5.6 M instructions
    /// of a CI hook's start-up for the built-in database's strings).
    mutating func string() throws(Invalid) -> String {
        let n = try count()
        defer { at += n }
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]).assumingMemoryBound(to: UInt8.self)
        guard let text = String(exactUTF8: utf8) else { throw Invalid() }
        return text
    }

    mutating func strings() throws(Invalid) -> [String] {
        var values: [String] = []
        for _ in 0..<(try count()) { values.append(try string()) }
        return values
    }

    mutating func optional() throws(Invalid) -> String? { try bool() ? try string() : nil }

    mutating func optionalStrings() throws(Invalid) -> [String]? { try bool() ? try strings() : nil }

    mutating func value<T: RawRepresentable>(_ type: T.Type) throws(Invalid) -> T where T.RawValue == String {
        guard let value = T(rawValue: try string()) else { throw Invalid() }
        return value
    }

    /// A scope's mask: no position past `ContentKind.allCases`.
    mutating func scope() throws(Invalid) -> Set<ContentKind> {
        guard let mask = uint64() else { throw Invalid() }
        if let scope = scopes[mask] { return scope }
        let kinds = ContentKind.allCases
        guard mask >> UInt64(kinds.count) == 0 else { throw Invalid() }
        var scope = Set<ContentKind>()
        for (position, kind) in kinds.enumerated() where mask & (1 << UInt64(position)) != 0 { scope.insert(kind) }
        scopes[mask] = scope
        return scope
    }

    mutating func matcher() throws(Invalid) -> Matcher {
        switch try byte() {
        case 0: return .file(try string())
        case 1: return .path(Glob(try string()))
        case 2: return .directory(try string())
        case 3: return .fileExtension(try string())
        case 4: return .kind(try value(ContentKind.self))
        case 5:
            let offset = try count()
            return .magic(offset: offset, bytes: try raw())
        case 6: return .classPrefix(try string())
        case 7:
            let value = try raw()
            return .string(value, scope: try scope())
        case 8:
            let host = try string()
            return .host(host, scope: try scope())
        case 9: return .symbol(try string())
        case 10: return .permission(try string())
        case 11: return .metaData(try string())
        case 12: return .pluginProvider(try string())
        case 13: return .quickAppFeature(try string())
        default: throw Invalid()
        }
    }

    mutating func example() throws(Invalid) -> SignatureExample {
        var e = SignatureExample()
        e.platform = try value(AppManifest.Platform.self)
        e.path = try optional()
        e.content = try optional()
        if let kind = try optional() {
            guard let value = ContentKind(rawValue: kind) else { throw Invalid() }
            e.kind = value
        }
        e.className = try optional()
        e.symbol = try optional()
        e.permission = try optional()
        e.metaData = try optional()
        e.pluginProvider = try optional()
        e.feature = try optional()
        e.proves = try optionalStrings()
        e.rulesOut = try optionalStrings()
        e.definedAt = try string()
        return e
    }
}

#if os(Linux)
    /// The GNU build ID (`NT_GNU_BUILD_ID`) of the running executable, from the `PT_NOTE`
    /// segments of `/proc/self/exe` (a 64-bit little-endian ELF file; anything else has none
    /// here): a few small reads.
    enum ExecutableBuildID {
        static let current: String? = {
            let descriptor = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            func bytes(_ offset: Int, _ count: Int) -> [UInt8]? {
                guard count > 0, count <= 1 << 20, offset >= 0 else { return nil }
                var out = [UInt8](repeating: 0, count: count)
                let n = out.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
                return n == count ? out : nil
            }
            func word<T: FixedWidthInteger>(_ b: [UInt8], _ at: Int, _: T.Type) -> Int {
                var v: UInt64 = 0
                for i in 0..<MemoryLayout<T>.size { v |= UInt64(b[at + i]) << UInt64(8 * i) }
                return Int(truncatingIfNeeded: v)
            }
            guard let header = bytes(0, 64), header[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]),
                header[4] == 2, header[5] == 1
            else { return nil }
            let tableAt = word(header, 32, UInt64.self)
            let entrySize = word(header, 54, UInt16.self)
            let count = word(header, 56, UInt16.self)
            guard entrySize >= 56, count > 0, let table = bytes(tableAt, entrySize * count) else { return nil }
            for i in 0..<count where word(table, i * entrySize, UInt32.self) == Int(PT_NOTE) {
                let offset = word(table, i * entrySize + 8, UInt64.self)
                let size = word(table, i * entrySize + 32, UInt64.self)
                guard let notes = bytes(offset, size) else { continue }
                if let id = notes.withUnsafeBytes({ scan($0) }), !id.isEmpty { return id.hexString }
            }
            return nil
        }()

        /// The build ID among the notes in `notes` (each: name size, description size, type,
        /// then the name and the description, each padded to four bytes).
        static func scan(_ notes: UnsafeRawBufferPointer) -> [UInt8]? {
            var at = 0
            func aligned(_ n: Int) -> Int { (n + 3) & ~3 }
            while at + 12 <= notes.count {
                let nameSize = Int(notes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
                let descSize = Int(notes.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self))
                let type = notes.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self)
                let name = at + 12
                let desc = name + aligned(nameSize)
                guard nameSize <= notes.count, descSize <= notes.count, desc + descSize <= notes.count else {
                    return nil
                }
                if type == 3, nameSize == 4, Array(notes[name..<(name + 4)]) == Array("GNU\0".utf8), descSize > 0 {
                    return Array(notes[desc..<(desc + descSize)])
                }
                at = desc + aligned(descSize)
            }
            return nil
        }
    }
#endif

/// The feature database compiled for one pass over a bundle: path, kind and manifest matchers in
/// hash tables (names lowercased: file-name matching ignores case), every content pattern of every
/// signature in one multi-pattern automaton, DEX class prefixes in a trie, and a second automaton
/// for DEX files whose string table cannot be walked. Built once, shared by every inspection (it is
/// immutable).
///
/// Native code is matched as the dynamic linker sees it. Symbols (`symbol: fuSetup`), the JNI forms
/// of every class prefix (`Java_com_faceunity_…` exports, `com/faceunity/…` FindClass and
/// RegisterNatives strings) and the names of `.so` file matchers (DT_NEEDED, DT_SONAME) join the
/// content automaton as string-table entries: the bytes, a NUL after them where the name is whole,
/// and a NUL required just before them (checked when a match is found, so that NUL, common in
/// binaries, does not become a byte that starts a pattern and slow the scan down). This was chosen
/// over parsing `.dynstr` through the section or program headers: a NUL-delimited match sees every
/// string table (`.dynstr`, `.strtab`, a Mach-O's symbol strings, `.rodata`) whatever the headers
/// claim, so headers stripped or forged to mislead a parser hide nothing, and it needs no second
/// pass: the patterns ride the one the content automaton already makes over ELF and Mach-O entries
/// (a larger automaton, so scanning native code costs a little more; DEX and text cost the same).
public struct SignatureEngine: Sendable {
    /// A matcher of a signature: indexes into `database.signatures[s].matchers[m]`.
    struct Ref: Hashable, Sendable {
        var signature: Int32
        var matcher: Int32
    }

    /// One matcher's use of a content pattern.
    struct ContentUse: Sendable {
        var ref: Ref
        /// The content kinds it searches.
        var scope: Set<ContentKind>
        /// It counts only where a NUL byte comes just before the match (a string-table entry).
        var afterNUL: Bool
        /// What the evidence says; nil shows the matched bytes.
        var evidence: String?
    }

    public let database: SignatureDatabase

    /// File and folder names, lowercased.
    let byFile: [String: [Ref]]
    let byDirectory: [String: [Ref]]
    let byExtension: [String: [Ref]]
    /// Globs, lowercased, by their literal prefix (`lib`, `assets/x`, or empty for globs that start
    /// with a wildcard).
    let globs: [String: [(Glob, Ref)]]
    let byKind: [ContentKind: [Ref]]
    /// The longest file or folder name matched, in UTF-8 bytes: a longer path component cannot
    /// match, so it is never made into a string to look up.
    let longestName: Int
    /// The longest literal glob prefix, in UTF-8 bytes: deeper prefixes of a path are not looked up.
    let longestGlobPrefix: Int
    let magics: [(offset: Int, bytes: [UInt8], ref: Ref)]
    /// The content patterns and their automata (built beside the rest, see `init`).
    let contentTables: ContentTables
    /// Strings, hosts and native names, one pattern per distinct byte string.
    public var content: PatternSet { contentTables.content }
    /// What a DEX whose string table cannot be walked is searched for byte by byte.
    public var dexFallback: PatternSet { contentTables.dexFallback }
    let classes: ClassPrefixTrie
    let byPermission: [String: [Ref]]
    let byMetaData: [String: [Ref]]
    let byPluginProvider: [String: [Ref]]
    let byQuickAppFeature: [String: [Ref]]
    /// The longest magic: how many leading bytes of an entry the magic matchers need.
    let magicReach: Int

    /// Builds the engine in two halves side by side: the pattern tables and their automata on a
    /// second thread while this one builds the name, kind and manifest indexes (each about half
    /// of the 5.6 M instructions a CI hook's `check` spent here after the feature database's
    /// load, with the other core idle).
    public init(_ database: SignatureDatabase) {
        self.database = database
        let pending = BackgroundResult<ContentTables, Never>.onNewThread { ContentTables(database) }
        var byFile: [String: [Ref]] = [:]
        var byDirectory: [String: [Ref]] = [:]
        var byExtension: [String: [Ref]] = [:]
        var globs: [String: [(Glob, Ref)]] = [:]
        var byKind: [ContentKind: [Ref]] = [:]
        var magics: [(Int, [UInt8], Ref)] = []
        var classes = ClassPrefixTrie()
        var byPermission: [String: [Ref]] = [:]
        var byMetaData: [String: [Ref]] = [:]
        var byPluginProvider: [String: [Ref]] = [:]
        var byQuickAppFeature: [String: [Ref]] = [:]

        for (s, signature) in database.signatures.enumerated() {
            for (m, matcher) in signature.matchers.enumerated() {
                let ref = Ref(signature: Int32(s), matcher: Int32(m))
                switch matcher {
                case .file(let name): byFile[name.lowercased(), default: []].append(ref)
                case .path(let glob):
                    let folded = Glob(glob.pattern.lowercased())
                    globs[folded.literalPrefix, default: []].append((folded, ref))
                case .directory(let name): byDirectory[name.lowercased(), default: []].append(ref)
                case .fileExtension(let ext): byExtension[ext, default: []].append(ref)
                case .kind(let kind): byKind[kind, default: []].append(ref)
                case .magic(let offset, let bytes): magics.append((offset, bytes, ref))
                case .classPrefix(let prefix): classes.insert(Array(prefix.utf8), ref)
                case .permission(let name): byPermission[name, default: []].append(ref)
                case .metaData(let name): byMetaData[name, default: []].append(ref)
                case .pluginProvider(let id): byPluginProvider[id, default: []].append(ref)
                case .quickAppFeature(let name): byQuickAppFeature[name, default: []].append(ref)
                case .symbol, .string, .host: break
                }
            }
        }
        self.byFile = byFile
        self.byDirectory = byDirectory
        self.byExtension = byExtension
        self.globs = globs
        self.byKind = byKind
        self.longestName = (byFile.keys.map(\.utf8.count) + byDirectory.keys.map(\.utf8.count)).max() ?? 0
        self.longestGlobPrefix = globs.keys.map(\.utf8.count).max() ?? 0
        self.magics = magics.map { (offset: $0.0, bytes: $0.1, ref: $0.2) }
        self.classes = classes
        self.byPermission = byPermission
        self.byMetaData = byMetaData
        self.byPluginProvider = byPluginProvider
        self.byQuickAppFeature = byQuickAppFeature
        self.magicReach = magics.map { $0.0 + $0.1.count }.max() ?? 0
        self.contentTables = pending.wait().get()
    }

    /// The content patterns of every signature (strings, hosts, and the native names of `.so`
    /// files, symbols and class prefixes) and the DEX fallback's, with their automata.
    struct ContentTables: Sendable {
        /// Strings, hosts and native names, one pattern per distinct byte string.
        let content: PatternSet
        /// For each content pattern, the matchers that use it.
        let contentRefs: [[ContentUse]]
        /// For each content pattern, whether some use of it needs a NUL before it.
        let checksNUL: [Bool]
        /// Content kinds where some use needs a NUL before its match (ELF, Mach-O).
        let nulBoundedKinds: Set<ContentKind>
        /// The longest pattern that needs a NUL before it.
        let longestNULBounded: Int
        /// Content kinds any string or host matcher searches.
        let scannedKinds: Set<ContentKind>
        /// What a DEX whose string table cannot be walked is searched for byte by byte: every
        /// string and host whose matcher searches DEX files, and every class prefix.
        let dexFallback: PatternSet
        /// For each pattern of `dexFallback`, its matchers and their evidence.
        let dexFallbackRefs: [[(ref: Ref, evidence: String)]]

        init(_ database: SignatureDatabase) {
            var content = PatternTable<ContentUse>()
            var fallback = PatternTable<(ref: Ref, evidence: String)>()
            for (s, signature) in database.signatures.enumerated() {
                for (m, matcher) in signature.matchers.enumerated() {
                    let ref = Ref(signature: Int32(s), matcher: Int32(m))
                    func native(_ text: String, _ scope: Set<ContentKind>, _ evidence: String) {
                        content.add(
                            Array(text.utf8), ContentUse(ref: ref, scope: scope, afterNUL: true, evidence: evidence))
                    }
                    switch matcher {
                    case .file(let name):
                        // A shared library names itself (DT_SONAME) and is named by those that
                        // load it (DT_NEEDED): a renamed copy still carries the name.
                        if name.lowercased().hasSuffix(".so") {
                            native(name + "\0", [.elf], "ELF library name \(name)")
                        }
                    case .classPrefix(let prefix):
                        fallback.add(Array(prefix.utf8), (ref, "\(prefix)… (DEX byte scan)"))
                        for form in SignatureEngine.jniForms(of: prefix) { native(form.text, [.elf], form.evidence) }
                    case .symbol(let name):
                        native(name + "\0", [.elf], "ELF symbol \(name)")
                        native("_" + name + "\0", [.machO], "Mach-O symbol _\(name)")
                    case .string(let bytes, let scope):
                        content.add(bytes, ContentUse(ref: ref, scope: scope, afterNUL: false, evidence: nil))
                        if scope.contains(.dex) {
                            fallback.add(bytes, (ref, "\(EntryName.display(bytes)) (DEX byte scan)"))
                        }
                    case .host(let host, let scope):
                        content.add(
                            Array(host.utf8), ContentUse(ref: ref, scope: scope, afterNUL: false, evidence: nil))
                        if scope.contains(.dex) { fallback.add(Array(host.utf8), (ref, "\(host) (DEX byte scan)")) }
                    case .path, .directory, .fileExtension, .kind, .magic, .permission, .metaData, .pluginProvider,
                        .quickAppFeature:
                        break
                    }
                }
            }
            // Tables a snapshot kept are used when they are these very patterns' (see `Automata`).
            let compiled = database.compiled
            if let kept = compiled?.content, kept.compiles(content.patterns) {
                self.content = kept
            } else {
                self.content = PatternSet(content.patterns)
            }
            self.contentRefs = content.uses
            self.checksNUL = content.uses.map { $0.contains(where: \.afterNUL) }
            let bounded = content.uses.joined().filter(\.afterNUL)
            self.nulBoundedKinds = bounded.reduce(into: Set()) { $0.formUnion($1.scope) }
            self.longestNULBounded = zip(content.patterns, self.checksNUL).filter(\.1).map(\.0.count).max() ?? 0
            self.scannedKinds = content.uses.joined().reduce(into: Set()) { $0.formUnion($1.scope) }
            if let kept = compiled?.dexFallback, kept.compiles(fallback.patterns) {
                self.dexFallback = kept
            } else {
                self.dexFallback = PatternSet(fallback.patterns)
            }
            self.dexFallbackRefs = fallback.uses
        }
    }

    /// The two automata, to keep in a snapshot.
    var automata: SignatureDatabase.Automata { .init(content: content, dexFallback: dexFallback) }

    /// Whether any class matcher exists (DEX string tables are walked only then).
    var hasClassMatchers: Bool { !classes.isEmpty }

    func signature(_ ref: Ref) -> Signature { database.signatures[Int(ref.signature)] }

    /// How native code names the classes a DEX class prefix covers: the JNI export of a native
    /// method (`Java_` and the mangled class name), and the slash form FindClass and
    /// RegisterNatives take (`com/faceunity/…`, no `L`). A whole descriptor (`Lcom/x/Y;`) is
    /// followed by `_` and the method in an export, and by NUL as a class name.
    static func jniForms(of prefix: String) -> [(text: String, evidence: String)] {
        var name = Substring(prefix.hasPrefix("L") ? String(prefix.dropFirst()) : prefix)
        let whole = name.hasSuffix(";")
        if whole { name = name.dropLast() }
        guard !name.isEmpty else { return [] }
        let export = "Java_" + jniMangled(name) + (whole ? "_" : "")
        return [
            (export, "JNI export \(export)…"),
            (String(name) + (whole ? "\0" : ""), "JNI class name \(name)\(whole ? "" : "…")"),
        ]
    }

    /// JNI's mangling of a class name in a native method's symbol: `/` is `_`, `_` is `_1`, `;` is
    /// `_2`, `[` is `_3`, other characters but ASCII letters and digits `_0` and four lowercase hex
    /// digits of the UTF-16 unit.
    static func jniMangled(_ name: Substring) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count + 8)
        let hex = Array("0123456789abcdef".utf8)
        for unit in name.utf16 {
            switch unit {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: out.append(UInt8(unit))
            case 0x2F: out.append(0x5F)
            case 0x5F: out += [0x5F, 0x31]
            case 0x3B: out += [0x5F, 0x32]
            case 0x5B: out += [0x5F, 0x33]
            default:
                out += [0x5F, 0x30]
                for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(unit >> UInt16(shift)) & 0xF]) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Distinct byte patterns, each with the uses that share it: what a `PatternSet` is compiled from.
struct PatternTable<Use> {
    private(set) var patterns: [[UInt8]] = []
    private(set) var uses: [[Use]] = []
    private var index: [Bytes: Int] = [:]

    mutating func add(_ bytes: [UInt8], _ use: Use) {
        if let existing = index[Bytes(bytes)] {
            uses[existing].append(use)
        } else {
            index[Bytes(bytes)] = patterns.count
            patterns.append(bytes)
            uses.append([use])
        }
    }

    /// A pattern as a dictionary key hashed in one call: `[UInt8]` hashes byte by byte, which was
    /// a quarter of building the engine at each start.
    private struct Bytes: Hashable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }
}

/// DEX class-descriptor prefixes in a byte trie: a string is walked once, and every prefix of it
/// that is a matcher is found.
///
/// Each node keeps its children as a short list of bytes searched in order, not a dictionary:
/// the walk runs for every DEX string that begins with `L` (thousands per DEX), a node has a few
/// children (the widest, the packages' first letters, a few dozen), and hashing each byte for a
/// dictionary cost more than the rest of the string's handling.
struct ClassPrefixTrie: Sendable {
    /// A node's children: the byte of each edge, and the node it leads to at the same index.
    private struct Edges: Sendable {
        var bytes: [UInt8] = []
        var targets: [Int32] = []

        func target(of byte: UInt8) -> Int32? {
            guard let i = bytes.firstIndex(of: byte) else { return nil }
            return targets[i]
        }
    }

    private var children: [Edges] = [Edges()]
    private var refs: [[SignatureEngine.Ref]] = [[]]

    var isEmpty: Bool { children.count == 1 }

    mutating func insert(_ prefix: [UInt8], _ ref: SignatureEngine.Ref) {
        var node = 0
        for byte in prefix {
            if let next = children[node].target(of: byte) {
                node = Int(next)
            } else {
                children.append(Edges())
                refs.append([])
                children[node].bytes.append(byte)
                children[node].targets.append(Int32(children.count - 1))
                node = children.count - 1
            }
        }
        refs[node].append(ref)
    }

    /// Calls `found` for every matcher whose prefix starts `string`.
    func prefixes(of string: UnsafeRawBufferPointer, _ found: (SignatureEngine.Ref) -> Void) {
        var node = 0
        for byte in string {
            guard let next = children[node].target(of: byte) else { return }
            node = Int(next)
            for ref in refs[node] { found(ref) }
        }
    }
}

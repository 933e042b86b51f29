/// The feature database compiled for one pass over a bundle: path, kind and manifest matchers in
/// hash tables, every content pattern of every signature in one multi-pattern automaton, DEX class
/// prefixes in a trie. Built once, shared by every inspection (it is immutable).
public struct SignatureEngine: Sendable {
    /// A matcher of a signature: indexes into `database.signatures[s].matchers[m]`.
    struct Ref: Hashable, Sendable {
        var signature: Int32
        var matcher: Int32
    }

    public let database: SignatureDatabase

    let byFile: [String: [Ref]]
    let byDirectory: [String: [Ref]]
    let byExtension: [String: [Ref]]
    /// Globs by their literal prefix (`lib`, `assets/x`, or empty for globs that start with a wildcard).
    let globs: [String: [(Glob, Ref)]]
    let byKind: [ContentKind: [Ref]]
    let magics: [(offset: Int, bytes: [UInt8], ref: Ref)]
    /// Strings and hosts, one pattern per distinct byte string.
    public let content: PatternSet
    /// For each content pattern, the matchers that use it and the kinds they search.
    let contentRefs: [[(ref: Ref, scope: Set<ContentKind>)]]
    /// Content kinds any string or host matcher searches.
    let scannedKinds: Set<ContentKind>
    let classes: ClassPrefixTrie
    let byPermission: [String: [Ref]]
    let byMetaData: [String: [Ref]]
    let byPluginProvider: [String: [Ref]]
    let byQuickAppFeature: [String: [Ref]]
    /// The longest magic: how many leading bytes of an entry the magic matchers need.
    let magicReach: Int

    public init(_ database: SignatureDatabase) {
        self.database = database
        var byFile: [String: [Ref]] = [:]
        var byDirectory: [String: [Ref]] = [:]
        var byExtension: [String: [Ref]] = [:]
        var globs: [String: [(Glob, Ref)]] = [:]
        var byKind: [ContentKind: [Ref]] = [:]
        var magics: [(Int, [UInt8], Ref)] = []
        var patterns: [[UInt8]] = []
        var patternIndex: [[UInt8]: Int] = [:]
        var contentRefs: [[(Ref, Set<ContentKind>)]] = []
        var scanned = Set<ContentKind>()
        var classes = ClassPrefixTrie()
        var byPermission: [String: [Ref]] = [:]
        var byMetaData: [String: [Ref]] = [:]
        var byPluginProvider: [String: [Ref]] = [:]
        var byQuickAppFeature: [String: [Ref]] = [:]

        for (s, signature) in database.signatures.enumerated() {
            for (m, matcher) in signature.matchers.enumerated() {
                let ref = Ref(signature: Int32(s), matcher: Int32(m))
                switch matcher {
                case .file(let name): byFile[name, default: []].append(ref)
                case .path(let glob): globs[glob.literalPrefix, default: []].append((glob, ref))
                case .directory(let name): byDirectory[name, default: []].append(ref)
                case .fileExtension(let ext): byExtension[ext, default: []].append(ref)
                case .kind(let kind): byKind[kind, default: []].append(ref)
                case .magic(let offset, let bytes): magics.append((offset, bytes, ref))
                case .classPrefix(let prefix): classes.insert(Array(prefix.utf8), ref)
                case .string, .host: break  // into the automaton, below
                case .permission(let name): byPermission[name, default: []].append(ref)
                case .metaData(let name): byMetaData[name, default: []].append(ref)
                case .pluginProvider(let id): byPluginProvider[id, default: []].append(ref)
                case .quickAppFeature(let name): byQuickAppFeature[name, default: []].append(ref)
                }
                let contentPattern: ([UInt8], Set<ContentKind>)? =
                    switch matcher {
                    case .string(let bytes, let scope): (bytes, scope)
                    case .host(let host, let scope): (Array(host.utf8), scope)
                    default: nil
                    }
                if let (bytes, scope) = contentPattern {
                    let index: Int
                    if let existing = patternIndex[bytes] {
                        index = existing
                    } else {
                        index = patterns.count
                        patternIndex[bytes] = index
                        patterns.append(bytes)
                        contentRefs.append([])
                    }
                    contentRefs[index].append((ref, scope))
                    scanned.formUnion(scope)
                }
            }
        }
        self.byFile = byFile
        self.byDirectory = byDirectory
        self.byExtension = byExtension
        self.globs = globs
        self.byKind = byKind
        self.magics = magics.map { (offset: $0.0, bytes: $0.1, ref: $0.2) }
        self.content = PatternSet(patterns)
        self.contentRefs = contentRefs.map { $0.map { (ref: $0.0, scope: $0.1) } }
        self.scannedKinds = scanned
        self.classes = classes
        self.byPermission = byPermission
        self.byMetaData = byMetaData
        self.byPluginProvider = byPluginProvider
        self.byQuickAppFeature = byQuickAppFeature
        self.magicReach = magics.map { $0.0 + $0.1.count }.max() ?? 0
    }

    /// Whether any class matcher exists (DEX string tables are walked only then).
    var hasClassMatchers: Bool { !classes.isEmpty }

    func signature(_ ref: Ref) -> Signature { database.signatures[Int(ref.signature)] }
}

/// DEX class-descriptor prefixes in a byte trie: a string is walked once, and every prefix of it
/// that is a matcher is found.
struct ClassPrefixTrie: Sendable {
    private var children: [[UInt8: Int32]] = [[:]]
    private var refs: [[SignatureEngine.Ref]] = [[]]

    var isEmpty: Bool { children.count == 1 }

    mutating func insert(_ prefix: [UInt8], _ ref: SignatureEngine.Ref) {
        var node = 0
        for byte in prefix {
            if let next = children[node][byte] {
                node = Int(next)
            } else {
                children.append([:])
                refs.append([])
                children[node][byte] = Int32(children.count - 1)
                node = children.count - 1
            }
        }
        refs[node].append(ref)
    }

    /// Calls `found` for every matcher whose prefix starts `string`.
    func prefixes(of string: UnsafeRawBufferPointer, _ found: (SignatureEngine.Ref) -> Void) {
        var node = 0
        for byte in string {
            guard let next = children[node][byte] else { return }
            node = Int(next)
            for ref in refs[node] { found(ref) }
        }
    }
}

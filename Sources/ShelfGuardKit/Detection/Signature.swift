/// One entry of the feature database (特征库, DSP Art. 10): what an AI SDK, model or service looks
/// like inside a bundle, and which features each kind of evidence proves.
///
/// Features belong to matchers, not to the vendor: DashScope's chat endpoint proves text
/// generation, its image-synthesis endpoint image generation, and its bare host only that some
/// service of the vendor is called (the vendor's features are then *possible*, not proven).
public struct Signature: Sendable, Equatable {
    /// How much a match says on its own.
    public enum Confidence: String, Sendable, Codable, CaseIterable, Comparable {
        case weak, medium, strong

        private var rank: Int {
            switch self {
            case .weak: 0
            case .medium: 1
            case .strong: 2
            }
        }

        public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs.rank < rhs.rank }
    }

    /// What kind of thing the signature finds.
    public enum Category: String, Sendable, Codable, CaseIterable {
        /// Deep synthesis: an SDK, model or service that generates or edits content.
        case synthesis
        /// Biometric recognition, liveness, speech recognition: classed apart from synthesis.
        case recognition
        /// A generic inference runtime or model: a weak signal that raises questions.
        case runtime
        /// A packer: the real code is encrypted; the bundle is opaque (a `packed` hazard).
        case packer
        /// Code that writes content labels (the GB 45438 implicit label, C2PA content
        /// credentials): a labeling fact, never an AI feature.
        case labeling

        /// Whether detections of this category are about AI features at all (packers and label
        /// writers prove none and may name none).
        public var provesFeatures: Bool {
            switch self {
            case .synthesis, .recognition, .runtime: true
            case .packer, .labeling: false
            }
        }
    }

    /// Where the generation the signature finds happens (`runs:`): in the app on the device, or
    /// on the vendor's servers, which then write the labels of what they make.
    public enum Runs: String, Sendable, Codable, CaseIterable {
        case device, service
    }

    public var id: String
    public var vendor: String
    public var product: String
    public var category: Category
    /// Every feature some matcher proves, in the order first given.
    public var features: [String]
    /// What the vendor's service may provide beyond what a match proves (`possible:`): listed on a
    /// detection as possible features, never counted as found.
    public var possibleFeatures: [String]
    /// The default confidence of the matchers (`confidence:` of the signature).
    public var confidence: Confidence
    public var matchers: [Matcher]
    /// What each matcher proves, index for index with `matchers`.
    public var proofs: [Proof]
    /// The platforms the vendor ships for (`platforms:`): each needs a positive example.
    public var platforms: [AppManifest.Platform]
    /// When true, every matcher must match somewhere in the bundle; otherwise any one.
    public var requireAll: Bool
    public var note: String?
    public var positiveExamples: [SignatureExample]
    public var negativeExamples: [SignatureExample]
    /// Where the signature is defined: `file:line`.
    public var definedAt: String
    /// Where the generation it finds happens (`runs:`, default device).
    public var runs: Runs = .device

    /// What one matcher's evidence proves: the features (possibly none: "a service of this vendor
    /// is called") and how strongly.
    public struct Proof: Sendable, Equatable {
        public var features: [String]
        public var confidence: Confidence

        public init(features: [String], confidence: Confidence) {
            self.features = features
            self.confidence = confidence
        }
    }

    /// Machine ids are snake_case: lowercase letters, digits and underscores, starting with a
    /// letter or digit.
    static func isSnakeCase(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, first.properties.isLowercase || ("0"..."9").contains(first) else {
            return false
        }
        return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// One way a signature recognises its subject.
public enum Matcher: Sendable, Equatable {
    /// An entry whose last path component is this, ignoring case (`libCNamaSDK.so`). A `.so` name
    /// also matches as a whole string in ELF content (DT_NEEDED, DT_SONAME), so that a renamed
    /// copy of the library, or one that loads it, is found too.
    case file(String)
    /// An entry whose path matches a glob, ignoring case (`*` within a component, `**` across
    /// components).
    case path(Glob)
    /// An entry with this folder anywhere in its path, ignoring case (`onnxruntime.framework`).
    case directory(String)
    /// An entry with this extension, lowercased (`tflite`).
    case fileExtension(String)
    /// An entry whose content kind (from its magic number) is this.
    case kind(ContentKind)
    /// An entry whose bytes at `offset` are these.
    case magic(offset: Int, bytes: [UInt8])
    /// A class in a DEX string table whose descriptor starts with this (`Lcom/iflytek/cloud/`).
    /// Native code is searched for it too, in its JNI forms: exports (`Java_com_iflytek_cloud_…`)
    /// and FindClass or RegisterNatives names (`com/iflytek/cloud/…`).
    case classPrefix(String)
    /// Bytes inside the content of entries of the given kinds.
    case string([UInt8], scope: Set<ContentKind>)
    /// A host name inside the content of entries of the given kinds.
    case host(String, scope: Set<ContentKind>)
    /// A symbol an ELF or Mach-O image exports or imports, matched whole in its string tables
    /// (`fuSetup`: `\0fuSetup\0` in an ELF, `\0_fuSetup\0` in a Mach-O, where C names carry a
    /// leading underscore).
    case symbol(String)
    /// A permission in the manifest.
    case permission(String)
    /// A metadata key (Android meta-data name, iOS Info.plist key).
    case metaData(String)
    /// A mini-program plugin by its provider's appid.
    case pluginProvider(String)
    /// A quick-app feature.
    case quickAppFeature(String)

    /// The content kinds searched for strings and hosts unless a matcher says otherwise: code and
    /// text, not images, media or model weights.
    public static let defaultScope: Set<ContentKind> = [
        .dex, .elf, .machO, .javaClass, .arkBytecode, .wasm, .text, .json, .xml, .binaryPlist, .resourceTable,
    ]

    /// The matcher's key in the YAML.
    var key: String {
        switch self {
        case .file: "file"
        case .path: "path"
        case .directory: "dir"
        case .fileExtension: "extension"
        case .kind: "kind"
        case .magic: "magic"
        case .classPrefix: "class"
        case .string: "string"
        case .host: "host"
        case .symbol: "symbol"
        case .permission: "permission"
        case .metaData: "meta_data"
        case .pluginProvider: "plugin_provider"
        case .quickAppFeature: "quickapp_feature"
        }
    }
}

/// An example input a signature must (positive) or must not (negative) match. Each key adds one
/// fact to a small synthetic bundle; together they form one example.
public struct SignatureExample: Sendable, Equatable {
    /// The platform of the synthetic bundle (android unless said).
    public var platform: AppManifest.Platform = .android
    /// An entry path.
    public var path: String?
    /// Text placed in the entry's content (at `path`, or a default path for `kind`).
    public var content: String?
    /// The content kind of that entry (dex, elf, mach_o, text, json…); text unless said.
    public var kind: ContentKind?
    /// A class descriptor in a DEX string table.
    public var className: String?
    /// A symbol exported by a native library: an ELF (a Mach-O on iOS) at `path`, or at the
    /// platform's default place for one.
    public var symbol: String?
    public var permission: String?
    public var metaData: String?
    public var pluginProvider: String?
    public var feature: String?
    /// Positive examples: exactly the features the match must prove (`proves: []` for a bare
    /// vendor match). Nil leaves the features unchecked.
    public var proves: [String]?
    /// Negative examples: the signature may fire on the example but must prove none of these.
    /// Nil means it must not fire at all.
    public var rulesOut: [String]?
    /// Where the example is written: `file:line`.
    public var definedAt: String = ""

    public init() {}
}

/// A path glob: `*` and `?` within one component, `**` for any number of components.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let components: [[UInt8]]
    /// The components before the first wildcard, joined with `/`: the engine indexes globs by it,
    /// so that an entry is only tried against globs whose literal start it has.
    let literalPrefix: String
    /// The literal end of the last component (after its last wildcard): a cheap first test.
    private let literalSuffix: [UInt8]

    public init(_ pattern: String) {
        self.pattern = pattern
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).map { Array($0.utf8) }
        self.components = parts
        func wild(_ c: [UInt8]) -> Bool { c.contains(UInt8(ascii: "*")) || c.contains(UInt8(ascii: "?")) }
        let literal = parts.prefix { !wild($0) && $0 != Array("**".utf8) }
        // A glob that is all literal keeps its last component out of the prefix (it is the name).
        let prefixParts = literal.count == parts.count ? literal.dropLast() : literal[...]
        self.literalPrefix = prefixParts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
        let last = parts.last ?? []
        if let star = last.lastIndex(where: { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }) {
            self.literalSuffix = Array(last[(star + 1)...])
        } else {
            self.literalSuffix = last
        }
    }

    public var description: String { pattern }

    public static func == (lhs: Glob, rhs: Glob) -> Bool { lhs.pattern == rhs.pattern }

    /// Letters and digits outside wildcards: how specific the glob is.
    var significantCharacters: Int {
        pattern.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.count
    }

    public func matches(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        return matches(components: bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false))
    }

    /// Whether a path, already split into components, matches: dynamic programming over (pattern
    /// component, path component), so that hostile paths of many components cost no more than
    /// their length times the pattern's.
    func matches(components parts: [ArraySlice<UInt8>]) -> Bool {
        guard let last = parts.last, last.count >= literalSuffix.count,
            last.suffix(literalSuffix.count).elementsEqual(literalSuffix)
        else { return false }
        let n = parts.count
        var next = [Bool](repeating: false, count: n + 1)
        next[n] = true
        for i in stride(from: components.count - 1, through: 0, by: -1) {
            var current = [Bool](repeating: false, count: n + 1)
            if components[i] == Array("**".utf8) {
                var any = false
                for j in stride(from: n, through: 0, by: -1) {
                    any = any || next[j]
                    current[j] = any
                }
            } else {
                for j in 0..<n where next[j + 1] {
                    current[j] = Glob.component(components[i][...], parts[j])
                }
            }
            next = current
        }
        return next[0]
    }

    /// `*` and `?` within one component (iterative, linear in practice).
    private static func component(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        var pi = p.startIndex
        var si = s.startIndex
        var star: ArraySlice<UInt8>.Index?
        var mark = si
        while si < s.endIndex {
            if pi < p.endIndex && (p[pi] == UInt8(ascii: "?") || p[pi] == s[si]) {
                pi += 1
                si += 1
            } else if pi < p.endIndex && p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = si
                pi += 1
            } else if let star {
                pi = star + 1
                mark += 1
                si = mark
            } else {
                return false
            }
        }
        while pi < p.endIndex && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.endIndex
    }
}

import Crypto
import Foundation
import Yams

/// The feature database: every signature in `policies/signatures/*.yaml`, checked against the
/// feature taxonomy. Loading is strict: unknown keys, bad or over-broad patterns, duplicate ids
/// and unknown feature ids are errors naming the file, line and column.
public struct SignatureDatabase: Sendable {
    public var signatures: [Signature]
    public var taxonomy: FeatureTaxonomy
    /// SHA-256 over the files read (names and contents, in order): stamped on every verdict.
    public var digest: String

    /// Everything wrong with a database, each problem with its position.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var problems: [YAMLProblem]

        public init(problems: [YAMLProblem]) { self.problems = problems }

        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    /// Where the database was read from: built in, or a folder and how it was chosen.
    public var origin: ConfigSource = .builtIn

    /// The matcher's automata, already compiled: what a snapshot kept, so that `SignatureEngine`
    /// copies them instead of compiling its patterns again. Nil for a database read from YAML.
    /// The engine uses them only when they were compiled from exactly the patterns it collects
    /// from `signatures`; any other tables are ignored.
    struct Automata: Sendable {
        var content: PatternSet
        var dexFallback: PatternSet
    }

    var compiled: Automata?

    public init(signatures: [Signature], taxonomy: FeatureTaxonomy, digest: String) {
        self.signatures = signatures
        self.taxonomy = taxonomy
        self.digest = digest
    }

    /// Patterns with fewer letters and digits than this are refused as over-broad.
    public static let minimumSignificantCharacters = 4

    /// Loads `<policies>/taxonomy.yaml` and `<policies>/signatures/*.yaml`.
    public static func load(policies: URL) throws(LoadError) -> SignatureDatabase {
        try load(source: .folder(policies))
    }

    /// Loads the taxonomy and the signatures of a policies source (built in or a folder). With a
    /// `cache`, a snapshot made from the very same files (and executable) is read instead of the
    /// YAML, and one is kept after parsing (see `SignatureSnapshotCache`); the database is the same.
    public static func load(
        source: PolicySource, cache: SignatureSnapshotCache? = nil
    ) throws(LoadError) -> SignatureDatabase {
        let origin = ConfigSource(
            chosenBy: source.origin.chosenBy,
            path: source.origin.path.map { URL(fileURLWithPath: $0).appendingPathComponent("signatures").path })
        // Any file that cannot be read is reported exactly as without a cache.
        guard let cache, let taxonomyFile = try? source.file("taxonomy.yaml"),
            let files = try? source.files(in: "signatures"),
            let key = SignatureSnapshotCache.key(
                taxonomy: taxonomyFile, signatures: files, builtIn: source.origin.path == nil)
        else {
            let taxonomy = try FeatureTaxonomy.load(source: source)
            let files: [PolicySource.File]
            do { files = try source.files(in: "signatures") } catch { throw LoadError(error) }
            var database = try load(files: files, folder: source.signaturesPath, taxonomy: taxonomy)
            database.origin = origin
            return database
        }
        if var kept = cache.load(key: key) {
            kept.origin = origin
            return kept
        }
        let taxonomy = try FeatureTaxonomy.parse(taxonomyFile.text, file: taxonomyFile.path)
        var database = try load(files: files, folder: source.signaturesPath, taxonomy: taxonomy)
        database.origin = origin
        // Compiled once: kept in the snapshot, and used by this process's engine too.
        database.compiled = SignatureEngine(database).automata
        cache.store(database, key: key)
        return database
    }

    /// Loads every `.yaml` file in `directory` (sorted by name).
    public static func load(
        signatures directory: URL, taxonomy: FeatureTaxonomy
    ) throws(LoadError)
        -> SignatureDatabase
    {
        let source = PolicySource.folder(directory.deletingLastPathComponent())
        let files: [PolicySource.File]
        do { files = try source.files(in: directory.lastPathComponent) } catch { throw LoadError(error) }
        var database = try load(files: files, folder: directory.path, taxonomy: taxonomy)
        database.origin = .file(directory.path)
        return database
    }

    /// Loads signature files already read (`folder` names their folder in messages).
    static func load(
        files: [PolicySource.File], folder: String, taxonomy: FeatureTaxonomy
    ) throws(LoadError)
        -> SignatureDatabase
    {
        guard !files.isEmpty else {
            throw LoadError(problems: [
                YAMLProblem(file: folder, line: 1, column: 1, message: "no .yaml files in the signature folder")
            ])
        }
        var problems: [YAMLProblem] = []
        var signatures: [Signature] = []
        var firstDefinition: [String: String] = [:]
        var hasher = SHA256()
        for file in files {
            let (name, text) = (file.name, file.text)
            hasher.update(data: Data(name.utf8))
            hasher.update(data: Data([0]))
            hasher.update(data: Data(text.utf8))
            // Read with Yams's `.basic` resolver first, and again with the default one only when
            // that finds a problem (see `PolicyLoader.parse`).
            var reader = SignatureFileReader(file: file.path, taxonomy: taxonomy, resolver: .basic)
            var read = reader.read(text)
            if !reader.problems.isEmpty {
                reader = SignatureFileReader(file: file.path, taxonomy: taxonomy)
                read = reader.read(text)
            }
            for signature in read {
                if let first = firstDefinition[signature.id] {
                    let (line, column) = SignatureFileReader.position(signature.definedAt)
                    problems.append(
                        YAMLProblem(
                            file: file.path, line: line, column: column,
                            message: "duplicate signature id '\(signature.id)' (first defined at \(first))"))
                    continue
                }
                firstDefinition[signature.id] = signature.definedAt
                signatures.append(signature)
            }
            problems += reader.problems
        }
        guard problems.isEmpty else {
            throw LoadError(problems: problems.sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) })
        }
        let digest = hasher.finalize().hexString
        return SignatureDatabase(signatures: signatures, taxonomy: taxonomy, digest: digest)
    }
}

extension SignatureDatabase.LoadError {
    /// A file of the policies that could not be read, as one problem.
    init(_ error: PolicySource.ReadError) {
        self.init(problems: [YAMLProblem(file: error.path, line: 1, column: 1, message: error.message)])
    }
}

/// Reads one signature file.
struct SignatureFileReader {
    let file: String
    let taxonomy: FeatureTaxonomy
    /// The YAML reader, with the problems found so far (the example reader shares it).
    var yaml: StrictYAML

    init(file: String, taxonomy: FeatureTaxonomy, resolver: Resolver = .default) {
        self.file = file
        self.taxonomy = taxonomy
        self.yaml = StrictYAML(file: file, resolver: resolver)
    }

    var problems: [YAMLProblem] { yaml.problems }

    static let signatureKeys = [
        "id", "vendor", "product", "category", "features", "possible", "confidence", "platforms", "match", "require",
        "runs", "note", "examples",
    ]
    static let matcherKeys = [
        "file", "path", "dir", "extension", "kind", "magic", "magic_hex", "class", "symbol", "string", "host",
        "permission", "meta_data", "plugin_provider", "quickapp_feature",
    ]
    /// Keys a matcher may carry beside its pattern: `features` and `confidence` say what its
    /// evidence proves (the signature's `features` and `confidence` when it does not say).
    static let modifierKeys = ["in", "offset", "features", "confidence"]
    static let exampleKeys = [
        "platform", "path", "content", "kind", "class", "symbol", "permission", "meta_data", "plugin_provider",
        "feature", "proves", "rules_out",
    ]
    /// First package segments too common to count towards a class prefix's specificity.
    static let commonRoots: Set<String> = ["com", "org", "net", "cn", "io", "ai", "me", "android", "androidx"]

    static func position(_ definedAt: String) -> (Int, Int) {
        let parts = definedAt.split(separator: ":")
        guard parts.count >= 2, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) else {
            return (1, 1)
        }
        return (line, column)
    }

    mutating func read(_ text: String) -> [Signature] {
        guard let root = yaml.parse(text),
            let top = yaml.mapping(root, "a signature file", allowed: ["signatures"], required: ["signatures"])
        else { return [] }
        return yaml.sequence(top["signatures"], "signatures").compactMap { signature($0) }
    }

    private mutating func signature(_ node: Node) -> Signature? {
        guard
            let fields = yaml.mapping(
                node, "a signature", allowed: Self.signatureKeys,
                required: ["id", "vendor", "product", "category", "confidence", "match", "examples"])
        else { return nil }
        let here = "\(file):\(node.position.line):\(node.position.column)"
        guard let id = yaml.string(fields["id"], "id") else { return nil }
        guard Signature.isSnakeCase(id) else {
            yaml.problem(fields["id"], "signature id '\(id)' must be snake_case (a-z, 0-9, _)")
            return nil
        }
        let what = "signature '\(id)'"
        let vendor = yaml.string(fields["vendor"], "vendor of \(what)")
        let product = yaml.string(fields["product"], "product of \(what)")
        let category = enumValue(fields["category"], Signature.Category.self, "category of \(what)")
        let confidence = enumValue(fields["confidence"], Signature.Confidence.self, "confidence of \(what)")
        let defaultFeatures = fields["features"].map { featureList($0, "features of \(what)", owner: what) } ?? []
        let possible =
            fields["possible"].map { featureList($0, "possible of \(what)", owner: "possible of \(what)") } ?? []
        var platforms: [AppManifest.Platform] = []
        for platformNode in yaml.sequence(fields["platforms"], "platforms of \(what)") {
            guard let name = yaml.string(platformNode, "a platform") else { continue }
            if let platform = AppManifest.Platform(rawValue: name) {
                if !platforms.contains(platform) { platforms.append(platform) }
            } else {
                yaml.problem(
                    platformNode,
                    "unknown platform '\(name)' (one of \(AppManifest.Platform.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
        }
        if platforms.isEmpty && fields["platforms"] != nil {
            yaml.problem(fields["platforms"], "\(what) names no platform it ships for")
        }
        var requireAll = false
        if let require = fields["require"] {
            switch yaml.string(require, "require of \(what)") {
            case "any": requireAll = false
            case "all": requireAll = true
            case let other?: yaml.problem(require, "require of \(what) must be 'any' or 'all', not '\(other)'")
            case nil: break
            }
        }
        let matcherNodes = yaml.sequence(fields["match"], "match of \(what)")
        if matcherNodes.isEmpty { yaml.problem(fields["match"], "\(what) has no matcher") }
        let parsed = matcherNodes.compactMap { matcher($0, in: what) }
        let matchers = parsed.map(\.matcher)
        let proofs = parsed.map {
            Signature.Proof(
                features: $0.features ?? defaultFeatures, confidence: $0.confidence ?? confidence ?? .weak)
        }
        // Every feature the signature names must be proven by some matcher: a vendor's features
        // are not a finding unless some piece of evidence proves them.
        var features: [String] = []
        for proof in proofs {
            for feature in proof.features where !features.contains(feature) { features.append(feature) }
        }
        if parsed.count == matcherNodes.count {
            for feature in defaultFeatures where !features.contains(feature) {
                yaml.problem(
                    fields["features"],
                    "feature '\(feature)' of \(what) is proven by no matcher (each matcher gives its own features); list it under possible if only the vendor's service suggests it"
                )
            }
            if requireAll && parsed.contains(where: { $0.features != nil || $0.confidence != nil }) {
                yaml.problem(
                    fields["require"],
                    "\(what) requires all matchers together; their features and confidence belong to the signature")
            }
            if let category, !category.provesFeatures {
                // Packers and label writers are facts about the bundle, not AI features.
                if !features.isEmpty || !possible.isEmpty {
                    yaml.problem(
                        fields["features"] ?? fields["possible"] ?? node,
                        "\(what) is a \(category.rawValue) signature: it proves no feature and lists none")
                }
            } else if category != nil {
                if features.isEmpty && possible.isEmpty {
                    yaml.problem(
                        fields["features"] ?? node,
                        "\(what) names no feature; only packers and label writers may have none"
                    )
                }
                if proofs.contains(where: \.features.isEmpty) && possible.isEmpty {
                    yaml.problem(
                        fields["match"],
                        "\(what) has a matcher that proves no feature; list what the vendor's service may provide under possible"
                    )
                }
            }
        }
        let orderedFeatures =
            defaultFeatures.filter(features.contains) + features.filter { !defaultFeatures.contains($0) }
        var positive: [SignatureExample] = []
        var negative: [SignatureExample] = []
        if let examples = yaml.mapping(
            fields["examples"], "examples of \(what)", allowed: ["positive", "negative"],
            required: ["positive", "negative"])
        {
            positive = yaml.sequence(examples["positive"], "positive examples").compactMap {
                example($0, in: what, positive: true)
            }
            negative = yaml.sequence(examples["negative"], "negative examples").compactMap {
                example($0, in: what, positive: false)
            }
            if positive.isEmpty {
                yaml.problem(examples["positive"] ?? fields["examples"], "\(what) needs a positive example")
            }
            if negative.isEmpty {
                yaml.problem(examples["negative"] ?? fields["examples"], "\(what) needs a negative example")
            }
        }
        guard let vendor, let product, let category, let confidence, matchers.count == matcherNodes.count,
            !matchers.isEmpty
        else { return nil }
        return Signature(
            id: id, vendor: vendor, product: product, category: category, features: orderedFeatures,
            possibleFeatures: possible, confidence: confidence,
            matchers: matchers, proofs: proofs, platforms: platforms, requireAll: requireAll,
            note: fields["note"].flatMap { yaml.string($0, "note") }, positiveExamples: positive,
            negativeExamples: negative, definedAt: here,
            runs: fields["runs"].flatMap { enumValue($0, Signature.Runs.self, "runs of \(what)") } ?? .device)
    }

    private mutating func enumValue<T: RawRepresentable & CaseIterable>(
        _ node: Node?, _ type: T.Type, _ what: String
    )
        -> T? where T.RawValue == String
    {
        guard let text = yaml.string(node, what) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue)
            yaml.problem(node, "\(what) must be one of \(allowed.joined(separator: ", ")), not '\(text)'")
            return nil
        }
        return value
    }

    /// One matcher and what it says it proves (nil: the signature's defaults).
    struct ParsedMatcher {
        var matcher: Matcher
        var features: [String]?
        var confidence: Signature.Confidence?
    }

    private mutating func matcher(_ node: Node, in what: String) -> ParsedMatcher? {
        guard let fields = yaml.mapping(node, "a matcher of \(what)", allowed: Self.matcherKeys + Self.modifierKeys)
        else { return nil }
        let features = fields["features"].map {
            featureList($0, "features of a matcher of \(what)", owner: "a matcher of \(what)")
        }
        var confidence: Signature.Confidence?
        if let confidenceNode = fields["confidence"] {
            guard let value = enumValue(confidenceNode, Signature.Confidence.self, "confidence of a matcher of \(what)")
            else { return nil }
            confidence = value
        }
        guard let pattern = pattern(node, fields, in: what) else { return nil }
        return ParsedMatcher(matcher: pattern, features: features, confidence: confidence)
    }

    private mutating func pattern(_ node: Node, _ fields: [String: Node], in what: String) -> Matcher? {
        let present = Self.matcherKeys.filter { fields[$0] != nil }
        guard present.count == 1, let key = present.first, let valueNode = fields[key] else {
            yaml.problem(
                node,
                "a matcher of \(what) needs exactly one of: \(Self.matcherKeys.joined(separator: ", ")) (found \(present.isEmpty ? "none" : present.joined(separator: ", ")))"
            )
            return nil
        }
        if fields["in"] != nil && key != "string" && key != "host" {
            yaml.problem(fields["in"], "'in' only goes with string and host matchers")
        }
        if fields["offset"] != nil && key != "magic" && key != "magic_hex" {
            yaml.problem(fields["offset"], "'offset' only goes with magic matchers")
        }
        guard let value = yaml.string(valueNode, "\(key) of \(what)") else { return nil }
        func alnum(_ s: String) -> Int {
            s.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0.value > 0x7F }.count
        }
        func specific(_ count: Int, _ shown: String) -> Bool {
            if count < SignatureDatabase.minimumSignificantCharacters {
                yaml.problem(
                    valueNode,
                    "\(key) pattern '\(shown)' of \(what) is over-broad: \(count) significant characters, at least \(SignatureDatabase.minimumSignificantCharacters) needed"
                )
                return false
            }
            return true
        }
        switch key {
        case "file":
            guard !value.contains("/") else {
                yaml.problem(valueNode, "file matches one name without '/'; use path for '\(value)'")
                return nil
            }
            // The extension tells nothing about the vendor: "lib.so" is as broad as "lib".
            let stem =
                value.split(separator: ".").count > 1
                ? value.split(separator: ".").dropLast().joined(separator: ".") : value
            return specific(alnum(stem), value) ? .file(value) : nil
        case "path":
            let glob = Glob(value)
            guard !value.hasPrefix("/"), !value.contains("//") else {
                yaml.problem(valueNode, "path glob '\(value)' must be relative with no empty folder names")
                return nil
            }
            return specific(glob.significantCharacters, value) ? .path(glob) : nil
        case "dir":
            return specific(alnum(value), value) ? .directory(value) : nil
        case "extension":
            let ext = value.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            return specific(alnum(ext), value) ? .fileExtension(ext) : nil
        case "kind":
            guard let kind = ContentKind(rawValue: value) else {
                let hint =
                    StrictYAML.closest(to: value, in: ContentKind.allCases.map(\.rawValue)).map {
                        "; did you mean '\($0)'?"
                    } ?? ""
                yaml.problem(valueNode, "unknown content kind '\(value)'\(hint)")
                return nil
            }
            return .kind(kind)
        case "magic", "magic_hex":
            var bytes = Array(value.utf8)
            if key == "magic_hex" {
                guard let decoded = Self.hex(value) else {
                    yaml.problem(valueNode, "magic_hex '\(value)' is not hexadecimal bytes")
                    return nil
                }
                bytes = decoded
            }
            let offset = fields["offset"].flatMap { yaml.integer($0, "offset") } ?? 0
            guard (0...4096).contains(offset) else {
                yaml.problem(fields["offset"], "offset must be between 0 and 4096")
                return nil
            }
            guard bytes.count >= SignatureDatabase.minimumSignificantCharacters else {
                yaml.problem(valueNode, "magic '\(value)' of \(what) is over-broad: at least 4 bytes needed")
                return nil
            }
            return .magic(offset: offset, bytes: bytes)
        case "class":
            guard value.hasPrefix("L"), !value.contains("."), !value.contains(" ") else {
                yaml.problem(
                    valueNode, "class '\(value)' must be a DEX type descriptor prefix such as Lcom/vendor/sdk/")
                return nil
            }
            var segments = value.dropFirst().split(separator: "/").map(String.init)
            if let first = segments.first, Self.commonRoots.contains(first) { segments.removeFirst() }
            return specific(alnum(segments.joined()), value) ? .classPrefix(value) : nil
        case "symbol":
            guard Self.isSymbolName(value) else {
                yaml.problem(
                    valueNode,
                    "symbol '\(value)' must be one symbol name as a string table holds it (letters, digits, _ $ . @); a Mach-O's leading underscore is added"
                )
                return nil
            }
            return specific(alnum(value), value) ? .symbol(value) : nil
        case "string", "host":
            var scope = Matcher.defaultScope
            if let scopeNode = fields["in"] {
                scope = []
                for kindNode in yaml.sequence(scopeNode, "in", single: true) {
                    guard let name = yaml.string(kindNode, "a content kind") else { continue }
                    if let kind = ContentKind(rawValue: name) {
                        scope.insert(kind)
                    } else {
                        yaml.problem(kindNode, "unknown content kind '\(name)'")
                    }
                }
            }
            guard specific(alnum(value), value) else { return nil }
            if key == "host" {
                guard !value.contains(" "), !value.contains("://") else {
                    yaml.problem(valueNode, "host '\(value)' must be a bare host name (use string for URLs)")
                    return nil
                }
                return .host(value, scope: scope)
            }
            return .string(Array(value.utf8), scope: scope)
        case "permission":
            return specific(alnum(value), value) ? .permission(value) : nil
        case "meta_data":
            return specific(alnum(value), value) ? .metaData(value) : nil
        case "plugin_provider":
            return specific(alnum(value), value) ? .pluginProvider(value) : nil
        default:
            return specific(alnum(value), value) ? .quickAppFeature(value) : nil
        }
    }
}

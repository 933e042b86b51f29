import Yams

/// The signature reader's lists of feature ids, and its examples.
extension SignatureFileReader {
    /// A list of feature ids, each in the taxonomy.
    mutating func featureList(_ node: Node, _ what: String, owner: String) -> [String] {
        var features: [String] = []
        for featureNode in yaml.sequence(node, what) {
            guard let feature = yaml.string(featureNode, "a feature id") else { continue }
            if taxonomy.features[feature] == nil {
                let hint = StrictYAML.closest(to: feature, in: taxonomy.ids).map { "; did you mean '\($0)'?" } ?? ""
                yaml.problem(featureNode, "unknown feature id '\(feature)' in \(owner) (see taxonomy.yaml)\(hint)")
            } else if !features.contains(feature) {
                features.append(feature)
            }
        }
        return features
    }

    /// One positive or negative example: the facts of a small synthetic bundle, and for positive
    /// ones what the match must prove (`proves`), for negative ones what it must not (`rules_out`).
    mutating func example(_ node: Node, in what: String, positive: Bool) -> SignatureExample? {
        guard let fields = yaml.mapping(node, "an example of \(what)", allowed: Self.exampleKeys) else { return nil }
        var example = SignatureExample()
        example.definedAt = "\(file):\(node.position.line):\(node.position.column)"
        if let platformNode = fields["platform"], let name = yaml.string(platformNode, "platform") {
            guard let platform = AppManifest.Platform(rawValue: name) else {
                yaml.problem(
                    platformNode,
                    "unknown platform '\(name)' (one of \(AppManifest.Platform.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
                return nil
            }
            example.platform = platform
        }
        example.path = fields["path"].flatMap { yaml.string($0, "path") }
        example.content = fields["content"].flatMap { yaml.string($0, "content") }
        if let kindNode = fields["kind"], let name = yaml.string(kindNode, "kind") {
            guard let kind = ContentKind(rawValue: name) else {
                yaml.problem(kindNode, "unknown content kind '\(name)'")
                return nil
            }
            example.kind = kind
        }
        example.className = fields["class"].flatMap { yaml.string($0, "class") }
        example.symbol = fields["symbol"].flatMap { yaml.string($0, "symbol") }
        if example.symbol != nil && (example.content != nil || example.kind != nil) {
            yaml.problem(
                fields["symbol"], "a symbol example builds its own native library; it takes no content or kind")
            return nil
        }
        example.permission = fields["permission"].flatMap { yaml.string($0, "permission") }
        example.metaData = fields["meta_data"].flatMap { yaml.string($0, "meta_data") }
        example.pluginProvider = fields["plugin_provider"].flatMap { yaml.string($0, "plugin_provider") }
        example.feature = fields["feature"].flatMap { yaml.string($0, "feature") }
        example.proves = fields["proves"].map {
            featureList($0, "proves of an example of \(what)", owner: "an example of \(what)")
        }
        example.rulesOut = fields["rules_out"].map {
            featureList($0, "rules_out of an example of \(what)", owner: "an example of \(what)")
        }
        if positive, let node = fields["rules_out"] {
            yaml.problem(node, "rules_out goes with negative examples; a positive one says what it proves")
        }
        if !positive, let node = fields["proves"] {
            yaml.problem(node, "proves goes with positive examples; a negative one says what it rules out")
        }
        let facts: [Any?] = [
            example.path, example.content, example.className, example.symbol, example.permission, example.metaData,
            example.pluginProvider, example.feature,
        ]
        guard facts.contains(where: { $0 != nil }) else {
            yaml.problem(
                node,
                "an example of \(what) needs at least one of: path, content, class, symbol, permission, meta_data, plugin_provider, feature"
            )
            return nil
        }
        return example
    }

    /// A symbol as an ELF or Mach-O string table holds it: C names, mangled C++ names, versioned
    /// names (`@`); no spaces, slashes or NULs.
    static func isSymbolName(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy {
                switch $0 {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "$"), UInt8(ascii: "."),
                    UInt8(ascii: "@"):
                    true
                default: false
                }
            }
    }

    static func hex(_ text: String) -> [UInt8]? {
        let digits = text.filter { !$0.isWhitespace }
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

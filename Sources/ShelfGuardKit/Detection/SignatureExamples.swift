/// Runs the examples every signature carries, SwiftLint-style: each positive example must make its
/// signature fire, each negative one must not. The examples are fed to the same detector that
/// reads bundles, as the facts a bundle would show (an entry, its content, a DEX class, manifest
/// facts), so `signatures lint` checks them without building bundles; the test suite also builds
/// real bundles from them.
public enum SignatureExamples {
    /// An example that did not behave, or a feature or platform no example covers.
    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        public var signature: String
        public var definedAt: String
        public var positive: Bool
        /// The signatures that did fire on the example.
        public var fired: [String]
        /// What went wrong when it is more than "does not match" or "matches".
        public var problem: String? = nil

        public var description: String {
            if let problem { return "\(definedAt): \(problem)" }
            return positive
                ? "\(definedAt): positive example of '\(signature)' does not match it"
                : "\(definedAt): negative example of '\(signature)' matches it"
        }
    }

    /// Every failing example of every signature, and every feature or platform of a signature
    /// that no positive example shows: a positive example must make its signature fire (and prove
    /// exactly its `proves`), a negative one must not fire (or, with `rules_out`, must not prove
    /// those features); together the positive examples prove every feature the signature can
    /// prove, show a bare vendor match when a matcher proves nothing, and cover every platform.
    public static func check(_ engine: SignatureEngine) -> [Failure] {
        var failures: [Failure] = []
        for signature in engine.database.signatures {
            var provenByExamples: Set<String> = []
            var bareShown = false
            var platformsShown: Set<AppManifest.Platform> = []
            for example in signature.positiveExamples {
                let found = detections(engine, example)
                guard let detection = found.first(where: { $0.signature == signature.id }) else {
                    failures.append(
                        Failure(
                            signature: signature.id, definedAt: example.definedAt, positive: true,
                            fired: found.map(\.signature).sorted()))
                    continue
                }
                provenByExamples.formUnion(detection.features)
                if detection.features.isEmpty { bareShown = true }
                platformsShown.insert(example.platform)
                if let proves = example.proves, Set(proves) != Set(detection.features) {
                    failures.append(
                        Failure(
                            signature: signature.id, definedAt: example.definedAt, positive: true,
                            fired: found.map(\.signature).sorted(),
                            problem:
                                "positive example of '\(signature.id)' proves [\(detection.features.joined(separator: ", "))], not [\(proves.joined(separator: ", "))]"
                        ))
                }
            }
            for example in signature.negativeExamples {
                let found = detections(engine, example)
                guard let detection = found.first(where: { $0.signature == signature.id }) else { continue }
                if let rulesOut = example.rulesOut {
                    let wrong = detection.features.filter(rulesOut.contains)
                    if !wrong.isEmpty {
                        failures.append(
                            Failure(
                                signature: signature.id, definedAt: example.definedAt, positive: false,
                                fired: found.map(\.signature).sorted(),
                                problem:
                                    "negative example of '\(signature.id)' proves \(wrong.joined(separator: ", ")), which it rules out"
                            ))
                    }
                } else {
                    failures.append(
                        Failure(
                            signature: signature.id, definedAt: example.definedAt, positive: false,
                            fired: found.map(\.signature).sorted()))
                }
            }
            for feature in signature.features where !provenByExamples.contains(feature) {
                failures.append(
                    Failure(
                        signature: signature.id, definedAt: signature.definedAt, positive: true, fired: [],
                        problem: "no positive example of '\(signature.id)' proves \(feature)"))
            }
            if signature.category.provesFeatures && signature.proofs.contains(where: \.features.isEmpty) && !bareShown {
                failures.append(
                    Failure(
                        signature: signature.id, definedAt: signature.definedAt, positive: true, fired: [],
                        problem:
                            "'\(signature.id)' has a matcher that proves no feature, but no positive example shows such a bare match"
                    ))
            }
            for platform in signature.platforms where !platformsShown.contains(platform) {
                failures.append(
                    Failure(
                        signature: signature.id, definedAt: signature.definedAt, positive: true, fired: [],
                        problem:
                            "'\(signature.id)' ships for \(platform.rawValue) but no positive example shows it there"))
            }
        }
        return failures
    }

    /// The ids of the signatures an example makes fire.
    public static func fired(_ engine: SignatureEngine, _ example: SignatureExample) -> Set<String> {
        Set(detections(engine, example).map(\.signature))
    }

    /// The detections an example makes.
    public static func detections(_ engine: SignatureEngine, _ example: SignatureExample) -> [Detection] {
        var detector = DetectorVisitor(engine: engine, bundleName: "example")
        if example.path != nil || example.content != nil || example.kind != nil || example.symbol != nil {
            var content = nativeImage(for: example) ?? example.content.map { Array($0.utf8) }
            let kind = example.kind ?? content.map(ContentKind.sniff) ?? .empty
            // DEX content lives in the string table; put the example's text there.
            if kind == .dex, let text = example.content { content = DexStringWalker.minimalDEX(strings: [text]) }
            let path = example.path ?? defaultPath(for: kind, platform: example.platform)
            let entry = BundleEntry(chain: [path], size: Int64(content?.count ?? 0), kind: kind)
            if detector.wantsContent(of: entry), let content {
                content.withUnsafeBytes { detector.consume($0, of: entry) }
            }
            detector.finish(entry, complete: true)
        }
        if let className = example.className {
            let entry = BundleEntry(chain: ["classes.dex"], size: 0, kind: .dex)
            if detector.wantsContent(of: entry) {
                DexStringWalker.minimalDEX(strings: [className]).withUnsafeBytes { detector.consume($0, of: entry) }
            }
            detector.finish(entry, complete: true)
        }
        var manifest = AppManifest(platform: example.platform)
        if let permission = example.permission { manifest.addPermissions([permission]) }
        if let key = example.metaData { manifest.metaData.append(.init(name: key, value: "example")) }
        if let provider = example.pluginProvider {
            manifest.plugins.append(.init(alias: "plugin", provider: provider, version: "1.0.0"))
        }
        if let feature = example.feature { manifest.features.append(feature) }
        detector.run.observe(manifest: manifest, location: "example!manifest")
        return detector.run.result().detections
    }

    /// The native library a `symbol:` example describes: an ELF shared object exporting the
    /// symbol, or on iOS a Mach-O image.
    public static func nativeImage(for example: SignatureExample) -> [UInt8]? {
        guard let symbol = example.symbol else { return nil }
        return example.platform == .ios ? NativeImage.machO(exports: [symbol]) : NativeImage.elf(exports: [symbol])
    }

    /// Where a piece of content sits when the example does not say.
    public static func defaultPath(for kind: ContentKind, platform: AppManifest.Platform) -> String {
        switch (kind, platform) {
        case (.dex, _): "classes.dex"
        case (.elf, .harmony): "libs/arm64-v8a/libexample.so"
        case (.elf, _): "lib/arm64-v8a/libexample.so"
        case (.machO, _): "Payload/App.app/App"
        case (.arkBytecode, _): "ets/modules.abc"
        case (_, .wechatMini), (_, .douyinMini): "/app-service.js"
        case (_, .quickapp): "app.js"
        default: "assets/example.txt"
        }
    }
}

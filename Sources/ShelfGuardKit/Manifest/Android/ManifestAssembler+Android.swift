/// Android bundles: APK, XAPK (split APKs with a wrapper manifest.json), AAB (protobuf
/// manifests per module).
extension ManifestAssembler {
    /// An APK at `prefix` (empty for the bundle itself, `base.apk` inside an XAPK).
    mutating func apkFacts(prefix: String) -> AndroidManifestFacts? {
        let limits = self.limits
        let manifestPath = Self.join(prefix, "AndroidManifest.xml")
        guard
            let document = parse(
                manifestPath, { (bytes) throws(ManifestError) in try BinaryXML.parse(bytes, limits: limits) })
        else { return nil }
        // The resource table only matters for references; a damaged one is reported, not fatal.
        let table = parse(Self.join(prefix, "resources.arsc"), required: false) { (bytes) throws(ManifestError) in
            try ResourceTable(bytes, limits: limits)
        }
        return AndroidManifestReader.facts(from: document, resources: table)
    }

    mutating func apk(prefix: String) -> AppManifest? {
        guard let facts = apkFacts(prefix: prefix) else { return nil }
        return android(facts, source: Self.join(prefix, "AndroidManifest.xml"))
    }

    /// The normalised manifest of one Android manifest's facts.
    func android(_ facts: AndroidManifestFacts, source: String) -> AppManifest {
        var manifest = AppManifest(android: facts)
        manifest.sources = [location(source)]
        return manifest
    }

    /// An XAPK: the base APK's manifest is the truth; split APKs become modules; the wrapper's
    /// manifest.json is checked against it.
    mutating func xapk() -> AppManifest? {
        let limits = self.limits
        let wrapper = parse("manifest.json", required: false) { (bytes) throws(ManifestError) in
            try StructuredNode.json(bytes, limits: limits)
        }
        let declaredBase = wrapper?["split_apks"].array.first { $0["id"].string == "base" }?["file"].string
        var apks: [(name: String, facts: AndroidManifestFacts)] = []
        for name in topLevelNames where name.lowercased().hasSuffix(".apk") {
            guard files[Self.join(name, "AndroidManifest.xml")] != nil, let facts = apkFacts(prefix: name) else {
                continue
            }
            apks.append((name, facts))
        }
        guard
            let base = apks.first(where: { $0.name == declaredBase })
                ?? apks.first(where: { $0.facts.split == nil })
                ?? apks.first
        else {
            hazard(.manifestMissing, at: "", "the XAPK holds no readable APK manifest")
            return nil
        }
        var manifest = android(base.facts, source: Self.join(base.name, "AndroidManifest.xml"))
        if let name = wrapper?["name"].string { manifest.displayName = manifest.displayName ?? name }
        for split in apks where split.name != base.name {
            manifest.addPermissions(split.facts.permissions)
            manifest.modules.append(
                AppManifest.Module(
                    kind: "split", name: split.facts.split ?? split.name,
                    location: location(Self.join(split.name, "AndroidManifest.xml")), appId: split.facts.package,
                    versionCode: split.facts.versionCode, permissions: split.facts.permissions))
            if let package = split.facts.package, package != base.facts.package {
                hazard(
                    .manifestConflict, at: Self.join(split.name, "AndroidManifest.xml"),
                    "split APK is for package \(package), the base APK for \(base.facts.package ?? "none")")
            }
        }
        if let wrapper {
            manifest.sources.append(location("manifest.json"))
            let claims: [(String, String?, String?)] = [
                ("package_name", wrapper["package_name"].string, base.facts.package),
                ("version_code", wrapper["version_code"].string, base.facts.versionCode),
            ]
            for (key, claimed, actual) in claims where claimed != nil && claimed != actual {
                hazard(
                    .manifestConflict, at: "manifest.json",
                    "the wrapper's \(key) is \(claimed!), the base APK's is \(actual ?? "missing")")
            }
        }
        manifest.deriveCapabilities()
        return manifest
    }

    /// An Android App Bundle: `base/manifest/AndroidManifest.xml` and one manifest per feature
    /// module, all protobuf.
    mutating func aab() -> AppManifest? {
        let limits = self.limits
        let modulesWithManifests = files.keys.compactMap { path -> String? in
            let parts = path.split(separator: "/")
            guard !path.contains("!"), parts.count == 3, parts[1] == "manifest", parts[2] == "AndroidManifest.xml"
            else { return nil }
            return String(parts[0])
        }.sorted()
        guard modulesWithManifests.contains("base") else {
            hazard(.manifestMissing, at: "base/manifest/AndroidManifest.xml", "the bundle has no base module manifest")
            return nil
        }
        var base: AppManifest?
        var modules: [AppManifest.Module] = []
        var extraPermissions: [String] = []
        for module in ["base"] + modulesWithManifests.filter({ $0 != "base" }) {
            let path = "\(module)/manifest/AndroidManifest.xml"
            guard
                let document = parse(
                    path, { (bytes) throws(ManifestError) in try ProtoXML.parse(bytes, limits: limits) })
            else { continue }
            let facts = AndroidManifestReader.facts(from: document, resources: nil)
            if module == "base" {
                base = android(facts, source: path)
            } else {
                extraPermissions += facts.permissions
                modules.append(
                    AppManifest.Module(
                        kind: "feature_module", name: facts.split ?? module, location: location(path),
                        appId: facts.package, versionCode: facts.versionCode, permissions: facts.permissions))
                if let package = facts.package, let basePackage = base?.appId, package != basePackage {
                    hazard(
                        .manifestConflict, at: path, "module is for package \(package), the base for \(basePackage)")
                }
            }
        }
        guard var manifest = base else { return nil }
        manifest.addPermissions(extraPermissions)
        manifest.modules = modules
        manifest.deriveCapabilities()
        return manifest
    }
}

/// HarmonyOS: a HAP's `module.json` (Stage model) or `config.json` (FA model) and `pack.info`;
/// an `.app` pack holds several HAPs.
extension ManifestAssembler {
    /// A HAP at `prefix` (empty for the bundle itself, `entry.hap` inside a pack).
    mutating func hap(prefix: String) -> AppManifest? {
        let limits = self.limits
        let json = { (bytes: [UInt8]) throws(ManifestError) -> StructuredNode in
            try StructuredNode.json(bytes, limits: limits)
        }
        var manifest = AppManifest(platform: .harmony)
        let stagePath = Self.join(prefix, "module.json")
        let faPath = Self.join(prefix, "config.json")
        if files[stagePath] != nil {
            guard let document = parse(stagePath, json) else { return nil }
            let app = document["app"]
            let module = document["module"]
            manifest.appId = app["bundleName"].string
            manifest.versionCode = app["versionCode"].string
            manifest.versionName = app["versionName"].string
            manifest.minPlatformVersion = app["minAPIVersion"].string
            manifest.targetPlatformVersion = app["targetAPIVersion"].string
            manifest.displayName = app["label"].string.flatMap { $0.hasPrefix("$") ? nil : $0 }
            manifest.addPermissions(module["requestPermissions"].array.compactMap { $0["name"].string })
            manifest.components =
                module["abilities"].array.compactMap { a in a["name"].string.map { .init(type: "ability", name: $0) } }
                + module["extensionAbilities"].array.compactMap { a in
                    a["name"].string.map { .init(type: "extension", name: $0) }
                }
            manifest.sources = [location(stagePath)]
        } else if files[faPath] != nil {
            guard let document = parse(faPath, json) else { return nil }
            let app = document["app"]
            let module = document["module"]
            manifest.appId = app["bundleName"].string
            manifest.versionCode = app["version"]["code"].string
            manifest.versionName = app["version"]["name"].string
            manifest.minPlatformVersion = app["apiVersion"]["compatible"].string
            manifest.targetPlatformVersion = app["apiVersion"]["target"].string
            manifest.addPermissions(module["reqPermissions"].array.compactMap { $0["name"].string })
            manifest.components = module["abilities"].array.compactMap { a in
                a["name"].string.map { .init(type: "ability", name: $0) }
            }
            manifest.sources = [location(faPath)]
        } else {
            hazard(.manifestMissing, at: prefix, "no module.json (Stage model) or config.json (FA model)")
            return nil
        }
        let packPath = Self.join(prefix, "pack.info")
        if files[packPath] != nil, let pack = parse(packPath, json) {
            let packID = pack["summary"]["app"]["bundleName"].string
            if let packID, let appId = manifest.appId, packID != appId {
                hazard(.manifestConflict, at: packPath, "pack.info names \(packID), the module \(appId)")
            }
            manifest.sources.append(location(packPath))
        }
        manifest.deriveCapabilities()
        return manifest
    }

    /// A `.app` pack: `pack.info` and a HAP per module; the entry HAP leads.
    mutating func harmonyPack() -> AppManifest? {
        let limits = self.limits
        let pack = parse("pack.info", required: false) { (bytes) throws(ManifestError) in
            try StructuredNode.json(bytes, limits: limits)
        }
        var haps: [(name: String, manifest: AppManifest)] = []
        for name in topLevelNames where name.lowercased().hasSuffix(".hap") {
            if let manifest = hap(prefix: name) { haps.append((name, manifest)) }
        }
        guard
            var manifest = haps.first(where: { $0.manifest.components.contains { $0.type == "ability" } })?.manifest
                ?? haps.first?.manifest ?? pack.map({ _ in AppManifest(platform: .harmony) })
        else {
            hazard(.manifestMissing, at: "", "the .app pack holds no pack.info and no readable HAP")
            return nil
        }
        if let pack {
            let app = pack["summary"]["app"]
            manifest.appId = manifest.appId ?? app["bundleName"].string
            manifest.versionCode = manifest.versionCode ?? app["version"]["code"].string
            manifest.versionName = manifest.versionName ?? app["version"]["name"].string
            manifest.sources.insert(location("pack.info"), at: 0)
            if let packID = app["bundleName"].string {
                for hap in haps where hap.manifest.appId != nil && hap.manifest.appId != packID {
                    hazard(
                        .manifestConflict, at: Self.join(hap.name, "module.json"),
                        "the HAP is for \(hap.manifest.appId!), pack.info for \(packID)")
                }
            }
        }
        for hap in haps {
            manifest.addPermissions(hap.manifest.permissions)
            manifest.modules.append(
                AppManifest.Module(
                    kind: "hap", name: hap.name, location: hap.manifest.sources.first ?? location(hap.name),
                    appId: hap.manifest.appId, versionCode: hap.manifest.versionCode,
                    permissions: hap.manifest.permissions))
        }
        manifest.deriveCapabilities()
        return manifest
    }
}

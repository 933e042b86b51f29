/// Mini-programs (WeChat wxapkg, Douyin TPKG) and quick apps (rpk).
extension ManifestAssembler {
    /// `app-config.json` (compiled) or `app.json`: pages, sub-packages, plugins with their
    /// providers, declared scopes and private-info APIs; camera and microphone from the code.
    mutating func miniProgram(platform: AppManifest.Platform) -> AppManifest? {
        let limits = self.limits
        let json = { (bytes: [UInt8]) throws(ManifestError) -> StructuredNode in
            try StructuredNode.json(bytes, limits: limits)
        }
        let candidates = ["/app-config.json", "app-config.json", "/app.json", "app.json"]
        guard let path = candidates.first(where: { files[$0] != nil }) else {
            hazard(
                .manifestMissing, at: "",
                "no app-config.json or app.json: a sub-package, or not a mini-program's main package")
            return nil
        }
        guard let config = parse(path, json) else { return nil }
        var manifest = AppManifest(platform: platform)
        manifest.sources = [location(path)]
        let project = ["/project.config.json", "project.config.json"].first { files[$0] != nil }
            .flatMap { parse($0, required: false, json) }
        manifest.appId =
            config.string("appid", "appId") ?? config["accountInfo"].string("appId", "appid")
            ?? project?.string("appid", "appId") ?? (platform == .wechatMini ? wechatAppID : nil)
        manifest.displayName = config["accountInfo"].string("nickname", "nickName")
        manifest.versionName = config.string("version", "versionName")

        manifest.pages = config["pages"].array.compactMap(\.string)
        let subPackages = config["subPackages"].array + config["subpackages"].array
        for sub in subPackages {
            let root = sub["root"].string ?? ""
            manifest.pages += sub["pages"].array.compactMap(\.string).map {
                root.hasSuffix("/") || root.isEmpty ? root + $0 : root + "/" + $0
            }
        }
        for node in [config] + subPackages {
            guard let plugins = node["plugins"].dictionary else { continue }
            for alias in plugins.keys.sorted() {
                let plugin = StructuredNode(value: plugins[alias])
                manifest.plugins.append(
                    AppManifest.Plugin(
                        alias: alias, provider: plugin["provider"].string, version: plugin["version"].string))
            }
        }
        manifest.addPermissions(config["permission"].keys)
        manifest.addPermissions(config["requiredPrivateInfos"].array.compactMap(\.string))
        manifest.codeUses = codeUses(under: [])
        manifest.deriveCapabilities(adding: manifest.codeUses.map(\.capability))
        return manifest
    }

    /// A quick app's `manifest.json`: package, name, versions and the features it uses.
    mutating func quickApp() -> AppManifest? {
        let limits = self.limits
        guard
            let document = parse(
                "manifest.json", { (bytes) throws(ManifestError) in try StructuredNode.json(bytes, limits: limits) })
        else { return nil }
        var manifest = AppManifest(platform: .quickapp)
        manifest.appId = document["package"].string
        manifest.displayName = document["name"].string
        manifest.versionName = document["versionName"].string
        manifest.versionCode = document["versionCode"].string
        manifest.minPlatformVersion = document["minPlatformVersion"].string
        let features = document["features"].array.compactMap { $0["name"].string }
        manifest.features = features
        manifest.addPermissions(features)
        manifest.sources = [location("manifest.json")]
        manifest.deriveCapabilities()
        return manifest
    }
}

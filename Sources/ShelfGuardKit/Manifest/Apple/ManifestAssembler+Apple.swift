/// iOS: `Payload/<Name>.app/Info.plist` (binary or XML), its app extensions' Info.plists, the
/// plist inside `embedded.mobileprovision`, and the bundled frameworks.
extension ManifestAssembler {
    mutating func ipa() -> AppManifest? {
        let limits = self.limits
        let infoPaths = files.keys.filter { path in
            let parts = path.split(separator: "/")
            return !path.contains("!") && parts.count == 3 && parts[2] == "Info.plist"
        }.sorted()
        guard let infoPath = infoPaths.first else {
            hazard(.manifestMissing, at: "", "no Payload/<Name>.app/Info.plist")
            return nil
        }
        let appFolder = String(infoPath.dropLast("Info.plist".count))
        if infoPaths.count > 1 {
            hazard(.manifestConflict, at: "", "\(infoPaths.count) app bundles under Payload/; read \(appFolder)")
        }
        guard
            let info = parse(
                infoPath, { (bytes) throws(ManifestError) in try StructuredNode.propertyList(bytes, limits: limits) })
        else { return nil }

        var manifest = AppManifest(platform: .ios)
        manifest.appId = info["CFBundleIdentifier"].string
        manifest.versionName = info["CFBundleShortVersionString"].string
        manifest.versionCode = info["CFBundleVersion"].string
        manifest.displayName = info.string("CFBundleDisplayName", "CFBundleName")
        manifest.minPlatformVersion = info["MinimumOSVersion"].string
        manifest.addPermissions(Self.usageKeys(info))
        manifest.sources = [location(infoPath)]

        var extensionCapabilities: [Capability] = []
        let extensionPaths = files.keys.filter {
            $0.hasPrefix(appFolder + "PlugIns/") && $0.hasSuffix(".appex/Info.plist")
        }
        for path in extensionPaths.sorted() {
            guard
                let plist = parse(
                    path, { (bytes) throws(ManifestError) in try StructuredNode.propertyList(bytes, limits: limits) })
            else { continue }
            let keys = Self.usageKeys(plist)
            extensionCapabilities += keys.compactMap { Capability.of(permission: $0, on: .ios) }
            let name = path.split(separator: "/")[3]
            manifest.modules.append(
                AppManifest.Module(
                    kind: "app_extension", name: String(name), location: location(path),
                    appId: plist["CFBundleIdentifier"].string, versionCode: plist["CFBundleVersion"].string,
                    permissions: keys))
        }

        let frameworks = report.entries.compactMap { entry -> String? in
            guard entry.depth == 0, entry.name.hasPrefix(appFolder + "Frameworks/") else { return nil }
            let rest = entry.name.dropFirst((appFolder + "Frameworks/").count)
            guard let first = rest.split(separator: "/").first, first.hasSuffix(".framework") else { return nil }
            return String(first)
        }
        manifest.frameworks = Array(Set(frameworks)).sorted()

        let profilePath = appFolder + "embedded.mobileprovision"
        if files[profilePath] != nil,
            let profile = parse(
                profilePath,
                { (bytes) throws(ManifestError) in try StructuredNode.provisioningProfile(bytes, limits: limits) })
        {
            manifest.signing = AppManifest.Signing(
                teamIdentifier: profile["TeamIdentifier"].array.first?.string,
                teamName: profile["TeamName"].string, entitlements: profile["Entitlements"].keys)
            manifest.sources.append(location(profilePath))
        }
        manifest.deriveCapabilities(adding: extensionCapabilities)
        return manifest
    }

    /// The privacy usage-description keys (`NS…UsageDescription`), sorted: iOS's permissions.
    static func usageKeys(_ plist: StructuredNode) -> [String] {
        plist.keys.filter { $0.hasPrefix("NS") && $0.hasSuffix("UsageDescription") }
    }
}

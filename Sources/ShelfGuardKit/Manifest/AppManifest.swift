/// What a bundle says about itself, normalised across platforms: the contract's `manifest`
/// object. The verdict compares it with what the app declares and with what the detector finds.
public struct AppManifest: Sendable, Codable, Equatable {
    /// The platform the bundle is for.
    public var platform: Platform
    /// Package name, bundle identifier or mini-program appid.
    public var appId: String?
    /// The machine version (Android versionCode, CFBundleVersion, HarmonyOS versionCode), as text.
    public var versionCode: String?
    /// The version people see.
    public var versionName: String?
    /// The app's name, when the manifest gives it as text (a resolved label).
    public var displayName: String?
    /// Permissions exactly as the platform names them, in manifest order, without duplicates.
    public var permissions: [String]
    /// What the permissions (and, for mini-programs, the code) let the app reach, in common words.
    public var capabilities: [Capability]
    /// Lowest and target platform versions, as the manifest writes them.
    public var minPlatformVersion: String?
    public var targetPlatformVersion: String?
    /// Hardware and software features (Android `uses-feature`, quick-app `features`).
    public var features: [String]
    /// Declared components: activities, services, receivers, providers; HarmonyOS abilities.
    public var components: [Component]
    /// Key-value metadata where SDK keys often live (Android `meta-data`).
    public var metaData: [MetaData]
    /// Mini-program plugins with their providers' appids.
    public var plugins: [Plugin]
    /// Mini-program pages and sub-packages' roots.
    public var pages: [String]
    /// iOS frameworks bundled in the app (`Frameworks/*.framework`).
    public var frameworks: [String]
    /// Other manifests inside the bundle: split APKs, AAB feature modules, app extensions, HAPs.
    public var modules: [Module]
    /// Signing facts from the bundle (iOS provisioning profile).
    public var signing: Signing?
    /// Platform APIs found in code that imply a capability (mini-programs declare few permissions:
    /// camera and microphone use shows only in code).
    public var codeUses: [CodeUse]
    /// Entries the facts were read from.
    public var sources: [String]

    public init(platform: Platform) {
        self.platform = platform
        permissions = []
        capabilities = []
        features = []
        components = []
        metaData = []
        plugins = []
        pages = []
        frameworks = []
        modules = []
        codeUses = []
        sources = []
    }

    /// The platforms of the contract.
    public enum Platform: String, Sendable, Codable, CaseIterable {
        case android
        case ios
        case harmony
        case wechatMini = "wechat-mini"
        case douyinMini = "douyin-mini"
        case alipayMini = "alipay-mini"
        case quickapp
    }

    /// A declared component.
    public struct Component: Sendable, Codable, Equatable {
        /// `activity`, `service`, `receiver`, `provider`, `activity-alias`, `ability`, `extension`.
        public var type: String
        public var name: String
        public var exported: Bool?

        public init(type: String, name: String, exported: Bool? = nil) {
            self.type = type
            self.name = name
            self.exported = exported
        }
    }

    /// One metadata entry.
    public struct MetaData: Sendable, Codable, Equatable {
        public var name: String
        public var value: String?

        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    /// A mini-program plugin: its alias in the app, the provider's appid, its version.
    public struct Plugin: Sendable, Codable, Equatable {
        public var alias: String
        public var provider: String?
        public var version: String?

        public init(alias: String, provider: String?, version: String?) {
            self.alias = alias
            self.provider = provider
            self.version = version
        }
    }

    /// A manifest inside the bundle besides the main one.
    public struct Module: Sendable, Codable, Equatable {
        /// `split`, `feature_module`, `app_extension`, `hap`.
        public var kind: String
        public var name: String
        /// Where its manifest is.
        public var location: String
        public var appId: String?
        public var versionCode: String?
        public var permissions: [String]

        public init(
            kind: String, name: String, location: String, appId: String? = nil, versionCode: String? = nil,
            permissions: [String] = []
        ) {
            self.kind = kind
            self.name = name
            self.location = location
            self.appId = appId
            self.versionCode = versionCode
            self.permissions = permissions
        }
    }

    /// An API seen in code, with the capability it implies and where it was seen.
    public struct CodeUse: Sendable, Codable, Equatable {
        public var api: String
        public var capability: Capability
        public var location: String

        public init(api: String, capability: Capability, location: String) {
            self.api = api
            self.capability = capability
            self.location = location
        }
    }

    /// Signing facts.
    public struct Signing: Sendable, Codable, Equatable {
        public var teamIdentifier: String?
        public var teamName: String?
        /// Entitlement keys the profile grants.
        public var entitlements: [String]

        public init(teamIdentifier: String?, teamName: String?, entitlements: [String]) {
            self.teamIdentifier = teamIdentifier
            self.teamName = teamName
            self.entitlements = entitlements
        }
    }
}

/// What an app can reach, in words common to every platform.
public enum Capability: String, Sendable, Codable, CaseIterable, Comparable {
    case camera
    case microphone
    case photos
    case storage
    case location
    case speechRecognition = "speech_recognition"
    case biometric
    case contacts

    public static func < (lhs: Capability, rhs: Capability) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension AppManifest {
    /// Adds permissions in order, skipping ones already listed.
    mutating func addPermissions(_ names: [String]) {
        for name in names where !permissions.contains(name) { permissions.append(name) }
    }

    /// Recomputes `capabilities` from the permissions (and any extra capabilities found in code).
    mutating func deriveCapabilities(adding extra: [Capability] = []) {
        var set = Set(extra)
        for permission in permissions {
            if let capability = Capability.of(permission: permission, on: platform) { set.insert(capability) }
        }
        capabilities = set.sorted()
    }
}

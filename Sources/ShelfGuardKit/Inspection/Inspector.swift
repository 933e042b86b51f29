/// How to inspect bundles: the reader's options and the manifest parsers' limits.
public struct InspectOptions: Sendable, Equatable {
    public var read: ReadOptions
    public var manifestLimits: ManifestLimits

    public init(read: ReadOptions = ReadOptions(), manifestLimits: ManifestLimits = .standard) {
        self.read = read
        self.manifestLimits = manifestLimits
    }
}

/// Everything `inspect` knows about a bundle: facts, not a verdict.
public struct Inspection: Sendable, Codable {
    public var bundle: BundleSummary
    public var manifest: AppManifest?
    public var hazards: [Hazard]
    public var entries: [BundleEntry]

    /// 2 when anything could not be read (content or manifest), 3 when there are hazards, else 0.
    public var status: ExitStatus {
        if !bundle.complete || hazards.contains(where: \.kind.meansContentUnread) { return .refused }
        return hazards.isEmpty ? .pass : .warn
    }
}

/// The inspection stages in order: read the bundle (streaming every entry once), then read its
/// manifests from the entries kept on the way. The detector joins the same single pass next.
public struct Inspector: Sendable {
    public var options: InspectOptions

    public init(options: InspectOptions = InspectOptions()) {
        self.options = options
    }

    public func inspect(path: String) throws(BundleReadError) -> Inspection {
        var collector = ManifestCollector(limits: options.manifestLimits)
        let report = try BundleReader(options: options.read).read(path: path, visitor: &collector)
        var assembler = ManifestAssembler(
            collector: collector, report: report, limits: options.manifestLimits,
            wechatAppID: options.read.wechatAppID)
        let manifest = assembler.assemble()
        return Inspection(
            bundle: report.bundle, manifest: manifest, hazards: report.hazards + assembler.hazards,
            entries: report.entries)
    }
}

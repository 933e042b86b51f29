#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How to inspect bundles: the reader's options and the manifest parsers' limits.
public struct InspectOptions: Sendable, Equatable {
    public var read: ReadOptions
    public var manifestLimits: ManifestLimits
    /// Run the detector on a second thread while the reader decompresses (faster on more than one
    /// core; the results are the same either way).
    public var detectInBackground: Bool
    /// Most strings a DEX's string table may list; a DEX with more is searched byte by byte
    /// instead, with a `dex_unwalkable` hazard (the detector holds the table's ids in memory).
    public var dexStringLimit: Int

    public init(
        read: ReadOptions = ReadOptions(), manifestLimits: ManifestLimits = .standard, detectInBackground: Bool = true,
        dexStringLimit: Int = DetectorVisitor.defaultDexStringLimit
    ) {
        self.read = read
        self.manifestLimits = manifestLimits
        self.detectInBackground = detectInBackground
        self.dexStringLimit = dexStringLimit
    }
}

/// Everything `inspect` knows about a bundle: facts, not a verdict.
public struct Inspection: Sendable, Codable {
    public var bundle: BundleSummary
    public var manifest: AppManifest?
    public var detections: [Detection]
    /// For each feature found, its strongest evidence.
    public var featureSummary: [FeatureEvidence]
    public var hazards: [Hazard]
    public var entries: [BundleEntry]
    /// Declarations the bundle carries at the well-known paths, in path order.
    public var embeddedDeclarations: [EmbeddedFile] = []

    /// A small text file kept from inside the bundle.
    public struct EmbeddedFile: Sendable, Codable, Equatable {
        /// The path chain inside the bundle.
        public var path: String
        public var bytes: [UInt8]
        /// False when it could not be read to its end or was over the manifest size limit.
        public var complete: Bool
    }

    /// 2 when anything could not be read (content or manifest), 3 when there are hazards, else 0.
    public var status: ExitStatus {
        if !bundle.complete || hazards.contains(where: \.kind.meansContentUnread) { return .refused }
        return hazards.isEmpty ? .pass : .warn
    }
}

/// The inspection stages in order. One pass reads the bundle, streaming every entry once to both
/// the manifest collector and the detector; then the manifests are read from the entries kept on
/// the way; then the manifest's facts join the detector's evidence and the detections are made.
public struct Inspector: Sendable {
    /// The version of what inspection extracts (reader, manifests, detector). Raise it whenever a
    /// change would make a stored inventory differ from a fresh one; daily management then reads
    /// the stored bundles again instead of trusting the old inventories.
    public static let extractorVersion = 3

    /// What made an inventory: the extractor version and the feature database it detected with.
    public var extractorID: String {
        "inspect/\(Inspector.extractorVersion)+signatures/\(engine?.database.digest.prefix(16) ?? "none")"
    }

    public var options: InspectOptions
    /// The compiled feature database; without it, nothing is detected.
    public var signatures: SignatureEngine?
    /// The feature database still loading on another thread, taken when `signatures` is nil: the
    /// reader starts at once and the detector's thread waits for the load instead (in a CI hook's
    /// `inspect`, the load ends about 3 ms after the command line is parsed). When the load fails,
    /// nothing is detected: the caller reports the load's error from its own `wait()`.
    public var loadingSignatures: BackgroundResult<SignatureEngine, any Error>?

    /// The feature database detected with: `signatures`, else `loadingSignatures` once it has
    /// loaded (waiting for it; after an inspection the detector has waited already); nil without
    /// either, or when the load failed.
    public var engine: SignatureEngine? {
        signatures ?? loadingSignatures.flatMap { try? $0.wait().get() }
    }

    public init(
        options: InspectOptions = InspectOptions(), signatures: SignatureEngine? = nil,
        loadingSignatures: BackgroundResult<SignatureEngine, any Error>? = nil
    ) {
        self.options = options
        self.signatures = signatures
        self.loadingSignatures = loadingSignatures
    }

    public func inspect(path: String) throws(BundleReadError) -> Inspection {
        var nothing = NoVisitor()
        return try inspect(path: path, alongside: &nothing)
    }

    /// Inspects the bundle at `path`, streaming every entry to `extra` as well in the same pass
    /// (`MaterialKeeper` keeps the labeling materials this way).
    /// With `reportedAs`, the inspection names that path instead of `path` (see `BundleReader`).
    public func inspect<Extra: EntryVisitor>(
        path: String, reportedAs: String? = nil, alongside extra: inout Extra
    ) throws(BundleReadError) -> Inspection {
        let collector = PairedVisitor(ManifestCollector(limits: options.manifestLimits), extra)
        let bundleName = BundleReader.displayName(of: reportedAs ?? path)
        var signatures = self.signatures
        if signatures == nil, let loading = loadingSignatures {
            if loading.isReady || !options.detectInBackground {
                signatures = try? loading.wait().get()
            } else {
                // The detector is built on its thread once `loading` is done.
                let detector = BackgroundVisitor<DetectorVisitor>(
                    building: { [self] in
                        guard case .success(let engine) = loading.wait() else { return nil }
                        return makeDetector(engine, bundleName: bundleName)
                    }, pendingBytes: Self.pendingBytes(fileSize: Self.fileSize(path)))
                return try read(path: path, reportedAs: reportedAs, collector, detector, extra: &extra)
            }
        }
        guard let signatures else {
            var visitor = PairedVisitor(collector, NoVisitor())
            let report = try BundleReader(options: options.read).read(
                path: path, reportedAs: reportedAs, visitor: &visitor)
            extra = visitor.first.second
            return finish(report: report, collector: visitor.first.first, detector: nil)
        }
        let detector = makeDetector(signatures, bundleName: bundleName)
        guard options.detectInBackground else {
            var visitor = PairedVisitor(collector, detector)
            let report = try BundleReader(options: options.read).read(
                path: path, reportedAs: reportedAs, visitor: &visitor)
            extra = visitor.first.second
            return finish(report: report, collector: visitor.first.first, detector: visitor.second)
        }
        // The detector scans on a second core while this one decompresses.
        return try read(path: path, reportedAs: reportedAs, collector, BackgroundVisitor(detector), extra: &extra)
    }

    /// The detector of one bundle, under these options.
    private func makeDetector(_ engine: SignatureEngine, bundleName: String) -> DetectorVisitor {
        DetectorVisitor(
            engine: engine, bundleName: bundleName, dexStringLimit: options.dexStringLimit,
            maxHazardsPerKind: options.read.limits.maxHazardsPerKind)
    }

    /// Bytes of chunks queued for a detector still being built, for a bundle file of `fileSize`
    /// bytes: 8 MiB (the queue's usual size) up to a 16 MiB file, whose reading would otherwise
    /// stop for the detector (`check` of a 2 MB APK: 26.2 ms with 2 MiB, 24.2 ms with 8 MiB, in one
    /// shuffled run of 81); 2 MiB past that, where the copies into fresh memory cost more than
    /// the wait (`inspect` of a 151 MB APK: 638 ms of CPU with 8 MiB, 631 ms with 2 MiB).
    static func pendingBytes(fileSize: Int64?) -> Int {
        guard let fileSize, fileSize <= 16 << 20 else { return 2 << 20 }
        return 8 << 20
    }

    /// The size of the file at `path` (following links, as the reader opens it); nil when it
    /// cannot be had (the reader then reports why).
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// Reads the bundle with the detector on its thread, joined before the result (or the error).
    private func read<Extra: EntryVisitor>(
        path: String, reportedAs: String?, _ collector: PairedVisitor<ManifestCollector, Extra>,
        _ detector: BackgroundVisitor<DetectorVisitor>, extra: inout Extra
    ) throws(BundleReadError) -> Inspection {
        var visitor = PairedVisitor(collector, detector)
        let report: BundleReport
        do {
            report = try BundleReader(options: options.read).read(path: path, reportedAs: reportedAs, visitor: &visitor)
        } catch {
            _ = visitor.second.join()
            throw error
        }
        extra = visitor.first.second
        return finish(report: report, collector: visitor.first.first, detector: visitor.second.join())
    }

    private func finish(report: BundleReport, collector: ManifestCollector, detector: DetectorVisitor?) -> Inspection {
        var assembler = ManifestAssembler(
            collector: collector, report: report, limits: options.manifestLimits,
            wechatAppID: options.read.wechatAppID)
        let manifest = assembler.assemble()
        var result = DetectionResult.empty
        if var run = detector?.run {
            if let manifest {
                run.observe(manifest: manifest, location: manifest.sources.first ?? assembler.bundleName)
            }
            result = run.result()
        }
        let declarations = report.entries.filter(ManifestCollector.isDeclarationFile).compactMap { entry in
            collector.files[entry.path].map {
                Inspection.EmbeddedFile(path: entry.path, bytes: $0.bytes, complete: $0.complete && !$0.oversize)
            }
        }
        return Inspection(
            bundle: report.bundle, manifest: manifest, detections: result.detections,
            featureSummary: result.featureSummary, hazards: report.hazards + assembler.hazards + result.hazards,
            entries: report.entries, embeddedDeclarations: declarations)
    }
}

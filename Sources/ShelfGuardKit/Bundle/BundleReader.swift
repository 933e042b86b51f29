#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How to read bundles.
public struct ReadOptions: Sendable, Equatable {
    /// The bounds kept on every bundle.
    public var limits: ReadLimits
    /// The mini-program appid that decrypts PC-client wxapkg files (`V1MMWX…`); without it they
    /// are reported `unreadable`.
    public var wechatAppID: String?
    /// Whether to compute the bundle file's SHA-256 (the ledger's content address).
    public var computeDigest: Bool
    /// A digest the caller already took of this file (`review` hashes each bundle first, to skip
    /// what is recorded). Taken instead of hashing the bytes a second time only while the file
    /// opened has the identity it had when it was hashed, before and after the read; otherwise
    /// the bytes are hashed as without it.
    public var knownDigest: KnownDigest?

    public init(
        limits: ReadLimits = .standard, wechatAppID: String? = nil, computeDigest: Bool = true,
        knownDigest: KnownDigest? = nil
    ) {
        self.limits = limits
        self.wechatAppID = wechatAppID
        self.computeDigest = computeDigest
        self.knownDigest = knownDigest
    }
}

/// A failure of the tool, not of the bundle: the file cannot be opened at all. Everything wrong
/// *inside* a bundle is a hazard in the report instead.
public enum BundleReadError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notARegularFile(path: String, what: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open \(path): \(reason)"
        case .notARegularFile(let path, let what):
            "\(path) is \(what), not a regular file (a bundle is one file: APK, IPA, HAP, wxapkg…)"
        }
    }
}

/// Opens a bundle file, identifies its container by content, and streams every entry, nested
/// archives included, under the limits, reporting hazards instead of failing.
///
/// Never holds the whole bundle in memory and never extracts to disk: zips are read through
/// libarchive's seekable reader (the central directory is what Android trusts), stored nested
/// archives are read in place, compressed ones from a bounded buffer or as a stream.
public struct BundleReader: Sendable {
    public var options: ReadOptions

    public init(options: ReadOptions = ReadOptions()) {
        self.options = options
    }

    /// The bundle's file name as every location starts with it, control characters escaped.
    public static func displayName(of path: String) -> String {
        EntryName.escapeControls(RawPath.display(lastComponent(of: path)))
    }

    /// `path.split(separator: "/").last ?? path`, found on the bytes when the last `/` is one
    /// Character by itself (ASCII on both sides: nothing can join it to a neighbour).
    static func lastComponent(of path: String) -> String {
        let utf8 = path.utf8
        if let last = utf8.last, last != 0x2F {
            guard let slash = utf8.lastIndex(of: 0x2F) else { return path }
            let after = utf8.index(after: slash)
            if utf8[after] < 0x80 && (slash == utf8.startIndex || utf8[utf8.index(before: slash)] < 0x80) {
                return String(path[after...])
            }
        }
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Reads every entry of the bundle at `path`; nothing is delivered to any visitor.
    public func read(path: String) throws(BundleReadError) -> BundleReport {
        var visitor = NoVisitor()
        return try read(path: path, visitor: &visitor)
    }

    /// Reads every entry of the bundle at `path`, handing file contents to `visitor`. With
    /// `reportedAs`, the report and its locations name that path instead: `review` reads the
    /// bundle store's own copy of a submitted file (the very bytes it keeps) and names the file.
    public func read<V: EntryVisitor>(
        path: String, reportedAs: String? = nil, visitor: inout V
    ) throws(BundleReadError) -> BundleReport {
        ProcessLocale.ensureUTF8()
        let descriptor: Int32
        let length: Int64
        do { (descriptor, length) = try RawPath.openRegular(path) } catch {
            switch error {
            case .cannotOpen(_, let reason): throw .cannotOpen(path: RawPath.display(path), reason: reason)
            case .notARegularFile(_, let what): throw .notARegularFile(path: RawPath.display(path), what: what)
            }
        }
        defer { close(descriptor) }

        let source = FileSource(descriptor: descriptor, length: length)
        let session = ReadSession(
            options: options, bundleName: BundleReader.displayName(of: reportedAs ?? path), fileSize: source.length,
            visitor: visitor)
        // The digest reads the file on another core while this one walks the entries, unless
        // the caller hashed this very file already. A small file is hashed here after the walk
        // instead (`FileDigest.hashesAfterWalk`).
        let known = options.knownDigest.flatMap { known in
            options.computeDigest && FileIdentity(descriptor: descriptor) == known.identity ? known : nil
        }
        let hashAfter = options.computeDigest && known == nil && FileDigest.hashesAfterWalk(length: source.length)
        var digestJob =
            options.computeDigest && known == nil && !hashAfter
            ? FileDigest.Job.hashing(descriptor: descriptor, length: source.length) : nil
        let format = session.readBundle(source)
        var digest = ""
        if hashAfter {
            do { digest = try FileDigest.sha256(source) } catch {
                session.report(.truncated, at: [], "the file could not be read to its end: \(error)")
            }
        }
        if let known {
            if FileIdentity(descriptor: descriptor) == known.identity {
                digest = known.sha256
            } else {
                digestJob = FileDigest.Job.hashing(descriptor: descriptor, length: source.length)
            }
        }
        if let digestJob {
            switch digestJob.wait() {
            case .success(let value): digest = value
            case .failure(let error):
                session.report(.truncated, at: [], "the file could not be read to its end: \(error)")
            }
        }
        visitor = session.visitor
        return session.finishedReport(
            summary: BundleSummary(
                path: RawPath.display(reportedAs ?? path), sha256: digest, format: format, size: source.length,
                entryCount: session.topLevelCount, entriesRead: session.entryCount,
                nestedArchives: session.nestedArchives, bytesRead: session.totalBytes,
                peakBufferedBytes: session.peakBufferedBytes, complete: session.complete))
    }
}

import CArchive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The container families and how each is walked.
extension ReadSession {
    /// Reads the bundle file: identifies its container by content and walks it. Returns the
    /// contract's format name.
    func readBundle(_ source: any RandomAccessSource) -> BundleFormat {
        guard source.length > 0 else {
            report(.emptyFile, at: [], "the file is empty (0 bytes)")
            return .unknown
        }
        let head = (try? source.bytes(at: 0, count: ContentKind.sniffLength)) ?? []
        let kind = ContentKind.sniff(head)
        switch kind {
        case .zip:
            return walkZip(source, chain: []).map(BundleFormat.zipBased(names:)) ?? .zip
        case .tar, .gzip, .xz, .zstd:
            let format = walkArchive(
                ArchiveInput(.random(source)), family: .tarFamily, chain: [], directory: nil, source: source)
            return format & ARCHIVE_FORMAT_BASE_MASK == ARCHIVE_FORMAT_TAR ? .tar : .unknown
        case .wxapkg, .wxapkgEncrypted:
            walkPackage(source, kind: kind, chain: [])
            return .wxapkg
        case .tpkg:
            walkPackage(source, kind: kind, chain: [])
            return .ttpkg
        default:
            // Data glued in front of a zip (Janus) hides its start, not its end.
            if let names = walkZip(source, chain: [], headKind: kind) {
                return BundleFormat.zipBased(names: names)
            }
            report(
                .unreadable, at: [],
                "not a bundle format ShelfGuard reads (zip, tar, wxapkg, TPKG): the content starts like \(kind.rawValue)"
            )
            return .unknown
        }
    }

    /// Walks a container that can be read at any offset: the bundle, a stored nested archive read
    /// in place, or a buffered one.
    func walkContainer(_ source: any RandomAccessSource, kind: ContentKind, chain: [String]) {
        switch kind {
        case .zip:
            walkZip(source, chain: chain)
        case .wxapkg, .wxapkgEncrypted, .tpkg:
            walkPackage(source, kind: kind, chain: chain)
        default:
            walkArchive(ArchiveInput(.random(source)), family: .tarFamily, chain: chain, directory: nil, source: source)
        }
    }

    /// Walks a zip through its central directory. Returns the names the directory lists that tell
    /// the zip-based formats apart, or nil when `headKind` is not zip and no zip was found (the
    /// caller reports what it is instead).
    @discardableResult
    func walkZip(_ source: any RandomAccessSource, chain: [String], headKind: ContentKind = .zip) -> [String]? {
        let directory: ZipDirectory
        do {
            directory = try ZipDirectory.scan(source, maxEntries: max(0, limits.maxEntries - entryCount))
        } catch {
            // Not a zip by its head and no zip found at its end either: the caller says what it is.
            if headKind != .zip {
                if case .tooManyEntries = error {} else { return nil }
            }
            switch error {
            case .notZip:
                report(
                    .truncated, at: chain,
                    "the zip has no end-of-central-directory record: it is truncated or damaged")
            case .truncated(let message): report(.truncated, at: chain, message)
            case .corrupt(let message): report(.corrupt, at: chain, message)
            case .tooManyEntries(let declared):
                stopAll(
                    .tooManyEntries, at: chain,
                    "the central directory lists \(declared) entries; with those already read that passes \(limits.maxEntries); nothing of it was read (limit: --max-entries)"
                )
            }
            return []
        }
        if directory.prefixLength > 0 {
            let prefix = (try? source.bytes(at: 0, count: ContentKind.sniffLength)) ?? []
            let prefixKind = ContentKind.sniff(prefix)
            let janus = prefixKind == .dex ? ": a DEX, as in the Janus attack (CVE-2017-13156)" : ""
            report(
                .prependedData, at: chain,
                "\(directory.prefixLength) bytes of \(prefixKind.rawValue) content sit before the first zip entry\(janus)"
            )
        }
        for (first, second) in directory.overlappingPairs(limit: limits.maxHazardsPerKind + 1) {
            report(
                .overlappingEntries, at: chain + [EntryName.display(second.name)],
                "its data overlaps that of \"\(EntryName.display(first.name))\"")
        }
        for anomaly in directory.anomalies { report(anomaly.kind, at: chain, anomaly.detail) }
        let gaps = directory.gaps(in: source)
        let orphans = directory.orphans(
            in: gaps, source: source, maxNameLength: limits.maxNameLength, limit: limits.maxHazardsPerKind + 1)
        if !directory.isSalvaged {
            for orphan in orphans {
                report(
                    .orphanEntry, at: chain + [EntryName.display(orphan.name)],
                    "a local header at offset \(orphan.offset) that no central-directory record lists: Android never installs it; tools that walk local headers read it"
                )
            }
        }
        // libarchive reads the directory as Android does: the records kept, behind a fresh end
        // record (no comment, no trailing bytes, no records past the count).
        walkArchive(
            ArchiveInput(.random(directory.canonicalSource(over: source))), family: .zipSeekable, chain: chain,
            directory: directory, source: source)
        if directory.isSalvaged { salvage(gaps: gaps, orphans: orphans, source: source, chain: chain) }
        return directory.records.lazy.map(\.name).filter(BundleFormat.isTelling).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// A damaged directory lost the records of some entries; their local headers still lie in the
    /// gaps between the entries it lists. Each gap with a local header in it is read from the
    /// first one on, header by header, as `unzip` would salvage it: the reviewer sees what the
    /// lost entries hold, and the `truncated` hazard already refuses the bundle.
    private func salvage(
        gaps: [ZipDirectory.Gap], orphans: [ZipDirectory.Orphan], source: any RandomAccessSource, chain: [String]
    ) {
        for gap in gaps {
            guard !isStopped, let first = orphans.first(where: { $0.offset >= gap.start && $0.offset < gap.end }) else {
                continue
            }
            report(
                .orphanEntry, at: chain + [EntryName.display(first.name)],
                "the central directory is damaged; entries were recovered from local headers from offset \(first.offset) on"
            )
            walkArchive(
                // To the end of the file: the reader stops cleanly at the directory's signature.
                ArchiveInput(
                    .random(SliceSource(parent: source, base: first.offset, length: source.length - first.offset))),
                family: .zipStreaming, chain: chain, directory: nil, source: nil)
        }
    }

    /// Which libarchive formats a handle gets: only those needed, since most libarchive
    /// vulnerabilities are in formats ShelfGuard never has to read.
    enum ArchiveFamily {
        /// The central-directory zip reader, for anything that can seek.
        case zipSeekable
        /// The local-header zip reader, only for salvaging entries whose central-directory records
        /// were lost (never where a directory exists: local headers can lie).
        case zipStreaming
        /// tar, and single compressed files, through gzip, xz and zstd.
        case tarFamily

        func register(on archive: OpaquePointer) {
            switch self {
            case .zipSeekable:
                archive_read_support_format_zip_seekable(archive)
            case .zipStreaming:
                archive_read_support_format_zip_streamable(archive)
            case .tarFamily:
                archive_read_support_format_tar(archive)
                archive_read_support_format_raw(archive)
                archive_read_support_filter_gzip(archive)
                archive_read_support_filter_xz(archive)
                archive_read_support_filter_zstd(archive)
            }
        }
    }

    /// Walks an archive through libarchive. Returns libarchive's format code for the archive.
    @discardableResult
    func walkArchive(
        _ input: ArchiveInput, family: ArchiveFamily, chain: [String], directory: ZipDirectory?,
        source: (any RandomAccessSource)?
    ) -> Int32 {
        guard let archive = archive_read_new() else {
            report(.corrupt, at: chain, "libarchive could not allocate a reader")
            return 0
        }
        defer { archive_read_free(archive) }
        family.register(on: archive)
        let opened = input.open(archive)
        guard opened >= ARCHIVE_WARN else {
            reportInputFailure(input, archive: archive, at: chain)
            return 0
        }
        var mapper = directory.map(ZipRecordMapper.init)
        var seen = Set<NameDigest>()
        var retries = 0
        var reachedEnd = false
        var entryPointer: OpaquePointer?
        while !isStopped && !checkDeadline(at: chain) {
            let status = archive_read_next_header(archive, &entryPointer)
            if status == ARCHIVE_EOF {
                reachedEnd = true
                break
            }
            if status == ARCHIVE_RETRY {
                retries += 1
                if retries > 16 {
                    report(.corrupt, at: chain, "libarchive kept asking to retry a header")
                    break
                }
                continue
            }
            guard status >= ARCHIVE_WARN, let entry = entryPointer else {
                reportInputFailure(input, archive: archive, at: chain)
                break
            }
            guard countEntry(at: chain.count) else { break }
            let zipRecord = mapper?.next()
            let headerName = Self.pathname(entry)
            if status == ARCHIVE_WARN {
                let message = LibArchive.errorString(archive)
                report(.inconsistentHeader, at: chain + [EntryName.display(headerName)], message)
            }
            let raw = zipRecord?.name ?? headerName
            let name = checkName(raw, chain: chain, seen: &seen)
            let childChain = chain + [name]
            let namesAgree = zipRecord.map { Self.sameName(headerName, $0.nameUpToNUL) } ?? false
            if zipRecord != nil, !namesAgree {
                report(
                    .nameMismatch, at: childChain,
                    "the local header names it \"\(EntryName.display(headerName))\"; the central directory (which Android trusts) \"\(name)\""
                )
            }
            readArchiveEntry(
                entry, archive: archive, zipRecord: zipRecord, namesAgree: namesAgree, chain: childChain,
                directory: directory, source: source)
        }
        if reachedEnd, let unreached = mapper?.unreached {
            for record in unreached {
                report(
                    .hiddenEntry, at: chain + [EntryName.display(record.name)],
                    "listed in the central directory (entry \(record.index)) but never returned by the archive reader")
            }
        }
        return archive_format(archive)
    }

    /// One entry of a libarchive handle: directories and links are recorded, files read.
    private func readArchiveEntry(
        _ entry: OpaquePointer, archive: OpaquePointer, zipRecord: ZipDirectory.Record?, namesAgree: Bool,
        chain: [String], directory: ZipDirectory?, source: (any RandomAccessSource)?
    ) {
        let declared: Int64? =
            archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : zipRecord?.uncompressedSize
        let fileType = UInt32(archive_entry_filetype(entry))
        if fileType == SG_AE_IFDIR {
            record(BundleEntry(chain: chain, size: 0, kind: .directory), complete: true)
            return
        }
        if fileType == SG_AE_IFLNK || archive_entry_hardlink(entry) != nil {
            let target = archive_entry_symlink(entry) ?? archive_entry_hardlink(entry)
            let shown = target.map { EntryName.escapeControls(String(cString: $0)) } ?? "?"
            let what = fileType == SG_AE_IFLNK ? "symbolic link" : "hard link"
            report(.symlink, at: chain, "a \(what) to \"\(shown)\"")
            record(BundleEntry(chain: chain, size: 0, kind: .symlink), complete: true)
            return
        }
        // Whole only when libarchive's entry is surely this record's: the local name agrees too.
        // The inflater checks the local header against the record in the read it makes anyway.
        if let zipRecord, namesAgree, let source,
            let bytes = inflateWhole(zipRecord, declared: declared, source: source, chain: chain)
        {
            readFile(
                chain: chain, declaredSize: declared, compressedSize: zipRecord.compressedSize,
                stream: InflatedEntryStream(bytes), inPlace: nil)
            return
        }
        // The local header's method and encryption flags are libarchive's; the directory's are
        // Android's. Where they differ, the entry is read as Android reads it.
        if let zipRecord, !zipRecord.isEncrypted, zipRecord.method == 0 || zipRecord.method == 8, let directory,
            let source, let (local, dataOffset) = directory.localHeader(of: zipRecord, in: source),
            local.method != zipRecord.method || local.flags & 0x41 != 0
        {
            readByDirectoryMethod(zipRecord, local: local, dataOffset: dataOffset, source: source, chain: chain)
            return
        }
        if archive_entry_is_encrypted(entry) != 0 || zipRecord?.isEncrypted == true {
            report(.encryptedEntry, at: chain, "the entry is encrypted; its content was not read")
            record(
                BundleEntry(
                    chain: chain, size: declared ?? 0, compressedSize: zipRecord?.compressedSize, kind: .binary),
                complete: false)
            return
        }
        var inPlace: (() -> (any RandomAccessSource)?)?
        if let zipRecord, zipRecord.isStored, let directory, let source {
            inPlace = {
                directory.dataOffset(of: zipRecord, in: source).map {
                    SliceSource(parent: source, base: $0, length: zipRecord.compressedSize)
                }
            }
        }
        let stream = LibarchiveEntryStream(archive)
        readFile(
            chain: chain, declaredSize: declared, compressedSize: zipRecord?.compressedSize, stream: stream,
            inPlace: inPlace)
        for warning in stream.warnings {
            report(Self.classify(warning), at: chain, warning)
        }
    }

    /// An entry whose local header names another compression method than its directory record,
    /// or says it is encrypted where the record does not: read by the record (stored or deflate,
    /// plain), as Android reads it, and the disagreement reported. libarchive would take the local
    /// header's method and flags (`DirectoryMethod.swift`).
    private func readByDirectoryMethod(
        _ record: ZipDirectory.Record, local: ZipDirectory.LocalHeader, dataOffset: Int64,
        source: any RandomAccessSource, chain: [String]
    ) {
        func name(_ method: UInt16) -> String {
            switch method {
            case 0: "stored (0)"
            case 8: "deflate (8)"
            default: "method \(method)"
            }
        }
        let says =
            local.method != record.method
            ? "says \(name(local.method)), the central directory (which Android trusts) \(name(record.method))"
            : "says the entry is encrypted, the central directory (which Android trusts) that it is not"
        report(.inconsistentHeader, at: chain, "the local header \(says); read as the directory says")
        let raw = SourceRangeStream(source: source, offset: dataOffset, length: record.compressedSize)
        let bytes: any EntryStream =
            record.isStored
            ? raw : DeflatedRangeStream(source: source, offset: dataOffset, length: record.compressedSize)
        readFile(
            chain: chain, declaredSize: record.uncompressedSize, compressedSize: record.compressedSize,
            stream: DirectoryCheckedStream(bytes, crc32: record.crc32, size: record.uncompressedSize),
            inPlace: record.isStored
                ? { SliceSource(parent: source, base: dataOffset, length: record.compressedSize) } : nil)
    }

    /// A deflated entry inflated in one call, when it is regular and within every limit
    /// (`WholeInflater`); nil sends it to libarchive.
    private func inflateWhole(
        _ record: ZipDirectory.Record, declared: Int64?, source: any RandomAccessSource, chain: [String]
    ) -> UnsafeRawBufferPointer? {
        let limit = limits.maxWholeInflateBytes
        guard limit > 0, record.method == 8, declared == record.uncompressedSize,
            withinLimits(size: record.uncompressedSize, compressedSize: record.compressedSize),
            !checkDeadline(at: chain)
        else { return nil }
        return wholeInflater.inflate(record, from: source, depth: chain.count - 1, maxBytes: limit)
    }

    /// Walks a mini-program package (wxapkg, encrypted wxapkg, TPKG) through its own index.
    func walkPackage(_ source: any RandomAccessSource, kind: ContentKind, chain: [String]) {
        var package = source
        if kind == .wxapkgEncrypted {
            guard let appID = options.wechatAppID, !appID.isEmpty else {
                report(
                    .unreadable, at: chain,
                    "a PC-client wxapkg (V1MMWX) is encrypted with its appid; give it (--appid) to read the package")
                return
            }
            do {
                package = try WxapkgCrypto.plainSource(of: source, appID: appID)
            } catch {
                report(.unreadable, at: chain, "decrypting the PC-client wxapkg failed: \(error)")
                return
            }
            let head = (try? package.bytes(at: 0, count: 16)) ?? []
            guard ContentKind.sniff(head) == .wxapkg else {
                report(
                    .unreadable, at: chain,
                    "decrypting with appid \(appID) does not give a wxapkg: the appid is probably not this package's")
                return
            }
        }
        let index: PackageIndex
        do {
            index =
                kind == .tpkg
                ? try PackageIndex.tpkg(
                    package, maxEntries: limits.maxEntries - entryCount, maxNameLength: limits.maxNameLength)
                : try PackageIndex.wxapkg(
                    package, maxEntries: limits.maxEntries - entryCount, maxNameLength: limits.maxNameLength)
        } catch {
            switch error {
            case .truncated(let message): report(.truncated, at: chain, message)
            case .corrupt(let message): report(.corrupt, at: chain, message)
            case .unrecognised(let message):
                report(.unreadable, at: chain, "TPKG layout not recognised (\(message)); it needs a person to review")
            case .tooManyEntries(let count):
                stopAll(
                    .tooManyEntries, at: chain,
                    "the package index lists \(count) files; with those already read that passes \(limits.maxEntries) (limit: --max-entries)"
                )
            }
            return
        }
        var seen = Set<NameDigest>()
        for item in index.items {
            guard !isStopped, !checkDeadline(at: chain), countEntry(at: chain.count) else { break }
            let name = checkName(item.name, chain: chain, seen: &seen, leadingSlashAllowed: true)
            let childChain = chain + [name]
            let end = item.offset.addingReportingOverflow(item.size)
            guard item.offset >= index.dataStart, !end.overflow, end.partialValue <= package.length else {
                report(
                    .offsetOutOfRange, at: childChain,
                    "its data (\(item.size) bytes at offset \(item.offset)) lies outside the package's data (bytes \(index.dataStart)..<\(package.length))"
                )
                record(BundleEntry(chain: childChain, size: item.size, kind: .binary), complete: false)
                continue
            }
            readFile(
                chain: childChain, declaredSize: item.size, compressedSize: nil,
                stream: SourceRangeStream(source: package, offset: item.offset, length: item.size),
                inPlace: { SliceSource(parent: package, base: item.offset, length: item.size) })
        }
    }

    /// Reports why an archive could not be opened or went on, unless a limit already said so.
    private func reportInputFailure(_ input: ArchiveInput, archive: OpaquePointer, at chain: [String]) {
        if let failure = input.failure, failure.hasPrefix(ReadSession.limitStop) { return }
        let message = input.failure ?? LibArchive.errorString(archive)
        report(Self.classify(message), at: chain, message)
    }

    /// Checks one entry name and remembers it for duplicates; returns the name to show.
    func checkName(
        _ raw: [UInt8], chain: [String], seen: inout Set<NameDigest>, leadingSlashAllowed: Bool = false
    )
        -> String
    {
        let limit = limits.maxNameLength
        var name = raw.isEmpty ? "(unnamed entry \(entryCount))" : EntryName.display(raw.prefix(limit))
        if raw.count > limit { name += "…" }
        let childChain = chain + [name]
        for problem in EntryName.problems(raw, maxLength: limit, leadingSlashAllowed: leadingSlashAllowed) {
            report(problem.kind, at: childChain, problem.detail)
        }
        // Names are remembered by a digest, not by their bytes: 40,000 names of 1 KiB would
        // otherwise be held once more. Equal names always have equal digests, so no duplicate is
        // missed; two different names sharing one could only add a false duplicate, never hide one.
        if !seen.insert(NameDigest(raw)).inserted {
            report(
                .duplicateEntry, at: childChain,
                "a second entry named \"\(name)\"; installers and scanners may each see a different one")
        }
        return name
    }

    /// The name libarchive gives an entry, as raw bytes.
    static func pathname(_ entry: OpaquePointer) -> [UInt8] {
        guard let c = archive_entry_pathname(entry) ?? archive_entry_pathname_utf8(entry) else { return [] }
        return Array(UnsafeRawBufferPointer(start: c, count: strlen(c)))
    }

    /// Whether a local-header name equals the directory's, allowing the `/` libarchive appends
    /// to directory names.
    static func sameName(_ local: [UInt8], _ central: ArraySlice<UInt8>) -> Bool {
        if local.elementsEqual(central) { return true }
        let slash = UInt8(ascii: "/")
        return local.last == slash && local.dropLast().elementsEqual(central)
            || central.last == slash && central.dropLast().elementsEqual(local)
    }

    /// Marks a stream failure caused by a limit (already reported), not by damage.
    static var limitStop: String { "stopped at a limit" }
}

/// A name remembered for duplicate detection: two 64-bit FNV-1a digests with different offset
/// bases and mixing, so that memory per name is fixed whatever its length.
struct NameDigest: Hashable {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x8422_2325_cbf2_9ce4

    init(_ bytes: [UInt8]) {
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte) ^ 0xA5) &* 0x0000_0100_0000_01B3
        }
    }
}

/// Reading one file entry, whatever container it sits in.
extension ReadSession {
    /// Reads one file entry: sniffs its first bytes, then walks into it when it is an archive, or
    /// hands its bytes to the visitor. Every chunk passes the meter (limits, clock).
    ///
    /// `inPlace` gives the entry's bytes as a random-access source when they are stored
    /// uncompressed in a source that can seek: a nested archive is then read where it lies.
    func readFile(
        chain: [String], declaredSize: Int64?, compressedSize: Int64?, stream: any EntryStream,
        inPlace: (() -> (any RandomAccessSource)?)?
    ) {
        var entryBytes: Int64 = 0
        var verdict = Verdict.proceed
        var failure: String?
        var ended = false

        // The head: enough bytes to tell what the content is. A first chunk that is long enough
        // is used where it lies; shorter ones are gathered (they are valid only until the next read).
        var head: [UInt8] = []
        var first: UnsafeRawBufferPointer?
        gather: while true {
            switch stream.next() {
            case .end:
                ended = true
                break gather
            case .failure(let message):
                failure = message
                break gather
            case .data(let chunk):
                verdict = meter(chunk.count, entryBytes: &entryBytes, compressedSize: compressedSize, at: chain)
                if head.isEmpty && chunk.count >= ContentKind.sniffLength {
                    first = chunk
                    break gather
                }
                head.append(contentsOf: chunk)
                if head.count >= ContentKind.sniffLength || verdict != .proceed { break gather }
            }
        }
        let kind =
            first.map { ContentKind.sniff(UnsafeRawBufferPointer(rebasing: $0.prefix(ContentKind.sniffLength))) }
            ?? ContentKind.sniff(head)
        var entry = BundleEntry(
            chain: chain, size: declaredSize ?? entryBytes, compressedSize: compressedSize, kind: kind)
        if let name = chain.last, kind.contradicts(name: name) {
            report(
                .fakeExtension, at: chain,
                "the content is \(kind.rawValue) but the name ends in .\(ContentKind.fileExtension(of: name) ?? "")")
        }

        if kind.isContainer && verdict == .proceed && failure == nil {
            if chain.count > limits.maxDepth {
                report(
                    .depthLimit, at: chain,
                    "a \(kind.rawValue) archive nested \(chain.count) levels deep; the limit is \(limits.maxDepth) (--max-depth); it was not opened"
                )
            } else {
                nestedArchives += 1
                let consumed = first.map { Array($0) } ?? head
                let opened = openNested(
                    kind: kind, chain: chain, declaredSize: declaredSize, compressedSize: compressedSize,
                    consumed: consumed, ended: ended, stream: stream, entryBytes: &entryBytes, inPlace: inPlace)
                entry.size = declaredSize ?? entryBytes
                record(entry, complete: opened)
                return
            }
        }

        let wanted = visitor.wantsContent(of: entry)
        if wanted {
            if let first {
                visitor.consume(first, of: entry)
            } else if !head.isEmpty {
                head.withUnsafeBytes { visitor.consume($0, of: entry) }
            }
        }
        while verdict == .proceed && failure == nil && !ended {
            switch stream.next() {
            case .end:
                ended = true
            case .failure(let message):
                failure = message
            case .data(let chunk):
                verdict = meter(chunk.count, entryBytes: &entryBytes, compressedSize: compressedSize, at: chain)
                if wanted && verdict == .proceed { visitor.consume(chunk, of: entry) }
            }
        }
        if let failure, !failure.hasPrefix(Self.limitStop) {
            report(Self.classify(failure), at: chain, failure)
        }
        let complete = ended && failure == nil && verdict == .proceed
        entry.size = complete ? entryBytes : max(declaredSize ?? 0, entryBytes)
        record(entry, complete: complete)
    }

    /// Walks into a nested archive, by the cheapest safe route: in place when it is stored in a
    /// seekable source; when it needs random access (zip, wxapkg, TPKG), from a bounded memory
    /// buffer, or past that from a bounded temporary file, so that a nested zip is always read
    /// through its central directory as Android reads it (local headers can lie: a stray
    /// `PK\5\6` in an entry's data, names that differ from the directory's); as a stream otherwise
    /// (tar and compressed files). Returns false when it could not be read.
    private func openNested(
        kind: ContentKind, chain: [String], declaredSize: Int64?, compressedSize: Int64?, consumed: [UInt8],
        ended: Bool, stream: any EntryStream, entryBytes: inout Int64,
        inPlace: (() -> (any RandomAccessSource)?)?
    ) -> Bool {
        if let source = inPlace?() {
            walkContainer(source, kind: kind, chain: chain)
            return true
        }
        let needsRandomAccess: Bool = [.zip, .wxapkg, .wxapkgEncrypted, .tpkg].contains(kind)
        let budget = limits.maxBufferedBytes - bufferedBytes
        let size = declaredSize ?? (ended ? Int64(consumed.count) : nil)
        if needsRandomAccess, let size, size <= budget {
            guard
                let data = buffer(
                    consumed, ended: ended, stream: stream, budget: budget, entryBytes: &entryBytes,
                    compressedSize: compressedSize, chain: chain)
            else { return false }
            bufferedBytes += Int64(data.count)
            defer { bufferedBytes -= Int64(data.count) }
            walkContainer(MemorySource(data), kind: kind, chain: chain)
            return true
        }
        if !needsRandomAccess {
            let counter = ByteCounter(entryBytes)
            let resumed = ResumedStream(head: consumed, rest: stream) { n in
                self.meter(n, entryBytes: &counter.value, compressedSize: compressedSize, at: chain) == .proceed
                    ? nil : Self.limitStop
            }
            walkArchive(
                ArchiveInput(.stream(resumed)), family: .tarFamily, chain: chain, directory: nil, source: nil)
            entryBytes = counter.value
            return true
        }
        let spoolBudget = limits.maxSpooledBytes - spooledBytes
        if let size, size > spoolBudget {
            report(
                .nestedTooLarge, at: chain,
                "a \(kind.rawValue) archive of \(ByteCount.format(size)) needs random access; the nested-archive buffer (--max-nested-buffer) and the temporary-file space left (\(ByteCount.format(max(0, spoolBudget))), --max-spool) are both too small; it was not read"
            )
            return false
        }
        guard
            let spool = spool(
                consumed, ended: ended, stream: stream, budget: spoolBudget, entryBytes: &entryBytes,
                compressedSize: compressedSize, chain: chain)
        else { return false }
        spooledBytes += spool.length
        defer {
            spooledBytes -= spool.length
            spool.close()
        }
        walkContainer(spool, kind: kind, chain: chain)
        return true
    }

    /// Writes the rest of an entry to an unlinked temporary file, within `budget` bytes; nil
    /// (with a hazard) when that fails.
    private func spool(
        _ consumed: [UInt8], ended: Bool, stream: any EntryStream, budget: Int64, entryBytes: inout Int64,
        compressedSize: Int64?, chain: [String]
    ) -> SpoolFile? {
        let file: SpoolFile
        do { file = try SpoolFile() } catch {
            report(.nestedTooLarge, at: chain, "no temporary file for a nested archive: \(error.description)")
            return nil
        }
        var failed: String?
        consumed.withUnsafeBytes { if let problem = file.append($0) { failed = problem } }
        var done = ended
        while !done && failed == nil {
            switch stream.next() {
            case .end:
                done = true
            case .failure(let message):
                if !message.hasPrefix(Self.limitStop) { report(Self.classify(message), at: chain, message) }
                file.close()
                return nil
            case .data(let chunk):
                guard meter(chunk.count, entryBytes: &entryBytes, compressedSize: compressedSize, at: chain) == .proceed
                else {
                    file.close()
                    return nil
                }
                guard file.length + Int64(chunk.count) <= budget else {
                    report(
                        .nestedTooLarge, at: chain,
                        "the nested archive grew past the temporary-file space left (\(ByteCount.format(budget)), --max-spool); it was not read"
                    )
                    file.close()
                    return nil
                }
                if let problem = file.append(chunk) { failed = problem }
            }
        }
        if let failed {
            report(.nestedTooLarge, at: chain, "writing a nested archive to a temporary file failed: \(failed)")
            file.close()
            return nil
        }
        peakSpooledBytes = max(peakSpooledBytes, spooledBytes + file.length)
        return file
    }

    /// Reads the rest of an entry into memory, within `budget` bytes; nil when that fails.
    private func buffer(
        _ consumed: [UInt8], ended: Bool, stream: any EntryStream, budget: Int64, entryBytes: inout Int64,
        compressedSize: Int64?, chain: [String]
    ) -> [UInt8]? {
        var data = consumed
        peakBufferedBytes = max(peakBufferedBytes, bufferedBytes + Int64(data.count))
        var done = ended
        while !done {
            switch stream.next() {
            case .end:
                done = true
            case .failure(let message):
                if !message.hasPrefix(Self.limitStop) { report(Self.classify(message), at: chain, message) }
                return nil
            case .data(let chunk):
                guard meter(chunk.count, entryBytes: &entryBytes, compressedSize: compressedSize, at: chain) == .proceed
                else { return nil }
                guard Int64(data.count + chunk.count) <= budget else {
                    report(
                        .nestedTooLarge, at: chain,
                        "the nested archive grew past its declared size and the nested-archive buffer (limit: --max-nested-buffer); it was not read"
                    )
                    return nil
                }
                data.append(contentsOf: chunk)
                peakBufferedBytes = max(peakBufferedBytes, bufferedBytes + Int64(data.count))
            }
        }
        return data
    }
}

/// A byte count shared with a closure.
final class ByteCounter {
    var value: Int64
    init(_ value: Int64) { self.value = value }
}

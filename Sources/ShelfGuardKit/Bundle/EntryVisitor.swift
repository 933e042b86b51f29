/// Receives a bundle's entries as the reader streams them. This is how later stages (manifest
/// readers, the detector) see content: in chunks, in order, never the whole bundle at once.
///
/// The reader calls, for each file entry that is not walked into as a nested archive:
/// `wantsContent` once, then `consume` for each chunk if it said yes; and for every entry
/// (directories and nested archives too) `finish` once at the end.
public protocol EntryVisitor {
    /// Whether to deliver this entry's bytes. The entry's kind is already known; its size is the
    /// declared one.
    mutating func wantsContent(of entry: BundleEntry) -> Bool
    /// The next chunk of the entry's decompressed bytes. The buffer is valid only during the call.
    mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry)
    /// The entry is done; `entry.size` is now what was read. `complete` is false when a limit, an
    /// error or encryption cut the content short.
    mutating func finish(_ entry: BundleEntry, complete: Bool)
}

extension EntryVisitor {
    public mutating func wantsContent(of entry: BundleEntry) -> Bool { false }
    public mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {}
    public mutating func finish(_ entry: BundleEntry, complete: Bool) {}
}

/// A visitor that wants nothing: the reader still reads every byte (checksums, limits).
public struct NoVisitor: EntryVisitor {
    public init() {}
}

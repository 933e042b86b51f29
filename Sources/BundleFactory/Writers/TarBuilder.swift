import CArchive

/// Writes tar archives (pax), plain or compressed, with libarchive.
public enum TarBuilder {
    public enum Compression: String, Sendable, CaseIterable {
        case none, gzip, xz, zstd
    }

    /// A whole archive in memory from (name, content) pairs.
    public static func archive(_ files: [(String, [UInt8])], compression: Compression = .gzip) -> [UInt8] {
        let collector = Collector()
        let archive = archive_write_new()!
        defer { archive_write_free(archive) }
        switch compression {
        case .none: break
        case .gzip:
            archive_write_add_filter_gzip(archive)
            archive_write_set_filter_option(archive, "gzip", "timestamp", nil)  // reproducible bytes
        case .xz: archive_write_add_filter_xz(archive)
        case .zstd: archive_write_add_filter_zstd(archive)
        }
        archive_write_set_format_pax_restricted(archive)
        archive_write_set_bytes_in_last_block(archive, 1)
        archive_write_open2(archive, Unmanaged.passUnretained(collector).toOpaque(), nil, collectorWrite, nil, nil)
        for (name, data) in files {
            let entry = archive_entry_new()!
            archive_entry_set_pathname(entry, name)
            archive_entry_set_filetype(entry, SG_AE_IFREG)
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_size(entry, Int64(data.count))
            archive_write_header(archive, entry)
            archive_entry_free(entry)
            data.withUnsafeBytes { _ = archive_write_data(archive, $0.baseAddress, $0.count) }
        }
        archive_write_close(archive)
        return collector.bytes
    }
}

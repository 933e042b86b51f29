/// Pairs the entries libarchive returns with the central-directory records they come from.
///
/// libarchive's seekable zip reader returns one entry per distinct local-header offset, in
/// offset order; of several records sharing an offset, the first in the directory wins. The
/// mapper replays that order, so the n-th entry libarchive returns is the n-th record here.
/// Records libarchive never returns are `unreached`: entries an installer may see but a naive
/// scanner would not.
struct ZipRecordMapper {
    private var ordered: [ZipDirectory.Record] = []
    private var shadowed: [ZipDirectory.Record] = []
    private var cursor = 0

    init(_ directory: ZipDirectory) {
        var offsets = Set<Int64>()
        for record in directory.records {
            if offsets.insert(record.localHeaderOffset).inserted {
                ordered.append(record)
            } else {
                shadowed.append(record)
            }
        }
        ordered.sort { ($0.localHeaderOffset, $0.index) < ($1.localHeaderOffset, $1.index) }
    }

    /// The record of the next entry libarchive returns.
    mutating func next() -> ZipDirectory.Record? {
        guard cursor < ordered.count else { return nil }
        defer { cursor += 1 }
        return ordered[cursor]
    }

    /// Records that no returned entry was paired with.
    var unreached: [ZipDirectory.Record] {
        (shadowed + ordered[cursor...]).sorted { $0.index < $1.index }
    }
}

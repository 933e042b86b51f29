/// Pieces of another source read as one: the payloads of a JPEG's APP11 segments, which together
/// hold one JUMBF box. Nothing is copied; a read past a piece's end continues in the next.
final class SegmentedSource: RandomAccessSource {
    let parent: any RandomAccessSource
    /// Each piece: where it starts in the parent, and where it starts in this source.
    private let pieces: [(base: Int64, start: Int64, length: Int64)]
    let length: Int64

    init(parent: any RandomAccessSource, pieces: [(offset: Int64, length: Int64)]) {
        self.parent = parent
        var list: [(base: Int64, start: Int64, length: Int64)] = []
        var total: Int64 = 0
        for piece in pieces where piece.length > 0 {
            list.append((piece.offset, total, piece.length))
            total += piece.length
        }
        self.pieces = list
        self.length = total
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard offset >= 0, offset < length, buffer.count > 0 else { return 0 }
        // The piece holding `offset` (binary search: a store can span thousands of segments).
        var low = 0
        var high = pieces.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if pieces[middle].start <= offset { low = middle } else { high = middle - 1 }
        }
        let piece = pieces[low]
        let within = offset - piece.start
        let wanted = Int(min(Int64(buffer.count), piece.length - within))
        return try parent.read(
            at: piece.base + within, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
    }
}

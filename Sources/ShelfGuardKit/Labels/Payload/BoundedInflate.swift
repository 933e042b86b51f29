import CZlib

/// zlib's inflate into a bounded buffer: a compressed PNG text chunk (a zlib stream), a deflated
/// zip entry (raw DEFLATE) or a compressed ID3 frame. Input is pulled in pieces, so a deflated
/// entry is never read whole before the output limit is known to hold.
enum BoundedInflate {
    /// How inflating ended.
    enum Outcome: Equatable {
        case done([UInt8])
        /// The output would be larger than the limit; inflating stopped there.
        case tooLarge
        /// The stream is damaged or ends early.
        case corrupt(String)
    }

    /// Inflates one whole buffer.
    static func run(_ input: [UInt8], raw: Bool, maxOutput: Int) -> Outcome {
        var given = false
        return run(raw: raw, maxOutput: maxOutput) { () -> [UInt8] in
            defer { given = true }
            return given ? [] : input
        }
    }

    /// Inflates the pieces `next` returns (an empty piece: no more input). An error from `next`
    /// (the read limit) passes through.
    static func run<Failure: Error>(
        raw: Bool, maxOutput: Int, next: () throws(Failure) -> [UInt8]
    ) throws(Failure) -> Outcome {
        var stream = z_stream()
        guard sg_inflate_init2(&stream, raw ? -15 : 15) == Z_OK else { return .corrupt("zlib could not start") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var input = try next()
            if input.isEmpty { return .corrupt("the compressed data ends before its end marker") }
            var status = Z_OK
            var failure: Outcome?
            input.withUnsafeMutableBufferPointer { inBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                repeat {
                    var produced = 0
                    chunk.withUnsafeMutableBufferPointer { outBuffer in
                        stream.next_out = outBuffer.baseAddress
                        stream.avail_out = uInt(outBuffer.count)
                        status = CZlib.inflate(&stream, Z_NO_FLUSH)
                        produced = outBuffer.count - Int(stream.avail_out)
                    }
                    if output.count + produced > maxOutput {
                        failure = .tooLarge
                        return
                    }
                    output.append(contentsOf: chunk[..<produced])
                    if status == Z_STREAM_END { return }
                    if status == Z_BUF_ERROR && stream.avail_in == 0 { return }
                    if status != Z_OK {
                        let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                        failure = .corrupt("the compressed data is damaged: \(message)")
                        return
                    }
                } while stream.avail_in > 0 || stream.avail_out == 0
            }
            stream.next_in = nil
            if let failure { return failure }
            if status == Z_STREAM_END { return .done(output) }
        }
    }
}

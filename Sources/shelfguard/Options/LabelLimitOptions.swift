import ArgumentParser
import ShelfGuardKit

/// The label readers' limits as command-line flags.
struct LabelLimitOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Bytes read from one file: structure headers and label values; media payloads are skipped and the SHA-256 is not counted. (default: \(ByteCount.compact(LabelLimits.standard.maxReadBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxRead: Int64 = LabelLimits.standard.maxReadBytes

    @Option(
        help: ArgumentHelp(
            "Bytes of one payload held in memory: an XMP packet (ExtendedXMP joined, compressed text inflated), docProps/custom.xml, a label value, a C2PA claim. (default: \(ByteCount.compact(Int64(LabelLimits.standard.maxPacketBytes))))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxPacketSize: Int64 = Int64(LabelLimits.standard.maxPacketBytes)

    @Option(
        help: ArgumentHelp(
            "Structures walked in one file: segments, chunks, boxes, frames, zip entries, XML, JSON and CBOR nodes.",
            valueName: "count"))
    var maxBoxes: Int = LabelLimits.standard.maxStructures

    @Option(help: ArgumentHelp("Nesting depth of boxes, XML elements, JSON and CBOR values.", valueName: "levels"))
    var maxDepth: Int = LabelLimits.standard.maxDepth

    @Option(help: ArgumentHelp("Seconds allowed for one file (the SHA-256 not counted).", valueName: "seconds"))
    var timeout: Double = LabelLimits.standard.timeLimitSeconds

    func validate() throws {
        guard maxRead > 0 else { throw ValidationError("--max-read must be positive") }
        guard maxPacketSize > 0, maxPacketSize <= Int64(Int32.max) else {
            throw ValidationError("--max-packet-size must be positive and below 2GiB")
        }
        guard maxBoxes > 0 else { throw ValidationError("--max-boxes must be at least 1") }
        guard maxDepth > 0 else { throw ValidationError("--max-depth must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    var limits: LabelLimits {
        var limits = LabelLimits()
        limits.maxReadBytes = maxRead
        limits.maxPacketBytes = Int(maxPacketSize)
        limits.maxStructures = maxBoxes
        limits.maxDepth = maxDepth
        limits.timeLimitSeconds = timeout
        return limits
    }
}

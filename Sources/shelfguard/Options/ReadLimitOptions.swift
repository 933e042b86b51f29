import ArgumentParser
import Foundation
import ShelfGuardKit

/// The reader's limits as command-line flags, shared by every command that reads bundles.
struct ReadLimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Entries at every nesting level together.", valueName: "count"))
    var maxEntries: Int = ReadLimits.standard.maxEntries

    @Option(
        help: ArgumentHelp(
            "Bytes read from one entry after decompression, e.g. 512MiB. (default: \(ByteCount.compact(ReadLimits.standard.maxEntryBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxEntrySize: Int64 = ReadLimits.standard.maxEntryBytes

    @Option(
        help: ArgumentHelp(
            "Bytes read from the whole bundle, nested archives included. (default: \(ByteCount.compact(ReadLimits.standard.maxTotalBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxTotalSize: Int64 = ReadLimits.standard.maxTotalBytes

    @Option(
        help: ArgumentHelp(
            "Decompressed over compressed size, per entry and for the whole bundle (zip-bomb guard).",
            valueName: "ratio"))
    var maxRatio: Double = ReadLimits.standard.maxCompressionRatio

    @Option(
        help: ArgumentHelp(
            "Output size below which ratios are not judged. (default: \(ByteCount.compact(ReadLimits.standard.ratioFloorBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var ratioFloor: Int64 = ReadLimits.standard.ratioFloorBytes

    @Option(help: ArgumentHelp("Archives inside archives; 0 opens none.", valueName: "levels"))
    var maxDepth: Int = ReadLimits.standard.maxDepth

    @Option(help: ArgumentHelp("Bytes in one entry name.", valueName: "bytes"))
    var maxNameLength: Int = ReadLimits.standard.maxNameLength

    @Option(help: ArgumentHelp("Seconds allowed for one bundle.", valueName: "seconds"))
    var timeout: Double = ReadLimits.standard.timeLimitSeconds

    @Option(
        help: ArgumentHelp(
            "Memory for compressed nested archives that need random access, all levels together. (default: \(ByteCount.compact(ReadLimits.standard.maxBufferedBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxNestedBuffer: Int64 = ReadLimits.standard.maxBufferedBytes

    @Option(
        help: ArgumentHelp(
            "Temporary-file space for compressed nested archives past the buffer, all levels together; they are read through their central directory from there. (default: \(ByteCount.compact(ReadLimits.standard.maxSpooledBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxSpool: Int64 = ReadLimits.standard.maxSpooledBytes

    @Option(
        help: ArgumentHelp(
            "Deflated zip entries up to this size, compressed and inflated, are inflated in one call (libdeflate) in memory kept per nesting level (all levels together at most twice this and 1 MiB); larger ones stream through zlib. Bounds memory, not what is read; 0 streams every entry. (default: \(ByteCount.compact(ReadLimits.standard.maxWholeInflateBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxWholeInflate: Int64 = ReadLimits.standard.maxWholeInflateBytes

    @Option(
        help: ArgumentHelp(
            "Strings one DEX's string table may list; a DEX with more is searched byte by byte instead and gets a dex_unwalkable hazard.",
            valueName: "count"))
    var maxDexStrings: Int = DetectorVisitor.defaultDexStringLimit

    @Option(help: ArgumentHelp("Hazards of one kind listed per bundle; the rest are counted.", valueName: "count"))
    var maxHazardsPerKind: Int = ReadLimits.standard.maxHazardsPerKind

    @Option(
        help: ArgumentHelp(
            "Bytes of one manifest file kept for parsing, resources.arsc included. (default: \(ByteCount.compact(ManifestLimits.standard.maxFileBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxManifestSize: Int64 = ManifestLimits.standard.maxFileBytes

    @Option(help: ArgumentHelp("Nodes in one manifest: elements, attributes, values.", valueName: "count"))
    var maxManifestNodes: Int = ManifestLimits.standard.maxNodes

    @Option(help: ArgumentHelp("Nesting depth of one manifest.", valueName: "levels"))
    var maxManifestDepth: Int = ManifestLimits.standard.maxDepth

    func validate() throws {
        guard maxEntries > 0 else { throw ValidationError("--max-entries must be at least 1") }
        guard maxEntrySize > 0, maxTotalSize > 0, maxSpool >= 0, maxNestedBuffer >= 0, maxWholeInflate >= 0 else {
            throw ValidationError("sizes must be positive")
        }
        guard maxRatio >= 1 else { throw ValidationError("--max-ratio must be at least 1") }
        guard maxDepth >= 0 else { throw ValidationError("--max-depth cannot be negative") }
        guard maxNameLength > 0 else { throw ValidationError("--max-name-length must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard maxDexStrings > 0 else { throw ValidationError("--max-dex-strings must be at least 1") }
        guard maxHazardsPerKind > 0 else { throw ValidationError("--max-hazards-per-kind must be at least 1") }
        guard maxManifestSize > 0, maxManifestNodes > 0, maxManifestDepth > 0 else {
            throw ValidationError("manifest limits must be positive")
        }
    }

    var limits: ReadLimits {
        var limits = ReadLimits()
        limits.maxEntries = maxEntries
        limits.maxEntryBytes = maxEntrySize
        limits.maxTotalBytes = maxTotalSize
        limits.maxCompressionRatio = maxRatio
        limits.ratioFloorBytes = ratioFloor
        limits.maxDepth = maxDepth
        limits.maxNameLength = maxNameLength
        limits.timeLimitSeconds = timeout
        limits.maxBufferedBytes = maxNestedBuffer
        limits.maxSpooledBytes = maxSpool
        limits.maxWholeInflateBytes = maxWholeInflate
        limits.maxHazardsPerKind = maxHazardsPerKind
        return limits
    }

    /// What `inspect`, `check`, `review` and `daily` read a bundle with.
    func inspectOptions(wechatAppID: String?) -> InspectOptions {
        InspectOptions(
            read: ReadOptions(limits: limits, wechatAppID: wechatAppID), manifestLimits: manifestLimits,
            dexStringLimit: maxDexStrings)
    }

    var manifestLimits: ManifestLimits {
        var limits = ManifestLimits()
        limits.maxFileBytes = maxManifestSize
        limits.maxNodes = maxManifestNodes
        limits.maxDepth = maxManifestDepth
        return limits
    }

    static func size(_ text: String) throws -> Int64 {
        guard let value = ByteCount.parse(text) else {
            throw ValidationError("'\(text)' is not a size; write e.g. 4096, 64KiB, 512M or 2G")
        }
        return value
    }
}

extension ReadLimitOptions {
    /// These options for `QuickParser`: the names, defaults and transforms declared above.
    static var quick: QuickParser<Self> {
        var parser = QuickParser(Self())
        parser.option("--max-entries", default: ReadLimits.standard.maxEntries) { $0.maxEntries = $1 }
        parser.size("--max-entry-size", default: ReadLimits.standard.maxEntryBytes) { $0.maxEntrySize = $1 }
        parser.size("--max-total-size", default: ReadLimits.standard.maxTotalBytes) { $0.maxTotalSize = $1 }
        parser.option("--max-ratio", default: ReadLimits.standard.maxCompressionRatio) { $0.maxRatio = $1 }
        parser.size("--ratio-floor", default: ReadLimits.standard.ratioFloorBytes) { $0.ratioFloor = $1 }
        parser.option("--max-depth", default: ReadLimits.standard.maxDepth) { $0.maxDepth = $1 }
        parser.option("--max-name-length", default: ReadLimits.standard.maxNameLength) { $0.maxNameLength = $1 }
        parser.option("--timeout", default: ReadLimits.standard.timeLimitSeconds) { $0.timeout = $1 }
        parser.size("--max-nested-buffer", default: ReadLimits.standard.maxBufferedBytes) { $0.maxNestedBuffer = $1 }
        parser.size("--max-spool", default: ReadLimits.standard.maxSpooledBytes) { $0.maxSpool = $1 }
        parser.size("--max-whole-inflate", default: ReadLimits.standard.maxWholeInflateBytes) {
            $0.maxWholeInflate = $1
        }
        parser.option("--max-dex-strings", default: DetectorVisitor.defaultDexStringLimit) { $0.maxDexStrings = $1 }
        parser.option("--max-hazards-per-kind", default: ReadLimits.standard.maxHazardsPerKind) {
            $0.maxHazardsPerKind = $1
        }
        parser.size("--max-manifest-size", default: ManifestLimits.standard.maxFileBytes) { $0.maxManifestSize = $1 }
        parser.option("--max-manifest-nodes", default: ManifestLimits.standard.maxNodes) { $0.maxManifestNodes = $1 }
        parser.option("--max-manifest-depth", default: ManifestLimits.standard.maxDepth) { $0.maxManifestDepth = $1 }
        return parser
    }
}

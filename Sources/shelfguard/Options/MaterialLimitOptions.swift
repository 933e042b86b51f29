import ArgumentParser
import ShelfGuardKit

/// The bounds on reading the labels of labeling materials during `check` and `review`: the label
/// readers' limits (as `shelfguard labels` has them, prefixed `--label-`) and the memory for
/// materials kept from inside a bundle.
struct MaterialLimitOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Bytes of labeling materials kept from inside one bundle to read their labels, all together; a material past it is reported unverified. (default: \(ByteCount.compact(MaterialLimits.standard.maxBundleBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxMaterialSize: Int64 = MaterialLimits.standard.maxBundleBytes

    @Option(
        help: ArgumentHelp(
            "Bytes the label readers read from one material (structure headers and label values). (default: \(ByteCount.compact(LabelLimits.standard.maxReadBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var labelMaxRead: Int64 = LabelLimits.standard.maxReadBytes

    @Option(
        help: ArgumentHelp(
            "Bytes of one label payload held in memory (an XMP packet, docProps/custom.xml). (default: \(ByteCount.compact(Int64(LabelLimits.standard.maxPacketBytes))))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var labelMaxPacketSize: Int64 = Int64(LabelLimits.standard.maxPacketBytes)

    @Option(help: ArgumentHelp("Structures the label readers walk in one material.", valueName: "count"))
    var labelMaxBoxes: Int = LabelLimits.standard.maxStructures

    @Option(help: ArgumentHelp("Nesting depth the label readers follow in one material.", valueName: "levels"))
    var labelMaxDepth: Int = LabelLimits.standard.maxDepth

    @Option(help: ArgumentHelp("Seconds the label readers spend on one material.", valueName: "seconds"))
    var labelTimeout: Double = LabelLimits.standard.timeLimitSeconds

    func validate() throws {
        guard maxMaterialSize >= 0 else { throw ValidationError("--max-material-size cannot be negative") }
        guard labelMaxRead > 0 else { throw ValidationError("--label-max-read must be positive") }
        guard labelMaxPacketSize > 0, labelMaxPacketSize <= Int64(Int32.max) else {
            throw ValidationError("--label-max-packet-size must be positive and below 2GiB")
        }
        guard labelMaxBoxes > 0 else { throw ValidationError("--label-max-boxes must be at least 1") }
        guard labelMaxDepth > 0 else { throw ValidationError("--label-max-depth must be at least 1") }
        guard labelTimeout > 0 else { throw ValidationError("--label-timeout must be positive") }
    }

    var limits: MaterialLimits {
        var limits = MaterialLimits()
        limits.maxBundleBytes = maxMaterialSize
        limits.labels.maxReadBytes = labelMaxRead
        limits.labels.maxPacketBytes = Int(labelMaxPacketSize)
        limits.labels.maxStructures = labelMaxBoxes
        limits.labels.maxDepth = labelMaxDepth
        limits.labels.timeLimitSeconds = labelTimeout
        return limits
    }
}

extension MaterialLimitOptions {
    /// These options for `QuickParser`: the names, defaults and transforms declared above.
    static var quick: QuickParser<Self> {
        var parser = QuickParser(Self())
        parser.size("--max-material-size", default: MaterialLimits.standard.maxBundleBytes) { $0.maxMaterialSize = $1 }
        parser.size("--label-max-read", default: LabelLimits.standard.maxReadBytes) { $0.labelMaxRead = $1 }
        parser.size("--label-max-packet-size", default: Int64(LabelLimits.standard.maxPacketBytes)) {
            $0.labelMaxPacketSize = $1
        }
        parser.option("--label-max-boxes", default: LabelLimits.standard.maxStructures) { $0.labelMaxBoxes = $1 }
        parser.option("--label-max-depth", default: LabelLimits.standard.maxDepth) { $0.labelMaxDepth = $1 }
        parser.option("--label-timeout", default: LabelLimits.standard.timeLimitSeconds) { $0.labelTimeout = $1 }
        return parser
    }
}

import ArgumentParser
import ShelfGuardKit

/// The bounds on reading evidence files, as command-line flags.
struct RegistryLimitOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Bytes of one field: a column of a CSV row, a text value of a YAML item; a row with a longer one is rejected with its line, never stored. (default: \(ByteCount.compact(Int64(RegistryLimits.standard.maxFieldBytes))))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxFieldSize: Int64 = Int64(RegistryLimits.standard.maxFieldBytes)

    @Option(
        help: ArgumentHelp(
            "Bytes of one CSV row, line breaks inside quotes included; a longer row is rejected with its line and reading goes on after it. (default: \(ByteCount.compact(Int64(RegistryLimits.standard.maxRowBytes))))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxRowSize: Int64 = Int64(RegistryLimits.standard.maxRowBytes)

    @Option(
        help: ArgumentHelp(
            "Bytes of one evidence file; a larger file is refused and nothing of it imported. (default: \(ByteCount.compact(RegistryLimits.standard.maxFileBytes)))",
            valueName: "size"),
        transform: ReadLimitOptions.size)
    var maxFileSize: Int64 = RegistryLimits.standard.maxFileBytes

    func validate() throws {
        guard maxFieldSize > 0, maxFieldSize <= Int64(Int32.max) else {
            throw ValidationError("--max-field-size must be positive and below 2GiB")
        }
        guard maxRowSize > 0, maxRowSize <= Int64(Int32.max) else {
            throw ValidationError("--max-row-size must be positive and below 2GiB")
        }
        guard maxFileSize > 0 else { throw ValidationError("--max-file-size must be positive") }
    }

    var limits: RegistryLimits {
        var limits = RegistryLimits()
        limits.maxFieldBytes = Int(maxFieldSize)
        limits.maxRowBytes = Int(maxRowSize)
        limits.maxFileBytes = maxFileSize
        return limits
    }
}

import Foundation

/// What the label readers found in one labeling material (LM Art. 7: the platform verifies the
/// labeling materials), kept with the declaration snapshot so that judging again later needs
/// neither the bundle nor the files beside it.
public struct MaterialLabels: Sendable, Codable, Equatable {
    /// Where the material was read from: `bundle` (an entry of the bundle) or `beside` (a file
    /// beside the declaration).
    public var source: String
    /// What the readers found; nil when the material could not be read (see `unreadable`).
    public var report: LabelReport?
    /// Why the material could not be read at all: larger than `--max-material-size`, cut short
    /// inside the bundle, not a regular file.
    public var unreadable: String?

    /// A material read, or not.
    public init(source: String, report: LabelReport? = nil, unreadable: String? = nil) {
        self.source = source
        self.report = report
        self.unreadable = unreadable
    }
}

/// Bounds on reading the labels of labeling materials during `check` and `review`. Each has a
/// default, a flag and a test.
public struct MaterialLimits: Sendable, Equatable {
    /// The label readers' own bounds on every material (`--label-max-read`, `--label-timeout`…).
    public var labels: LabelLimits = .standard
    /// Bytes of labeling materials kept in memory from inside one bundle, all together
    /// (`--max-material-size`). A material past it is not read, and says so.
    public var maxBundleBytes: Int64 = 64 << 20

    /// The defaults.
    public init() {}

    /// The defaults, as a value.
    public static let standard = MaterialLimits()
}

/// Keeps, while the reader streams a bundle, the bytes of the entries named (the labeling
/// materials a declaration lists), up to a budget for all of them together.
public struct MaterialKeeper: EntryVisitor {
    /// One entry kept.
    public struct File: Sendable {
        /// Its bytes; empty when it was dropped.
        public var bytes: [UInt8]
        /// Why it was not kept whole: over the budget, or cut short by the reader.
        public var problem: String?
    }

    let wanted: Set<String>
    let budget: Int64
    private var used: Int64 = 0
    private var buffer: [UInt8] = []
    private var over = false
    private var delivering = false
    /// Kept entries by path chain (`assets/labeling/sample.png`).
    public private(set) var files: [String: File] = [:]

    /// Keeps the entries whose path chain is in `paths`, `maxBytes` at most for all of them.
    public init(paths: Set<String>, maxBytes: Int64) {
        wanted = paths
        budget = maxBytes
    }

    public mutating func wantsContent(of entry: BundleEntry) -> Bool {
        guard !wanted.isEmpty, wanted.contains(entry.path), files[entry.path] == nil else { return false }
        buffer = []
        over = false
        delivering = true
        return true
    }

    public mutating func consume(_ chunk: UnsafeRawBufferPointer, of entry: BundleEntry) {
        guard !over else { return }
        if Int64(buffer.count) + Int64(chunk.count) > budget - used {
            over = true
            buffer = []
            return
        }
        buffer.append(contentsOf: chunk)
    }

    public mutating func finish(_ entry: BundleEntry, complete: Bool) {
        defer {
            buffer = []
            over = false
            delivering = false
        }
        guard wanted.contains(entry.path), files[entry.path] == nil else { return }
        if !delivering {
            files[entry.path] = File(
                bytes: [],
                problem: "it is a folder or an archive inside the bundle, not a file whose labels can be read")
        } else if over {
            files[entry.path] = File(
                bytes: [],
                problem:
                    "it is larger than what is left of the material size limit, \(ByteCount.format(budget)) for a bundle's materials together (--max-material-size)"
            )
        } else if !complete {
            files[entry.path] = File(
                bytes: [],
                problem: "the bundle's reader could not read it to its end (damaged, encrypted or over a limit)")
        } else {
            used += Int64(buffer.count)
            files[entry.path] = File(bytes: buffer, problem: nil)
        }
    }
}

/// Reads the labels of a declaration's labeling materials: the entries kept from the bundle, the
/// files beside the declaration.
public enum MaterialLabelReading {
    /// The materials whose labels are verified: those listed under features that declare
    /// implicit labels (`labeling.implicit`).
    public static func verified(in declaration: Declaration) -> Set<String> {
        Set(
            declaration.features.filter { !($0.labeling?.implicit ?? []).isEmpty }.flatMap {
                $0.labeling?.materials ?? []
            })
    }

    /// The materials a declaration file lists for verification, read before the bundle is, so
    /// that their bytes are kept in the same pass. Empty when there is no such file or it does
    /// not parse (the check reports that itself).
    public static func prelisted(
        bundlePath: String, explicit: String?, taxonomy: FeatureTaxonomy, limits: DeclarationLimits
    ) -> Set<String> {
        guard let file = DeclarationLocator.declarationFile(bundlePath: bundlePath, explicit: explicit),
            let bytes = try? RawPath.read(file, maxBytes: limits.maxFileBytes),
            let text = String(validating: bytes, as: UTF8.self),
            case .success(let declaration) = DeclarationReader.read(
                text, source: file, taxonomy: taxonomy, maxNodes: limits.maxNodes)
        else { return [] }
        return verified(in: declaration)
    }

    /// The labels of every verified material that was found: `found` maps each to `bundle` or
    /// its digest (`DeclarationLocator.resolveMaterials`), `beside` to the real path of those
    /// beside the declaration, `kept` holds the bundle's entries.
    public static func read(
        _ declaration: Declaration, found: [String: String], beside: [String: String],
        kept: [String: MaterialKeeper.File], limits: LabelLimits
    ) -> [String: MaterialLabels] {
        var out: [String: MaterialLabels] = [:]
        for material in verified(in: declaration).sorted() {
            guard let place = found[material] else { continue }
            if place == "bundle" {
                guard let file = kept[material] else {
                    out[material] = MaterialLabels(
                        source: "bundle", unreadable: "its bytes were not delivered by the bundle's reader")
                    continue
                }
                if let problem = file.problem {
                    out[material] = MaterialLabels(source: "bundle", unreadable: problem)
                    continue
                }
                let report = LabelReader.read(
                    bytes: file.bytes, name: material, limits: limits, computeDigest: false)
                out[material] = MaterialLabels(source: "bundle", report: report)
            } else if let path = beside[material] {
                do {
                    var report = try LabelReader.read(path: path, limits: limits, computeDigest: false)
                    report.path = material
                    out[material] = MaterialLabels(source: "beside", report: report)
                } catch {
                    out[material] = MaterialLabels(source: "beside", unreadable: error.description)
                }
            }
        }
        return out
    }
}

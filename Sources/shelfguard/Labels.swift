import ArgumentParser
import Foundation
import ShelfGuardKit

/// `shelfguard labels FILE…`: the implicit labels (GB 45438) and C2PA credentials of sample
/// outputs, each label validated; no database.
struct Labels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Read and validate the AI-content labels (GB 45438) and C2PA credentials in sample output files.",
        discussion: """
            Reads JPEG (XMP in APP1, ExtendedXMP, EXIF), PNG (iTXt XMP, text chunks keyed AIGC), MP4/MOV (moov/udta/meta, QuickTime meta, XMP uuid), WAV (AIGC chunk), MP3 (ID3 TXXX) and docx/xlsx/pptx (docProps/custom.xml), identified by content. Media data is skipped, never read. Each label is validated strictly: the seven keys, string values, Label 1-3, the producer code's layout and its USCC check character; with --developer-uscc or --supplier-uscc (or the name flags) the producer must be the developer or a declared supplier. C2PA stores are reported (claim generator, digital source type); their signatures are not validated.

            Exit status: 0 every label valid, or none found, and no hazards; 3 an invalid label or a hazard (damage, hidden data, conflicting labels, a limit); 1 a file could not be read at all (missing, a FIFO, a folder) or bad arguments.
            """)

    @Argument(help: ArgumentHelp("Sample output files (images, video, audio, Office documents).", valueName: "file"))
    var files: [String]

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("The developer's USCC: a label's producer code should hold it.", valueName: "uscc"))
    var developerUSCC: String?

    @Option(help: ArgumentHelp("The developer's name, for producers given by name.", valueName: "name"))
    var developerName: String?

    @Option(help: ArgumentHelp("A declared supplier's USCC (repeatable).", valueName: "uscc"))
    var supplierUSCC: [String] = []

    @Option(help: ArgumentHelp("A declared supplier's name (repeatable).", valueName: "name"))
    var supplierName: [String] = []

    @Flag(help: "Skip the SHA-256 (the only step that reads every byte); `sha256` is then null.")
    var noDigest = false

    @OptionGroup(title: "Limits")
    var limitOptions: LabelLimitOptions

    func validate() throws {
        for (flag, value) in [("--developer-uscc", developerUSCC)] + supplierUSCC.map({ ("--supplier-uscc", $0) }) {
            guard let value else { continue }
            if let problem = USCC.problem(with: value) {
                throw ValidationError("\(flag) \(value) \(problem); give the 18-character code as registered")
            }
        }
    }

    /// The declared parties, when any flag names one.
    var parties: DeclaredParties? {
        guard developerUSCC != nil || developerName != nil || !supplierUSCC.isEmpty || !supplierName.isEmpty else {
            return nil
        }
        let suppliers =
            supplierUSCC.map { DeclaredParties.Party(uscc: $0) } + supplierName.map { DeclaredParties.Party(name: $0) }
        return DeclaredParties(
            developer: DeclaredParties.Party(name: developerName, uscc: developerUSCC), suppliers: suppliers)
    }

    func run() throws {
        let limits = limitOptions.limits
        var outputs: [LabelOutput] = []
        for path in files {
            do {
                var report = try LabelReader.read(path: path, limits: limits, computeDigest: !noDigest)
                if let parties { report.judgeProducers(against: parties) }
                outputs.append(.report(report))
            } catch {
                outputs.append(.failure(path: RawPath.display(path), error: error.description))
            }
        }
        switch format {
        case .json: Output.json(try LabelRenderer.json(outputs))
        case .text: Output.text(LabelRenderer.text(outputs), terminator: "")
        }
        let status = outputs.map(\.status).max() ?? .pass
        if status != .pass { throw ExitCode(status.rawValue) }
    }
}

import ArgumentParser
import Crypto
import Foundation
import ShelfGuardKit

/// `shelfguard registry …`: the evidence registry in the shelf database.
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract:
            "Import the published filing lists and cancellation notices, record assessments and waivers, look numbers up.",
        subcommands: [Import.self, Lookup.self, Stats.self, Assess.self, Waive.self])

    /// `shelfguard registry import FILE…`
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import evidence files into the shelf database.",
            discussion: """
                Takes the lists as CAC publishes them (CSV, UTF-8: the deep-synthesis filing lists 境内深度合成服务算法备案清单, cancellation notices, gen-AI filings and registrations; the kind is told by the header) and the store's own evidence (YAML, evidence: shelfguard/evidence/v1: security assessments and waivers). Folders are read for their .csv and .yaml files. A file in another encoding (GBK) is refused: convert it first, e.g. with iconv -f GBK -t UTF-8.

                Each file is imported in one transaction with one audit entry, read as it streams: memory does not grow with the file. A record new to the database is added, a changed one updated, an identical one left alone: importing the same file again changes nothing. A malformed row, or one with a field or the row itself past its limit, is rejected with its line number; the good rows of the file are imported. The first 1,000 rejected rows are listed, the rest counted. A file past --max-file-size, or not UTF-8, is refused whole.

                Exit status: 0 every row imported; 3 some rows were rejected (listed); 1 a file could not be read as evidence, or the database failed.
                """)

        @Argument(help: ArgumentHelp("Evidence files or folders.", valueName: "path"))
        var paths: [String]

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var operatorOption: OperatorOption
        @OptionGroup var limitOptions: RegistryLimitOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let ledger = try database.openForWriting()
            var results: [RegistryImport] = []
            var failures: [String] = []
            let files: [String]
            do { files = try RegistryFile.expand(paths) } catch { throw ToolError(error.description) }
            for path in files {
                do {
                    let result = try ledger.importEvidence(
                        contentsOf: URL(fileURLWithPath: path), limits: limitOptions.limits, actor: operatorOption.actor
                    )
                    results.append(result)
                    if format == .text {
                        Output.text(
                            "\(path): \(result.kind.rawValue), \(result.rows) rows: \(result.added) added, \(result.updated) updated, \(result.unchanged) unchanged, \(result.rejected) rejected"
                                + (result.notes > 0 ? " (\(result.notes) taken with a note)" : ""))
                        for problem in result.problems { Output.text("  rejected: \(SafeText.escape(problem))") }
                        if result.rejected > result.problems.count {
                            Output.text(
                                "  … and \(result.rejected - result.problems.count) more rejected rows, not listed")
                        }
                    }
                } catch let error as RegistryFile.FileError {
                    failures.append(error.description)
                    Output.error("shelfguard: \(error.description)")
                } catch let error as LedgerError {
                    throw ToolError(error.description)
                }
            }
            if format == .json {
                struct Output: Encodable {
                    var database: String
                    var imports: [RegistryImport]
                    var errors: [String]
                }
                let output = Output(database: ledger.location, imports: results, errors: failures)
                try printJSON(output)
            } else {
                let counts = try ledger.counts()
                Output.text(
                    "\(ledger.location): \(counts.filings) filings, \(counts.cancellations) cancellations, \(counts.genai) gen-AI numbers, \(counts.assessments) assessments, \(counts.waivers) waivers"
                )
            }
            if !failures.isEmpty { throw ExitCode(ExitStatus.toolError.rawValue) }
            if results.contains(where: { $0.rejected > 0 }) { throw ExitCode(ExitStatus.warn.rawValue) }
        }
    }

    /// `shelfguard registry lookup NUMBER…`
    struct Lookup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lookup",
            abstract: "Look up filing numbers, gen-AI numbers and assessment ids in the shelf database.",
            discussion: """
                For an algorithm filing number (spaces and colons ignored): its published row and, if any, its cancellation. For a gen-AI filing or registration number: its row. Anything else is looked up as a security assessment id.

                Exit status: 0 every number found and valid; 3 one was not found or was cancelled; 1 the database could not be read.
                """)

        @Argument(help: ArgumentHelp("Numbers or ids.", valueName: "number"))
        var numbers: [String]

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        struct Answer: Encodable {
            var query: String
            var kind: String
            var found: Bool
            var filing: AlgorithmFilingRecord?
            var cancellation: FilingCancellation?
            var genai: GenAIRecord?
            var assessment: SecurityAssessment?
            var checkDigitMatches: Bool?
        }

        func run() throws {
            let ledger = try database.openForReading()
            var answers: [Answer] = []
            for query in numbers {
                if let number = AlgorithmFilingNumber(query) {
                    let filing = try ledger.filing(number.text)
                    let cancellation = try ledger.cancellation(number.text)
                    answers.append(
                        Answer(
                            query: number.text, kind: "algorithm_filing", found: filing != nil || cancellation != nil,
                            filing: filing, cancellation: cancellation, checkDigitMatches: number.checkDigitMatches))
                } else if let number = GenAINumber(query) {
                    let record = try ledger.genai(number.text)
                    answers.append(
                        Answer(
                            query: number.text, kind: "genai_\(number.kind.rawValue)", found: record != nil,
                            genai: record))
                } else {
                    let record = try ledger.assessment(query)
                    answers.append(
                        Answer(query: query, kind: "security_assessment", found: record != nil, assessment: record))
                }
            }
            if format == .json {
                try printJSON(answers)
            } else {
                for answer in answers { Output.text(Self.text(answer)) }
            }
            if answers.contains(where: { !$0.found || $0.cancellation != nil }) {
                throw ExitCode(ExitStatus.warn.rawValue)
            }
        }

        /// Every field of a record is as the published list or the developer gave it: escaped.
        static func text(_ answer: Answer) -> String {
            let e = SafeText.escape
            var lines = [e(answer.query)]
            if !answer.found {
                lines.append("  not found in \(answer.kind.replacingOccurrences(of: "_", with: " ")) records")
            }
            if let f = answer.filing {
                lines.append("  \(e(f.algorithmName)) (\(f.role.label)) of \(e(f.entity))")
                let products = f.products.map { $0.channel.isEmpty ? e($0.name) : "\(e($0.name))（\(e($0.channel))）" }
                lines.append("  应用产品: " + (products.isEmpty ? "--" : products.joined(separator: "、")))
                if !f.note.isEmpty { lines.append("  备注: \(e(f.note))") }
                lines.append("  from \(e(f.source))")
            }
            if answer.checkDigitMatches == false { lines.append("  the check digit breaks the derived rule") }
            if let c = answer.cancellation {
                lines.append(
                    "  CANCELLED \(e(c.cancelledOnText)) (notice of \(e(c.noticeDate)): \(e(c.noticeTitle)))")
            }
            if let g = answer.genai {
                lines.append("  \(e(g.name)) of \(e(g.entity)), \(e(g.region)), \(e(g.date)) (from \(e(g.source)))")
            }
            if let a = answer.assessment {
                lines.append(
                    "  assessment of \(e(a.entity)) by \(e(a.assessor)), \(e(a.date)), covers \(e(a.features.joined(separator: ", "))); document sha256 \(a.documentSHA256)"
                )
            }
            return lines.joined(separator: "\n")
        }
    }

    /// `shelfguard registry stats`
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Show what the registry holds and every import made, with who and when.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let ledger = try database.openForWriting()
            let counts = try ledger.counts()
            let imports = try ledger.registryImports()
            if format == .json {
                struct Output: Encodable {
                    var database: String
                    var counts: RegistryCounts
                    var imports: [RegistryImport]
                    var migrations: [String]
                }
                let output = Output(
                    database: ledger.location, counts: counts, imports: imports,
                    migrations: try ledger.appliedMigrations())
                try printJSON(output)
                return
            }
            Output.text(
                "\(ledger.location): \(counts.filings) filings, \(counts.cancellations) cancellations, \(counts.genai) gen-AI numbers, \(counts.assessments) assessments, \(counts.waivers) waivers"
            )
            for i in imports {
                Output.text(
                    "  \(i.at)  \(SafeText.escape(i.actor))  \(SafeText.escape(i.file))  \(i.kind.rawValue): +\(i.added) ~\(i.updated) =\(i.unchanged) rejected \(i.rejected)"
                )
            }
        }
    }

    /// `shelfguard registry assess`
    struct Assess: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assess",
            abstract: "Record a security assessment a developer submitted (DSP Art. 15).",
            discussion: """
                There is no public registry of security assessments: the store keeps the record it was given. The document is hashed (SHA-256) so that the record can later be matched to the file.
                """)

        @Option(help: "The assessment's reference, as the declaration cites it (security_assessment).")
        var id: String
        @Option(help: "Who was assessed: the developer's legal name (主体名称).")
        var entity: String
        @Option(
            parsing: .upToNextOption,
            help: ArgumentHelp("The taxonomy features it covers.", valueName: "feature"))
        var features: [String]
        @Option(help: ArgumentHelp("The day of the assessment, YYYY-MM-DD.", valueName: "date"))
        var date: String
        @Option(help: "Who assessed (the developer itself, or a professional body).")
        var assessor: String
        @Option(help: ArgumentHelp("The assessment report or filing receipt, hashed.", valueName: "file"))
        var document: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var operatorOption: OperatorOption
        @OptionGroup var policyOptions: PolicyOptions

        func validate() throws {
            if let problem = CalendarDay.problem(date) { throw ValidationError("--date \(problem)") }
            guard !features.isEmpty else { throw ValidationError("--features needs at least one feature") }
        }

        func run() throws {
            let taxonomy: FeatureTaxonomy
            do {
                taxonomy = try FeatureTaxonomy.load(source: policyOptions.source)
            } catch {
                throw ToolError(error.description)
            }
            if let unknown = features.first(where: { taxonomy.features[$0] == nil }) {
                throw ToolError(Vocabulary.unknown(unknown, what: "feature of the taxonomy", known: taxonomy.ids))
            }
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: document)) } catch {
                throw ToolError("cannot read the document \(document): \(error.localizedDescription)")
            }
            let assessment = SecurityAssessment(
                id: id, entity: entity, features: features, date: date, assessor: assessor,
                documentSHA256: SHA256.hash(data: data).hexString,
                source: "recorded by \(operatorOption.actor)")
            let ledger = try database.openForWriting()
            let change = try ledger.record(assessment, actor: operatorOption.actor)
            Output.text("\(SafeText.escape(id)): \(change.rawValue) (document sha256 \(assessment.documentSHA256))")
        }
    }

    /// `shelfguard registry waive`
    struct Waive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "waive",
            abstract: "Grant a waiver: one policy rule does not count against one app until it expires.",
            discussion: """
                A waived rule's findings still appear, as information, with the waiver's author, expiry and reason. Waivers are recorded in the audit log.
                """)

        @Option(help: "The app id (package name, bundle id, appid).")
        var app: String
        @Option(help: "The policy rule id to waive.")
        var rule: String
        @Option(help: "Why.")
        var reason: String
        @Option(help: ArgumentHelp("The last day the waiver holds, YYYY-MM-DD.", valueName: "date"))
        var expires: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var operatorOption: OperatorOption
        @OptionGroup var policyOptions: PolicyOptions
        @OptionGroup var reviewOptions: ReviewOptions

        func validate() throws {
            if let problem = CalendarDay.problem(expires) { throw ValidationError("--expires \(problem)") }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--reason is empty")
            }
        }

        func run() throws {
            let policy = try reviewOptions.loadPolicy(policyOptions)
            guard policy.rules.contains(where: { $0.id == rule }) else {
                throw ToolError(
                    Vocabulary.unknown(rule, what: "rule of the policy \(policy.source)", known: policy.rules.map(\.id))
                )
            }
            let waiver = Waiver(
                app: app, rule: rule, reason: reason, expires: expires, grantedBy: operatorOption.actor,
                source: "granted by \(operatorOption.actor)")
            let change = try database.openForWriting().record(waiver, actor: operatorOption.actor)
            Output.text("\(SafeText.escape(app)) / \(SafeText.escape(rule)): \(change.rawValue), until \(expires)")
        }
    }
}

/// `shelfguard audit …`: the audit log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify and read the hash-chained audit log.",
        subcommands: [Verify.self, Log.self, Checkpoint.self, Keygen.self])

    /// `shelfguard audit verify`
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Walk the audit log's hash chain and report every edited, deleted or reordered entry.",
            discussion: """
                Each entry's hash covers the previous entry's hash and the entry itself, so changing, removing or moving any entry breaks the chain from there on. The log is also checked against the ledger it records: every review, decision, complaint, reviewer's task, registry import and state change must find its audit entry and every entry its row; each state change must be its entry's move; each version's current state must be what replaying its state changes gives; each key of the service (`shelfguard keys`) must be what the entries of its creation and revocation say: its name, role and hint, revoked or not. So emptying the log, deleting its head, or editing shelf states or keys directly all show.

                Removing entries from the end and rewriting the whole chain can only be caught against a head kept elsewhere: take a checkpoint (`shelfguard audit checkpoint -o FILE`, signed with --key), keep it outside the database, and pass it later with --against; or record the head this command prints (the daily and batch reports carry it too) and pass it with --expect-head.

                Exit status: 0 the log is intact; 2 it is broken; 1 the database or the checkpoint could not be read.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: ArgumentHelp("A head hash recorded earlier: it must still be in the chain.", valueName: "sha256"))
        var expectHead: String?

        @Option(
            help: ArgumentHelp(
                "A checkpoint file from `audit checkpoint`: the log must still contain its entry, with its hash.",
                valueName: "file"))
        var against: String?

        @Option(
            help: ArgumentHelp(
                "The operator's public key (base64, from `audit keygen`): a signed checkpoint must be signed by it.",
                valueName: "file"))
        var publicKey: String?

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let ledger = try database.openForReading()
            var verification = try ledger.verifyAudit()
            if let expectHead {
                if try ledger.auditEntry(hash: expectHead.lowercased()) == nil {
                    verification.problems.append(
                        AuditVerification.Problem(
                            kind: .headMismatch, seq: verification.headSeq,
                            detail: "the recorded head \(expectHead) is not in the chain: the log was rewritten"))
                }
            }
            if let against {
                let checkpoint = try AuditCommand.readCheckpoint(against)
                let trusted = try publicKey.map { path in
                    try AuditSigningKey.publicKey(try AuditCommand.readText(path), source: path)
                }
                switch checkpoint.signatureValid(trusted: trusted) {
                case false?:
                    throw ToolError(
                        "the checkpoint \(against) is not signed by \(publicKey.map { "the key in \($0)" } ?? "the key it names"): it cannot be trusted"
                    )
                case nil where publicKey != nil:
                    throw ToolError("the checkpoint \(against) is not signed, but --public-key asks for a signed one")
                case true? where publicKey == nil:
                    // Anyone can sign with a key of their own: without a pinned key the signature
                    // proves nothing about who took the checkpoint.
                    Output.error(
                        "note: the checkpoint \(against) is signed, but by the key it names itself; pass --public-key to check it is the operator's"
                    )
                default: break
                }
                let entry = try ledger.auditEntries(after: checkpoint.seq - 1, limit: 1).first {
                    $0.seq == checkpoint.seq
                }
                if let problem = AuditVerification.checkpointProblem(checkpoint, entry: entry) {
                    verification.problems.append(problem)
                }
            }
            if format == .json {
                try printJSON(verification)
            } else {
                for problem in verification.problems { Output.text(SafeText.escape(problem.description)) }
                Output.text(
                    verification.intact
                        ? "\(ledger.location): audit log intact, \(verification.entries) entries, head \(verification.headSeq) \(verification.headHash)"
                        : "\(ledger.location): audit log BROKEN: \(verification.problems.count) problems in \(verification.entries) entries"
                )
            }
            if !verification.intact { throw ExitCode(ExitStatus.refused.rawValue) }
        }
    }

    /// `shelfguard audit log`
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log", abstract: "Print audit entries, oldest first.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: ArgumentHelp("Entries after this sequence number.", valueName: "seq"))
        var after: Int64 = 0

        @Option(help: ArgumentHelp("At most this many entries.", valueName: "count"))
        var limit: Int = 100

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let entries = try database.openForReading().auditEntries(after: after, limit: max(1, limit))
            if format == .json {
                try printJSON(entries)
                return
            }
            // Actors, subjects and reasons come from operators, developers and complainants: each
            // field is escaped, so that one entry is one line.
            let s = SafeText.escape
            for e in entries {
                Output.text(
                    "\(e.seq)  \(s(e.at))  \(s(e.actor))  \(s(e.action))  \(s(e.subject))  \(s(e.reason))  \(s(e.details))"
                )
            }
        }
    }
}

import ArgumentParser
import Foundation
import ShelfGuardKit

extension AuditCommand {
    /// `shelfguard audit checkpoint`
    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Record the audit log's head outside the database, signed with the operator's key.",
            discussion: """
                Verifies the log first (a checkpoint vouches for everything up to its head, so none is taken of a broken log), then prints the head's sequence number, hash and time as a JSON checkpoint, or writes it to -o FILE. With --key (or $SHELFGUARD_AUDIT_KEY, a key file from `audit keygen`) it is signed with Ed25519. Keep checkpoints where whoever can write the database cannot: a ticket, another machine, a mailing list. `shelfguard audit verify --against FILE [--public-key KEY]` later proves the log still holds the entry, which catches entries cut from the end and a rewritten log.

                Exit status: 0 the checkpoint was taken; 2 the log is broken (nothing written); 1 the database, key or output could not be used, or the log is empty.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(
            help: ArgumentHelp(
                "The operator's Ed25519 private key file (from `audit keygen`). Default: $SHELFGUARD_AUDIT_KEY; unsigned when neither is set.",
                valueName: "file"))
        var key: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the checkpoint to this file.", valueName: "file"))
        var output: String?

        func run() throws {
            let ledger = try database.openForReading()
            let keyFile = key ?? ProcessInfo.processInfo.environment["SHELFGUARD_AUDIT_KEY"]
            let checkpoint: AuditCheckpoint
            let taking = try AuditCheckpoint.take(from: ledger, at: WallClock.now()) {
                try keyFile.map { try AuditSigningKey.privateKey(try AuditCommand.readText($0), source: $0) }
            }
            switch taking {
            case .taken(let taken): checkpoint = taken
            case .broken(let verification):
                for problem in verification.problems { AuditCommand.note(problem.description) }
                AuditCommand.note(
                    "\(ledger.location): audit log BROKEN (\(verification.problems.count) problems): no checkpoint taken"
                )
                throw ExitCode(ExitStatus.refused.rawValue)
            case .empty:
                throw ToolError("\(ledger.location): the audit log is empty: there is nothing to checkpoint yet")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let text = SafeText.json(String(decoding: try encoder.encode(checkpoint), as: UTF8.self)) + "\n"
            guard let output else {
                Output.json(text, terminator: "")
                return
            }
            do { try OutputFile.write(text, to: output) } catch {
                throw ToolError("cannot write the checkpoint to \(RawPath.display(output)): \(error.reason)")
            }
            AuditCommand.note(
                "checkpoint of \(ledger.location): entry \(checkpoint.seq) \(checkpoint.hash)\(checkpoint.signature == nil ? " (unsigned)" : " (signed)") written to \(output)"
            )
        }
    }

    /// `shelfguard audit keygen`
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen",
            abstract: "Create the operator's Ed25519 key for signing audit checkpoints.",
            discussion: """
                Writes the private key (base64, one line) to --out, readable by its owner only, and prints the public key, the last word of the output: give it to whoever verifies checkpoints (`audit verify --against FILE --public-key KEY`). An existing file is never overwritten.
                """)

        @Option(help: ArgumentHelp("Where the private key goes (a new file).", valueName: "file"))
        var out: String

        func run() throws {
            let (privateFile, publicKey) = AuditSigningKey.generate()
            let descriptor = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw ToolError("cannot create the key file \(out): \(String(cString: strerror(errno)))")
            }
            let bytes = Array(privateFile.utf8)
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor) == 0
            let closed = close(descriptor) == 0
            guard written == bytes.count, synced, closed else {
                unlink(out)
                throw ToolError("cannot write the key file \(out)")
            }
            Output.text("private key written to \(out) (keep it secret); public key: \(publicKey)")
        }
    }

    /// A line on standard error.
    static func note(_ text: String) { Output.error(text) }

    static func readText(_ path: String) throws -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ToolError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    static func readCheckpoint(_ path: String) throws -> AuditCheckpoint {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ToolError("cannot read the checkpoint \(path): \(error.localizedDescription)")
        }
        do { return try AuditCheckpoint.read(data, source: path) } catch let error as LedgerError {
            throw ToolError(error.description)
        }
    }
}

import ArgumentParser
import Foundation
import ShelfGuardKit

extension APIRole: ExpressibleByArgument {}

/// `shelfguard keys …`: the keys callers of `shelfguard serve` authenticate with.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the keys callers of the service (`shelfguard serve`) use, one role each.",
        discussion: """
            Give each system or person its own key: the store's submission system, each storefront, each officer's console. The service names the key (api:NAME) in every audit entry it writes, and a key's role decides what it may do:

            \(roleLines())

            The shelf database keeps a key's name, role and first characters (its hint), and the SHA-256 of its secret, never the secret itself: `keys create` prints the secret once. Creating and revoking a key each write an audit entry. A revoked key authenticates no one, and its name is never given to another key.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    /// Each role with who it is for, then what it may do, in lines that fit an 80-column terminal
    /// (the help does not wrap them itself then, which would lose their indentation).
    static func roleLines(width: Int = 78) -> String {
        // Built with every command's configuration, so at every start of `shelfguard`: lengths
        // are counted in bytes (role and permission names are ASCII; counting characters walks
        // every line again for each word), and each role's permissions are worked out once.
        let column = APIRole.allCases.map(\.rawValue.utf8.count).max() ?? 0
        let indent = String(repeating: " ", count: column + 4)
        return APIRole.allCases.map { role in
            let name = role.rawValue
            var lines = [
                "  " + name + String(repeating: " ", count: column - name.utf8.count) + "  " + role.summary
            ]
            let names = role.permissionNames
            var line = indent
            var length = indent.utf8.count
            for (i, permission) in names.enumerated() {
                let word = permission + (i == names.count - 1 ? "" : ",")
                if length > indent.utf8.count && length + 1 + word.utf8.count > width {
                    lines.append(line)
                    line = indent
                    length = indent.utf8.count
                }
                if length > indent.utf8.count {
                    line += " "
                    length += 1
                }
                line += word
                length += word.utf8.count
            }
            lines.append(line)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// `shelfguard keys create`
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a key with a role; prints its secret, once.",
            discussion: """
                The secret is the last word of the output (`key: sgk_…`): hand it to whoever runs the caller, who sends it as `Authorization: Bearer SECRET`. It cannot be shown again: the shelf database keeps only its SHA-256. A lost secret is replaced by revoking the key and creating another under a new name.

                \(APIKey.nameRule.prefix(1).uppercased() + APIKey.nameRule.dropFirst()). Names differing only in case are the same name.
                """)

        @Option(
            help: ArgumentHelp(
                "What the key may do (`shelfguard keys --help` says what each role may do).", valueName: "role"))
        var role: APIRole

        @Option(
            help: ArgumentHelp(
                "The key's name, as audit entries and `keys list` show it (e.g. storefront-huawei).", valueName: "name")
        )
        var name: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var operatorOption: OperatorOption

        func validate() throws {
            if let problem = APIKey.nameProblem(name) { throw ValidationError("--name: \(problem)") }
        }

        func run() throws {
            let ledger = try database.openForWriting()
            let secret = APIKeySecret.generate()
            let key: APIKey
            do {
                key = try ledger.createAPIKey(
                    name: name, role: role, secretSHA256: APIKeySecret.sha256(secret), hint: APIKeySecret.hint(secret),
                    actor: operatorOption.actor)
            } catch let error as LedgerError {
                throw ToolError(error.description)
            }
            Output.text(
                "created key '\(SafeText.escape(key.name))', role \(key.role.rawValue) (\(key.role.permissionNames.joined(separator: ", "))), hint \(key.hint)"
            )
            Output.text(
                "This is the only time the secret is shown: it cannot be shown again (the shelf database keeps only its SHA-256). Callers send it as `Authorization: Bearer SECRET`."
            )
            Output.text("key: \(secret)")
        }
    }

    /// `shelfguard keys list`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the keys (active ones unless --all), oldest first; never their secrets.")

        @Flag(help: "Revoked keys too.")
        var all = false

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var database: DatabaseOptions

        /// One key as `--format json` shows it.
        struct Listed: Encodable {
            var id: Int64
            var name: String
            var role: APIRole
            var permissions: [String]
            var hint: String
            var active: Bool
            var createdAt: String
            var createdBy: String
            var revokedAt: String?
            var revokedBy: String?

            init(_ key: APIKey) {
                id = key.id
                name = key.name
                role = key.role
                permissions = key.role.permissionNames
                hint = key.hint
                active = key.isActive
                createdAt = key.createdAt
                createdBy = key.createdBy
                revokedAt = key.revokedAt
                revokedBy = key.revokedBy
            }
        }

        func run() throws {
            let keys: [APIKey]
            do { keys = try database.openForReading().apiKeys(includeRevoked: all) } catch let error as LedgerError {
                throw ToolError(error.description)
            }
            if format == .json {
                try printJSON(keys.map(Listed.init))
                return
            }
            if keys.isEmpty {
                Output.text(all ? "no keys" : "no active keys (--all lists revoked ones too)")
                return
            }
            let rows = keys.map { key in
                [
                    key.name, key.role.rawValue, key.hint, String(key.createdAt.prefix(19)), key.createdBy,
                    key.revokedAt.map { "revoked \($0.prefix(19)) by \(key.revokedBy ?? "?")" } ?? "active",
                ].map { SafeText.escape($0) }
            }
            Output.text(Table.render(header: ["name", "role", "hint", "created", "by", "state"], rows: rows))
        }
    }

    /// `shelfguard keys revoke NAME`
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a key: from now on it authenticates no one.",
            discussion: """
                The key stays in `keys list --all` and in the audit log, and its name is not given to another key. Revoking is final: a caller that still needs access gets a new key under a new name.
                """)

        @Argument(help: ArgumentHelp("The key's name (`keys list` shows them).", valueName: "name"))
        var name: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var operatorOption: OperatorOption

        func run() throws {
            let key: APIKey
            do {
                key = try database.openForWriting().revokeAPIKey(name: name, actor: operatorOption.actor)
            } catch let error as LedgerError {
                throw ToolError(error.description)
            }
            Output.text(
                "revoked key '\(SafeText.escape(key.name))' (role \(key.role.rawValue), hint \(key.hint)): it authenticates no one from now on"
            )
        }
    }
}

import Foundation
import Testing

@testable import ShelfGuardKit

/// `shelfguard keys` through the built binary, on every store: the secret printed once and last,
/// never again; listings without secrets; revocation; the audit log intact after all of it.
@Suite("shelfguard keys, end to end")
struct KeysCommandTests {
    /// The wall clock and the operator of every run: nothing here depends on today's date.
    static let environment = ["SHELFGUARD_NOW": "2031-05-06T07:08:09Z", "SHELFGUARD_OPERATOR": "ops 王"]

    static func run(_ arguments: [String], _ db: [String]) throws -> ShelfGuardBinary.Result {
        try ShelfGuardBinary.run(["keys"] + arguments + db, environment: environment)
    }

    @Test(
        "create prints the secret last, list shows keys without it, revoke, JSON parses, audit intact",
        arguments: StoreKind.available)
    func lifecycle(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "keyscli")
        let db = target.arguments

        let created = try Self.run(["create", "--role", "storefront", "--name", "storefront-huawei"], db)
        #expect(created.status == 0, "\(created.stderr)")
        let lines = created.stdout.split(separator: "\n").map(String.init)
        let secret = try #require(created.stdout.split(whereSeparator: \.isWhitespace).last.map(String.init))
        #expect(lines.last == "key: \(secret)")
        #expect(secret.hasPrefix("sgk_") && secret.count == 47, "\(secret)")
        #expect(created.stdout.components(separatedBy: secret).count == 2, "the secret is printed once")
        #expect(created.stdout.contains("cannot be shown again"))
        #expect(created.stdout.contains("storefront-huawei") && created.stdout.contains("read_feed"))
        let key = try #require(try target.store.activeAPIKey(secretSHA256: APIKeySecret.sha256(secret)))
        #expect(key.name == "storefront-huawei" && key.role == .storefront)
        #expect(key.createdBy == "ops 王" && key.createdAt == "2031-05-06T07:08:09.000Z")

        let officer = try Self.run(["create", "--role", "officer", "--name", "officer-1", "--operator", "张三"], db)
        #expect(officer.status == 0, "\(officer.stderr)")
        let officerSecret = try #require(officer.stdout.split(whereSeparator: \.isWhitespace).last.map(String.init))
        #expect(officerSecret != secret)

        let listed = try Self.run(["list"], db)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("storefront-huawei") && listed.stdout.contains("officer-1"))
        #expect(listed.stdout.contains(APIKeySecret.hint(secret)) && listed.stdout.contains("张三"))
        for text in [secret, officerSecret, APIKeySecret.sha256(secret)] { #expect(!listed.stdout.contains(text)) }

        let revoked = try Self.run(["revoke", "storefront-huawei"], db)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(revoked.stdout.contains("revoked key 'storefront-huawei'"))
        #expect(try target.store.activeAPIKey(secretSHA256: APIKeySecret.sha256(secret)) == nil)

        let active = try Self.run(["list", "--format", "json"], db)
        let activeRows = try #require(
            try JSONSerialization.jsonObject(with: Data(active.stdout.utf8)) as? [[String: Any]])
        #expect(activeRows.map { $0["name"] as? String } == ["officer-1"])
        let all = try Self.run(["list", "--all", "--format", "json"], db)
        #expect(all.status == 0, "\(all.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["name"] as? String } == ["storefront-huawei", "officer-1"])
        #expect(rows.map { $0["active"] as? Bool } == [false, true])
        #expect(rows.first?["role"] as? String == "storefront")
        #expect(rows.first?["permissions"] as? [String] == ["read_feed"])
        #expect(rows.first?["revokedBy"] as? String == "ops 王")
        #expect(rows.first?["revokedAt"] as? String == "2031-05-06T07:08:09.000Z")
        #expect(rows.last?["revokedAt"] == nil)
        for text in [secret, officerSecret, APIKeySecret.sha256(secret), APIKeySecret.sha256(officerSecret)] {
            #expect(!all.stdout.contains(text))
        }
        let text = try Self.run(["list", "--all"], db)
        #expect(text.stdout.contains("revoked 2031-05-06T07:08:09 by ops 王"), "\(text.stdout)")

        let verify = try ShelfGuardBinary.run(["audit", "verify"] + db)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let log = try ShelfGuardBinary.run(["audit", "log", "--format", "json"] + db)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(
            entries.compactMap { $0["action"] as? String } == ["api_key_created", "api_key_created", "api_key_revoked"])
        #expect(entries.compactMap { $0["actor"] as? String } == ["ops 王", "张三", "ops 王"])
        for text in [secret, officerSecret, APIKeySecret.sha256(secret), APIKeySecret.sha256(officerSecret)] {
            #expect(!log.stdout.contains(text))
        }
    }

    @Test(
        "refusals exit 1 and say why: a taken name, a bad name, an unknown role, an unknown or revoked key",
        arguments: StoreKind.available)
    func refusals(_ kind: StoreKind) throws {
        let target = try TestStores.forBinary(kind, "keysrefuse")
        let db = target.arguments
        #expect(try Self.run(["create", "--role", "admin", "--name", "root"], db).status == 0)

        let taken = try Self.run(["create", "--role", "developer", "--name", "ROOT"], db)
        #expect(taken.status == 1 && taken.stderr.contains("exists already"), "\(taken.stderr)")
        #expect(!taken.stdout.contains("sgk_"), "no secret for a key not created")

        let spaced = try Self.run(["create", "--role", "developer", "--name", "my key"], db)
        #expect(spaced.status == 1 && spaced.stderr.contains("ASCII letters, digits"), "\(spaced.stderr)")
        let hostile = try Self.run(["create", "--role", "developer", "--name", "x\u{1B}]0;owned\u{07}"], db)
        #expect(hostile.status == 1)
        #expect(
            !hostile.stderr.contains("\u{1B}") && !hostile.stderr.contains("\u{07}"),
            "\(hostile.stderr.debugDescription)")

        let role = try Self.run(["create", "--role", "superuser", "--name", "x"], db)
        #expect(role.status == 1 && role.stderr.contains("superuser"), "\(role.stderr)")
        let missing = try Self.run(["create", "--name", "x"], db)
        #expect(missing.status == 1 && missing.stderr.contains("--role"), "\(missing.stderr)")

        let unknown = try Self.run(["revoke", "nobody"], db)
        #expect(unknown.status == 1 && unknown.stderr.contains("no key is named 'nobody'"), "\(unknown.stderr)")
        #expect(try Self.run(["revoke", "root"], db).status == 0)
        let twice = try Self.run(["revoke", "root"], db)
        #expect(twice.status == 1 && twice.stderr.contains("revoked already"), "\(twice.stderr)")

        let none = try Self.run(["list"], db)
        #expect(none.status == 0 && none.stdout.contains("no active keys"), "\(none.stdout)")
        let badFormat = try Self.run(["list", "--format", "yaml"], db)
        #expect(badFormat.status == 1)

        #expect(try target.store.apiKeys(includeRevoked: true).map(\.name) == ["root"])
        #expect(try ShelfGuardBinary.run(["audit", "verify"] + db).status == 0)
    }

    @Test("the help lists each role with what it may do")
    func help() throws {
        let help = try ShelfGuardBinary.run(["keys", "--help"])
        #expect(help.status == 0)
        for name in APIRole.allCases.map(\.rawValue) + APIPermission.allCases.map(\.rawValue) {
            #expect(help.stdout.contains(name), "\(name)")
        }
        let root = try ShelfGuardBinary.run(["--help"])
        #expect(root.stdout.contains("keys"))
    }
}

import Foundation
import Testing

@testable import ShelfGuardKit

/// The service's roles and keys as values: who may do what, what a secret looks like, what a
/// name may be, and the audit cross-check of key rows as a pure function.
@Suite("API keys: roles, secrets, names")
struct APIKeyTests {
    @Test("the role matrix: storefronts only read the feed, developers never the shelf, admins everything")
    func roleMatrix() {
        #expect(APIRole.storefront.permissions == [.readFeed])
        #expect(APIRole.developer.permissions == [.submitReview, .readOwnReviews])
        for permission in [APIPermission.readShelf, .readAllReviews, .readFeed, .readAudit, .decide] {
            #expect(!APIRole.developer.allows(permission), "developer: \(permission)")
        }
        #expect(APIRole.admin.permissions == Set(APIPermission.allCases))
        // Applying measures: officers (and admins) only.
        #expect(APIRole.allCases.filter { $0.allows(.applyMeasures) } == [.officer, .admin])
        // Deciding manual reviews: reviewers (and admins) only.
        #expect(APIRole.allCases.filter { $0.allows(.decide) } == [.reviewer, .admin])
        // The audit log: auditors (and admins) only.
        #expect(APIRole.allCases.filter { $0.allows(.readAudit) } == [.auditor, .admin])
        // Keys are managed by admins only.
        #expect(APIRole.allCases.filter { $0.allows(.manageKeys) } == [.admin])
        // Submitting reviews: developers, reviewers (and admins) only.
        #expect(APIRole.allCases.filter { $0.allows(.submitReview) } == [.developer, .reviewer, .admin])
        // The auditor changes nothing.
        for permission in [APIPermission.submitReview, .decide, .applyMeasures, .manageKeys] {
            #expect(!APIRole.auditor.allows(permission), "auditor: \(permission)")
        }
        // Every role but the storefront and the developer reads the shelf.
        #expect(APIRole.allCases.filter { $0.allows(.readShelf) } == [.reviewer, .officer, .auditor, .admin])
    }

    @Test("roles and permissions are named in snake_case, in the order the help lists them")
    func names() {
        #expect(
            APIRole.allCases.map(\.rawValue) == ["developer", "storefront", "reviewer", "officer", "auditor", "admin"])
        for permission in APIPermission.allCases {
            #expect(permission.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(permission)")
        }
        #expect(
            APIRole.officer.permissionNames == [
                "read_own_reviews", "read_all_reviews", "read_feed", "read_shelf", "apply_measures",
            ])
        #expect(APIRole.admin.permissionNames == APIPermission.allCases.map(\.rawValue))
    }

    @Test("the README's table of roles is APIRole.permissions, cell for cell")
    func readmeTable() throws {
        let readme = try String(
            contentsOf: TestFiles.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("| permission | what it lets a caller do |") })
        func cells(_ line: String) -> [String] {
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
        let roles = Array(cells(lines[start]).dropFirst(2))
        #expect(roles == APIRole.allCases.map(\.rawValue))
        let rows = lines[(start + 2)...].prefix { $0.hasPrefix("|") }.map(cells)
        #expect(rows.map { $0[0] } == APIPermission.allCases.map { "`\($0.rawValue)`" })
        for row in rows {
            let permission = try #require(APIPermission(rawValue: row[0].trimmingCharacters(in: ["`"])))
            for (role, cell) in zip(APIRole.allCases, row.dropFirst(2)) {
                #expect((cell == "✓") == role.allows(permission), "\(role) \(permission): '\(cell)'")
            }
        }
    }

    @Test("a secret: sgk_ and 43 characters of base64url, different every time; the hint is its start")
    func secrets() {
        let secrets = (0..<200).map { _ in APIKeySecret.generate() }
        #expect(Set(secrets).count == secrets.count)
        for secret in secrets {
            #expect(secret.hasPrefix("sgk_"))
            #expect(secret.count == 4 + 43, "\(secret)")
            #expect(secret.dropFirst(4).unicodeScalars.allSatisfy { APIKey.isSecretCharacter($0) }, "\(secret)")
            let hint = APIKeySecret.hint(secret)
            #expect(hint.count == 8 && secret.hasPrefix(hint))
        }
        // 32 random bytes: every base64url character turns up among 200 secrets.
        #expect(Set(secrets.flatMap { $0.dropFirst(4) }).count > 60)
    }

    @Test("the digest: SHA-256 in lowercase hex, of the whole secret")
    func digest() {
        #expect(APIKeySecret.sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(APIKeySecret.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let secret = APIKeySecret.generate()
        #expect(APIKeySecret.sha256(secret) != APIKeySecret.sha256(secret + "x"))
    }

    @Test("constant-time comparison: equal only when every byte is, lengths included")
    func constantTimeEqual() {
        let a = APIKeySecret.sha256("one")
        #expect(APIKeySecret.constantTimeEqual(a, a))
        #expect(!APIKeySecret.constantTimeEqual(a, APIKeySecret.sha256("two")))
        var last = Array(a.utf8)
        last[last.count - 1] ^= 1
        #expect(!APIKeySecret.constantTimeEqual(a, String(decoding: last, as: UTF8.self)), "the last byte differs")
        #expect(!APIKeySecret.constantTimeEqual(a, String(a.dropLast())), "shorter")
        #expect(!APIKeySecret.constantTimeEqual(a, a + "0"), "longer")
        #expect(APIKeySecret.constantTimeEqual("", ""))
    }

    @Test(
        "names: ASCII letters, digits and - _ . @, starting with a letter or digit, at most 64",
        arguments: [
            ("storefront-huawei", true), ("ci@example.com", true), ("A.b_c-9", true), ("7", true),
            (String(repeating: "x", count: 64), true), (String(repeating: "x", count: 65), false), ("", false),
            ("with space", false), ("-flag", false), (".hidden", false), ("@x", false), ("tab\there", false),
            ("esc\u{1B}[31m", false), ("newline\n", false), ("华为商店", false), ("slash/x", false),
            ("bidi\u{202E}x", false), ("quote'x", false),
        ])
    func nameRule(_ name: String, _ valid: Bool) {
        let problem = APIKey.nameProblem(name)
        #expect((problem == nil) == valid, "\(name.debugDescription): \(problem ?? "valid")")
        if let problem {
            #expect(problem.contains(APIKey.nameRule), "the rule is said: \(problem)")
            #expect(!problem.unicodeScalars.contains { SafeText.isUnsafe($0) }, "escaped: \(problem.debugDescription)")
        }
    }

    @Test("what a store refuses before writing: a bad name, a digest that is not one, a hint that is not a secret's")
    func validate() throws {
        let secret = APIKeySecret.generate()
        let digest = APIKeySecret.sha256(secret)
        let hint = APIKeySecret.hint(secret)
        try APIKey.validate(name: "shop", secretSHA256: digest, hint: hint)
        #expect(throws: LedgerError.self) { try APIKey.validate(name: "", secretSHA256: digest, hint: hint) }
        for bad in [secret, digest.uppercased(), String(digest.dropLast()), digest + "0", ""] {
            let error = #expect(throws: LedgerError.self) {
                try APIKey.validate(name: "shop", secretSHA256: bad, hint: hint)
            }
            #expect(error?.description.contains("SHA-256") == true)
        }
        for bad in ["", "abcd", secret, "sgk_\u{1B}[0m"] {
            let error = #expect(throws: LedgerError.self) {
                try APIKey.validate(name: "shop", secretSHA256: digest, hint: bad)
            }
            #expect(error?.description.contains("hint") == true)
        }
    }

    @Test("the audit records: name, role and hint; never the secret or its digest")
    func auditRecords() {
        let key = APIKey(
            id: 3, name: "shop", role: .storefront, hint: "sgk_AbCd", createdAt: "2030-01-01T00:00:00.000Z",
            createdBy: "ops")
        let created = AuditRecord.apiKeyCreated(key)
        #expect(created.action == "api_key_created" && created.subject == "shop")
        #expect(created.details == #"{"hint":"sgk_AbCd","role":"storefront"}"#)
        let revoked = AuditRecord.apiKeyRevoked(key)
        #expect(revoked.action == "api_key_revoked" && revoked.subject == "shop")
        #expect(revoked.details.contains(#""role":"storefront""#))
        #expect(key.actor == "api:shop (storefront)")
    }

    @Test(
        "the key cross-check as a pure function: consistent rows raise nothing; forged, raised, revived, deleted keys show"
    )
    func crossCheck() {
        func entry(_ seq: Int64, _ record: AuditRecord) -> AuditEntry {
            AuditEntry(
                seq: seq, at: "t", actor: "ops", action: record.action, subject: record.subject, reason: record.reason,
                details: record.details, prevHash: "", hash: "")
        }
        let shop = APIKey(id: 1, name: "shop", role: .storefront, hint: "sgk_AbCd", createdAt: "t", createdBy: "ops")
        let old = APIKey(id: 2, name: "old", role: .officer, hint: "sgk_EfGh", createdAt: "t", createdBy: "ops")
        let entries = [
            entry(1, .apiKeyCreated(shop)), entry(2, .apiKeyCreated(old)), entry(3, .apiKeyRevoked(old)),
        ]
        let rows: [AuditLedgerFacts.APIKeyRow] = [
            .init(
                id: 1, name: "shop", role: "storefront", hint: "sgk_AbCd", createdSeq: 1, revoked: false,
                revokedSeq: nil),
            .init(id: 2, name: "old", role: "officer", hint: "sgk_EfGh", createdSeq: 2, revoked: true, revokedSeq: 3),
        ]
        func problems(
            _ keys: [AuditLedgerFacts.APIKeyRow], _ log: [AuditEntry] = entries
        ) -> [AuditVerification.Problem] {
            AuditVerification.crossCheck(
                log, AuditLedgerFacts(references: [], stateChanges: [], shelfStates: [:], apiKeys: keys))
        }
        #expect(problems(rows).isEmpty)

        var raised = rows
        raised[0].role = "admin"
        #expect(problems(raised).map(\.kind) == [.stateMismatch])
        #expect(problems(raised).first?.detail.contains("role admin") == true)

        var forged = rows
        forged.append(
            .init(id: 3, name: "mine", role: "admin", hint: "sgk_Zzzz", createdSeq: 1, revoked: false, revokedSeq: nil))
        #expect(
            problems(forged).contains { $0.kind == .stateMismatch && $0.detail.contains("'mine'") },
            "\(problems(forged))")
        forged[2].createdSeq = 99
        #expect(problems(forged).contains { $0.kind == .missingEntry && $0.seq == 99 })

        var revived = rows
        revived[1].revoked = false
        #expect(problems(revived).contains { $0.kind == .stateMismatch && $0.detail.contains("made active again") })
        revived[1].revokedSeq = nil
        #expect(problems(revived).map(\.kind) == [.unrecorded], "the revocation entry has no revoked row")

        var quietlyRevoked = rows
        quietlyRevoked[0].revoked = true
        #expect(problems(quietlyRevoked).map(\.kind) == [.missingEntry])

        #expect(problems([rows[1]]).map(\.kind) == [.unrecorded], "a deleted key")
        #expect(problems([]).count == 3, "every key deleted: three entries without their rows")
        #expect(problems(rows, []).map(\.kind) == [.missingEntry, .missingEntry, .missingEntry], "an emptied log")
    }
}

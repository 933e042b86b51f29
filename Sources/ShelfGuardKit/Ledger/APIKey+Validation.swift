import Foundation

/// What a key's name, digest and hint must look like before a store keeps them: decided here once
/// for every store and for the command line, so that `keys create` and the ledger refuse the
/// same names with the same words.
extension APIKey {
    /// The longest name a key may have.
    public static let maxNameLength = 64

    /// The rule, in the words every refusal uses.
    public static let nameRule =
        "a key name is 1 to \(maxNameLength) characters: ASCII letters, digits and - _ . @, starting with a letter or digit (e.g. storefront-huawei, ci@example.com)"

    /// Why `name` cannot name a key, or nil when it can.
    public static func nameProblem(_ name: String) -> String? {
        let scalars = Array(name.unicodeScalars)
        guard !scalars.isEmpty else { return "the key name is empty; \(nameRule)" }
        guard scalars.count <= maxNameLength else {
            return "the key name is \(scalars.count) characters long; \(nameRule)"
        }
        if let bad = scalars.first(where: { !isNameCharacter($0) }) {
            let shown =
                SafeText.isUnsafe(bad) || bad == " "
                ? "U+" + String(bad.value, radix: 16, uppercase: true) : String(bad)
            return "the key name '\(SafeText.escape(name))' has the character \(shown); \(nameRule)"
        }
        if let first = scalars.first, !isLetterOrDigit(first) {
            return "the key name '\(name)' starts with '\(first)'; \(nameRule)"
        }
        return nil
    }

    /// Throws the `LedgerError` a store answers with when a key cannot be recorded as given: a
    /// name against the rule, a digest that is not a SHA-256 in lowercase hex, a hint that is not
    /// the start of a secret.
    public static func validate(name: String, secretSHA256: String, hint: String) throws(LedgerError) {
        if let problem = nameProblem(name) { throw LedgerError(problem) }
        guard secretSHA256.utf8.count == 64,
            secretSHA256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw LedgerError(
                "the key's digest is not a SHA-256 in lowercase hex (64 characters 0-9, a-f): APIKeySecret.sha256 makes one"
            )
        }
        guard hint.hasPrefix(APIKeySecret.prefix), hint.count <= APIKeySecret.prefix.count + 8,
            hint.unicodeScalars.allSatisfy(isSecretCharacter)
        else {
            throw LedgerError(
                "the key's hint is not the start of a secret (\(APIKeySecret.prefix) and a few characters): APIKeySecret.hint makes one"
            )
        }
    }

    /// Why a key cannot be created under a name a key has (`existing`, revoked or not).
    public static func nameTakenMessage(_ name: String, by existing: APIKey) -> String {
        let same = existing.name == name ? "" : " ('\(existing.name)': names differing only in case are the same)"
        let state = existing.revokedAt.map { "revoked \($0)" } ?? "active"
        return
            "a key named '\(SafeText.escape(name))' exists already\(same), created \(existing.createdAt) by \(SafeText.escape(existing.createdBy)), \(state). "
            + "A name is never given to a second key, revoked keys included, so that the audit log's `api:NAME` always means one key: choose another name"
    }

    /// Why a key cannot be created with a secret another key has (never, for a secret from
    /// `APIKeySecret.generate`).
    public static let secretTakenMessage =
        "another key has the same secret; generate a new one (APIKeySecret.generate)"

    /// Why there is no key to revoke under this name.
    public static func unknownNameMessage(_ name: String) -> String {
        "no key is named '\(SafeText.escape(name))' (`shelfguard keys list --all` lists every key's name)"
    }

    /// Why a revoked key cannot be revoked again.
    public static func revokedAlreadyMessage(_ key: APIKey) -> String {
        "the key '\(key.name)' was revoked already, \(key.revokedAt ?? "?") by \(SafeText.escape(key.revokedBy ?? "?")): it authenticates no one"
    }

    static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: false
        }
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isLetterOrDigit(scalar) || scalar == "-" || scalar == "_" || scalar == "." || scalar == "@"
    }

    /// The characters of a secret: its prefix's and base64url's.
    static func isSecretCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isLetterOrDigit(scalar) || scalar == "-" || scalar == "_"
    }
}

import Foundation

/// A review policy as `PolicyLoader.parse` returned it, kept in the snapshot cache folder beside
/// the feature database's snapshots (`--policy-cache`), so that the next process decodes it
/// instead of reading its YAML: 5.2 M instructions (4.4 M of them JSON) against 12.5 M for the
/// built-in policy, a sixth of a CI hook's start-up work before the bundle is opened.
///
/// Trusted on the same terms as the feature database's snapshot: its name and header carry the
/// SHA-256 of the policy's text and of the path problems would name, the snapshot format,
/// shelfguard's version and the running executable, so an edited policy, another file or a
/// rebuilt shelfguard reads the YAML again. A snapshot whose key, length or checksum does not
/// match, or that does not decode, is ignored and replaced. Only policies that load without a
/// problem are kept; the loader has no warnings to lose.
enum PolicySnapshot {
    /// Raise when the encoding or the meaning of a field changes.
    static let formatVersion = 2
    static let magic = Array("SGPOLICY\u{1}".utf8)

    /// The key of the policy read from `text`, named `source` in its problems; nil when the
    /// executable cannot be identified (no snapshot is then trusted or written).
    static func key(text: String, source: String) -> [UInt8]? {
        guard let executable = SignatureSnapshot.executableFingerprint else { return nil }
        return SignatureSnapshot.hash(
            ["shelfguard-policy-snapshot/\(formatVersion)", ShelfGuardVersion.current, executable, source, text])
    }

    /// The policy as JSON in the feature database's snapshot frame (`SignatureSnapshot.framed`).
    static func encode(_ policy: Policy, key: [UInt8]) -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // the same bytes for the same policy, in any process
        guard let payload = try? encoder.encode(policy) else { return nil }
        return SignatureSnapshot.framed(Array(payload), magic: magic, key: key)
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, key: [UInt8]) -> Policy? {
        guard let payload = SignatureSnapshot.payload(of: bytes, magic: magic, key: key) else { return nil }
        return try? JSONDecoder().decode(Policy.self, from: Data(payload))
    }
}

extension SignatureSnapshotCache {
    func policyPath(key: [UInt8]) -> String {
        filePath("policy-\(key.prefix(16).hexString).snapshot")
    }

    /// The policy kept under `key`, if there is one to trust.
    func policy(key: [UInt8]) -> Policy? {
        Self.withContents(of: policyPath(key: key)) { PolicySnapshot.decode($0, key: key) } ?? nil
    }

    /// Keeps `policy` under `key` (see `store(_:at:prefix:)`); any failure leaves the cache as it was.
    func store(_ policy: Policy, key: [UInt8]) {
        guard let bytes = PolicySnapshot.encode(policy, key: key) else { return }
        store(bytes, at: URL(fileURLWithPath: policyPath(key: key)), prefix: "policy-")
    }
}

import Foundation

/// Strict validation of an implicit label (GB 45438): the seven keys, string values, `Label` in
/// 1–3, the producer code's layout and the USCC check character inside it; and whether the
/// producer is the declared developer or one of its declared suppliers.
public enum LabelValidator {
    /// The seven keys, in the standard's order.
    public static let keys = [
        "Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID",
        "ReservedCode2",
    ]
    /// The keys that may hold an empty string.
    public static let optionalKeys: Set<String> = [
        "ReservedCode1", "ContentPropagator", "PropagateID", "ReservedCode2",
    ]

    /// What is wrong with a label's fields, and the USCC inside its producer code when there is
    /// one that passes its check character.
    public static func validate(_ fields: [LabelValue.Member]) -> (problems: [String], producerUSCC: String?) {
        var problems: [String] = []
        let byKey = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        let missing = keys.filter { byKey[$0] == nil }
        for member in fields where !keys.contains(member.key) {
            if let proper = keys.first(where: { $0.lowercased() == member.key.lowercased() }) {
                problems.append("the key \"\(member.key)\" must be written \"\(proper)\"")
            } else {
                problems.append("\"\(member.key)\" is not one of GB 45438's seven keys")
            }
        }
        if !missing.isEmpty {
            problems.append(
                "missing " + (missing.count == 1 ? "the key " : "the keys ")
                    + missing.map { "\"\($0)\"" }.joined(separator: ", ")
                    + " (GB 45438 has seven; ReservedCode1, ContentPropagator, PropagateID and ReservedCode2 may be empty strings)"
            )
        }
        var strings: [String: String] = [:]
        for key in keys {
            guard let value = byKey[key] else { continue }
            if let s = value.stringValue {
                strings[key] = s
            } else {
                problems.append("\(key) is \(value.described), not a string")
            }
        }
        if let label = strings["Label"], !["1", "2", "3"].contains(label) {
            problems.append(
                "Label is \"\(label)\"; it must be \"1\" (AI-generated), \"2\" (possibly) or \"3\" (suspected)")
        }
        for key in keys where !optionalKeys.contains(key) {
            if let value = strings[key], value.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(
                    key == "ContentProducer"
                        ? "ContentProducer is empty; it must give the provider's name or provider code"
                        : "\(key) is empty; it must hold the content number")
            }
        }
        var producerUSCC: String?
        if let producer = strings["ContentProducer"], ProviderCode.looksLikeCode(producer) {
            let parsed = ProviderCode.parse(producer)
            producerUSCC = parsed.uscc
            problems += parsed.problems.map { "ContentProducer \(producer) \($0)" }
        }
        if let propagator = strings["ContentPropagator"], ProviderCode.looksLikeCode(propagator) {
            problems += ProviderCode.parse(propagator).problems.map { "ContentPropagator \(propagator) \($0)" }
        }
        return (problems, producerUSCC)
    }

    /// Whether `label`'s producer is the declared developer or one of its declared suppliers: by
    /// the USCC inside a provider code, or by name when the producer is a name.
    public static func match(_ label: ImplicitLabel, parties: DeclaredParties) -> ProducerMatch {
        match(producer: label.string("ContentProducer"), producerUSCC: label.producerUSCC, parties: parties)
    }

    /// The same, for a producer value and the USCC read from it.
    public static func match(producer: String?, producerUSCC: String?, parties: DeclaredParties) -> ProducerMatch {
        guard let producer, !producer.trimmedQuickly(newlines: false).isEmpty else {
            return ProducerMatch(outcome: .unknown, detail: "the label names no producer")
        }
        let everyone = [parties.developer] + parties.suppliers
        func label(_ party: DeclaredParties.Party) -> String { party.name ?? party.uscc ?? "?" }
        if ProviderCode.looksLikeCode(producer) {
            guard let uscc = producerUSCC else {
                return ProducerMatch(
                    outcome: .unknown, detail: "the producer code \(producer) holds no valid USCC to compare")
            }
            guard parties.hasUSCC else {
                return ProducerMatch(
                    outcome: .unknown, detail: "no USCC was declared to compare the producer's (\(uscc)) with")
            }
            for (i, party) in everyone.enumerated() where party.uscc.map(normalizedUSCC) == uscc {
                return ProducerMatch(
                    outcome: i == 0 ? .developer : .supplier, party: label(party),
                    detail:
                        "the producer code holds \(uscc), the USCC of the declared \(i == 0 ? "developer" : "supplier")"
                )
            }
            let developer = parties.developer.uscc.map { " (\(normalizedUSCC($0)))" } ?? ""
            return ProducerMatch(
                outcome: .mismatch,
                detail:
                    "the producer code holds the USCC \(uscc), which is neither the developer's\(developer) nor a declared supplier's"
            )
        }
        guard parties.hasName else {
            return ProducerMatch(
                outcome: .unknown, detail: "no name was declared to compare the producer \"\(producer)\" with")
        }
        let wanted = normalizedName(producer)
        for (i, party) in everyone.enumerated() where party.name.map(normalizedName) == wanted {
            return ProducerMatch(
                outcome: i == 0 ? .developer : .supplier, party: label(party),
                detail: "the producer is the declared \(i == 0 ? "developer" : "supplier") by name")
        }
        return ProducerMatch(
            outcome: .mismatch,
            detail: "the producer \"\(producer)\" is neither the developer"
                + (parties.developer.name.map { " \"\($0)\"" } ?? "") + " nor a declared supplier")
    }

    /// A USCC as compared: spaces trimmed, uppercase.
    static func normalizedUSCC(_ uscc: String) -> String {
        uscc.trimmedQuickly(newlines: false).uppercased()
    }

    /// A name as compared: full-width forms folded (`（` to `(`), spaces dropped, case ignored.
    static func normalizedName(_ name: String) -> String {
        if let quick = QuickTrim.foldedName(name) { return quick }
        return String(
            name.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars.filter {
                !$0.properties.isWhitespace
            })
    }
}

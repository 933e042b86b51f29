/// The text a carrier holds under `AIGC`, turned into the label's members: tolerant of what real
/// generators write (`AIGC=` before the JSON, HTML entities, the `{"AIGC": {…}}` wrapper, a
/// lowercase key), and saying which of those it met. Validation comes after, strictly.
struct LabelPayload: Equatable {
    /// The label's members as read.
    var members: [LabelValue.Member] = []
    /// The variants met while decoding.
    var variants: Set<LabelVariant> = []
    /// What could not be decoded, or was ambiguous.
    var problems: [String] = []

    /// Decodes a carrier's text. `limits` bounds JSON nesting and node count.
    static func interpret(_ raw: String, limits: LabelLimits) -> LabelPayload {
        var payload = LabelPayload()
        var text = LabelText.trimmed(raw)
        if !text.hasPrefix("{"), text.count > 5, text.prefix(5).uppercased() == "AIGC=" {
            payload.variants.insert(.keyValueText)
            if text.hasPrefix("aigc") { payload.variants.insert(.lowercaseKey) }
            text = LabelText.trimmed(String(text.dropFirst(5)))
        }
        guard !text.isEmpty else {
            payload.problems.append("the AIGC value is empty")
            return payload
        }
        var parsed: (value: LabelValue, duplicates: [LabelJSON.Duplicate])
        do {
            parsed = try LabelJSON.parse(text, maxNodes: limits.maxStructures, maxDepth: limits.maxDepth)
        } catch {
            let unescaped = LabelText.unescapeEntities(text)
            if LabelText.hasEntity(text),
                let second = try? LabelJSON.parse(unescaped, maxNodes: limits.maxStructures, maxDepth: limits.maxDepth)
            {
                payload.variants.insert(.htmlEscaped)
                parsed = second
            } else {
                payload.problems.append("the AIGC value is not JSON: \(error) (it starts: \(preview(text)))")
                return payload
            }
        }
        for duplicate in parsed.duplicates {
            payload.problems.append(
                "the key \"\(duplicate.key)\" is written \(duplicate.values.count) times ("
                    + duplicate.values.map(\.jsonText).joined(separator: ", ")
                    + "); readers disagree on which counts (this report shows the last)")
        }
        guard case .object(var members) = parsed.value else {
            payload.problems.append("the AIGC value is \(parsed.value.described), not a JSON object")
            return payload
        }
        // The wrapper: {"AIGC": {…}} (or "aigc"), when the object holds none of the label's keys.
        let wrapperKeys = members.filter { $0.key.uppercased() == "AIGC" }
        let labelKeys = Set(LabelValidator.keys.map { $0.lowercased() })
        if let wrapper = wrapperKeys.last, case .object(let inner) = wrapper.value,
            !members.contains(where: { labelKeys.contains($0.key.lowercased()) })
        {
            payload.variants.insert(.aigcWrapper)
            if wrapper.key != "AIGC" { payload.variants.insert(.lowercaseKey) }
            let others = members.filter { $0.key.uppercased() != "AIGC" }.map(\.key)
            if !others.isEmpty {
                payload.problems.append(
                    "beside \"\(wrapper.key)\" the wrapper holds "
                        + others.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            members = inner
        }
        // Keys written twice: keep the last, as most JSON readers do.
        var last: [String: Int] = [:]
        for (i, member) in members.enumerated() { last[member.key] = i }
        payload.members = members.enumerated().filter { last[$0.element.key] == $0.offset }.map(\.element)
        return payload
    }

    /// The first characters of a text, for messages.
    static func preview(_ text: String) -> String {
        let shown = text.prefix(60)
        let escaped = EntryName.escapeControls(String(shown))
        return "\"" + escaped + (text.count > 60 ? "…" : "") + "\""
    }
}

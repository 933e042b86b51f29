/// Ids a user types that must be among known ones (features, signatures, rules): the nearest
/// known ids by edit distance, and the message that names them.
public enum Vocabulary {
    /// Up to `limit` known ids nearest to `word`, nearest first, among those close enough to be a
    /// misspelling (edit distance at most a third of the longer word, and at least 2 allowed) or
    /// that start with it (`deepar` → `deepar_sdk`, for words of 4 characters or more).
    public static func nearest(to word: String, in known: [String], limit: Int = 3) -> [String] {
        let lowered = word.lowercased()
        let scored = Set(known).map { ($0, StrictYAML.distance(lowered, $0.lowercased())) }
            .filter {
                $0.1 <= max(2, max(word.count, $0.0.count) / 3)
                    || (lowered.count >= 4 && $0.0.lowercased().hasPrefix(lowered))
            }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        // Only the best and those nearly as good: a long shared prefix (com.example.) makes
        // far ids look close.
        guard let best = scored.first?.1 else { return [] }
        return scored.filter { $0.1 <= best + 1 || $0.0.lowercased().hasPrefix(lowered) }.prefix(limit).map(\.0)
    }

    /// `'face_swapp' is not a known feature; did you mean face_swap?`, with the known ids
    /// listed when there are few and none is near.
    public static func unknown(_ word: String, what: String, known: [String]) -> String {
        let near = nearest(to: word, in: known)
        var message = "'\(word)' is not a known \(what)"
        if !near.isEmpty {
            message += "; did you mean \(near.joined(separator: ", "))?"
        } else if known.isEmpty {
            message += " (none is known)"
        } else if known.count <= 40 {
            message += " (known: \(Set(known).sorted().joined(separator: ", ")))"
        } else {
            message += " (\(known.count) are known)"
        }
        return message
    }
}

/// Ids a user types that must be among known ones (features, signatures, rules): the nearest
/// known ids by edit distance, and the message that names them.
public enum Vocabulary {
    /// Up to `limit` known ids nearest to `word`, nearest first, among those close enough to be a
    /// misspelling (edit distance at most a third of the longer word, and at least 2 allowed).
    public static func nearest(to word: String, in known: [String], limit: Int = 3) -> [String] {
        let lowered = word.lowercased()
        let scored = Set(known).map { ($0, StrictYAML.distance(lowered, $0.lowercased())) }
            .filter { $0.1 <= max(2, max(word.count, $0.0.count) / 3) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        return scored.prefix(limit).map(\.0)
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

/// What a use case refuses to do, in words for the person who asked: the one error type the
/// command line and the service share. The CLI prints the message and exits 1 (`exitStatus`);
/// the service answers with `httpStatus` and the message as its JSON error.
public struct UseCaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How the request went wrong.
    public enum Kind: String, Sendable {
        /// The request itself is wrong: a missing or malformed value, an unknown id (400).
        case invalid
        /// It names something the shelf does not have (404).
        case notFound
        /// It cannot be done in the shelf's present state (409).
        case conflict
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Every use-case error is the tool's refusal, never a verdict.
    public var exitStatus: ExitStatus { .toolError }

    /// The HTTP status the service answers with.
    public var httpStatus: Int {
        switch kind {
        case .invalid: 400
        case .notFound: 404
        case .conflict: 409
        }
    }
}

/// How a front door names a request's fields in messages: the command line's options
/// (`--dry-run`) or the JSON keys of the service (`dryRun`).
public enum FieldNaming: Sendable {
    case options
    case json

    /// The field `key` (a camelCase JSON key) as this front door's caller knows it.
    public func name(_ key: String) -> String {
        switch self {
        case .json: return key
        case .options:
            var option = "--"
            for character in key {
                if character.isUppercase {
                    option += "-" + character.lowercased()
                } else {
                    option.append(character)
                }
            }
            return option
        }
    }
}

/// What `shelfguard labels` prints for one file: its `LabelReport`, or an `error` when the tool
/// could not read the file at all (exit 1).
public enum LabelOutput: Sendable, Equatable {
    /// The file was read.
    case report(LabelReport)
    /// The path as given, and why it could not be read.
    case failure(path: String, error: String)

    /// The exit status this output stands for: 0, 3, or 1 for a tool error.
    public var status: ExitStatus {
        switch self {
        case .report(let report): report.status
        case .failure: .toolError
        }
    }
}

extension LabelOutput: Codable {
    enum CodingKeys: String, CodingKey {
        case path, error
    }

    /// A report encodes as itself; a failure as `{"path", "error"}`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .report(let report): try report.encode(to: encoder)
        case .failure(let path, let error):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(error, forKey: .error)
        }
    }

    /// Decodes either shape.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let error = try c.decodeIfPresent(String.self, forKey: .error) {
            self = .failure(path: try c.decode(String.self, forKey: .path), error: error)
        } else {
            self = .report(try LabelReport(from: decoder))
        }
    }
}

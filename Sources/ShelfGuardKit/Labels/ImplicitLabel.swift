/// One implicit label (GB 45438) as found in a file: where it sat, in which form, what it says,
/// and whether it holds up to strict validation.
public struct ImplicitLabel: Sendable, Equatable {
    /// Where it was found.
    public var carrier: LabelCarrier
    /// `canonical`, or the ids of the variants it departs in, joined by `+` (`LabelVariant`).
    public var form: String
    /// The label's keys and values as read, in the order written (the last of a key written twice).
    public var fields: [LabelValue.Member]
    /// True when there are no problems.
    public var valid: Bool
    /// What strict validation found wrong, in plain words.
    public var problems: [String]
    /// The USCC inside the producer code, when `ContentProducer` is a provider code whose USCC
    /// passes its check character.
    public var producerUSCC: String?
    /// Whether the producer is the declared developer or a declared supplier: set only when the
    /// declared parties were given (`LabelValidator.match`).
    public var producerMatch: ProducerMatch?

    /// A label with its validation already done.
    public init(
        carrier: LabelCarrier, form: String, fields: [LabelValue.Member], problems: [String],
        producerUSCC: String?, producerMatch: ProducerMatch? = nil
    ) {
        self.carrier = carrier
        self.form = form
        self.fields = fields
        self.problems = problems
        self.valid = problems.isEmpty
        self.producerUSCC = producerUSCC
        self.producerMatch = producerMatch
    }

    /// The value of a field, as read.
    public func field(_ key: String) -> LabelValue? { fields.last { $0.key == key }?.value }

    /// The string value of a field; nil when absent or not a string.
    public func string(_ key: String) -> String? { field(key)?.stringValue }
}

extension ImplicitLabel: Codable {
    enum CodingKeys: String, CodingKey {
        case carrier, form, fields, valid, problems, producerUSCC, producerMatch
    }

    /// Encodes the contract's fields; `producerUSCC` is always present (null when there is none),
    /// `producerMatch` only when it was judged.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(carrier, forKey: .carrier)
        try c.encode(form, forKey: .form)
        try c.encode(LabelValue.object(fields), forKey: .fields)
        try c.encode(valid, forKey: .valid)
        try c.encode(problems, forKey: .problems)
        try c.encode(producerUSCC, forKey: .producerUSCC)
        try c.encodeIfPresent(producerMatch, forKey: .producerMatch)
    }

    /// Decodes what `encode(to:)` wrote.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        carrier = try c.decode(LabelCarrier.self, forKey: .carrier)
        form = try c.decode(String.self, forKey: .form)
        if case .object(let members) = try c.decode(LabelValue.self, forKey: .fields) {
            fields = members
        } else {
            fields = []
        }
        valid = try c.decode(Bool.self, forKey: .valid)
        problems = try c.decode([String].self, forKey: .problems)
        producerUSCC = try c.decodeIfPresent(String.self, forKey: .producerUSCC)
        producerMatch = try c.decodeIfPresent(ProducerMatch.self, forKey: .producerMatch)
    }
}

/// What a published filing says about an algorithm (境内深度合成服务算法备案清单, one row).
public struct AlgorithmFilingRecord: Sendable, Codable, Equatable {
    public var number: String
    public var algorithmName: String
    public var role: FilingRole
    /// 主体名称: the legal entity that filed.
    public var entity: String
    /// 应用产品, split into products (`文心一言（APP）` → name 文心一言, channel APP).
    public var products: [Product]
    public var purpose: String
    /// 备注: change notes as published.
    public var note: String
    /// Where the row came from: `file:line`.
    public var source: String

    public init(
        number: String, algorithmName: String, role: FilingRole, entity: String, products: [Product],
        purpose: String, note: String, source: String
    ) {
        self.number = number
        self.algorithmName = algorithmName
        self.role = role
        self.entity = entity
        self.products = products
        self.purpose = purpose
        self.note = note
        self.source = source
    }

    /// A product of 应用产品.
    public struct Product: Sendable, Codable, Equatable {
        public var name: String
        /// APP, 网站, 小程序, 其他… as published (brackets either width), or empty.
        public var channel: String

        public init(name: String, channel: String) {
            self.name = name
            self.channel = channel
        }
    }
}

/// 角色 in the filing lists.
public enum FilingRole: Sendable, Codable, Equatable, Hashable {
    /// 服务提供者 (also the truncated 服务提供 seen in one notice).
    case serviceProvider
    /// 服务技术支持者.
    case technicalSupporter
    /// Anything else, kept as written (cancellation notices of non-deep-synthesis algorithms hold
    /// the algorithm category here, e.g. 个性化推送类).
    case other(String)

    public init(published text: String) {
        switch text.trimmedQuickly(newlines: false) {
        case "服务提供者", "服务提供": self = .serviceProvider
        case "服务技术支持者", "技术支持者": self = .technicalSupporter
        case let other: self = .other(other)
        }
    }

    public var label: String {
        switch self {
        case .serviceProvider: "服务提供者"
        case .technicalSupporter: "服务技术支持者"
        case .other(let text): text
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(published: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(label)
    }
}

/// A cancellation notice's row (注销…算法备案编号的公告): the number is no longer valid evidence.
public struct FilingCancellation: Sendable, Codable, Equatable {
    public var number: String
    /// 注销日期 as published (`2025年7月`: the month only) and as `YYYY-MM` or `YYYY-MM-DD`.
    public var cancelledOnText: String
    public var cancelledOn: String?
    /// 公告日期, `YYYY-MM-DD`.
    public var noticeDate: String
    public var noticeTitle: String
    public var algorithmName: String
    public var role: FilingRole
    public var entity: String
    public var products: String
    public var noticeID: String
    public var source: String
}

/// A generative-AI filing or registration (生成式人工智能服务备案/登记).
public struct GenAIRecord: Sendable, Codable, Equatable {
    public var number: String
    public var kind: GenAINumber.Kind
    /// 属地: the province as published.
    public var region: String
    /// 模型名称 or 应用/功能名称.
    public var name: String
    /// 备案单位 or 登记单位.
    public var entity: String
    /// 备案时间 or 登记时间, `YYYY-MM-DD` when it parses.
    public var date: String
    public var source: String
}

/// A security assessment the platform collected (DSP Art. 15, 20): no public registry exists, so
/// the store records the report it was given.
public struct SecurityAssessment: Sendable, Codable, Equatable {
    public var id: String
    /// Who was assessed: the developer's legal name.
    public var entity: String
    /// Taxonomy features the assessment covers.
    public var features: [String]
    /// `YYYY-MM-DD`.
    public var date: String
    public var assessor: String
    /// SHA-256 of the assessment document, lowercase hex.
    public var documentSHA256: String
    public var source: String

    public init(
        id: String, entity: String, features: [String], date: String, assessor: String, documentSHA256: String,
        source: String
    ) {
        self.id = id
        self.entity = entity
        self.features = features
        self.date = date
        self.assessor = assessor
        self.documentSHA256 = documentSHA256
        self.source = source
    }
}

/// A reviewed exception: one policy rule does not count against one app until it expires.
public struct Waiver: Sendable, Codable, Equatable {
    /// The app id the waiver is for.
    public var app: String
    /// The policy rule id it waives.
    public var rule: String
    public var reason: String
    /// `YYYY-MM-DD`: the last day it holds.
    public var expires: String
    /// Who granted it.
    public var grantedBy: String
    public var source: String

    public init(app: String, rule: String, reason: String, expires: String, grantedBy: String, source: String) {
        self.app = app
        self.rule = rule
        self.reason = reason
        self.expires = expires
        self.grantedBy = grantedBy
        self.source = source
    }
}

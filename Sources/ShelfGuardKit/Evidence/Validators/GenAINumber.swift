import Foundation

/// A generative-AI service number (regulation.md §2): a filing, `<Province>-<Name>-<YYYYMMDD>`
/// (2023) or `<Province>-<Name>-<YYYYMMDD><NNNN>` (from 2024), or a registration for an app that
/// calls a filed model, `<Province>-<Name>-<YYYYMMDD>S<NNNN>`. Parsed from the right: names may
/// hold `-`, province spelling varies, and the published lists carry typos.
public struct GenAINumber: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case filing
        case registration
    }

    public let text: String
    public let kind: Kind
    /// The province token as written (`Beijing`, `ZheJiang`, `ZhongYangQiYe` for central SOEs).
    public let province: String
    public let name: String
    /// `YYYY-MM-DD`.
    public let date: String
    /// The 4-digit sequence (absent on 2023 filings).
    public let sequence: String?

    public var description: String { text }

    /// Province tokens as the lists spell them, lowercased; others parse, with `knownProvince` false.
    static let provinces: Set<String> = [
        "beijing", "tianjin", "hebei", "shanxi", "neimenggu", "liaoning", "jilin", "heilongjiang", "shanghai",
        "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan", "hubei", "hunan", "guangdong",
        "guangxi", "hainan", "chongqing", "sichuan", "guizhou", "yunnan", "xizang", "shaanxi", "gansu",
        "qinghai", "ningxia", "xinjiang", "zhongyangqiye",
    ]

    public var knownProvince: Bool { GenAINumber.provinces.contains(province.lowercased()) }

    /// 属地 as the lists write it → the province token numbers should carry.
    static let regionTokens: [String: String] = [
        "北京": "beijing", "天津": "tianjin", "河北": "hebei", "山西": "shanxi", "内蒙古": "neimenggu",
        "辽宁": "liaoning", "吉林": "jilin", "黑龙江": "heilongjiang", "上海": "shanghai", "江苏": "jiangsu",
        "浙江": "zhejiang", "安徽": "anhui", "福建": "fujian", "江西": "jiangxi", "山东": "shandong",
        "河南": "henan", "湖北": "hubei", "湖南": "hunan", "广东": "guangdong", "广西": "guangxi",
        "海南": "hainan", "重庆": "chongqing", "四川": "sichuan", "贵州": "guizhou", "云南": "yunnan",
        "西藏": "xizang", "陕西": "shaanxi", "甘肃": "gansu", "青海": "qinghai", "宁夏": "ningxia",
        "新疆": "xinjiang", "国资委": "zhongyangqiye",
    ]

    /// Whether the province token agrees with a published 属地 (`北京市`, `广东省`, `国资委`);
    /// nil when the 属地 is not one this table knows.
    public func provinceAgrees(withRegion region: String) -> Bool? {
        let trimmed = region.trimmingCharacters(in: .whitespaces)
        guard let token = GenAINumber.regionTokens.first(where: { trimmed.hasPrefix($0.key) })?.value else {
            return nil
        }
        return token == province.lowercased()
    }

    public init?(_ raw: String) {
        let text = raw.trimmedQuickly(newlines: false)
        guard let lastDash = text.lastIndex(of: "-"), let firstDash = text.firstIndex(of: "-"), firstDash < lastDash
        else { return nil }
        let tail = text[text.index(after: lastDash)...]
        let dateText = tail.prefix(8)
        guard dateText.count == 8, dateText.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let rest = tail.dropFirst(8)
        if rest.isEmpty {
            kind = .filing
            sequence = nil
        } else if rest.first == "S", rest.count == 5, rest.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) {
            kind = .registration
            sequence = String(rest.dropFirst())
        } else if rest.count == 4, rest.allSatisfy({ $0.isASCII && $0.isNumber }) {
            kind = .filing
            sequence = String(rest)
        } else {
            return nil
        }
        let year = Int(dateText.prefix(4)) ?? 0
        let month = Int(dateText.dropFirst(4).prefix(2)) ?? 0
        let day = Int(dateText.suffix(2)) ?? 0
        guard (2023...2099).contains(year), (1...12).contains(month), (1...31).contains(day),
            CalendarDay.isDay("\(dateText.prefix(4))-\(dateText.dropFirst(4).prefix(2))-\(dateText.suffix(2))")
        else { return nil }
        province = String(text[..<firstDash])
        name = String(text[text.index(after: firstDash)..<lastDash])
        guard !province.isEmpty, !name.isEmpty else { return nil }
        date = "\(dateText.prefix(4))-\(dateText.dropFirst(4).prefix(2))-\(dateText.suffix(2))"
        self.text = text
    }
}

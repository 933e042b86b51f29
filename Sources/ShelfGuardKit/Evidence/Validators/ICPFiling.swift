/// An ICP filing for an app or mini-program (APP备案, MIIT notice 工信部信管〔2023〕105号):
/// `<province character>ICP备<8 or 10 digits>号-<n><suffix>`, suffix A for apps, X for
/// mini-programs, none for websites (K for quick apps is unverified).
public struct ICPFiling: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case app = "A"
        case miniProgram = "X"
        case quickApp = "K"
        case website = ""
    }

    public let text: String
    public let province: Character
    public let number: String
    public let serial: String
    public let kind: Kind

    public var description: String { text }

    /// The one-character province abbreviations the filings use.
    static let provinces: Set<Character> = Set("京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新")

    public init?(_ raw: String) {
        let text = raw.filter { !$0.isWhitespace }
        guard let first = text.first, ICPFiling.provinces.contains(first) else { return nil }
        let afterProvince = text.dropFirst()
        guard afterProvince.hasPrefix("ICP备") else { return nil }
        let body = afterProvince.dropFirst(4)
        guard let hao = body.firstIndex(of: "号") else { return nil }
        let number = body[..<hao]
        guard number.count == 8 || number.count == 10, number.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        let after = body[body.index(after: hao)...]
        guard after.first == "-" else { return nil }
        let tail = after.dropFirst()
        let serial = tail.prefix { $0.isASCII && $0.isNumber }
        guard !serial.isEmpty else { return nil }
        let suffix = String(tail.dropFirst(serial.count))
        guard let kind = Kind(rawValue: suffix) else { return nil }
        self.text = text
        self.province = first
        self.number = String(number)
        self.serial = String(serial)
        self.kind = kind
    }

    /// The suffixes a platform's bundles may carry: A for apps, X for mini-programs, A or K for
    /// quick apps (K is unverified).
    public static func expectedKinds(for platform: AppManifest.Platform) -> [Kind] {
        switch platform {
        case .wechatMini, .douyinMini, .alipayMini: [.miniProgram]
        case .quickapp: [.app, .quickApp]
        default: [.app]
        }
    }
}

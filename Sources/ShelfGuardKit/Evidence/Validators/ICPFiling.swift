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
        if let quick = ICPFiling.quick(raw) {
            self = quick
            return
        }
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

    private init(text: String, province: Character, number: String, serial: String, kind: Kind) {
        self.text = text
        self.province = province
        self.number = number
        self.serial = serial
        self.kind = kind
    }

    /// `init` for text of visible ASCII and CJK ideographs (U+4E00 to U+9FFF), as filings are
    /// written, by its scalars: there every scalar is a Character of its own and none is
    /// whitespace. Nil for other text, and for text that is no filing (`init` then says the same).
    private static func quick(_ raw: String) -> ICPFiling? {
        let scalars = Array(raw.unicodeScalars)
        guard
            scalars.allSatisfy({ (0x21...0x7E).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) }),
            scalars.count > 5, provinces.contains(Character(scalars[0])),
            scalars[1...4].elementsEqual("ICP备".unicodeScalars),
            let hao = scalars[5...].firstIndex(of: "号")
        else { return nil }
        let number = scalars[5..<hao]
        guard number.count == 8 || number.count == 10, number.allSatisfy({ ("0"..."9").contains($0) }),
            hao + 1 < scalars.count, scalars[hao + 1] == "-"
        else { return nil }
        let tail = scalars[(hao + 2)...]
        let serial = tail.prefix { ("0"..."9").contains($0) }
        guard !serial.isEmpty else { return nil }
        var suffix = ""
        suffix.unicodeScalars.append(contentsOf: tail.dropFirst(serial.count))
        guard let kind = Kind(rawValue: suffix) else { return nil }
        func text(_ part: ArraySlice<Unicode.Scalar>) -> String {
            var text = ""
            text.unicodeScalars.append(contentsOf: part)
            return text
        }
        return ICPFiling(
            text: raw, province: Character(scalars[0]), number: text(number), serial: text(serial), kind: kind)
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

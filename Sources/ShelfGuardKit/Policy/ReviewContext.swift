import Foundation

/// Everything a policy judges one bundle on.
public struct ReviewContext: Sendable {
    public var inspection: Inspection
    public var declaration: DeclarationState
    public var registry: any EvidenceRegistry
    public var taxonomy: FeatureTaxonomy
    /// The day the review is made as of, `YYYY-MM-DD` (ages and expiries are counted to it).
    public var asOf: String
    public var settings: Policy.Settings
    /// The implicit labels read from the labeling materials, by path as declared; nil when they
    /// were not read (a review recorded before labels were verified: the label rules then say
    /// nothing rather than guess).
    public var materialLabels: [String: MaterialLabels]?
    /// Labeling materials the bundle carries that were also given beside the declaration, with
    /// the digest of the copy beside, which was not read (`DeclarationSnapshot.unreadBeside`).
    public var unreadBesideMaterials: [String: String]

    public init(
        inspection: Inspection, declaration: DeclarationState, registry: any EvidenceRegistry,
        taxonomy: FeatureTaxonomy,
        asOf: String, settings: Policy.Settings, materialLabels: [String: MaterialLabels]? = nil,
        unreadBesideMaterials: [String: String] = [:]
    ) {
        self.inspection = inspection
        self.declaration = declaration
        self.registry = registry
        self.taxonomy = taxonomy
        self.asOf = asOf
        self.settings = settings
        self.materialLabels = materialLabels
        self.unreadBesideMaterials = unreadBesideMaterials
    }

    /// The bundle's file name, as locations start with it.
    var bundleName: String { BundleReader.displayName(of: inspection.bundle.path) }

    /// The declaration, when one was found and it parses.
    var declared: Declaration? {
        if case .found(let declaration, _) = declaration { return declaration }
        return nil
    }

    /// The platform of the bundle (android when the manifest could not say).
    var platform: AppManifest.Platform { inspection.manifest?.platform ?? .android }
}

/// Whether and how a declaration was found.
public enum DeclarationState: Sendable {
    /// Found and parsed, with the labeling materials it lists that were found (path →
    /// `bundle` or `sha256:<hex>` of the file beside the declaration).
    case found(Declaration, materials: [String: String])
    /// Found but defective: the problems, each with its position.
    case invalid(DeclarationReader.Failure)
    /// Nowhere: not given, not beside the bundle, not inside it.
    case missing(searched: [String])
}

/// Dates as `YYYY-MM-DD` text, counted in whole days by arithmetic on the proleptic Gregorian
/// calendar (no Calendar or time-zone lookups: they are slow on Linux and not needed for days).
public enum CalendarDay {
    /// Days from `start` to `end` (`YYYY-MM-DD`; `YYYY-MM` counts from the 1st); nil if either
    /// is not a date.
    public static func days(from start: String, to end: String) -> Int? {
        guard let a = dayNumber(start), let b = dayNumber(end) else { return nil }
        return b - a
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` (or `YYYY-MM`) date; nil unless the day exists
    /// (years 0001 to 9999, months 01 to 12, days up to the month's length in that year).
    /// Read on the bytes: a day is ASCII digits and dashes only, so its Characters are its bytes.
    public static func dayNumber(_ text: String) -> Int? {
        var text = text
        return text.withUTF8 { b -> Int? in
            guard b.count == 7 || b.count == 10, b[4] == 0x2D, b.count == 7 || b[7] == 0x2D else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for i in range {
                    let digit = b[i] &- 0x30
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int(digit)
                }
                return value
            }
            guard let y = number(0..<4), let m = number(5..<7), (1...9999).contains(y), (1...12).contains(m) else {
                return nil
            }
            let d = b.count == 10 ? number(8..<10) : 1
            guard let d, (1...length(ofMonth: m, year: y)).contains(d) else { return nil }
            return days(year: y, month: m, day: d)
        }
    }

    /// Whether `text` is a day that exists, written `YYYY-MM-DD`.
    public static func isDay(_ text: String) -> Bool {
        text.utf8.count == 10 && dayNumber(text) != nil  // then ten ASCII characters, YYYY-MM-DD
    }

    /// What is wrong with `text` as a `YYYY-MM-DD` day, for messages ("'2026-02-30' is not a
    /// day: February 2026 has 28 days"); nil when it is a day.
    public static func problem(_ text: String) -> String? {
        if isDay(text) { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) }),
            let y = Int(parts[0]), let m = Int(parts[1])
        else { return "'\(text)' is not a date; write YYYY-MM-DD" }
        guard (1...9999).contains(y) else { return "'\(text)' is not a day: there is no year \(parts[0])" }
        guard (1...12).contains(m) else { return "'\(text)' is not a day: months run from 01 to 12" }
        let length = length(ofMonth: m, year: y)
        return "'\(text)' is not a day: \(monthNames[m - 1]) \(parts[0]) has \(length) days"
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// Days in a month of the proleptic Gregorian calendar.
    static func length(ofMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number (civil_from_days).
    static func civil(fromDays z: Int) -> (year: Int, month: Int, day: Int) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `YYYY-MM-DD` of a day number.
    public static func text(_ dayNumber: Int) -> String {
        let (y, m, d) = civil(fromDays: dayNumber)
        return text(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD`, or `YYYY-MM` without a day, of a year from 1000 to 9999; without
    /// `String(format:)`, whose first call (its `CVarArg` casts, the locale) cost 2 M instructions
    /// of a CI hook's start-up when the evidence's first date was read.
    static func text(year: Int, month: Int, day: Int? = nil) -> String {
        let monthText = "\(year)-\(month < 10 ? "0" : "")\(month)"
        guard let day else { return monthText }
        return "\(monthText)-\(day < 10 ? "0" : "")\(day)"
    }

    /// Today in China (UTC+8, no daylight saving), `YYYY-MM-DD`.
    public static func today(now: Date = WallClock.now()) -> String {
        text(Int(((now.timeIntervalSince1970 + 8 * 3600) / 86_400).rounded(.down)))
    }
}

extension Character {
    /// 0 to 9, and nothing else (not other scripts' digits).
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

import Foundation
import Yams

/// One file of evidence, read and checked row by row: a published filing list, a cancellation
/// notice list, a gen-AI filing or registration list (CSV, as CAC publishes them), or the store's
/// own evidence (YAML: security assessments and waivers). A malformed row is rejected with its line
/// number; the good rows are kept.
public struct RegistryFile: Sendable {
    /// What the file holds, told by its header (CSV) or its first key (YAML).
    public enum Kind: String, Sendable, Codable {
        case filings
        case cancellations
        case genaiFilings = "genai_filings"
        case genaiRegistrations = "genai_registrations"
        case evidence
    }

    /// A row (or YAML item) that was rejected, or taken with something not understood.
    public struct RowProblem: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// A file that cannot be read as evidence at all.
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public var path: String
    public var kind: Kind
    /// Rows (or items) in the file.
    public var rowCount: Int
    /// SHA-256 of the file's bytes, when it was read from a file.
    public var sha256 = ""
    /// The records taken. `read(_:limits:)` and the in-memory readers keep them here;
    /// `read(_:limits:each:)` hands each one over as its row is read and keeps none.
    public var filings: [AlgorithmFilingRecord] = []
    public var cancellations: [FilingCancellation] = []
    public var genai: [GenAIRecord] = []
    public var assessments: [SecurityAssessment] = []
    public var waivers: [Waiver] = []
    /// Rows not taken, each with its line: the first `RegistryLimits.maxListedProblems` of them.
    public var rejected: [RowProblem] = []
    /// Rows not taken, listed or not.
    public var rejectedCount = 0
    /// Rows taken, with a quirk worth knowing (a truncated role, a province token unknown): the
    /// first `RegistryLimits.maxListedProblems` of them.
    public var notes: [RowProblem] = []
    /// Rows taken with a note, listed or not.
    public var noteCount = 0
    /// How many rejected rows and notes are listed.
    var listLimit = RegistryLimits.standard.maxListedProblems

    /// Rows taken (of the records kept here).
    public var acceptedCount: Int {
        filings.count + cancellations.count + genai.count + assessments.count + waivers.count
    }

    /// The records kept, in the order of the file.
    public var records: [RegistryRecord] {
        filings.map(RegistryRecord.filing) + cancellations.map(RegistryRecord.cancellation)
            + genai.map(RegistryRecord.genai) + assessments.map(RegistryRecord.assessment)
            + waivers.map(RegistryRecord.waiver)
    }

    /// Keeps one record.
    mutating func keep(_ record: RegistryRecord) {
        switch record {
        case .filing(let r): filings.append(r)
        case .cancellation(let r): cancellations.append(r)
        case .genai(let r): genai.append(r)
        case .assessment(let r): assessments.append(r)
        case .waiver(let r): waivers.append(r)
        }
    }

    static let filingColumns = ["序号", "算法名称", "角色", "主体名称", "应用产品", "主要用途", "备案编号", "备注"]
    static let cancellationColumns = ["备案编号", "注销日期", "公告日期", "公告标题", "算法名称", "角色", "主体名称", "应用产品"]
    static let genaiColumns = ["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"]
    static let registrationColumns = ["序号", "属地", "应用/功能名称", "登记单位", "上线编号", "登记时间"]

    /// The evidence files named: files as given, folders as their `.csv`, `.yaml` and `.yml`
    /// files in name order. A path that does not exist is an error.
    public static func expand(_ paths: [String]) throws(FileError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw FileError(description: "\(path): no such file or folder")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let evidence = names.filter {
                ["csv", "yaml", "yml"].contains(($0 as NSString).pathExtension.lowercased())
            }
            guard !evidence.isEmpty else {
                throw FileError(description: "\(path): the folder holds no .csv or .yaml evidence files")
            }
            files += evidence.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
        return files
    }

    /// Reads one file whole, keeping its records; its kind is recognised from the content.
    public static func read(_ url: URL, limits: RegistryLimits = .standard) throws(FileError) -> RegistryFile {
        var records: [RegistryRecord] = []
        var file: RegistryFile
        do { file = try read(url, limits: limits) { records.append($0) } } catch let error as FileError {
            throw error
        } catch { throw FileError(description: "\(url.path): \(error)") }
        for record in records { file.keep(record) }
        return file
    }

    // MARK: - CSV lists

    /// Reads CSV text held in memory, keeping its records (tests, and lists made in code).
    static func csv(
        _ text: String, path: String, limits: RegistryLimits = .standard
    ) throws(FileError)
        -> RegistryFile
    {
        var records: [RegistryRecord] = []
        var file: RegistryFile
        do {
            file = try csv(path: path, limits: limits, each: { records.append($0) }) { feed in
                try Array(text.utf8).withUnsafeBytes { try feed($0) }
            }
        } catch let error as FileError { throw error } catch { throw FileError(description: "\(path): \(error)") }
        for record in records { file.keep(record) }
        return file
    }

    /// Reads a CSV list whose bytes `source` feeds in chunks: the header tells the kind, then
    /// each row becomes a record handed to `each`, or a rejected row with its line.
    static func csv(
        path: String, limits: RegistryLimits, each: (RegistryRecord) throws -> Void,
        source: (_ feed: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> RegistryFile {
        var reader = CSVReader(maxFieldBytes: limits.maxFieldBytes, maxRowBytes: limits.maxRowBytes)
        var rows = CSVRows(path: path, limits: limits)
        do {
            // `each` is only called while `source` runs.
            try withoutActuallyEscaping(each) { each in
                try source { chunk in try reader.feed(chunk) { try rows.take($0, each) } }
                try reader.finish { try rows.take($0, each) }
            }
        } catch let error as CSVReader.NotUTF8 {
            throw FileError(
                description:
                    "\(path):\(error.line): not UTF-8 text; the published lists are UTF-8 (a file saved in GBK can be converted with iconv -f GBK -t UTF-8); nothing was imported from it"
            )
        }
        return try rows.finished()
    }

    /// Every column a row is read by.
    static let knownColumns = Array(
        Set(filingColumns + cancellationColumns + genaiColumns + registrationColumns + ["noticeId"]))

    /// The kind of list a header names, or nil.
    static func kind(ofHeader header: [String]) -> Kind? {
        func has(_ columns: [String]) -> Bool { columns.allSatisfy(header.contains) }
        if has(filingColumns) { return .filings }
        if has(cancellationColumns) { return .cancellations }
        if has(genaiColumns) { return .genaiFilings }
        if has(registrationColumns) { return .genaiRegistrations }
        return nil
    }

    static func unknownHeader(_ header: [String], path: String) -> FileError {
        FileError(
            description:
                "\(path): the header (\(shown(header.joined(separator: ","), limit: 200))) is not one of the published lists: filing list (\(filingColumns.joined(separator: ","))), cancellations, gen-AI filings or registrations"
        )
    }

    /// A value from the file as a message quotes it: at most `limit` characters.
    static func shown(_ text: String, limit: Int = 80) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.utf8.count) bytes)"
    }

    /// Takes one row of a CSV list after its header: a record, or nil when the row is rejected
    /// (with its line) or, for evidence, not a CSV row at all. `columns` says where each column
    /// the rows are read by stands in the header.
    mutating func take(row fields: [String], line: Int, columns: [(name: String, index: Int)]) -> RegistryRecord? {
        func field(_ name: String) -> String {
            // The names are this file's own literals: their bytes match.
            for column in columns where column.name.utf8.elementsEqual(name.utf8) {
                return fields[column.index].trimmedQuickly()
            }
            return ""
        }
        let source = "\(path):\(line)"
        switch kind {
        case .filings: return takeFiling(field, source: source, line: line).map(RegistryRecord.filing)
        case .cancellations: return takeCancellation(field, source: source, line: line).map(RegistryRecord.cancellation)
        case .genaiFilings, .genaiRegistrations:
            return takeGenAI(field, source: source, line: line).map(RegistryRecord.genai)
        case .evidence: return nil
        }
    }

    mutating func reject(_ line: Int, _ message: String) {
        rejectedCount += 1
        if rejected.count < listLimit { rejected.append(RowProblem(file: path, line: line, message: message)) }
    }

    mutating func note(_ line: Int, _ message: String) {
        noteCount += 1
        if notes.count < listLimit { notes.append(RowProblem(file: path, line: line, message: message)) }
    }

    private mutating func takeFiling(_ field: (String) -> String, source: String, line: Int) -> AlgorithmFilingRecord? {
        let raw = field("备案编号")
        guard let number = AlgorithmFilingNumber(raw) else {
            reject(line, "备案编号 '\(RegistryFile.shown(raw))' \(AlgorithmFilingNumber.problem(with: raw))")
            return nil
        }
        guard !field("主体名称").isEmpty else {
            reject(line, "主体名称 is empty")
            return nil
        }
        let roleText = field("角色")
        let role = FilingRole(published: roleText)
        if case .other = role {
            note(line, "角色 '\(RegistryFile.shown(roleText))' is neither 服务提供者 nor 服务技术支持者")
        }
        if roleText == "服务提供" { note(line, "角色 '服务提供' read as 服务提供者") }
        if !number.checkDigitMatches {
            note(line, "\(number.text): the check digit does not follow the derived rule")
        }
        return AlgorithmFilingRecord(
            number: number.text, algorithmName: field("算法名称"), role: role, entity: field("主体名称"),
            products: RegistryFile.products(field("应用产品")), purpose: field("主要用途"), note: field("备注"),
            source: source)
    }

    private mutating func takeCancellation(
        _ field: (String) -> String, source: String, line: Int
    )
        -> FilingCancellation?
    {
        let raw = field("备案编号")
        guard let number = AlgorithmFilingNumber(raw) else {
            reject(line, "备案编号 '\(RegistryFile.shown(raw))' \(AlgorithmFilingNumber.problem(with: raw))")
            return nil
        }
        let cancelledText = field("注销日期")
        let cancelled = RegistryFile.chineseDate(cancelledText)
        if cancelled == nil && !cancelledText.isEmpty {
            note(line, "注销日期 '\(RegistryFile.shown(cancelledText))' is not a date; kept as written")
        }
        let noticeDate = RegistryFile.isoDate(field("公告日期")) ?? field("公告日期")
        return FilingCancellation(
            number: number.text, cancelledOnText: cancelledText, cancelledOn: cancelled, noticeDate: noticeDate,
            noticeTitle: field("公告标题"), algorithmName: field("算法名称"), role: FilingRole(published: field("角色")),
            entity: field("主体名称"), products: field("应用产品"), noticeID: field("noticeId"), source: source)
    }

    private mutating func takeGenAI(_ field: (String) -> String, source: String, line: Int) -> GenAIRecord? {
        let registration = kind == .genaiRegistrations
        let raw = field(registration ? "上线编号" : "备案号")
        guard let number = GenAINumber(raw) else {
            reject(
                line,
                "\(registration ? "上线编号" : "备案号") '\(RegistryFile.shown(raw))' is not a gen-AI \(registration ? "registration" : "filing") number"
            )
            return nil
        }
        if (number.kind == .registration) != registration {
            note(
                line,
                "\(RegistryFile.shown(raw)) looks like a \(number.kind.rawValue) in a list of \(registration ? "registrations" : "filings")"
            )
        }
        if !number.knownProvince {
            note(
                line,
                "province token '\(RegistryFile.shown(number.province))' in \(RegistryFile.shown(raw)) is not a known spelling"
            )
        } else if number.provinceAgrees(withRegion: field("属地")) == false {
            note(
                line,
                "province token '\(RegistryFile.shown(number.province))' in \(RegistryFile.shown(raw)) differs from 属地 \(RegistryFile.shown(field("属地")))"
            )
        }
        let dateText = field(registration ? "登记时间" : "备案时间")
        return GenAIRecord(
            number: number.text, kind: number.kind, region: field("属地"),
            name: field(registration ? "应用/功能名称" : "模型名称"), entity: field(registration ? "登记单位" : "备案单位"),
            date: RegistryFile.isoDate(dateText) ?? dateText, source: source)
    }

    /// 应用产品: items joined by 、, each a name with its channel in brackets of either width;
    /// a trailing 等 ("and others") and `--` (none) are dropped.
    static func products(_ text: String) -> [AlgorithmFilingRecord.Product] {
        let trimmed = text.trimmedQuickly(newlines: false)
        guard trimmed.unicodeScalars.allSatisfy(isWholeCharacter) else { return productsByCharacter(trimmed) }
        // Every scalar is a character of its own here, so the list is cut by scalars, as
        // `productsByCharacter` cuts it by characters, with the same result and a fraction of
        // the work (a registry import reads millions of lists).
        var scalars = Substring(trimmed).unicodeScalars
        if scalars.elementsEqual("--".unicodeScalars) || scalars.elementsEqual("-".unicodeScalars) || scalars.isEmpty {
            return []
        }
        if scalars.last == "等" { scalars.removeLast() }
        return scalars.split(separator: "、").compactMap { part in
            let item = Substring(part).trimmedQuickly(newlines: false)
            let itemScalars = item.unicodeScalars
            guard let last = itemScalars.last else { return nil }
            if last == "）" || last == ")", let open = itemScalars.lastIndex(where: { $0 == "（" || $0 == "(" }) {
                let name = item[..<open].trimmedQuickly(newlines: false)
                let channel = itemScalars[
                    itemScalars.index(after: open)..<itemScalars.index(before: itemScalars.endIndex)]
                return AlgorithmFilingRecord.Product(name: name, channel: String(Substring(channel)))
            }
            return AlgorithmFilingRecord.Product(name: item, channel: "")
        }
    }

    /// The same, by characters: for texts with combining marks, joiners and the like.
    static func productsByCharacter(_ trimmed: String) -> [AlgorithmFilingRecord.Product] {
        var text = trimmed
        if text == "--" || text == "-" || text.isEmpty { return [] }
        if text.hasSuffix("等") { text.removeLast() }
        return text.split(separator: "、").compactMap { item in
            let item = item.trimmedQuickly(newlines: false)
            guard !item.isEmpty else { return nil }
            if let open = item.lastIndex(where: { $0 == "（" || $0 == "(" }),
                item.last == "）" || item.last == ")"
            {
                let name = item[..<open].trimmedQuickly(newlines: false)
                let channel = item[item.index(after: open)..<item.index(before: item.endIndex)]
                return AlgorithmFilingRecord.Product(name: name, channel: String(channel))
            }
            return AlgorithmFilingRecord.Product(name: item, channel: "")
        }
    }

    /// Scalars that always make a character on their own (none combines with its neighbour):
    /// printable ASCII, Latin letters without combining marks, general punctuation without the
    /// invisible joiners, CJK punctuation without its tone marks, CJK ideographs, fullwidth
    /// ASCII: what the published lists are written in. None of them is canonically equal to
    /// 、, a bracket, 等 or a hyphen unless it is one.
    static func isWholeCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0xA0...0x2FF, 0x2010...0x2027, 0x3000...0x3029, 0x3030...0x303F, 0x3400...0x4DBF,
            0x4E00...0x9FFF, 0xFF01...0xFF5E:
            true
        default: false
        }
    }

    /// `2023/8/31`, `2023-08-31` → `2023-08-31`.
    static func isoDate(_ text: String) -> String? {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." }).compactMap { Int($0) }
        guard parts.count == 3, (2000...2099).contains(parts[0]), (1...12).contains(parts[1]),
            (1...31).contains(parts[2])
        else { return nil }
        let day = CalendarDay.text(year: parts[0], month: parts[1], day: parts[2])
        return CalendarDay.isDay(day) ? day : nil
    }

    /// `2025年7月` → `2025-07`; `2025年7月14日` → `2025-07-14`.
    static func chineseDate(_ text: String) -> String? {
        let numbers = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard text.contains("年"), let year = numbers.first, (2000...2099).contains(year) else { return isoDate(text) }
        if numbers.count >= 3, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]) {
            let day = CalendarDay.text(year: year, month: numbers[1], day: numbers[2])
            return CalendarDay.isDay(day) ? day : nil
        }
        if numbers.count >= 2, (1...12).contains(numbers[1]) { return CalendarDay.text(year: year, month: numbers[1]) }
        return nil
    }

    // MARK: - The store's own evidence (YAML)

    /// Reads the store's own evidence (YAML) held in memory, keeping its records. A text value
    /// longer than the field limit rejects its item.
    ///
    /// Read first with Yams's `.basic` resolver, as the review policy is (`PolicyLoader.parse`):
    /// the default one matches every mapping key against YAML's regular expressions, and building
    /// them is a millisecond of a CI hook's `check`. Values are read by what they say, not by a
    /// resolved tag, and the basic resolver only makes more keys equal, so a file read without a
    /// problem or a rejected item that way reads the same with the default one; otherwise it is
    /// read again with the default one, and its problems are the ones it always got.
    static func evidence(
        _ text: String, path: String, limits: RegistryLimits = .standard
    ) throws(FileError)
        -> RegistryFile
    {
        if let file = try? evidence(text, path: path, limits: limits, resolver: .basic), file.rejectedCount == 0 {
            return file
        }
        return try evidence(text, path: path, limits: limits, resolver: .default)
    }

    static func evidence(
        _ text: String, path: String, limits: RegistryLimits, resolver: Resolver
    ) throws(FileError)
        -> RegistryFile
    {
        var yaml = StrictYAML(file: path, resolver: resolver)
        guard let root = yaml.parse(text) else {
            throw FileError(description: yaml.problems.map(\.description).joined(separator: "\n"))
        }
        guard
            let top = yaml.mapping(
                root, "an evidence file", allowed: ["evidence", "assessments", "waivers"], required: ["evidence"])
        else { throw FileError(description: yaml.problems.map(\.description).joined(separator: "\n")) }
        if let schema = yaml.string(top["evidence"], "evidence"), schema != "shelfguard/evidence/v1" {
            yaml.problem(top["evidence"], "evidence must be shelfguard/evidence/v1, not '\(schema)'")
        }
        guard yaml.problems.isEmpty else {
            throw FileError(description: yaml.problems.map(\.description).joined(separator: "\n"))
        }
        let assessmentNodes = yaml.sequence(top["assessments"], "assessments")
        let waiverNodes = yaml.sequence(top["waivers"], "waivers")
        var file = RegistryFile(path: path, kind: .evidence, rowCount: assessmentNodes.count + waiverNodes.count)
        file.listLimit = limits.maxListedProblems
        /// A text value past the field limit: a problem at its key.
        func bounded(_ item: inout StrictYAML, _ mapping: [String: Node], _ values: [(String, String)]) {
            for (key, value) in values where value.utf8.count > limits.maxFieldBytes {
                item.problem(
                    mapping[key],
                    "\(key) is longer than \(ByteCount.format(Int64(limits.maxFieldBytes))), the limit for one field (--max-field-size)"
                )
            }
        }
        for node in assessmentNodes {
            var item = StrictYAML(file: path)
            let line = node.position.line
            let keys = ["id", "entity", "features", "date", "assessor", "document_sha256"]
            if let f = item.mapping(node, "an assessment", allowed: keys, required: keys),
                let id = item.string(f["id"], "id"), let entity = item.string(f["entity"], "entity"),
                let date = item.string(f["date"], "date"), let assessor = item.string(f["assessor"], "assessor"),
                let hash = item.string(f["document_sha256"], "document_sha256")
            {
                let features = item.strings(f["features"], "features")
                bounded(
                    &item, f,
                    [("id", id), ("entity", entity), ("date", date), ("assessor", assessor), ("document_sha256", hash)]
                        + features.map { ("features", $0) })
                if isoDate(date) == nil { item.problem(f["date"], "date '\(shown(date))' is not YYYY-MM-DD") }
                if hash.count != 64 || !hash.allSatisfy(\.isHexDigit) {
                    item.problem(f["document_sha256"], "document_sha256 is not 64 hexadecimal digits")
                }
                if item.problems.isEmpty {
                    file.assessments.append(
                        SecurityAssessment(
                            id: id, entity: entity, features: features, date: isoDate(date) ?? date, assessor: assessor,
                            documentSHA256: hash.lowercased(), source: "\(path):\(line)"))
                    continue
                }
            }
            for problem in item.problems { file.reject(problem.line, problem.message) }
        }
        for node in waiverNodes {
            var item = StrictYAML(file: path)
            let line = node.position.line
            let keys = ["app", "rule", "reason", "expires", "granted_by"]
            if let f = item.mapping(node, "a waiver", allowed: keys, required: keys),
                let app = item.string(f["app"], "app"), let rule = item.string(f["rule"], "rule"),
                let reason = item.string(f["reason"], "reason"), let expires = item.string(f["expires"], "expires"),
                let by = item.string(f["granted_by"], "granted_by")
            {
                bounded(
                    &item, f,
                    [("app", app), ("rule", rule), ("reason", reason), ("expires", expires), ("granted_by", by)])
                if isoDate(expires) == nil {
                    item.problem(f["expires"], "expires '\(shown(expires))' is not YYYY-MM-DD")
                }
                if item.problems.isEmpty {
                    file.waivers.append(
                        Waiver(
                            app: app, rule: rule, reason: reason, expires: isoDate(expires) ?? expires, grantedBy: by,
                            source: "\(path):\(line)"))
                    continue
                }
            }
            for problem in item.problems { file.reject(problem.line, problem.message) }
        }
        return file
    }
}

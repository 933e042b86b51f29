import Crypto
import Foundation
import GRDB
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardSQLite

/// Evidence files read as a stream: the same rows whatever the chunks, fields, rows and files
/// bounded (a row past a limit rejected with its line, never stored), and an import that stores
/// what the in-memory reading would, in one transaction that a broken file gives up whole.
@Suite("Evidence files, streamed and bounded")
struct RegistryStreamTests {
    static let filingHeader = "序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注\n"

    /// A valid filing number, distinct for each `i` below ten million, with its check digit.
    static func filingNumber(_ i: Int) -> String {
        let body = "110108" + String(String(i).reversed()).padding(toLength: 7, withPad: "0", startingAt: 0) + "0124001"
        let digits = body.compactMap(\.wholeNumberValue)
        let weights = [4, 2, 6, 8]
        let check = (0..<20).reduce(1) { $0 + digits[$1] * weights[$1 % 4] } % 10
        return "网信算备\(body)\(check)号"
    }

    static func filingRow(_ i: Int, name: String = "算法") -> String {
        "\(i),\(name)\(i),服务提供者,公司\(i),产品\(i)（APP）,生成,\(filingNumber(i)),\n"
    }

    static func write(_ text: String, name: String = "list.csv") throws -> URL {
        let url = try TestFiles.directory("registry-stream").appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Feeds `bytes` to a reader `size` bytes at a time; returns every row.
    static func rows(
        _ bytes: [UInt8], chunk size: Int, maxField: Int = 1 << 16, maxRow: Int = 1 << 20
    ) throws -> [CSVReader.Row] {
        var reader = CSVReader(maxFieldBytes: maxField, maxRowBytes: maxRow)
        var rows: [CSVReader.Row] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            try bytes[start..<end].withUnsafeBytes { chunk in try reader.feed(chunk) { rows.append($0) } }
            start = end
        }
        try reader.finish { rows.append($0) }
        return rows
    }

    @Test("the rows are the same whatever size of chunks the bytes come in")
    func chunkBoundaries() throws {
        let text =
            "\u{FEFF}a,b,c\r\n1,\"x,\"\"y\"\"\",z\r\n\n2,\"multi\nline\r\nfield\",\"\"\r3,plain \"quote\",end\n\n,,\n4,\"\"\"\",last"
        let bytes = Array(text.utf8)
        let whole = try Self.rows(bytes, chunk: bytes.count)
        #expect(whole.map(\.line) == [1, 2, 4, 7, 9, 10])
        #expect(
            whole.map(\.fields) == [
                ["a", "b", "c"], ["1", "x,\"y\"", "z"], ["2", "multi\nline\r\nfield", ""],
                ["3", "plain \"quote\"", "end"],
                ["", "", ""], ["4", "\"", "last"],
            ])
        for size in 1...9 {
            let chunked = try Self.rows(bytes, chunk: size)
            #expect(chunked.map(\.line) == whole.map(\.line), "chunks of \(size)")
            #expect(chunked.map(\.fields) == whole.map(\.fields), "chunks of \(size)")
        }
    }

    @Test("a field past the limit rejects its row, by column name; a field at the limit is taken")
    func fieldLimit() throws {
        var limits = RegistryLimits()
        limits.maxFieldBytes = 40  // a filing number is 36 bytes
        let atLimit = String(repeating: "a", count: 39)  // and the row's number after it
        let past = String(repeating: "b", count: 40)
        let text =
            Self.filingHeader + Self.filingRow(1, name: atLimit) + Self.filingRow(2, name: past)
            + "3,\"\(past)\"\"\",服务提供者,公司3,,,\(Self.filingNumber(3)),\n" + Self.filingRow(4)
        let file = try RegistryFile.csv(text, path: "f.csv", limits: limits)
        #expect(file.filings.map(\.entity) == ["公司1", "公司4"])
        #expect(file.rowCount == 4)
        #expect(file.rejected.map(\.line) == [3, 4])
        #expect(file.rejected.allSatisfy { $0.message.hasPrefix("算法名称 is longer than 40 B") })
        #expect(file.rejected.allSatisfy { $0.message.contains("--max-field-size") })
    }

    @Test("a 100 MB field is rejected at its line and never stored; the rows after it are imported")
    func hugeField() throws {
        let folder = try TestFiles.directory("registry-huge")
        let url = folder.appendingPathComponent("huge.csv")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        try handle.write(contentsOf: Data((Self.filingHeader + Self.filingRow(1) + "2,\"").utf8))
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<100 { try handle.write(contentsOf: block) }
        try handle.write(
            contentsOf: Data(("\",服务提供者,公司2,,,\(Self.filingNumber(2)),\n" + Self.filingRow(3)).utf8))
        try handle.close()

        let ledger = try SQLiteLedger(path: folder.appendingPathComponent("shelf.db").path)
        let result = try ledger.importEvidence(contentsOf: url, actor: "t")
        #expect(result.rows == 3 && result.added == 2 && result.rejected == 1)
        #expect(
            result.problems == ["\(url.path):3: 算法名称 is longer than 64 KiB, the limit for one field (--max-field-size)"]
        )
        #expect(try ledger.filing(Self.filingNumber(2)) == nil)
        #expect(try ledger.filing(Self.filingNumber(3))?.entity == "公司3")
        let longest = try DatabaseQueue(path: ledger.path).read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(LENGTH(CAST(record AS BLOB))) FROM registry_filing") ?? 0
        }
        #expect(longest < 1_000)
    }

    @Test("a row past the row limit is rejected, also a line that never ends; reading goes on after it")
    func rowLimit() throws {
        var limits = RegistryLimits()
        limits.maxRowBytes = 4_096
        let manyColumns = Array(repeating: "x", count: 3_000).joined(separator: ",") + "\n"
        let text = Self.filingHeader + manyColumns + Self.filingRow(1)
        let file = try RegistryFile.csv(text, path: "r.csv", limits: limits)
        #expect(file.filings.count == 1)
        #expect(file.rejected.map(\.line) == [2])
        #expect(file.rejected.first?.message.contains("the row is longer than 4 KiB") == true)
        #expect(file.rejected.first?.message.contains("--max-row-size") == true)

        // Two megabytes on one line with no end: too long for the default row limit.
        let endless = Self.filingHeader + Self.filingRow(1) + String(repeating: "y,", count: 1 << 20)
        let last = try RegistryFile.csv(endless, path: "e.csv")
        #expect(last.filings.count == 1)
        #expect(last.rejected.map(\.line) == [3])
        #expect(last.rejected.first?.message.contains("the row is longer than 1 MiB") == true)
    }

    @Test("a file past the file limit is refused whole, before a row is read, and nothing is imported")
    func fileLimit() throws {
        let url = try Self.write(Self.filingHeader + (1...50).map { Self.filingRow($0) }.joined())
        var limits = RegistryLimits()
        limits.maxFileBytes = 1_024
        var handed = 0
        #expect(throws: RegistryFile.FileError.self) {
            _ = try RegistryFile.read(url, limits: limits) { _ in handed += 1 }
        }
        #expect(handed == 0)
        do {
            _ = try RegistryFile.read(url, limits: limits)
        } catch {
            #expect(error.description.contains("larger than 1 KiB, the limit for one evidence file (--max-file-size)"))
        }
        let ledger = try SQLiteLedger(path: url.deletingLastPathComponent().appendingPathComponent("s.db").path)
        #expect(throws: RegistryFile.FileError.self) {
            _ = try ledger.importEvidence(contentsOf: url, limits: limits, actor: "t")
        }
        #expect(try ledger.counts() == RegistryCounts())
        #expect(try ledger.registryImports().isEmpty)
        #expect(try ledger.verifyAudit().entries == 0)
    }

    @Test("bytes that are not UTF-8 halfway through refuse the file; the rows before them are rolled back")
    func notUTF8Halfway() throws {
        var bytes = Array((Self.filingHeader + Self.filingRow(1) + Self.filingRow(2)).utf8)
        // Row 3 names its algorithm 算法 in GBK.
        bytes += [0x33, 0x2C, 0xCB, 0xE3, 0xB7, 0xA8] + Array(",服务提供者,公司3,,,\(Self.filingNumber(3)),\n".utf8)
        bytes += Array(Self.filingRow(4).utf8)
        let url = try TestFiles.directory("registry-gbk").appendingPathComponent("mixed.csv")
        try Data(bytes).write(to: url)
        let ledger = try SQLiteLedger(path: url.deletingLastPathComponent().appendingPathComponent("s.db").path)
        do {
            _ = try ledger.importEvidence(contentsOf: url, actor: "t")
            Issue.record("a file with GBK bytes was imported")
        } catch let error as RegistryFile.FileError {
            #expect(error.description.contains("mixed.csv:4: not UTF-8 text"))
            #expect(error.description.contains("iconv -f GBK -t UTF-8"))
        }
        #expect(try ledger.counts().filings == 0)
        #expect(try ledger.verifyAudit().entries == 0)
        // A whole list in GBK is refused at its header, as before.
        let gbkHeader = try TestFiles.directory("registry-gbk").appendingPathComponent("gbk.csv")
        try Data([0xD0, 0xF2, 0xBA, 0xC5, 0x2C, 0x41, 0x0A]).write(to: gbkHeader)
        #expect(throws: RegistryFile.FileError.self) { try RegistryFile.read(gbkHeader) }
    }

    @Test("a quote opened on the last line rejects that row only; the complete row before it is kept")
    func quoteOpenAtEnd() throws {
        let file = try RegistryFile.csv(Self.filingHeader + Self.filingRow(1) + "\"", path: "q.csv")
        #expect(file.filings.count == 1)
        #expect(file.rowCount == 2)
        #expect(file.rejected.map(\.line) == [3])
        #expect(file.rejected.first?.message == "a quoted field opened on line 3 is never closed")
    }

    @Test("thousands of bad rows: every one counted, the first thousand listed, values quoted short")
    func listedProblems() throws {
        let long = String(repeating: "号", count: 5_000)
        let rows = (1...1_500).map { "\($0),a,服务提供者,公司,,,网信算备\(long),\n" }.joined()
        let url = try Self.write(Self.filingHeader + rows + Self.filingRow(9))
        let file = try RegistryFile.read(url)
        #expect(file.rejectedCount == 1_500)
        #expect(file.rejected.count == 1_000)
        #expect(file.rejected.allSatisfy { $0.message.utf8.count < 400 })
        let ledger = try SQLiteLedger(path: url.deletingLastPathComponent().appendingPathComponent("s.db").path)
        let result = try ledger.importEvidence(contentsOf: url, actor: "t")
        #expect(result.rejected == 1_500 && result.problems.count == 1_000 && result.added == 1)
        #expect(try ledger.registryImports().first?.rejected == 1_500)
    }

    @Test("streamed into the ledger, every file stores what the in-memory reading stores, and again is unchanged")
    func streamedEqualsInMemory() throws {
        let samples = TestFiles.packageRoot.appendingPathComponent("samples/registry")
        var paths = try RegistryFile.expand([samples.path])
        if PublishedLists.isPresent { paths += try RegistryFile.expand([PublishedLists.directory.path]) }
        let folder = try TestFiles.directory("registry-same")
        let streamed = try SQLiteLedger(path: folder.appendingPathComponent("a.db").path)
        let inMemory = try SQLiteLedger(path: folder.appendingPathComponent("b.db").path)
        for path in paths {
            let url = URL(fileURLWithPath: path)
            let file = try RegistryFile.read(url)
            let bytes = try Data(contentsOf: url)
            let a = try streamed.importEvidence(contentsOf: url, actor: "t")
            let b = try inMemory.importEvidence(file, fileSHA256: SHA256.hash(data: bytes).hexString, actor: "t")
            #expect(a.sha256 == b.sha256 && a.sha256 == file.sha256, "\(path)")
            let countsA: [Int] = [a.rows, a.added, a.updated, a.unchanged, a.rejected, a.notes]
            let countsB: [Int] = [b.rows, b.added, b.updated, b.unchanged, b.rejected, b.notes]
            #expect(countsA == countsB, "\(path)")
            #expect(a.problems == b.problems)
            let again = try streamed.importEvidence(contentsOf: url, actor: "t")
            #expect(again.added == 0 && again.updated == 0 && again.unchanged == a.added + a.updated + a.unchanged)
        }
        let tables = [
            "registry_filing", "registry_cancellation", "registry_genai", "registry_assessment", "registry_waiver",
        ]
        func rows(_ path: String) throws -> [[String]] {
            try DatabaseQueue(path: path).read { db in
                try tables.flatMap { table in
                    try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2").map { row in
                        row.columnNames.filter { $0 != "updated_at" }.map { "\(row[$0] as DatabaseValue)" }
                    }
                }
            }
        }
        let storedA = try rows(streamed.path)
        #expect(!storedA.isEmpty)
        #expect(storedA == (try rows(inMemory.path)))
    }

    @Test("a number twice in one file: the later row updates the first inside the same import")
    func repeatedNumber() throws {
        let text =
            Self.filingHeader + Self.filingRow(1, name: "旧") + Self.filingRow(1, name: "新")
            + Self.filingRow(1, name: "新")
        let url = try Self.write(text)
        let ledger = try SQLiteLedger(path: url.deletingLastPathComponent().appendingPathComponent("s.db").path)
        let result = try ledger.importEvidence(contentsOf: url, actor: "t")
        let changes: [Int] = [result.added, result.updated, result.unchanged]
        #expect(changes == [1, 1, 1])
        #expect(try ledger.filing(Self.filingNumber(1))?.algorithmName == "新1")
        #expect(try ledger.verifyAudit().entries == 1)
    }

    @Test(
        "the one encoder both stores keep records with writes the JSON and hash JSONEncoder would, for plain and hostile texts"
    )
    func canonicalJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func canonical<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init) + ["\u{7F}"]))
        let sources = [
            "lists/a.csv:12", "路径/名单 \"引号\".csv:7", "back\\slash/tab\t.csv:3", "ctl\u{1}\u{1F}\u{7F}.csv:99",
            "no-line", "x.csv:12a", "x.csv:", "emoji 🧾 ::1", "",
        ]
        let texts = ["名称", "a/b </script>", "", "名\"称\n", "back\\slash", controls, "é\u{301} 🧾 \u{2028}"]
        var records: [RegistryRecord] = []
        for (i, source) in (sources + sources).enumerated() {
            let text = texts[i % texts.count]
            let other = texts[(i + 3) % texts.count]
            records.append(
                .filing(
                    AlgorithmFilingRecord(
                        number: Self.filingNumber(i), algorithmName: text,
                        role: i % 2 == 0 ? .serviceProvider : .other(other),
                        entity: other,
                        products: i % 3 == 0
                            ? [] : [.init(name: text, channel: "APP"), .init(name: other, channel: "")],
                        purpose: text, note: other, source: source)))
            records.append(
                .cancellation(
                    FilingCancellation(
                        number: Self.filingNumber(i), cancelledOnText: text, cancelledOn: i % 2 == 0 ? nil : "2025-07",
                        noticeDate: "2025-07-01", noticeTitle: other, algorithmName: text, role: .technicalSupporter,
                        entity: other, products: text, noticeID: other, source: source)))
            records.append(
                .genai(
                    GenAIRecord(
                        number: "Beijing-X-2024042800\(i % 10)1", kind: i % 2 == 0 ? .filing : .registration,
                        region: text,
                        name: other, entity: text, date: "2024-04-28", source: source)))
            records.append(
                .assessment(
                    SecurityAssessment(
                        id: "SA-\(i)", entity: text, features: i % 2 == 0 ? [] : ["face_swap", other],
                        date: "2026-01-05",
                        assessor: other, documentSHA256: String(repeating: "a", count: 64), source: source)))
            records.append(
                .waiver(
                    Waiver(
                        app: "com.x", rule: text, reason: other, expires: "2027-01-01", grantedBy: text, source: source)
                ))
        }
        var writer = RegistryRecordEncoder()
        func check<T: Encodable>(_ value: T, _ keyPath: WritableKeyPath<T, String>, _ record: RegistryRecord) throws {
            let (json, hash) = try writer.encoded(record)
            #expect(json == (try canonical(value)))
            var blank = value
            blank[keyPath: keyPath] = ""
            #expect(hash == SHA256.hash(data: Data(try canonical(blank).utf8)).hexString, "\(json)")
        }
        for record in records {
            switch record {
            case .filing(let r): try check(r, \.source, record)
            case .cancellation(let r): try check(r, \.source, record)
            case .genai(let r): try check(r, \.source, record)
            case .assessment(let r): try check(r, \.source, record)
            case .waiver(let r): try check(r, \.source, record)
            }
        }
    }

    @Test("应用产品 is cut the same by scalars as by characters, combining marks and joiners included")
    func productsByScalars() {
        let texts = [
            "FaceFun（APP）、FaceFun（小程序）", " 甲（APP）、乙(网站)、丙 等", "--", "-", "", "、、", "（APP）", "名称（",
            "a（b）c", "e\u{301}（APP）、\u{301}乙", "甲、\u{301}乙", "甲（APP\u{301}）", "甲\u{200D}、乙", "甲等\u{301}",
            "文心一言（APP）、文心一言（网站）等", "\u{3000}丁（小程序）\u{3000}", "👩‍💻（APP）、🇨🇳", "Ａ（ＡＰＰ）",
        ]
        for text in texts {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            #expect(RegistryFile.products(text) == RegistryFile.productsByCharacter(trimmed), "\(text)")
        }
        #expect(RegistryFile.products("甲（APP）、乙(网站)等").map(\.channel) == ["APP", "网站"])
    }

    @Test("YAML evidence: a text value past the field limit rejects its item at its line")
    func yamlFieldLimit() throws {
        var limits = RegistryLimits()
        limits.maxFieldBytes = 32
        let text = """
            evidence: shelfguard/evidence/v1
            waivers:
              - app: com.example.a
                rule: r
                reason: short
                expires: 2027-01-01
                granted_by: reviewer
              - app: com.example.b
                rule: r
                reason: \(String(repeating: "很长", count: 20))
                expires: 2027-01-01
                granted_by: reviewer

            """
        let file = try RegistryFile.evidence(text, path: "e.yaml", limits: limits)
        #expect(file.waivers.map(\.app) == ["com.example.a"])
        #expect(file.rejected.map(\.line) == [10])
        #expect(file.rejected.first?.message.contains("reason is longer than 32 B") == true)
    }

    @Test("a device is refused; a pipe is read to its end, one nobody writes to as empty")
    func specialFiles() throws {
        #expect(throws: RegistryFile.FileError.self) { try RegistryFile.read(URL(fileURLWithPath: "/dev/zero")) }
        // As `registry import <(iconv -f GBK -t UTF-8 list.csv)` hands it over.
        let pipe = Pipe()
        try pipe.fileHandleForWriting.write(contentsOf: Data((Self.filingHeader + Self.filingRow(1)).utf8))
        try pipe.fileHandleForWriting.close()
        let piped = try RegistryFile.read(URL(fileURLWithPath: "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)"))
        #expect(piped.filings.count == 1)
        let fifo = try TestFiles.directory("registry-special").appendingPathComponent("list.csv")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        // Nobody writes to it: read as empty at once instead of waiting, and refused as no list.
        #expect(throws: RegistryFile.FileError.self) { try RegistryFile.read(fifo) }
    }
}

import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// What commands write, through the built binary: a report or a standard output that could not
/// be written exits 1 and says why (never 0 with a cut file), and text from bundles,
/// declarations, complaints, registry rows and the audit log never reaches a terminal raw.
///
/// CI runs as root, where permissions do not stop a write: failures are made with /dev/full, a
/// folder that does not exist and a file where a folder should be, which fail for root too.
@Suite("outputs: written whole or not at all, nothing from strangers raw", .serialized)
struct OutputSafetyTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    static let calculator = samples.appendingPathComponent("calculator.apk").path
    static let day = "2026-11-24"

    static func names(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    // MARK: - Outputs that cannot be written

    @Test("-o to /dev/full or into a missing folder exits 1, naming the path and the reason; the rest is written")
    func unwritableReport() throws {
        let folder = try TestFiles.directory("unwritable-report").path
        let markdown = folder + "/check.md"
        let cases = [
            ("/dev/full", "No space left on device"), (folder + "/missing/check.sarif", "No such file or directory"),
            (markdown + "/check.sarif", "Not a directory"),
        ]
        for (target, reason) in cases {
            try? FileManager.default.removeItem(atPath: markdown)
            let run = try ShelfGuardBinary.run([
                "check", "--as-of", Self.day, "-o", "markdown=\(markdown)", "-o", "sarif=\(target)", Self.calculator,
            ])
            #expect(run.status == 1, "\(target): \(run.stderr)")
            #expect(
                run.stderr.contains("cannot write the sarif report to \(target): \(reason)"), "\(run.stderr)")
            #expect(run.stdout.contains("APPROVE"), "the verdict is still shown")
            #expect(FileManager.default.fileExists(atPath: markdown), "the report that could be written is")
        }
        #expect(try Self.names(folder) == ["check.md"], "no temporary file is left behind")
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "/dev/full is still a device")
    }

    @Test("reports written: exactly the files asked for, complete, and no temporary file beside them")
    func writtenReports() throws {
        let folder = try TestFiles.directory("written-reports").path
        let formats = ["text", "json", "sarif", "junit", "github", "markdown"]
        let run = try ShelfGuardBinary.run(
            ["check", "--as-of", Self.day, Self.calculator] + formats.flatMap { ["-o", "\($0)=\(folder)/check.\($0)"] })
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Self.names(folder) == formats.map { "check.\($0)" }.sorted())
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/check.json")))
        #expect((json as? [String: Any])?["verdict"] as? String == "approve")

        // Written again over the first: replaced whole.
        let again = try ShelfGuardBinary.run([
            "check", "--as-of", Self.day, Self.calculator, "-o", "json=\(folder)/check.json",
        ])
        #expect(again.status == 0)
        #expect(try Self.names(folder) == formats.map { "check.\($0)" }.sorted())
    }

    @Test("review and daily: a report folder that cannot be made, or a report file that cannot be written, exits 1")
    func unwritableReportFolders() throws {
        let (folder, db) = try ReviewCommandTests.shelf("unwritable-folders")
        let file = folder.appendingPathComponent("plain-file").path
        try OutputFile.write("not a folder", to: file)
        let review = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", Self.day, "--report-dir", file + "/batch", Self.calculator,
        ])
        #expect(review.status == 1, "\(review.stdout)")
        #expect(review.stderr.contains("cannot write the batch report to \(file)/batch"), "\(review.stderr)")

        // The folder exists but the page cannot be written: a folder stands where report.html goes.
        let reports = folder.appendingPathComponent("reports").path
        try FileManager.default.createDirectory(
            atPath: reports + "/report.html/blocked", withIntermediateDirectories: true)
        let blocked = try ShelfGuardBinary.run([
            "review", "--db", db, "--as-of", Self.day, "--report-dir", reports, Self.calculator,
        ])
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("cannot write \(reports)/report.html"), "\(blocked.stderr)")

        let daily = try ShelfGuardBinary.run([
            "daily", "--db", db, "--as-of", Self.day, "--report-dir", file + "/daily",
        ])
        #expect(daily.status == 1, "\(daily.stdout)")
        #expect(daily.stderr.contains("cannot write the daily report to \(file)/daily"), "\(daily.stderr)")

        let written = folder.appendingPathComponent("daily").path
        let good = try ShelfGuardBinary.run(["daily", "--db", db, "--as-of", Self.day, "--report-dir", written])
        #expect(good.status != 1, "\(good.stderr)")
        #expect(try Self.names(written) == ["daily.html", "daily.json"])
    }

    @Test("audit checkpoint: a checkpoint that cannot be written exits 1; one written leaves nothing else")
    func unwritableCheckpoint() throws {
        let (folder, db) = try ReviewCommandTests.shelf("unwritable-checkpoint")
        let checkpoints = folder.appendingPathComponent("checkpoints").path
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        for (target, reason) in [
            ("/dev/full", "No space left on device"), (checkpoints + "/missing/head.json", "No such file or directory"),
        ] {
            let run = try ShelfGuardBinary.run(["audit", "checkpoint", "--db", db, "-o", target])
            #expect(run.status == 1, "\(target)")
            #expect(run.stderr.contains("cannot write the checkpoint to \(target): \(reason)"), "\(run.stderr)")
        }
        let written = try ShelfGuardBinary.run(["audit", "checkpoint", "--db", db, "-o", checkpoints + "/head.json"])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(try Self.names(checkpoints) == ["head.json"])
        let verify = try ShelfGuardBinary.run(["audit", "verify", "--db", db, "--against", checkpoints + "/head.json"])
        #expect(verify.status == 0, "\(verify.stdout)")
        let full = try ShelfGuardBinary.run(["audit", "checkpoint", "--db", db], standardOutput: "/dev/full")
        #expect(full.status == 1 && full.stderr.contains("cannot write to standard output"))
    }

    @Test("standard output that cannot be written exits 1 and says why, whatever the command decided")
    func fullStandardOutput() throws {
        let weather = Self.samples.appendingPathComponent("weather.rpk").path
        let facefun = Self.samples.appendingPathComponent("facefun.apk").path
        let commands: [[String]] = [
            ["check", "--as-of", Self.day, Self.calculator],
            ["check", "--as-of", Self.day, "--format", "sarif", weather],
            ["inspect", "--entries", facefun],
            ["inspect", "--format", "json", facefun],
            ["policy", "checks"],
            ["--help"],
        ]
        for arguments in commands {
            let normal = try ShelfGuardBinary.run(arguments)
            #expect(normal.status != 1 && !normal.stdout.isEmpty, "\(arguments): \(normal.stderr)")
            let full = try ShelfGuardBinary.run(arguments, standardOutput: "/dev/full")
            #expect(full.status == 1, "\(arguments) exits 1, not \(full.status)")
            #expect(
                full.stderr.contains("shelfguard: cannot write to standard output: No space left on device"),
                "\(arguments): \(full.stderr)")
        }
        // Standard output to /dev/null is written, and nothing fails.
        #expect(try ShelfGuardBinary.run(commands[0], standardOutput: "/dev/null").status == 0)
    }

    // MARK: - Text from strangers

    /// Every line of the hostile text, as a YAML double-quoted scalar (YAML's own escapes).
    static let yamlHostile = #""A\e[31mx\e]0;title\ax\rx\bx\x9b2Jx\x7fx\u202Ex\u2066Z\n\tforged""#

    /// A quick app whose name, version and an entry name carry escape sequences, with a
    /// declaration whose every free-text field does, in a folder of its own.
    static func hostileBundle() throws -> (folder: String, bundle: String) {
        let folder = try TestFiles.directory("hostile-text").path
        let manifest: [String: Any] = [
            "package": "com.example.hostile", "name": HostileText.line, "versionName": HostileText.line,
            "versionCode": 3, "minPlatformVersion": 1070, "features": [["name": "system.fetch"]],
        ]
        let zip = ZipBuilder()
        zip.addFile("manifest.json", Array(try JSONSerialization.data(withJSONObject: manifest)))
        zip.addFile("app.js", Array("const API = 'https://api.deepseek.com/chat/completions';\n".utf8))
        zip.addFile(
            "pages/\u{1B}[2J\u{202E}\u{9B}x.js",
            Array("const API = 'https://api.deepseek.com/chat/completions';\n".utf8))
        zip.finish()
        let bundle = folder + "/hostile.rpk"
        try Data(zip.bytes).write(to: URL(fileURLWithPath: bundle))
        let y = yamlHostile
        let declaration = """
            schema: shelfguard/declaration/v1
            app:
              id: com.example.hostile
              name: \(y)
            developer:
              name: \(y)
              uscc: \(y)
              icp_filing: \(y)
            ai_generation: true
            features:
              - category: text_generation
                role: service_provider
                suppliers:
                  - name: \(y)
                    algorithm_filing: \(y)
                labeling:
                  explicit: [\(y)]
                  implicit: [aigc_metadata]
                  materials: [\(y)]

            """
        try OutputFile.write(declaration, to: bundle + ".declaration.yaml")
        return (folder, bundle)
    }

    /// Neither standard output nor standard error holds a control character raw (line feeds and
    /// tabs of the layout aside).
    static func expectSafe(
        _ run: ShelfGuardBinary.Result, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let out = HostileText.unsafe(in: run.stdout)
        let err = HostileText.unsafe(in: run.stderr)
        #expect(out.isEmpty, "\(what): standard output holds \(Set(out).sorted())", sourceLocation: sourceLocation)
        #expect(err.isEmpty, "\(what): standard error holds \(Set(err).sorted())", sourceLocation: sourceLocation)
    }

    /// The file holds no control character raw.
    static func expectSafe(file path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // CSV ends its rows with CR LF, as RFC 4180 says.
        let found = HostileText.unsafe(in: text.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(found.isEmpty, "\(path) holds \(Set(found).sorted())", sourceLocation: sourceLocation)
    }

    @Test("check in every format, inspect and labels: names, manifests and declarations escaped")
    func checkFormats() throws {
        let (folder, bundle) = try Self.hostileBundle()
        for format in ReportFormat.allCases {
            let run = try ShelfGuardBinary.run([
                "check", "--as-of", Self.day, "--format", format.rawValue, "-o", "\(format.rawValue)=\(folder)/out",
                bundle,
            ])
            #expect(run.status == 2, "\(format): \(run.stderr)")
            Self.expectSafe(run, "check --format \(format)")
            try Self.expectSafe(file: folder + "/out")
            // The text is there, shown, not dropped.
            let shown = ["\\u{1B}[31m", "\\u001b[31m", "\u{FFFD}[31m"].contains { run.stdout.contains($0) }
            #expect(shown, "\(format) shows the escaped name")
            if format == .github {
                // Each line one command: a message cannot start one of its own.
                for line in run.stdout.split(separator: "\n") { #expect(line.hasPrefix("::"), "\(line)") }
                #expect(run.stdout.contains("%0A\\tforged"), "a line feed in a message is GitHub's %0A")
            }
            if format == .json || format == .sarif {
                #expect((try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) != nil, "still JSON")
            }
        }
        for arguments in [["inspect", "--entries", bundle], ["inspect", "--format", "json", "--entries", bundle]] {
            let run = try ShelfGuardBinary.run(arguments)
            Self.expectSafe(run, arguments.joined(separator: " "))
            #expect(run.stdout.contains("pages/"))
        }
        // A path that is itself hostile, for a file that is no bundle and no sample output.
        let strange = folder + "/\u{1B}]0;pwned\u{07}\u{202E}gnp.png"
        try OutputFile.write("not a picture", to: strange)
        for command in ["inspect", "check", "labels"] {
            for format in ["text", "json"] {
                let run = try ShelfGuardBinary.run([command, "--format", format, strange])
                Self.expectSafe(run, "\(command) --format \(format) on a hostile path")
            }
        }
    }

    @Test("review, shelf, measures, feed, daily, complaints, registry and audit: every text command")
    func shelfCommands() throws {
        let (folder, bundle) = try Self.hostileBundle()
        let db = folder + "/shelf.db"
        let reports = folder + "/batch"
        let hostile = HostileText.argument
        var runs: [(String, ShelfGuardBinary.Result)] = []
        func run(_ arguments: [String], expecting statuses: Set<Int32> = [0, 2, 3]) throws {
            let result = try ShelfGuardBinary.run(arguments)
            #expect(statuses.contains(result.status), "\(arguments.prefix(2)): \(result.status) \(result.stderr)")
            runs.append((arguments.prefix(3).joined(separator: " "), result))
        }
        // Evidence whose published fields are hostile.
        let filing = ReviewScenario.filing("44030590000010125077")
        let csv = folder + "/filings.csv"
        try OutputFile.write(
            "序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注\n"
                + "1,\"\(hostile)\",服务提供者,\"\(hostile)\",\"\(hostile.prefix(20))（APP）\",\"\(hostile)\",\(filing),\"\(hostile)\"\n",
            to: csv)
        try run(["registry", "import", "--db", db, "--operator", hostile, csv])
        try run(["registry", "import", "--db", db, Self.samples.appendingPathComponent("registry").path])
        for format in ["text", "json"] {
            try run(["registry", "lookup", "--db", db, "--format", format, filing, hostile])
            try run(["registry", "stats", "--db", db, "--format", format])
        }
        try run([
            "registry", "waive", "--db", db, "--app", hostile, "--rule", "declaration_missing", "--reason", hostile,
            "--expires", "2027-01-31", "--operator", hostile,
        ])

        // A batch with the hostile bundle and a sample that goes on the shelf.
        try FileManager.default.copyItem(atPath: Self.calculator, toPath: folder + "/calculator.apk")
        try FileManager.default.copyItem(
            atPath: Self.calculator + ".declaration.yaml", toPath: folder + "/calculator.apk.declaration.yaml")
        for format in ["text", "json"] {
            try run([
                "review", "--db", db, "--as-of", Self.day, "--report-dir", reports, "--no-progress", "--operator",
                hostile, "--format", format, bundle, folder + "/calculator.apk",
            ])
        }
        for name in ["report.html", "report.json", "report.csv"] { try Self.expectSafe(file: reports + "/" + name) }
        let page = try String(contentsOfFile: reports + "/report.html", encoding: .utf8)
        #expect(page.contains("\\u{1B}[31m"))

        for format in ["text", "json"] {
            try run(["shelf", "list", "--db", db, "--format", format])
            try run(["shelf", "show", "--db", db, "--format", format, "com.example.hostile"])
        }
        try run(["shelf", "show", "--db", db, hostile], expecting: [1])
        try run([
            "complaint", "add", "--db", db, "--app", "com.example.calculator", "--text", hostile, "--contact", hostile,
            "--as-of", Self.day, "--operator", hostile,
        ])
        try run(["complaint", "add", "--db", db, "--app", hostile, "--text", hostile, "--as-of", Self.day])
        for format in ["text", "json"] {
            try run(["complaint", "list", "--db", db, "--format", format])
            try run(["complaint", "tasks", "--db", db, "--all", "--format", format])
        }
        try run(["complaint", "resolve", "--db", db, "2", "--resolution", hostile, "--operator", hostile])
        for dryRun in [["--dry-run"], []] {
            try run(
                [
                    "warn", "--db", db, "--app", "com.example.calculator", "--reason", hostile, "--order", hostile,
                    "--operator", hostile,
                ] + dryRun)
        }
        try run([
            "takedown", "--db", db, "--app", hostile, "--reason", hostile, "--order", hostile, "--operator", hostile,
        ])
        try run([
            "daily", "--db", db, "--as-of", "2026-12-20", "--report-dir", folder + "/daily", "--operator", hostile,
        ])
        for name in ["daily.html", "daily.json"] { try Self.expectSafe(file: folder + "/daily/" + name) }
        for format in ["text", "json"] {
            try run(["feed", "--db", db, "--format", format])
            try run(["audit", "log", "--db", db, "--limit", "1000", "--format", format])
            try run(["audit", "verify", "--db", db, "--format", format])
        }
        for (what, result) in runs { Self.expectSafe(result, what) }
        // The hostile text did reach those commands: escaped, not dropped.
        let log = try #require(runs.last { $0.0 == "audit log --db" && !$0.1.stdout.hasPrefix("[") })
        #expect(
            log.1.stdout.contains("\\u{1B}[31m") && log.1.stdout.contains("\\u{202E}"), "\(log.1.stdout.prefix(500))")
        let lookup = try #require(runs.first { $0.0 == "registry lookup --db" })
        #expect(lookup.1.stdout.contains("\\u{9B}2J"), "\(lookup.1.stdout)")
        // One audit entry, one line, however many line feeds its reason had.
        let entries = log.1.stdout.split(separator: "\n")
        #expect(entries.allSatisfy { $0.first?.isNumber == true }, "\(entries.filter { $0.first?.isNumber != true })")
    }
}

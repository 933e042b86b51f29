import BundleFactory
import Crypto
import Foundation
import Testing

@testable import ShelfGuardKit

/// `check` reads the implicit labels of the sample outputs a declaration lists (LM Art. 5, 7;
/// GB 45438): beside the declaration or inside the bundle, on generated bundles and files.
@Suite("check verifies the labels inside labeling materials")
struct MaterialLabelCheckTests {
    /// The developer of `LabelFields.valid` (its provider code holds this USCC).
    static let developerUSCC = "91440300708461136T"
    static let supplier = "北京测试模型科技有限公司"
    static let labelRules: Set<String> = [
        "implicit_label_absent", "implicit_label_malformed", "implicit_label_other_producer",
        "implicit_label_unverified",
    ]

    static func declaration(materials: [String], implicit: Bool = true) -> String {
        """
        schema: shelfguard/declaration/v1
        app:
          id: com.example.labels
          name: Labels
        developer:
          name: 深圳市测试标识科技有限公司
          uscc: \(developerUSCC)
          icp_filing: 粤ICP备2025012345号-3A
        ai_generation: true
        features:
          - category: image_generation
            role: service_provider
            algorithm_filing: 网信算备440305900000101250017号
            suppliers:
              - name: \(supplier)
                algorithm_filing: 网信算备110108900000201240035号
            labeling:
              explicit: [corner_text_label]
              implicit: \(implicit ? "[aigc_metadata]" : "[]")
              materials: [\(materials.joined(separator: ", "))]

        """
    }

    /// A PNG carrying `fields` in its XMP; none: no label at all.
    static func png(_ fields: LabelFields?) -> [UInt8] {
        var png = PNGBuilder()
        if let fields { png.iTXt(keyword: "XML:com.adobe.xmp", XMPBuilder(label: fields.json).text) }
        return png.bytes
    }

    /// Checks a bundle holding `entries` with `files` beside it and, unless `embedded`, the
    /// declaration beside it too (embedded: as `META-INF/deep-synthesis.yaml` inside).
    static func check(
        entries: [(String, [UInt8])] = [], beside files: [String: [UInt8]] = [:], materials: [String],
        implicit: Bool = true, embedded: Bool = false, limits: MaterialLimits = .standard
    ) throws -> CheckResult {
        let folder = try TestFiles.directory("material-labels")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = declaration(materials: materials, implicit: implicit)
        var inside = [("AndroidManifest.xml", Array("not a manifest".utf8))] + entries
        if embedded { inside.append(("META-INF/deep-synthesis.yaml", Array(text.utf8))) }
        let bundle = folder.appendingPathComponent("labels.apk")
        try Data(ZipBuilder.archive(inside)).write(to: bundle)
        if !embedded {
            try text.write(
                to: folder.appendingPathComponent("labels.apk.declaration.yaml"), atomically: true, encoding: .utf8)
        }
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return try checker(limits).check(path: bundle.path)
    }

    static func checker(_ limits: MaterialLimits = .standard) -> ShelfCheck {
        var check = ShelfCheck(
            inspector: Inspector(), policy: DefaultPolicy.policy, taxonomy: SeedDatabase.database.taxonomy,
            registry: InMemoryRegistry(), asOf: "2026-11-24")
        check.materialLimits = limits
        return check
    }

    static func labelFindings(_ result: CheckResult) -> [Finding] {
        result.findings.filter { labelRules.contains($0.rule) }
    }

    @Test("a sample output without a label is refused, naming the material")
    func missing() throws {
        let result = try Self.check(beside: ["labeling/out.png": Self.png(nil)], materials: ["labeling/out.png"])
        let findings = Self.labelFindings(result)
        #expect(findings.map(\.rule) == ["implicit_label_absent"])
        let finding = try #require(findings.first)
        #expect(finding.message.contains("labeling/out.png") && finding.message.contains("no implicit label"))
        #expect(finding.severity == .refuse)
        #expect(finding.basis.contains("LM Art. 5") && finding.basis.contains("LM Art. 7"))
        #expect(finding.basis.contains("GB 45438"))
        #expect(finding.remedy.contains("shelfguard labels"))
        #expect(result.verdict == .refuse)
    }

    @Test("every report format shows a label finding like the others", arguments: ReportFormat.allCases)
    func reports(format: ReportFormat) throws {
        let result = try Self.check(beside: ["labeling/out.png": Self.png(nil)], materials: ["labeling/out.png"])
        let text = try format.render([CheckOutput(path: "labels.apk", result: result)], policy: DefaultPolicy.policy)
        #expect(text.contains("implicit_label_absent"))
        #expect(text.contains("labeling/out.png"))
    }

    @Test("a valid label naming the developer raises nothing, and what was read is kept")
    func valid() throws {
        let result = try Self.check(
            beside: ["labeling/out.png": Self.png(.valid)], materials: ["labeling/out.png"])
        #expect(Self.labelFindings(result).isEmpty, "\(Self.labelFindings(result).map(\.message))")
        let read = try #require(result.declarationSnapshot.labels?["labeling/out.png"])
        #expect(read.source == "beside")
        #expect(read.report?.labels.first?.producerUSCC == Self.developerUSCC)
    }

    @Test(
        "a material inside the bundle and beside the declaration too: the bundle's copy is judged, and a finding names the one not read"
    )
    func givenTwice() throws {
        // The bundle's copy has no label; the copy beside (what the sender may believe was read)
        // has a valid one. The verdict follows the bundle: it is what users receive.
        let beside = Self.png(.valid)
        let result = try Self.check(
            entries: [("labeling/out.png", Self.png(nil))], beside: ["labeling/out.png": beside],
            materials: ["labeling/out.png"])
        #expect(Self.labelFindings(result).map(\.rule) == ["implicit_label_absent"])
        #expect(result.declarationSnapshot.labels?["labeling/out.png"]?.source == "bundle")
        let unread = result.findings.filter { $0.rule == "labeling_material_beside_unread" }
        #expect(unread.count == 1)
        let finding = try #require(unread.first)
        #expect(finding.severity == .info)
        #expect(
            finding.message.contains("labeling/out.png")
                && finding.message.contains(SHA256.hash(data: Data(beside)).hexString))
        #expect(
            result.declarationSnapshot.unreadBeside == [
                "labeling/out.png": "sha256:\(SHA256.hash(data: Data(beside)).hexString)"
            ])
        // Kept with the snapshot: judged again without the files, the finding stays.
        let stored = try JSONDecoder().decode(
            DeclarationSnapshot.self, from: try JSONEncoder().encode(result.declarationSnapshot))
        let again = try Self.checker().judge(result.inspection, declaration: stored)
        #expect(again.findings.contains { $0.rule == "labeling_material_beside_unread" })

        // Only in the bundle, or only beside: no such finding, and nothing recorded.
        for result in [
            try Self.check(entries: [("labeling/out.png", Self.png(.valid))], materials: ["labeling/out.png"]),
            try Self.check(beside: ["labeling/out.png": Self.png(.valid)], materials: ["labeling/out.png"]),
        ] {
            #expect(!result.findings.contains { $0.rule == "labeling_material_beside_unread" })
            #expect(result.declarationSnapshot.unreadBeside == nil)
        }
    }

    @Test("the labels read are kept with the snapshot: judged again without the files; older snapshots say nothing")
    func snapshot() throws {
        // The folder with the bundle and the material is gone once `check` returns.
        let result = try Self.check(beside: ["labeling/out.png": Self.png(nil)], materials: ["labeling/out.png"])
        let stored = try JSONEncoder().encode(result.declarationSnapshot)
        let snapshot = try JSONDecoder().decode(DeclarationSnapshot.self, from: stored)
        #expect(snapshot == result.declarationSnapshot)
        let again = try Self.checker().judge(result.inspection, declaration: snapshot)
        #expect(Self.labelFindings(again).map(\.rule) == ["implicit_label_absent"])
        var older = snapshot
        older.labels = nil
        let olderJSON = String(decoding: try JSONEncoder().encode(older), as: UTF8.self)
        #expect(!olderJSON.contains("\"labels\""))
        let decoded = try JSONDecoder().decode(DeclarationSnapshot.self, from: Data(olderJSON.utf8))
        #expect(decoded.labels == nil)
        #expect(Self.labelFindings(try Self.checker().judge(result.inspection, declaration: decoded)).isEmpty)
    }

    @Test("another company's label is a finding with the USCC found")
    func otherProducer() throws {
        let result = try Self.check(
            beside: ["labeling/out.png": Self.png(.otherProducer)], materials: ["labeling/out.png"])
        let findings = Self.labelFindings(result)
        #expect(findings.map(\.rule) == ["implicit_label_other_producer"])
        #expect(findings.first?.message.contains("91110108MA01KP2T5U") == true)
        #expect(findings.first?.message.contains("labeling/out.png") == true)
        #expect(findings.first?.severity == .manualReview)
    }

    @Test("a declared supplier named as producer is accepted; an undeclared one is not")
    func supplier() throws {
        let bySupplier = LabelFields.valid.with("ContentProducer", Self.supplier)
        let accepted = try Self.check(
            beside: ["labeling/out.png": Self.png(bySupplier)], materials: ["labeling/out.png"])
        #expect(Self.labelFindings(accepted).isEmpty, "\(Self.labelFindings(accepted).map(\.message))")
        let stranger = LabelFields.valid.with("ContentProducer", "上海别家科技有限公司")
        let refused = try Self.check(
            beside: ["labeling/out.png": Self.png(stranger)], materials: ["labeling/out.png"])
        #expect(Self.labelFindings(refused).map(\.rule) == ["implicit_label_other_producer"])
        #expect(Self.labelFindings(refused).first?.message.contains("上海别家科技有限公司") == true)
    }

    @Test("a malformed label is a finding with the validator's problems")
    func malformed() throws {
        let broken = LabelFields.valid.with("Label", "4").without("ProduceID")
        let result = try Self.check(
            beside: ["labeling/out.png": Self.png(broken)], materials: ["labeling/out.png"])
        let findings = Self.labelFindings(result)
        #expect(findings.map(\.rule) == ["implicit_label_malformed"])
        let message = try #require(findings.first?.message)
        #expect(message.contains("labeling/out.png") && message.contains("Label is \"4\""))
        #expect(message.contains("ProduceID"))
    }

    @Test("texts among the materials are not media and are not judged; features without implicit labels are not")
    func textsAndUndeclared() throws {
        let text = try Self.check(
            beside: ["labeling/agreement.md": Array("# 用户协议\n生成内容添加标识。\n".utf8)],
            materials: ["labeling/agreement.md"])
        #expect(Self.labelFindings(text).isEmpty)
        let undeclared = try Self.check(
            beside: ["labeling/out.png": Self.png(nil)], materials: ["labeling/out.png"], implicit: false)
        #expect(Self.labelFindings(undeclared).isEmpty)
        #expect(undeclared.findings.contains { $0.rule == "implicit_label_missing" })
    }

    @Test("a material inside the bundle is read from it, kept in the same pass as the inspection")
    func inBundle() throws {
        let missing = try Self.check(
            entries: [("assets/labeling/out.png", Self.png(nil))], materials: ["assets/labeling/out.png"])
        #expect(Self.labelFindings(missing).map(\.rule) == ["implicit_label_absent"])
        #expect(Self.labelFindings(missing).first?.message.contains("assets/labeling/out.png") == true)
        let valid = try Self.check(
            entries: [("assets/labeling/out.png", Self.png(.valid))], materials: ["assets/labeling/out.png"])
        #expect(Self.labelFindings(valid).isEmpty)
        #expect(valid.declarationSnapshot.labels?["assets/labeling/out.png"]?.source == "bundle")
    }

    @Test("a bundle carrying its own declaration: its materials are read in a second pass")
    func embeddedDeclaration() throws {
        let other = try Self.check(
            entries: [("assets/labeling/out.png", Self.png(.otherProducer))], materials: ["assets/labeling/out.png"],
            embedded: true)
        #expect(other.declarationSource?.hasSuffix("META-INF/deep-synthesis.yaml") == true)
        #expect(Self.labelFindings(other).map(\.rule) == ["implicit_label_other_producer"])
        let valid = try Self.check(
            entries: [("assets/labeling/out.png", Self.png(.valid))], materials: ["assets/labeling/out.png"],
            embedded: true)
        #expect(Self.labelFindings(valid).isEmpty)
    }

    @Test("--max-material-size bounds the bytes kept from the bundle; a material past it is unverified")
    func materialSizeLimit() throws {
        var small = MaterialLimits()
        small.maxBundleBytes = 64
        let bytes = Self.png(.valid)
        #expect(bytes.count > 64)
        let limited = try Self.check(
            entries: [("assets/labeling/out.png", bytes)], materials: ["assets/labeling/out.png"], limits: small)
        #expect(Self.labelFindings(limited).map(\.rule) == ["implicit_label_unverified"])
        #expect(Self.labelFindings(limited).first?.message.contains("--max-material-size") == true)
        #expect(MaterialLimits.standard.maxBundleBytes == 64 << 20)
        let fits = try Self.check(entries: [("assets/labeling/out.png", bytes)], materials: ["assets/labeling/out.png"])
        #expect(Self.labelFindings(fits).isEmpty)
    }

    /// Hostile materials: lengths that lie, files cut short, a 4 GB chunk.
    static let hostile: [(String, [UInt8])] = {
        // The label after the image data, the file cut inside IDAT.
        var late = PNGBuilder()
        late.iTXt(keyword: "XML:com.adobe.xmp", XMPBuilder(label: LabelFields.valid.json).text, afterImage: true)
        let whole = late.bytes
        let idat = (0..<(whole.count - 4)).first { Array(whole[$0..<($0 + 4)]) == Array("IDAT".utf8) }!
        // A chunk declaring 4 GB before anything else.
        var giant = Array(PNGBuilder().bytes.prefix(8))
        giant += [0xFF, 0xFF, 0xFF, 0xF0] + Array("tEXt".utf8) + Array("AIGC\0{".utf8)
        // An MP4 whose moov claims more than the file.
        var mp4 = MP4Builder(label: LabelFields.valid.json).bytes
        let moov = (0..<(mp4.count - 4)).first { Array(mp4[$0..<($0 + 4)]) == Array("moov".utf8) }!
        mp4 = Array(mp4.prefix(moov + 12))
        return [("cut.png", Array(whole.prefix(idat + 6))), ("giant.png", giant), ("cut.mp4", mp4)]
    }()

    @Test("a hostile material gives a finding, not a crash or a hang", arguments: hostile.map(\.0))
    func hostileMaterial(name: String) throws {
        let bytes = try #require(Self.hostile.first { $0.0 == name }?.1)
        let started = Date()
        for embedded in [false, true] {
            let result =
                embedded
                ? try Self.check(
                    entries: [("assets/\(name)", bytes)], materials: ["assets/\(name)"], embedded: true)
                : try Self.check(beside: ["labeling/\(name)": bytes], materials: ["labeling/\(name)"])
            let findings = Self.labelFindings(result)
            #expect(findings.map(\.rule) == ["implicit_label_unverified"], "\(findings.map(\.message))")
            #expect(findings.first?.message.contains(name) == true)
        }
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test("review: a sample output replaced beside the declaration is reviewed again; the same one is skipped")
    func reviewAgain() throws {
        let folder = try TestFiles.directory("material-review")
        defer { try? FileManager.default.removeItem(at: folder) }
        let intake = folder.appendingPathComponent("intake")
        let sample = intake.appendingPathComponent("labeling/out.png")
        try FileManager.default.createDirectory(
            at: sample.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(ZipBuilder.archive([("AndroidManifest.xml", Array("x".utf8))])).write(
            to: intake.appendingPathComponent("labels.apk"))
        try Self.declaration(materials: ["labeling/out.png"]).write(
            to: intake.appendingPathComponent("labels.apk.declaration.yaml"), atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("shelf.db").path
        func review() throws -> BatchReport.Item {
            let run = try ShelfGuardBinary.run([
                "review", "--db", db, "--as-of", "2026-11-24", "--format", "json", "--report-dir",
                folder.appendingPathComponent("reports").path, "--max-material-size", "1MiB", intake.path,
            ])
            let report = try JSONDecoder().decode(BatchReport.self, from: Data(run.stdout.utf8))
            return try #require(report.items.first)
        }
        try Data(Self.png(nil)).write(to: sample)
        let first = try review()
        #expect(first.status == .reviewed)
        #expect(first.findings.contains { $0.rule == "implicit_label_absent" })
        #expect(try review().status == .skipped)
        try Data(Self.png(.valid)).write(to: sample)
        let fixed = try review()
        #expect(fixed.status == .reviewed)
        #expect(!fixed.findings.contains { Self.labelRules.contains($0.rule) }, "\(fixed.findings.map(\.rule))")
    }

    @Test("check --max-material-size and --label-timeout reach the check, through the binary")
    func flags() throws {
        let folder = try TestFiles.directory("material-flags")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = folder.appendingPathComponent("labels.apk")
        try Data(ZipBuilder.archive([("assets/labeling/out.png", Self.png(.valid))])).write(to: bundle)
        try Self.declaration(materials: ["assets/labeling/out.png"]).write(
            to: folder.appendingPathComponent("labels.apk.declaration.yaml"), atomically: true, encoding: .utf8)
        func rules(_ extra: [String]) throws -> Set<String> {
            let result = try ShelfGuardBinary.run(
                ["check", "--as-of", "2026-11-24", "--format", "json"] + extra + [bundle.path])
            let findings = try #require(try result.json()["findings"] as? [[String: Any]])
            return Set(findings.compactMap { $0["rule"] as? String }).intersection(Self.labelRules)
        }
        #expect(try rules(["--label-timeout", "5"]).isEmpty)
        #expect(try rules(["--max-material-size", "64"]) == ["implicit_label_unverified"])
        let bad = try ShelfGuardBinary.run(["check", "--label-timeout", "0", bundle.path])
        #expect(bad.status != 0 && bad.stderr.contains("--label-timeout"))
    }
}

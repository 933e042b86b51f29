import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

@Suite("The detector")
struct DetectorTests {
    static func apk(_ extra: [(String, [UInt8], ZipBuilder.Method)]) -> [UInt8] {
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", HostileBundles.manifest("com.example.detect"))
        for (name, data, method) in extra { zip.addFile(name, data, method: method) }
        zip.finish()
        return zip.bytes
    }

    @Test("a host straddling the reader's chunk boundary is found", arguments: [-20, -9, -1, 0, 1, 7])
    func chunkBoundary(shift: Int) throws {
        var g = ContentGenerator(seed: 31)
        let host = Array("api.deepseek.com".utf8)
        let boundary = ArchiveInput.bufferSize
        var text = g.text(2 * boundary)
        text.replaceSubrange((boundary + shift)..<(boundary + shift + host.count), with: host)
        let inspection = try SeedDatabase.inspect(Self.apk([("assets/app.js", text, .stored)]), name: "x.apk")
        #expect(inspection.detections.map(\.signature).contains("deepseek"))
    }

    @Test("inside nested archives, with the full location chain")
    func nested() throws {
        let inspection = try SeedDatabase.inspect(SampleBundles.faceFunXAPK(), name: "facefun.xapk")
        let detection = try #require(inspection.detections.first { $0.signature == "faceunity_nama" })
        #expect(detection.location == "facefun.xapk!com.example.facefun.apk!classes.dex")
        #expect(detection.evidence.hasPrefix("Lcom/faceunity/"))
        #expect(
            detection.alsoAt.contains {
                $0.location == "facefun.xapk!config.arm64_v8a.apk!lib/arm64-v8a/libCNamaSDK.so"
            })
    }

    @Test("class prefixes come from the DEX string table, not from any bytes")
    func stringTable() throws {
        var g = ContentGenerator(seed: 32)
        // The descriptor as a string-table entry: found.
        let real = g.dex(size: 5_000, strings: ["Lcom/iflytek/cloud/SpeechSynthesizer;"])
        let found = try SeedDatabase.inspect(Self.apk([("classes.dex", real, .deflated)]), name: "a.apk")
        #expect(
            found.detections.first { $0.signature == "iflytek_speech_synthesizer" }?.evidence
                == "Lcom/iflytek/cloud/SpeechSynthesizer;")
        // The same bytes inside another string: not a class.
        let buried = g.dex(size: 5_000, strings: ["see Lcom/iflytek/cloud/SpeechSynthesizer; in the docs"])
        let notFound = try SeedDatabase.inspect(Self.apk([("classes.dex", buried, .deflated)]), name: "b.apk")
        #expect(!notFound.detections.contains { $0.signature == "iflytek_speech_synthesizer" })
    }

    @Test("the DEX walker reads every string whatever the chunk size", arguments: [1, 2, 3, 7, 64, 113, 4096])
    func walkerChunks(size: Int) {
        var g = ContentGenerator(seed: 33)
        let strings =
            (0..<300).map { "Lcom/vendor\($0 % 17)/pkg\($0)/Class\($0);" } + ["short", "", "Lx;", "https://api.x.com"]
        let dex = g.dex(size: 30_000, strings: strings)
        #expect(Self.walk(dex, chunk: size).sorted() == strings.sorted())
    }

    @Test("the minimal DEX the example runner builds is read back exactly")
    func minimalDEX() {
        let strings = ["Lcom/a/B;", "api.example.com", "多字节"]
        #expect(Self.walk(DexStringWalker.minimalDEX(strings: strings), chunk: 5).sorted() == strings.sorted())
    }

    static func walk(_ dex: [UInt8], chunk size: Int) -> [String] {
        var walker = DexStringWalker()
        var found: [String] = []
        var current: [UInt8] = []
        dex.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let end = min(raw.count, offset + size)
                walker.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<end])) { event in
                    switch event {
                    case .begin: current = []
                    case .bytes(let bytes): current += bytes
                    case .end: found.append(String(decoding: current, as: UTF8.self))
                    case .raw, .unwalkable, .walked: Issue.record("a well-formed DEX was not walked: \(event)")
                    }
                }
                offset = end
            }
        }
        return found
    }

    @Test("strings are searched only in the kinds their matchers name")
    func scope() throws {
        var g = ContentGenerator(seed: 34)
        let png = g.png(size: 400) + Array("api.openai.com".utf8)
        let inImage = try SeedDatabase.inspect(Self.apk([("res/drawable/a.png", png, .stored)]), name: "a.apk")
        #expect(!inImage.detections.contains { $0.signature == "openai_api" })
        let inCode = try SeedDatabase.inspect(
            Self.apk([("lib/arm64-v8a/libapp.so", g.elf(size: 400, strings: ["api.openai.com"]), .deflated)]),
            name: "b.apk")
        #expect(inCode.detections.contains { $0.signature == "openai_api" })
    }

    @Test("a signature that needs all its matchers fires only with all of them")
    func requireAll() throws {
        var g = ContentGenerator(seed: 35)
        let alone = try SeedDatabase.inspect(
            Self.apk([("lib/armeabi/libmsc.so", g.elf(size: 300), .deflated)]), name: "a.apk")
        #expect(!alone.detections.contains { $0.signature == "iflytek_msc" })
        let both = try SeedDatabase.inspect(
            Self.apk([
                ("lib/armeabi/libmsc.so", g.elf(size: 300), .deflated),
                ("classes.dex", g.dex(size: 2_000, strings: ["Lcom/iflytek/cloud/SpeechUtility;"]), .deflated),
            ]), name: "b.apk")
        let detection = try #require(both.detections.first { $0.signature == "iflytek_msc" })
        #expect(detection.evidence == "libmsc.so + Lcom/iflytek/cloud/SpeechUtility;")
    }

    @Test("each feature's roll-up carries its strongest evidence")
    func rollUp() throws {
        var g = ContentGenerator(seed: 36)
        // libllama.so is weak text_generation evidence; the Moonshot endpoint is strong.
        let inspection = try SeedDatabase.inspect(
            Self.apk([
                ("lib/arm64-v8a/libllama.so", g.elf(size: 300), .deflated),
                ("assets/app.js", Array("fetch('https://api.moonshot.cn/v1/chat/completions')".utf8), .deflated),
            ]), name: "a.apk")
        let text = try #require(inspection.featureSummary.first { $0.feature == "text_generation" })
        #expect(text.confidence == .strong)
        #expect(text.signature == "moonshot_kimi")
        #expect(text.synthesis)
    }

    @Test("a packer gives a packed hazard and makes inspect exit 2")
    func packer() throws {
        var g = ContentGenerator(seed: 37)
        let inspection = try SeedDatabase.inspect(
            Self.apk([("lib/armeabi-v7a/libshella-2.10.3.so", g.elf(size: 300), .deflated)]), name: "a.apk")
        #expect(inspection.hazards.map(\.kind) == [.packed])
        #expect(inspection.hazards.first?.location == "a.apk!lib/armeabi-v7a/libshella-2.10.3.so")
        #expect(inspection.status == .refused)
    }

    @Test("manifest facts match: a mini-program plugin, a quick-app feature")
    func manifestFacts() throws {
        let wechat = try SeedDatabase.inspect(SampleBundles.voiceChatWxapkg(), name: "v.wxapkg")
        let plugin = try #require(wechat.detections.first { $0.signature == "wechat_si_plugin" })
        #expect(plugin.evidence == "requirePlugin('WechatSI')" || plugin.evidence.contains("wx069ba97219f66d99"))
        // The plugin provider, requirePlugin and the textToSpeech call; only the call proves synthesis.
        #expect(plugin.occurrences == 3)
        #expect(plugin.features == ["voice_synthesis"])
        #expect(plugin.proofs.first?.evidence == ".textToSpeech(")
        let quick = try SeedDatabase.inspect(SampleBundles.storybookRPK(), name: "s.rpk")
        #expect(
            quick.detections.contains { $0.signature == "quickapp_tts_service" && $0.evidence == "feature service.tts" }
        )
    }

    @Test("repeated matches in one entry count once; places are capped")
    func occurrences() throws {
        var g = ContentGenerator(seed: 38)
        var files: [(String, [UInt8], ZipBuilder.Method)] = []
        for i in 0..<30 {
            files.append(
                (
                    "assets/page\(i).js", Array(String(repeating: "api.openai.com ", count: 50).utf8) + g.text(100),
                    .deflated
                ))
        }
        let inspection = try SeedDatabase.inspect(Self.apk(files), name: "a.apk")
        let detection = try #require(inspection.detections.first { $0.signature == "openai_api" })
        #expect(detection.occurrences == 30)
        #expect(detection.alsoAt.count == 9)
    }

    @Test("globs: * within a component, ** across; hostile paths stay linear")
    func globs() {
        #expect(Glob("lib/*/libQnnHtp*.so").matches("lib/arm64-v8a/libQnnHtpV73.so"))
        #expect(!Glob("lib/*/libQnnHtp*.so").matches("lib/a/b/libQnnHtp.so"))
        #expect(Glob("**/*.mlmodelc/model.mil").matches("Payload/A.app/X.mlmodelc/model.mil"))
        #expect(Glob("**/*.mlmodelc/model.mil").matches("X.mlmodelc/model.mil"))
        #expect(Glob("resources/rawfile/**/*.ms").matches("resources/rawfile/face.ms"))
        #expect(!Glob("resources/rawfile/**/*.ms").matches("resources/base/face.ms"))
        let hostile = Array(repeating: "a", count: 500).joined(separator: "/")
        #expect(!Glob("**/x/**/y/**/z.so").matches(hostile))
    }

    @Test("the detector gives the same results on a second thread as on the reading thread")
    func background() throws {
        // Chunks go to the second thread in buffers used again and again: a big entry that ends
        // in a signature, then small ones without, and a stored one bigger than any buffer so
        // far; a buffer showing bytes of an earlier chunk would put the signature in the small
        // entries too.
        let filler = (0..<700_000).map { UInt8(ascii: "a") &+ UInt8($0 % 23) }
        var reused: [(String, [UInt8], ZipBuilder.Method)] = [
            ("assets/big.js", filler + Array("api.openai.com".utf8), .deflated)
        ]
        reused += (0..<30).map { ("assets/small\($0).js", Array(filler.prefix(10_000 + $0)), .deflated) }
        reused.append(("assets/stored.bin", filler + filler + Array("api.openai.com".utf8), .stored))
        for (name, bytes) in try SampleBundles.all() + [
            ("bench.apk", Self.apk([("assets/a.js", Array("api.openai.com".utf8), .deflated)])),
            ("reused.apk", Self.apk(reused)),
        ] {
            let path = try TestFiles.write(bytes, name: name)
            let threaded = try Inspector(
                options: InspectOptions(detectInBackground: true), signatures: SeedDatabase.engine
            )
            .inspect(path: path)
            Self.expectSameFindings(threaded, try Self.inlineInspection(path), name)
            if name == "reused.apk" {
                let found = threaded.detections.first { $0.signature == "openai_api" }
                #expect(found?.occurrences == 2, "big.js and stored.bin only: \(String(describing: found))")
            }
        }
    }

    /// The bundle inspected with the detector on the reading thread and the seed database.
    static func inlineInspection(_ path: String) throws -> Inspection {
        try Inspector(options: InspectOptions(detectInBackground: false), signatures: SeedDatabase.engine)
            .inspect(path: path)
    }

    /// Expects two inspections of one bundle to have found the same.
    static func expectSameFindings(_ a: Inspection, _ b: Inspection, _ name: String) {
        #expect(a.detections == b.detections, "\(name)")
        #expect(a.featureSummary == b.featureSummary, "\(name)")
        #expect(a.hazards == b.hazards, "\(name)")
    }

    /// A feature database load held back `milliseconds` (by a gate another thread opens then),
    /// ending with `result`: `inspect` starts reading before it ends.
    static func gatedLoad(
        after milliseconds: Int, _ result: Result<SignatureEngine, any Error>
    ) -> BackgroundResult<SignatureEngine, any Error> {
        let gate = DispatchSemaphore(value: 0)
        let loading = BackgroundResult<SignatureEngine, any Error>.onNewThread {
            gate.wait()
            return try result.get()
        }
        // A sleeping thread, not `asyncAfter`: under the suite's libfaketime pass no libdispatch
        // timer on the monotonic clock fires (see UnderFaketime).
        Thread.detachNewThread {
            usleep(UInt32(milliseconds * 1000))
            gate.signal()
        }
        return loading
    }

    @Test("the detector finds the same while the feature database is still loading when reading starts")
    func whileLoading() throws {
        // Many small entries fill the queue's events before the detector exists (the reader then
        // waits for it), and one big stored entry of bytes that do not compress holds more than
        // the queue may keep meanwhile (8 MiB for a bundle this size).
        let filler = (0..<700_000).map { UInt8(ascii: "a") &+ UInt8($0 % 23) }
        var many: [(String, [UInt8], ZipBuilder.Method)] = (0..<3_000).map {
            ("assets/s\($0).js", Array("x\($0)".utf8), .deflated)
        }
        var state: UInt64 = 16
        let noise = (0..<9_500_000).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        many.append(("assets/late.js", Array("api.openai.com ".utf8) + noise, .stored))
        many.append(("assets/after.js", filler + Array("api.openai.com".utf8), .deflated))
        for (name, bytes) in try SampleBundles.all() + [("many.apk", Self.apk(many))] {
            let path = try TestFiles.write(bytes, name: name)
            let loading = Self.gatedLoad(after: 30, .success(SeedDatabase.engine))
            #expect(!loading.isReady)
            let pending = try Inspector(loadingSignatures: loading).inspect(path: path)
            let ready = try Self.inlineInspection(path)
            Self.expectSameFindings(pending, ready, name)
            #expect(pending.entries == ready.entries, "\(name)")
            if name == "many.apk" {
                #expect(pending.detections.contains { $0.signature == "openai_api" })
            }
        }
    }

    @Test("the bytes queued for a detector still being built: 8 MiB up to a 16 MiB bundle, 2 MiB past it")
    func pendingBytes() {
        #expect(Inspector.pendingBytes(fileSize: 0) == 8 << 20)
        #expect(Inspector.pendingBytes(fileSize: 16 << 20) == 8 << 20)
        #expect(Inspector.pendingBytes(fileSize: (16 << 20) + 1) == 2 << 20)
        #expect(Inspector.pendingBytes(fileSize: nil) == 2 << 20)
        #expect(Inspector.fileSize("/nonexistent/bundle.apk") == nil)
    }

    @Test("a feature database that fails to load while a bundle is read leaves it read, with nothing detected")
    func loadFailsWhileReading() throws {
        struct Broken: Error {}
        let path = try TestFiles.write(try SampleBundles.all().first { $0.0 == "facefun.apk" }!.1, name: "facefun.apk")
        let loading = Self.gatedLoad(after: 20, .failure(Broken()))
        let inspection = try Inspector(loadingSignatures: loading).inspect(path: path)
        let unsigned = try Inspector().inspect(path: path)
        #expect(inspection.detections.isEmpty)
        #expect(inspection.hazards == unsigned.hazards)
        #expect(inspection.bundle.entriesRead == unsigned.bundle.entriesRead)
        guard case .failure = loading.wait() else {
            Issue.record("the load was to fail")
            return
        }
    }
}

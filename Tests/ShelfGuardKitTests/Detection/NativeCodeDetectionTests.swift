import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

/// Runs a command; nil when it cannot be started (the tool is not installed).
private func run(_ arguments: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = Pipe()
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

private func installed(_ tool: String) -> Bool { run(["which", tool])?.status == 0 }

/// Native libraries found by what the dynamic linker sees (symbols, JNI names, SONAME and
/// DT_NEEDED), not by their file names; and file names matched ignoring case.
@Suite("Native code and names")
struct NativeCodeDetectionTests {
    static func inspect(_ files: [(String, [UInt8])], name: String = "x.apk") throws -> Inspection {
        try SeedDatabase.inspect(DetectorTests.apk(files.map { ($0.0, $0.1, .deflated) }), name: name)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    static func detection(_ inspection: Inspection, _ id: String) -> Detection? {
        inspection.detections.first { $0.signature == id }
    }

    /// The symbols `readelf -W --dyn-syms` lists: name → defined (an index other than UND).
    static func readelfSymbols(_ elf: [UInt8]) throws -> [String: Bool]? {
        let path = try TestFiles.write(elf, name: "lib.so")
        defer { Self.remove(path) }
        guard let (status, output) = run(["readelf", "-W", "--dyn-syms", path]), status == 0 else { return nil }
        var symbols: [String: Bool] = [:]
        for line in output.split(separator: "\n") {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            // Num: Value Size Type Bind Vis Ndx Name
            guard columns.count == 8, columns[0].hasSuffix(":"), columns[0].dropLast().allSatisfy(\.isNumber) else {
                continue
            }
            symbols[String(columns[7])] = columns[6] != "UND"
        }
        return symbols
    }

    // MARK: - The images the tests are built from, checked by independent readers

    @Test("readelf lists the generated ELF's symbols, SONAME and DT_NEEDED", .enabled(if: installed("readelf")))
    func readelf() throws {
        let elf = NativeImage.elf(
            soname: "libCNamaSDK.so", needed: ["liblog.so", "libc.so"],
            exports: ["fuSetup", "Java_com_faceunity_wrapper_faceunity_fuSetup"], imports: ["malloc"],
            strings: ["com/faceunity/wrapper/faceunity"])
        let symbols = try #require(try Self.readelfSymbols(elf))
        #expect(symbols == ["fuSetup": true, "Java_com_faceunity_wrapper_faceunity_fuSetup": true, "malloc": false])
        let path = try TestFiles.write(elf, name: "lib.so")
        defer { Self.remove(path) }
        let dynamic = try #require(run(["readelf", "-W", "-d", path]))
        #expect(dynamic.status == 0)
        #expect(dynamic.output.contains("(SONAME)") && dynamic.output.contains("Library soname: [libCNamaSDK.so]"))
        #expect(dynamic.output.contains("Shared library: [liblog.so]"))
        let rodata = try #require(run(["readelf", "-W", "-p", ".rodata", path]))
        #expect(rodata.output.contains("com/faceunity/wrapper/faceunity"))
        let header = try #require(run(["readelf", "-W", "-h", path]))
        #expect(header.output.contains("DYN (Shared object file)") && header.output.contains("AArch64"))
    }

    @Test("llvm-nm lists the generated Mach-O's symbols", .enabled(if: installed("llvm-nm")))
    func machO() throws {
        let path = try TestFiles.write(NativeImage.machO(exports: ["fuSetup"], imports: ["malloc"]), name: "Beauty")
        defer { Self.remove(path) }
        let nm = try #require(run(["llvm-nm", path]))
        #expect(nm.status == 0)
        #expect(nm.output.contains(" T _fuSetup"), "\(nm.output)")
        #expect(nm.output.contains("U _malloc"), "\(nm.output)")
    }

    // MARK: - A renamed Faceunity library

    @Test(
        "a renamed Faceunity library is found by its C API symbols",
        arguments: ["lib/arm64-v8a/libmedia.so", "assets/payload.dat"])
    func bySymbol(path: String) throws {
        let elf = NativeImage.elf(exports: ["fuSetup", "fuRenderItemsEx2"], imports: ["glDrawArrays"])
        let detection = try #require(Self.detection(try Self.inspect([(path, elf)]), "faceunity_nama"))
        #expect(detection.evidence == "ELF symbol fuSetup")
        #expect(detection.location == "x.apk!\(path)")
        if installed("readelf") { #expect(try Self.readelfSymbols(elf)?["fuSetup"] == true) }
    }

    @Test("a renamed Faceunity library is found by its JNI exports, derived from the class prefix")
    func byJNIExport() throws {
        let export = "Java_com_faceunity_wrapper_faceunity_fuCreateItemFromPackage"
        let elf = NativeImage.elf(exports: ["JNI_OnLoad", export])
        let detection = try #require(
            Self.detection(try Self.inspect([("lib/arm64-v8a/libmedia.so", elf)]), "faceunity_nama"))
        #expect(detection.evidence == "JNI export Java_com_faceunity_…")
        if installed("readelf") { #expect(try Self.readelfSymbols(elf)?[export] == true) }
    }

    @Test("a renamed library still names itself: DT_SONAME; and a library that loads it names it: DT_NEEDED")
    func bySoname() throws {
        let renamed = NativeImage.elf(soname: "libCNamaSDK.so", exports: ["nama_internal_init"])
        let byName = try #require(
            Self.detection(try Self.inspect([("assets/payload.dat", renamed)]), "faceunity_nama"))
        #expect(byName.evidence == "ELF library name libCNamaSDK.so")
        let loader = NativeImage.elf(soname: "libapp.so", needed: ["libc.so", "libCNamaSDK.so"])
        let byNeeded = try #require(
            Self.detection(try Self.inspect([("lib/arm64-v8a/libapp.so", loader)]), "faceunity_nama"))
        #expect(byNeeded.location == "x.apk!lib/arm64-v8a/libapp.so")
        #expect(byNeeded.evidence == "ELF library name libCNamaSDK.so")
    }

    @Test("a library registering natives by hand is found by the class name it gives FindClass")
    func byRegisterNatives() throws {
        let elf = NativeImage.elf(
            exports: ["JNI_OnLoad"], imports: ["__android_log_print"],
            strings: ["com/faceunity/wrapper/faceunity", "fuSetupNative", "([BI)I"])
        let detection = try #require(
            Self.detection(try Self.inspect([("lib/arm64-v8a/libglue.so", elf)]), "faceunity_nama"))
        #expect(detection.evidence == "JNI class name com/faceunity/…")
    }

    @Test("an iOS framework is found by its Mach-O symbols, with the C underscore")
    func machOSymbol() throws {
        let (_, ipa) = ExampleBundles.build(
            {
                var example = SignatureExample()
                example.platform = .ios
                example.path = "Payload/App.app/Frameworks/Beauty.framework/Beauty"
                example.symbol = "fuSetup"
                return example
            }())
        let detection = try #require(Self.detection(try SeedDatabase.inspect(ipa, name: "x.ipa"), "faceunity_nama"))
        #expect(detection.evidence == "Mach-O symbol _fuSetup")
    }

    @Test("only whole names count: a longer symbol, a name inside other text, a name in a text file")
    func wholeNames() throws {
        let elf = NativeImage.elf(
            exports: ["fuSetupLogger", "my_fuSetup", "xJava_com_faceunity_wrapper_faceunity_f"],
            strings: ["call fuSetup first", "see com/faceunity/ docs", "libCNamaSDK.so.bak"])
        let native = try Self.inspect([("lib/arm64-v8a/libmedia.so", elf)])
        #expect(Self.detection(native, "faceunity_nama") == nil, "\(native.detections)")
        let text = try Self.inspect([("assets/notes.txt", Array("\0fuSetup\0 \0libCNamaSDK.so\0".utf8))])
        #expect(Self.detection(text, "faceunity_nama") == nil)
        // The same symbol as a plain string in a Mach-O (without the underscore) is not a C symbol.
        let machO = try Self.inspect([
            ("lib/arm64-v8a/libx.so", NativeImage.machO(exports: []) + Array("\0fuSetup\0".utf8))
        ])
        #expect(Self.detection(machO, "faceunity_nama") == nil)
    }

    @Test("a NUL before a name is seen across chunk boundaries", arguments: [1, 2, 3, 5, 8, 13, 64])
    func chunks(size: Int) {
        for (name, elf, evidence) in [
            ("libmedia.so", NativeImage.elf(exports: ["fuSetup"]), "ELF symbol fuSetup"),
            ("libmedia.so", NativeImage.elf(soname: "libCNamaSDK.so"), "ELF library name libCNamaSDK.so"),
            (
                "libglue.so", NativeImage.elf(exports: ["Java_com_faceunity_wrapper_faceunity_fuSetup"]),
                "JNI export Java_com_faceunity_…"
            ),
            ("libglue.so", NativeImage.elf(exports: ["fuSetupLogger", "a_fuSetup"]), nil),
        ] as [(String, [UInt8], String?)] {
            var detector = DetectorVisitor(engine: SeedDatabase.engine, bundleName: "x.apk")
            let entry = BundleEntry(chain: ["lib/arm64-v8a/\(name)"], size: Int64(elf.count), kind: .elf)
            let wanted = detector.wantsContent(of: entry)
            #expect(wanted)
            elf.withUnsafeBytes { all in
                var offset = 0
                while offset < all.count {
                    let end = min(all.count, offset + size)
                    detector.consume(UnsafeRawBufferPointer(rebasing: all[offset..<end]), of: entry)
                    offset = end
                }
            }
            detector.finish(entry, complete: true)
            let found = detector.run.result().detections.first { $0.signature == "faceunity_nama" }
            #expect(found?.evidence == evidence, "\(name) in chunks of \(size)")
        }
    }

    @Test("other vendors' C APIs: ONNX Runtime, TensorFlow Lite, ncnn, sherpa-onnx, llama.cpp")
    func vendors() throws {
        for (symbol, id) in [
            ("OrtGetApiBase", "onnx_runtime"), ("TfLiteInterpreterCreate", "tensorflow_lite"),
            ("ncnn_net_create", "tencent_ncnn"), ("SherpaOnnxCreateOfflineTts", "sherpa_onnx"),
            ("llama_backend_init", "llama_cpp"),
        ] {
            let inspection = try Self.inspect([("lib/arm64-v8a/libcore.so", NativeImage.elf(exports: [symbol]))])
            #expect(Self.detection(inspection, id)?.evidence == "ELF symbol \(symbol)", "\(symbol)")
        }
    }

    // MARK: - JNI names

    @Test("JNI mangling of class prefixes")
    func mangling() {
        #expect(SignatureEngine.jniMangled("com/my_sdk/Outer$Inner;[") == "com_my_1sdk_Outer_00024Inner_2_3")
        #expect(SignatureEngine.jniMangled("com/例/A") == "com__04f8b_A")
        #expect(
            SignatureEngine.jniForms(of: "Lcom/faceunity/").map(\.text) == ["Java_com_faceunity_", "com/faceunity/"])
        #expect(SignatureEngine.jniForms(of: "Lcom/x/sdk/Y;").map(\.text) == ["Java_com_x_sdk_Y_", "com/x/sdk/Y\0"])
    }

    // MARK: - Names ignore case

    @Test("file, folder and glob matchers ignore case")
    func caseInsensitive() throws {
        var g = ContentGenerator(seed: 81)
        let lib = try Self.inspect([("lib/arm64-v8a/LIBCNAMASDK.SO", g.elf(size: 400))])
        let nama = try #require(Self.detection(lib, "faceunity_nama"))
        #expect(nama.evidence == "LIBCNAMASDK.SO")
        let folder = try Self.inspect([("assets/ONNXRuntime.Framework/Info.plist", Array("<plist/>".utf8))])
        #expect(Self.detection(folder, "onnx_runtime")?.evidence == "ONNXRuntime.Framework")
        let glob = try Self.inspect([("LIB/ARM64-V8A/LIBQNNHTPV73STUB.SO", g.elf(size: 300))])
        #expect(Self.detection(glob, "qualcomm_qnn")?.evidence == "LIB/ARM64-V8A/LIBQNNHTPV73STUB.SO")
        let other = try Self.inspect([("lib/arm64-v8a/LIBCNAMA.SO", g.elf(size: 300))])
        #expect(Self.detection(other, "faceunity_nama") == nil)
    }

    @Test("names match on their bytes: non-ASCII folders, empty components, very long components")
    func nameBytes() throws {
        var g = ContentGenerator(seed: 82)
        let long = String(repeating: "n", count: 5_000)
        let bundle = try Self.inspect([
            ("assets/模型ÄÖ/LIBCNAMASDK.SO", g.elf(size: 300)),
            ("assets//ONNXRuntime.framework/Info.plist", Array("<plist/>".utf8)),
            ("assets/\(long)/lib/arm64-v8a/libqnnhtpv73stub.so", g.elf(size: 300)),
            ("assets/\(long).so", g.elf(size: 300)),
        ])
        #expect(Self.detection(bundle, "faceunity_nama")?.evidence == "LIBCNAMASDK.SO")
        #expect(Self.detection(bundle, "onnx_runtime")?.evidence == "ONNXRuntime.framework")
        // A glob's literal start must begin the path: a long folder before it hides nothing it could match.
        #expect(Self.detection(bundle, "qualcomm_qnn") == nil)
        let unicodeFolder = try Self.inspect([("Ä/ONNXRUNTIME.FRAMEWORK/Ö.plist", Array("<plist/>".utf8))])
        #expect(Self.detection(unicodeFolder, "onnx_runtime")?.evidence == "ONNXRUNTIME.FRAMEWORK")
    }

    // MARK: - The symbol matcher in the database

    static let symbolMistakes: [(String, String, String)] = [
        ("a space", "symbol: fu Setup", "symbol 'fu Setup' must be one symbol name"),
        ("over-broad", "symbol: fuS", "symbol pattern 'fuS' of signature 'sample_sdk' is over-broad"),
        ("in on a symbol", "symbol: fuSetup\n        in: [elf]", "'in' only goes with string and host matchers"),
    ]

    @Test("symbol matchers are linted", arguments: symbolMistakes)
    func lint(label: String, matcher: String, expected: String) {
        let text = SignatureLintTests.valid.replacingOccurrences(of: "file: libsamplesdk.so", with: matcher)
        let found = SignatureLintTests.problems(text)
        #expect(found.contains { $0.contains(expected) }, "\(label): \(found)")
    }

    @Test("a symbol matcher and its examples load and behave; a symbol example takes no content")
    func symbolExamples() throws {
        let text = SignatureLintTests.valid.replacingOccurrences(
            of: "file: libsamplesdk.so", with: "symbol: sample_sdk_init"
        )
        .replacingOccurrences(of: "- path: lib/arm64-v8a/libsamplesdk.so", with: "- symbol: sample_sdk_init")
        .replacingOccurrences(
            of: "- path: lib/arm64-v8a/libother.so",
            with: "- path: lib/arm64-v8a/libother.so\n          symbol: sample_sdk_init2")
        let database = try SignatureLintTests.load(text)
        #expect(database.signatures.first?.matchers == [.symbol("sample_sdk_init")])
        #expect(SignatureExamples.check(SignatureEngine(database)).isEmpty)
        let both = text.replacingOccurrences(
            of: "      positive:\n        - symbol: sample_sdk_init",
            with: "      positive:\n        - symbol: sample_sdk_init\n          content: x")
        let problems = SignatureLintTests.problems(both)
        #expect(problems.contains { $0.contains("a symbol example builds its own native library") }, "\(problems)")
    }
}

/// A day's intake of submissions for batch tests and the review benchmark: distinct APKs of a
/// realistic make-up (a DEX with a few thousand strings, native libraries, a model, resources),
/// each with its declaration, in five kinds that reach different verdicts against the sample
/// registry (`samples/registry`): clean apps, face-swap apps with their evidence, chat apps
/// through a supplier, apps hiding an AI SDK, and now and then a damaged upload.
public enum BatchBundles {
    /// One submission: the bundle's file name, bytes, and declaration text (written beside it).
    public struct Submission: Sendable {
        public var name: String
        public var bytes: [UInt8]
        public var declaration: String
    }

    /// The kinds, in the order `index % 5` picks them.
    public enum Kind: Int, Sendable, CaseIterable {
        case clean, faceSwap, chat, undeclared, damaged
    }

    /// The `index`-th submission; `scale` multiplies the bundle's size (1: 0.84 MB files on average).
    public static func submission(_ index: Int, scale: Double = 1) -> Submission {
        var kind = Kind(rawValue: index % 5) ?? .clean
        // Damaged uploads are rarer than the rest: one in 25.
        if kind == .damaged && index % 25 != 4 { kind = .clean }
        var g = ContentGenerator(seed: UInt64(1_000 + index))
        let package = "com.example.batch.app\(index)"
        func size(_ n: Int) -> Int { max(1_000, Int(Double(n) * scale)) }
        var sdk: [String] = []
        var libraries: [(String, [UInt8])] = []
        var permissions = ["android.permission.INTERNET"]
        switch kind {
        case .faceSwap, .undeclared:
            sdk = ["Lcom/faceunity/wrapper/faceunity;", "Lcom/faceunity/core/FURenderKit;"]
            libraries.append(
                ("lib/arm64-v8a/libCNamaSDK.so", g.elf(size: size(300_000), strings: ["fuSetup", "fuRenderItems"])))
            permissions.append("android.permission.CAMERA")
        case .chat:
            sdk = ["https://dashscope.aliyuncs.com/api/v1/services/aigc/text-generation/generation"]
        case .clean, .damaged:
            break
        }
        let manifest = AndroidManifestBuilder.manifest(
            package: package, versionCode: Int32(index + 1), versionName: .string("1.\(index % 10).\(index)"),
            label: .string("Batch App \(index)"), permissions: permissions,
            components: [.init("activity", "\(package).MainActivity", exported: true)])
        let zip = ZipBuilder()
        zip.addFile("AndroidManifest.xml", BinaryXMLWriter.write(manifest))
        let strings =
            g.dexStrings(bytes: size(250_000), package: package.replacingOccurrences(of: ".", with: "/")) + sdk
        zip.addFile("classes.dex", g.dex(size: size(700_000), strings: strings))
        zip.addFile("resources.arsc", ResourceTableWriter.write(strings: ["Batch App \(index)"]), method: .stored)
        for (name, bytes) in libraries { zip.addFile(name, bytes) }
        zip.addFile("lib/arm64-v8a/libapp.so", g.elf(size: size(400_000), strings: ["app_main"]))
        zip.addFile("assets/model.bin", g.randomBytes(size(200_000)), method: .stored)
        for i in 0..<20 { zip.addFile("res/drawable/icon\(i).png", g.png(size: size(6_000)), method: .stored) }
        zip.addFile("assets/strings.json", g.text(size(60_000)))
        zip.finish()
        var bytes = zip.bytes
        if kind == .damaged {
            // The upload stopped at two thirds: no central directory.
            bytes = Array(bytes.prefix(bytes.count * 2 / 3))
        }
        return Submission(
            name: "app\(index).apk", bytes: bytes, declaration: declaration(kind, package: package, index: index))
    }

    static func declaration(_ kind: Kind, package: String, index: Int) -> String {
        let developer = """
            developer:
              name: 深圳市示例智能科技有限公司
              uscc: 91440300MA5G0FFN02
              icp_filing: 粤ICP备2025012345号-\(index % 9 + 1)A
            """
        let header = """
            schema: shelfguard/declaration/v1
            app:
              id: \(package)
              name: FaceFun
            \(developer)

            """
        switch kind {
        case .clean, .damaged, .undeclared:
            return header + "ai_generation: false\nfeatures: []\n"
        case .faceSwap:
            let feature = { (category: String) in
                """
                  - category: \(category)
                    role: service_provider
                    algorithm_filing: 网信算备440305900000101250017号
                    security_assessment: SA-2026-0117
                    biometric_consent: separate_consent_prompt
                    labeling:
                      explicit: [corner_text_label]
                      implicit: [aigc_metadata]
                      materials: [AndroidManifest.xml]

                """
            }
            // Every other face-swap app calls itself by a name its filing does not list: a warning.
            let named =
                index % 10 == 6 ? header.replacingOccurrences(of: "name: FaceFun", with: "name: FaceFun Lite") : header
            return named + "ai_generation: true\nfeatures:\n" + feature("face_swap") + feature("face_manipulation")
        case .chat:
            let feature = { (category: String) in
                """
                  - category: \(category)
                    role: service_provider
                    algorithm_filing: 网信算备110108900000201240035号
                    suppliers:
                      - name: 北京示例模型科技有限公司
                        algorithm_filing: 网信算备110108900000201240035号
                    labeling:
                      explicit: [dialogue_ai_notice]
                      implicit: [aigc_metadata]
                      materials: [assets/strings.json]

                """
            }
            return header + "ai_generation: true\nfeatures:\n" + feature("text_generation")
                + feature("image_generation")
        }
    }
}

import Crypto
import Foundation
import Testing

@testable import ShelfGuardKit

/// Labeling materials uploaded with a declaration (`POST /v1/reviews` material parts): the
/// names taken as paths in the store, matched against the declaration, and kept beside it in a
/// folder named by all their digests, where the review finds them.
@Suite("uploaded labeling materials: names, matching, the folder they are kept in")
struct UploadedMaterialsTests {
    static let declaration = """
        schema: shelfguard/declaration/v1
        app:
          id: com.example.facefun
          name: FaceFun
        developer:
          name: 深圳市示例智能科技有限公司
          uscc: 91440300MA5G0FFN02
          icp_filing: 粤ICP备2025012345号-3A
        ai_generation: true
        features:
          - category: face_swap
            role: service_provider
            algorithm_filing: 网信算备440305900000101250017号
            security_assessment: SA-2026-0117
            biometric_consent: separate_consent_prompt
            labeling:
              explicit: [corner_text_label]
              implicit: [aigc_metadata]
              materials: [labeling/样例输出.png, notice.md]

        """

    @Test(
        "a name is taken only as a plain relative path",
        arguments: [
            ("labeling/sample.png", nil), ("notice.md", nil), ("labeling/样例输出.png", nil), ("a b/c-d_e.f", nil),
            ("", "empty"), ("/etc/passwd", "absolute"), ("../x", "'..'"), ("a/../b", "'..'"), ("a/..", "'..'"),
            ("./a", "'.'"), ("a/.", "'.'"), ("a//b", "empty path component"), ("a/", "empty path component"),
            ("a\\b", "backslash"), ("a\u{0}b", "control"), ("a\nb", "control"), ("a\u{7F}", "control"),
            ("a\u{85}b", "control"), (String(repeating: "x", count: 256), "255"),
            (Array(repeating: "abcdefghi", count: 103).joined(separator: "/"), "1024"),
            ("declaration.yaml", "declaration's own name"),
        ] as [(String, String?)])
    func names(_ name: String, _ problem: String?) {
        let found = UploadedMaterials.problem(path: name)
        if let problem {
            #expect(found?.contains(problem) == true, "\(name.debugDescription): \(found ?? "taken")")
        } else {
            #expect(found == nil, "\(name.debugDescription): \(found ?? "")")
        }
    }

    @Test("a name that is a folder of another collides; siblings and look-alike prefixes do not")
    func collisions() {
        #expect(UploadedMaterials.collision(among: ["a", "a/b"])! == ("a", "a/b"))
        #expect(UploadedMaterials.collision(among: ["x/y/z", "x/y"])! == ("x/y", "x/y/z"))
        #expect(UploadedMaterials.collision(among: ["a/b", "a/c", "ab", "ab.png/c"]) == nil)
    }

    @Test(
        "materials are matched against the declaration's list, each given the declaration's own spelling; an unreadable declaration is said to be one"
    )
    func matching() throws {
        let taxonomy = SeedDatabase.database.taxonomy
        func match(
            _ paths: [String], _ declaration: [UInt8] = Array(Self.declaration.utf8)
        ) -> Result<
            [String], UploadedMaterials.Refusal
        > {
            UploadedMaterials.listedSpellings(of: paths, declaration: declaration, taxonomy: taxonomy)
        }
        #expect(try match(["notice.md", "labeling/样例输出.png"]).get() == ["notice.md", "labeling/样例输出.png"])
        // `é` as `e` and a combining accent (as macOS names files) for an `é` listed as one
        // character: kept under the listed bytes, where the review looks for it.
        let listedAccent = Array(Self.declaration.replacingOccurrences(of: "notice.md", with: "not\u{E9}.md").utf8)
        let spelled = try? match(["not\u{65}\u{301}.md"], listedAccent).get()
        #expect(spelled.map { $0.map { Array($0.utf8) } } == [Array("not\u{E9}.md".utf8)])
        // The same path written two ways is sent twice; a listed folder of a listed material
        // and a listed path that is no plain relative path cannot be kept.
        let listing = { (materials: String) in
            Array(
                Self.declaration.replacingOccurrences(
                    of: "materials: [labeling/样例输出.png, notice.md]", with: "materials: [\(materials)]"
                ).utf8)
        }
        for (paths, materials, message) in [
            (["not\u{E9}.md", "not\u{65}\u{301}.md"], "not\u{E9}.md", "was sent twice"),
            (["labeling", "labeling/a.png"], "labeling, labeling/a.png", "is a folder of"),
        ] {
            guard case .failure(let refusal) = match(paths, listing(materials)) else {
                Issue.record("\(paths) taken")
                continue
            }
            #expect(refusal.message.contains(message), "\(refusal.message)")
        }
        guard case .failure(let unlisted) = match(["notice.md", "other.png"]) else {
            Issue.record("an unlisted material was taken")
            return
        }
        #expect(unlisted.message.contains("'other.png' is not among"), "\(unlisted.message)")
        #expect(unlisted.message.contains("labeling/样例输出.png, notice.md"), "the list is shown: \(unlisted.message)")
        guard case .failure(let broken) = match(["notice.md"], Array("app: [".utf8)),
            case .failure(let binary) = match(["notice.md"], [0xFF, 0xFE])
        else {
            Issue.record("materials matched against an unreadable declaration")
            return
        }
        #expect(broken.message.contains("cannot be read"), "\(broken.message)")
        #expect(binary.message.contains("not UTF-8"))
    }

    @Test(
        "kept in one folder named by all the digests, where the review's lookup beside the declaration finds them; the same files again, the same folder"
    )
    func kept() throws {
        let folder = try TestFiles.directory("uploaded-materials")
        let store = BundleStore(directory: folder.appendingPathComponent("shelf.bundles").path)
        let declaration = Array(Self.declaration.utf8)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]
        let notice = Array("AI 生成内容会被标注。".utf8)
        func keep(_ notice: [UInt8]) throws -> (sha256: String, path: String) {
            var uploads: [(path: String, upload: BundleStore.Upload)] = []
            for (path, bytes) in [("labeling/样例输出.png", png), ("notice.md", notice)] {
                let upload = try store.upload(limit: 1 << 20)
                try upload.write(bytes[...])
                uploads.append((path, upload))
            }
            return try store.keepDeclaration(declaration, materials: uploads)
        }
        let first = try keep(notice)
        #expect(first.sha256 == SHA256.hash(data: declaration).hexString)
        let name = UploadedMaterials.folderName(
            declarationSHA256: first.sha256,
            materials: [
                ("notice.md", SHA256.hash(data: notice).hexString),
                ("labeling/样例输出.png", SHA256.hash(data: png).hexString),
            ])
        #expect(first.path == "\(store.directory)/submissions/\(name)/declaration.yaml")
        let found = DeclarationLocator.materialsBeside(
            declarationFile: first.path, taxonomy: SeedDatabase.database.taxonomy)
        #expect(
            found == [
                "labeling/样例输出.png": "sha256:" + SHA256.hash(data: png).hexString,
                "notice.md": "sha256:" + SHA256.hash(data: notice).hexString,
            ])
        #expect(try keep(notice) == first, "the same files: the same folder, kept once")
        let other = try keep(Array("changed".utf8))
        #expect(other.path != first.path && other.sha256 == first.sha256, "another material: another folder")
        let names = FileManager.default.enumerator(atPath: store.directory)?.allObjects as? [String] ?? []
        #expect(!names.contains { $0.hasPrefix(".upload.") }, "\(names)")
        var info = stat()
        #expect(stat("\(store.directory)/submissions/\(name)/notice.md", &info) == 0 && info.st_mode & 0o777 == 0o444)
    }
}

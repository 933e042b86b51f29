import Testing

@testable import ShelfGuardKit

@Suite("Entry names are checked as raw bytes")
struct EntryNameTests {
    static let cases: [(String, [HazardKind])] = [
        ("classes.dex", []),
        ("res/layout/main.xml", []),
        ("../evil.so", [.pathTraversal]),
        ("assets/../../evil.so", [.pathTraversal]),
        ("assets\\..\\..\\evil.so", [.pathTraversal]),
        ("a/..b/c", []),
        ("/system/bin/sh", [.absolutePath]),
        ("\\windows\\x", [.absolutePath]),
        ("C:\\evil.dll", [.absolutePath]),
        ("res/line\nbreak", [.controlCharacter]),
        ("res/cr\rname", [.controlCharacter]),
        ("lib/nul\u{0}.so", [.controlCharacter]),
        ("esc\u{1B}[31m", [.controlCharacter]),
        ("/../x", [.absolutePath, .pathTraversal]),
    ]

    @Test("problems found", arguments: cases)
    func problems(name: String, expected: [HazardKind]) {
        let found = EntryName.problems(Array(name.utf8), maxLength: 1024).map(\.kind)
        #expect(Set(found) == Set(expected))
    }

    @Test("wxapkg names may start with a slash")
    func leadingSlash() {
        #expect(EntryName.problems(Array("/app-config.json".utf8), maxLength: 100, leadingSlashAllowed: true).isEmpty)
        let climbing = EntryName.problems(Array("/../x".utf8), maxLength: 100, leadingSlashAllowed: true)
        #expect(climbing.map(\.kind) == [.pathTraversal])
    }

    @Test("an empty name and an over-long name")
    func emptyAndLong() {
        #expect(EntryName.problems([UInt8](), maxLength: 10).map(\.kind) == [.invalidName])
        #expect(EntryName.problems(Array("abcdefghijk".utf8), maxLength: 10).map(\.kind) == [.nameTooLong])
    }

    @Test("display escapes every control character and keeps other text")
    func display() {
        #expect(EntryName.display(Array("a\nb\rc\u{0}d\u{1B}e".utf8)) == "a\\nb\\rc\\0d\\u{1B}e")
        #expect(EntryName.display(Array("模型/人脸.tflite".utf8)) == "模型/人脸.tflite")
        #expect(EntryName.display([0x66, 0xFF, 0x6F]) == "f\u{FFFD}o")
    }
}

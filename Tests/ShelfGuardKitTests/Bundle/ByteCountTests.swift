import Testing

@testable import ShelfGuardKit

@Suite("Byte counts as people write them")
struct ByteCountTests {
    @Test(
        "parse",
        arguments: [
            ("4096", Int64(4096)), ("64KiB", 65_536), ("64k", 65_536), ("512M", 536_870_912), ("2G", 2_147_483_648),
            ("1.5GiB", 1_610_612_736), (" 10 MB ", 10_485_760), ("0", 0),
        ])
    func parse(text: String, expected: Int64) {
        #expect(ByteCount.parse(text) == expected)
    }

    @Test("reject", arguments: ["", "abc", "12Q", "-5", "1e99T"])
    func reject(text: String) {
        #expect(ByteCount.parse(text) == nil)
    }

    @Test("format")
    func format() {
        #expect(ByteCount.format(812) == "812 B")
        #expect(ByteCount.format(9_969) == "9.7 KiB")
        #expect(ByteCount.format(2 << 30) == "2 GiB")
        #expect(ByteCount.format(1_572_864) == "1.5 MiB")
    }

    @Test("compact: as help texts show defaults, and as options take them back")
    func compact() {
        #expect(ByteCount.compact(812) == "812B")
        #expect(ByteCount.compact(1 << 20) == "1MiB")
        #expect(ByteCount.compact(2 << 30) == "2GiB")
        #expect(ByteCount.compact(1_572_864) == "1.5MiB")
        for size: Int64 in [0, 1, 1023, 1 << 10, 64 << 20, 2 << 30, 8 << 30, 1 << 40] {
            #expect(ByteCount.parse(ByteCount.compact(size)) == size)
        }
    }
}

import Foundation
import Testing

@testable import ShelfGuardKit

#if canImport(Glibc)
    import Glibc
#endif

/// Files that are not plain files, and names that are not UTF-8, through the built binary.
@Suite("special files and raw names, end to end", .serialized)
struct SpecialFileTests {
    static let samples = TestFiles.packageRoot.appendingPathComponent("samples")
    /// 测试 in GBK: what a Windows zip tool in China names a file.
    static let gbkName: [UInt8] = [0xB2, 0xE2, 0xCA, 0xD4]

    /// Runs the binary through the shell, so that raw bytes reach it as the kernel passes them.
    static func shell(_ script: String, timeout: Int = 30) throws -> ShelfGuardBinary.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "timeout \(timeout) \"$SG\" " + script]
        process.environment = ProcessInfo.processInfo.environment.merging(["SG": ShelfGuardBinary.url.path]) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ShelfGuardBinary.Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// A file or FIFO at a path given as raw bytes.
    static func make(_ path: [UInt8], copying source: URL? = nil, fifo: Bool = false) throws {
        let cPath = path.map { CChar(bitPattern: $0) } + [0]
        if fifo {
            #expect(cPath.withUnsafeBufferPointer { mkfifo($0.baseAddress!, 0o644) } == 0)
            return
        }
        let data = try source.map { try Data(contentsOf: $0) } ?? Data()
        let fd = cPath.withUnsafeBufferPointer { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        try #require(fd >= 0)
        defer { close(fd) }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// `printf` text for raw bytes.
    static func printf(_ bytes: [UInt8]) -> String {
        "\"$(printf '" + bytes.map { String(format: "\\%03o", $0) }.joined() + "')\""
    }

    @Test("a FIFO given as the bundle is refused at once, by name, not waited on")
    func fifoBundle() throws {
        let folder = try TestFiles.directory("fifo")
        let fifo = folder.appendingPathComponent("app.apk").path
        try Self.make(Array(fifo.utf8), fifo: true)
        for command in ["inspect", "check"] {
            let run = try Self.shell("\(command) --format json '\(fifo)'", timeout: 20)
            #expect(run.status == 1, "\(command): \(run.stderr)")
            #expect(run.stdout.contains("FIFO"), "\(command): \(run.stdout)")
        }
        // In a folder given to review, a FIFO is not a bundle at all.
        try Self.make(
            Array(folder.appendingPathComponent("real.apk").path.utf8),
            copying: Self.samples.appendingPathComponent("calculator.apk"))
        let review = try Self.shell(
            "review --db '\(folder.path)/s.db' --report-dir '\(folder.path)/r' --format json '\(folder.path)'",
            timeout: 60)
        #expect(review.stdout.contains("real.apk") && !review.stdout.contains("app.apk"), "\(review.stdout)")
    }

    @Test("a FIFO as a labeling material or as the declaration: check finishes and says what is wrong")
    func fifoMaterials() throws {
        let folder = try TestFiles.directory("fifo-materials")
        let bundle = folder.appendingPathComponent("facefun.apk")
        try Self.make(Array(bundle.path.utf8), copying: Self.samples.appendingPathComponent("facefun.apk"))
        try Self.make(
            Array((bundle.path + ".declaration.yaml").utf8),
            copying: Self.samples.appendingPathComponent("facefun.apk.declaration.yaml"))
        let labels = folder.appendingPathComponent("labeling/facefun")
        try FileManager.default.createDirectory(at: labels, withIntermediateDirectories: true)
        try Self.make(Array(labels.appendingPathComponent("sample-output.png").path.utf8), fifo: true)
        try Self.make(Array(labels.appendingPathComponent("user-agreement.md").path.utf8), copying: nil)
        let check = try Self.shell(
            "check --format json --as-of 2026-11-24 --registry '\(Self.samples.path)/registry' '\(bundle.path)'",
            timeout: 30)
        #expect(check.status == 2, "\(check.stderr)")
        let findings = (try check.json()["findings"] as? [[String: Any]]) ?? []
        #expect(
            findings.contains {
                $0["rule"] as? String == "labeling_materials_missing"
                    && ($0["message"] as? String)?.contains("sample-output.png") == true
            }, "\(findings)")

        // The declaration itself a FIFO: a defective submission, refused with the reason.
        try FileManager.default.removeItem(atPath: bundle.path + ".declaration.yaml")
        try Self.make(Array((bundle.path + ".declaration.yaml").utf8), fifo: true)
        let again = try Self.shell(
            "check --format json --as-of 2026-11-24 --registry '\(Self.samples.path)/registry' '\(bundle.path)'",
            timeout: 30)
        #expect(again.status == 2, "\(again.stderr)")
        #expect(again.stdout.contains("FIFO"), "\(again.stdout)")
    }

    @Test("a bundle named in GBK is found by review and by check, with its declaration, and shown escaped")
    func gbkNames() throws {
        let folder = try TestFiles.directory("gbk")
        let base = Array(folder.path.utf8) + Array("/".utf8) + Self.gbkName
        try Self.make(base + Array(".apk".utf8), copying: Self.samples.appendingPathComponent("calculator.apk"))
        try Self.make(
            base + Array(".apk.declaration.yaml".utf8),
            copying: Self.samples.appendingPathComponent("calculator.apk.declaration.yaml"))
        let shown = "\\xB2\\xE2\\xCA\\xD4.apk"

        let check = try Self.shell(
            "check --format json --as-of 2026-11-24 --registry '\(Self.samples.path)/registry' "
                + Self.printf(base + Array(".apk".utf8)))
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let bundle = try check.json()["bundle"] as? [String: Any]
        #expect((bundle?["path"] as? String)?.hasSuffix(shown) == true, "\(bundle ?? [:])")
        #expect(try check.json()["verdict"] as? String == "approve")

        let review = try Self.shell(
            "review --db '\(folder.path)/s.db' --report-dir '\(folder.path)/r' --as-of 2026-11-24 --registry '\(Self.samples.path)/registry' '\(folder.path)'",
            timeout: 60)
        #expect(review.status == 0, "\(review.stdout)\(review.stderr)")
        #expect(review.stdout.contains("1 reviewed"), "\(review.stdout)")
    }

    @Test("RawPath keeps every byte: decode and bytes are inverse, display escapes")
    func rawPath() {
        for bytes: [UInt8] in [Self.gbkName, Array("普通.apk".utf8), [0x61, 0xFF, 0x62], [0xE6, 0x99], []] {
            #expect(RawPath.bytes(RawPath.decode(bytes)) == bytes)
        }
        #expect(RawPath.display(RawPath.decode(Self.gbkName + Array(".apk".utf8))) == "\\xB2\\xE2\\xCA\\xD4.apk")
        #expect(RawPath.display("普通.apk") == "普通.apk")
    }
}

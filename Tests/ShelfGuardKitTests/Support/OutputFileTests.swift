import Foundation
import Testing

@testable import ShelfGuardKit

/// Report files are written whole or not at all. CI runs as root, where permissions do not stop
/// a write: failures are made with /dev/full and folders that do not exist, which fail for root
/// too.
@Suite("OutputFile: whole or not at all")
struct OutputFileTests {
    /// The names in a folder, hidden ones included.
    static func names(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test("a new file and a replaced one: the content, and no temporary file left beside it")
    func writes() throws {
        let folder = try TestFiles.directory("output-file")
        let target = folder.appendingPathComponent("report.sarif").path
        try OutputFile.write("first\n", to: target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "first\n")
        try OutputFile.write("second, longer than the first\n", to: target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "second, longer than the first\n")
        try OutputFile.write("", to: target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "")
        #expect(try Self.names(folder) == ["report.sarif"])
    }

    @Test("a file replaced keeps its permissions; a symbolic link keeps pointing at its replaced target")
    func permissionsAndLinks() throws {
        let folder = try TestFiles.directory("output-file-link")
        let target = folder.appendingPathComponent("real.md").path
        try OutputFile.write("old", to: target)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        let link = folder.appendingPathComponent("link.md").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.md")
        try OutputFile.write("new", to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real.md")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try Self.names(folder) == ["link.md", "real.md"])
    }

    @Test("a full device fails with the system's reason, and is not replaced by a file")
    func fullDevice() throws {
        let megabyte = String(repeating: "x", count: 1 << 20)
        #expect(throws: OutputFile.Failure(path: "/dev/full", reason: "No space left on device")) {
            try OutputFile.write(megabyte, to: "/dev/full")
        }
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        // /dev/null takes anything: written in place, not renamed over.
        try OutputFile.write(megabyte, to: "/dev/null")
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test("a folder that does not exist, or a file where a folder should be, fails and leaves nothing")
    func missingFolder() throws {
        let folder = try TestFiles.directory("output-file-missing")
        let missing = folder.appendingPathComponent("no/such/folder/report.xml").path
        let error = #expect(throws: OutputFile.Failure.self) { try OutputFile.write("x", to: missing) }
        #expect(error?.description == "cannot write \(missing): No such file or directory")
        let file = folder.appendingPathComponent("plain").path
        try OutputFile.write("x", to: file)
        #expect(throws: OutputFile.Failure(path: file + "/report.xml", reason: "Not a directory")) {
            try OutputFile.write("x", to: file + "/report.xml")
        }
        #expect(try Self.names(folder) == ["plain"])
    }

    @Test("a folder given as the file is refused, and stays a folder")
    func folderAsTarget() throws {
        let folder = try TestFiles.directory("output-file-folder")
        #expect(throws: OutputFile.Failure.self) { try OutputFile.write("x", to: folder.path) }
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) && isFolder.boolValue)
        #expect(try Self.names(folder).isEmpty)
    }
}

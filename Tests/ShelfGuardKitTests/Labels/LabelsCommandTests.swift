import BundleFactory
import Foundation
import Testing

@testable import ShelfGuardKit

#if canImport(Glibc)
    import Glibc
#endif

/// `shelfguard labels`, run as a separate process: one file and several, text and JSON, the exit
/// codes, the declared-party flags, the limit flags, a FIFO, and a 1 GB video in milliseconds.
@Suite("shelfguard labels, end to end")
struct LabelsCommandTests {
    /// Writes samples into a fresh folder; returns their paths.
    static func write(_ names: [String]) throws -> [String] {
        let folder = try TestFiles.directory("labels-cli")
        return try names.map { name in
            let path = folder.appendingPathComponent(name).path
            try Data(LabeledMedia.sample(name).bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static func array(_ result: ShelfGuardBinary.Result) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    @Test("one file, JSON: an object with exactly the contract's fields; exit 0")
    func oneJSON() throws {
        let path = try Self.write(["c2pa.jpg"])[0]
        let result = try ShelfGuardBinary.run(["labels", "--format", "json", path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(Set(json.keys) == ["path", "sha256", "size", "container", "labels", "c2pa", "hazards", "bytesRead"])
        #expect(json["path"] as? String == path)
        #expect((json["sha256"] as? String)?.count == 64)
        #expect(json["container"] as? String == "jpeg")
        #expect((json["hazards"] as? [Any])?.isEmpty == true)
        let label = try #require((json["labels"] as? [[String: Any]])?.first)
        #expect(Set(label.keys) == ["carrier", "form", "fields", "valid", "problems", "producerUSCC"])
        #expect(label["carrier"] as? String == "jpeg_xmp")
        #expect(label["form"] as? String == "canonical")
        #expect(label["valid"] as? Bool == true)
        #expect((label["problems"] as? [Any])?.isEmpty == true)
        #expect(label["producerUSCC"] as? String == "91440300708461136T")
        let fields = try #require(label["fields"] as? [String: String])
        #expect(fields["ContentProducer"] == "001191440300708461136T1XGW3" && fields.count == 7)
        let c2pa = try #require(json["c2pa"] as? [String: Any])
        #expect(c2pa["present"] as? Bool == true)
        #expect(c2pa["signaturesValidated"] as? Bool == false)
        #expect(c2pa["claimGenerator"] as? String == "ExampleAI/1.0")
        #expect((c2pa["note"] as? String)?.contains("signatures are not validated") == true)
    }

    @Test("one file, text: the label, its fields, the C2PA store and that it is not validated; exit 0")
    func oneText() throws {
        let path = try Self.write(["c2pa.png"])[0]
        let result = try ShelfGuardBinary.run(["labels", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("label       png_xmp, canonical: valid"))
        #expect(result.stdout.contains("ContentProducer = \"001191440300708461136T1XGW3\"  (USCC 91440300708461136T)"))
        #expect(result.stdout.contains("c2pa        present (png_cabx, 2 manifests)"))
        #expect(result.stdout.contains("signatures are not validated"))
        #expect(result.stdout.contains("hazards     none"))
    }

    @Test("several files: a JSON array in order, the worst exit status (3 for an invalid label)")
    func several() throws {
        let paths = try Self.write(["canonical.mp4", "exif.jpg", "canonical.docx"])
        let result = try ShelfGuardBinary.run(["labels", "--format", "json"] + paths)
        #expect(result.status == 3)
        let array = try Self.array(result)
        #expect(array.map { $0["container"] as? String } == ["mp4", "jpeg", "docx"])
        let exif = try #require((array[1]["labels"] as? [[String: Any]])?.first)
        #expect(exif["valid"] as? Bool == false)
        #expect(exif["producerUSCC"] is NSNull)
        let text = try ShelfGuardBinary.run(["labels"] + paths)
        #expect(text.status == 3)
        #expect(text.stdout.contains("INVALID"))
        #expect(text.stdout.components(separatedBy: "\n  container   ").count == 4)
    }

    @Test("a file with no label, and one that is no container ShelfGuard reads")
    func noLabel() throws {
        let folder = try TestFiles.directory("labels-none")
        let plain = folder.appendingPathComponent("plain.png").path
        try Data(PNGBuilder().bytes).write(to: URL(fileURLWithPath: plain))
        let none = try ShelfGuardBinary.run(["labels", plain])
        #expect(none.status == 0)
        #expect(none.stdout.contains("labels      none found"))
        let gif = folder.appendingPathComponent("a.gif").path
        try Data("GIF89a".utf8).write(to: URL(fileURLWithPath: gif))
        let unsupported = try ShelfGuardBinary.run(["labels", "--format", "json", gif])
        #expect(unsupported.status == 3)
        #expect(((try unsupported.json()["hazards"] as? [[String: Any]])?.first?["kind"] as? String) == "unsupported")
    }

    @Test("--developer-uscc and --supplier-uscc: the producer matches, or the label is invalid (exit 3)")
    func parties() throws {
        let path = try Self.write(["canonical.wav"])[0]
        let mine = try ShelfGuardBinary.run([
            "labels", "--format", "json", "--developer-uscc", "91440300708461136T", path,
        ])
        #expect(mine.status == 0)
        let match = try #require(
            ((try mine.json()["labels"] as? [[String: Any]])?.first)?["producerMatch"] as? [String: Any])
        #expect(match["outcome"] as? String == "developer")
        let supplier = try ShelfGuardBinary.run([
            "labels", "--developer-uscc", "91110108MA01KP2T5U", "--supplier-uscc", "91440300708461136T", path,
        ])
        #expect(supplier.status == 0)
        #expect(supplier.stdout.contains("producer: supplier"))
        let stranger = try ShelfGuardBinary.run(["labels", "--developer-uscc", "91110108MA01KP2T5U", path])
        #expect(stranger.status == 3)
        #expect(stranger.stdout.contains("neither the developer's (91110108MA01KP2T5U) nor a declared supplier's"))
        let bad = try ShelfGuardBinary.run([
            "labels", "--format", "json", "--developer-uscc", "91440300708461136X", path,
        ])
        #expect(bad.status == 1)
        #expect((try bad.json()["error"] as? String)?.contains("check character") == true)
    }

    @Test("--no-digest: sha256 is null")
    func noDigest() throws {
        let path = try Self.write(["canonical.mp3"])[0]
        let result = try ShelfGuardBinary.run(["labels", "--format", "json", "--no-digest", path])
        #expect(result.status == 0)
        #expect(try result.json()["sha256"] is NSNull)
    }

    @Test(
        "every limit flag: its hazard, exit 3",
        arguments: [
            (["--max-read", "200"], "canonical.png", "read_limit"),
            (["--max-packet-size", "100"], "canonical.jpg", "packet_too_large"),
            (["--max-boxes", "3"], "canonical.png", "too_many_structures"),
            (["--max-depth", "2"], "canonical.mp4", "depth_limit"),
            (["--timeout", "0.000000001"], "canonical.wav", "timeout"),
        ])
    func limitFlags(_ flag: [String], _ name: String, _ kind: String) throws {
        let path = try Self.write([name])[0]
        let result = try ShelfGuardBinary.run(["labels", "--format", "json"] + flag + [path])
        #expect(result.status == 3, "\(result.stderr)")
        let hazards = try #require(try result.json()["hazards"] as? [[String: Any]])
        #expect(hazards.map { $0["kind"] as? String } == [kind])
    }

    @Test("bad arguments and unreadable files: exit 1, a JSON error naming the file and what to do")
    func toolErrors() throws {
        for flags in [["--max-read", "0"], ["--max-boxes", "0"], ["--timeout", "-1"], ["--max-packet-size", "12Q"]] {
            #expect(try ShelfGuardBinary.run(["labels"] + flags + ["x.png"]).status == 1, "\(flags)")
        }
        #expect(try ShelfGuardBinary.run(["labels"]).status == 1)
        let missing = try ShelfGuardBinary.run(["labels", "--format", "json", "/nonexistent/sample.png"])
        #expect(missing.status == 1)
        let error = try #require(try missing.json()["error"] as? String)
        #expect(error.contains("/nonexistent/sample.png") && error.contains("check the path"))
        let folder = try TestFiles.directory("labels-dir")
        let mixed = try ShelfGuardBinary.run(
            ["labels", "--format", "json", folder.path] + (try Self.write(["canonical.png"])))
        #expect(mixed.status == 1)
        let outputs = try Self.array(mixed)
        #expect((outputs[0]["error"] as? String)?.contains("a folder, not a regular file") == true)
        #expect(outputs[1]["container"] as? String == "png")
    }

    @Test("a FIFO is refused at once, by name, not waited on: exit 1")
    func fifo() throws {
        let folder = try TestFiles.directory("labels-fifo")
        let path = folder.appendingPathComponent("sample.png").path
        #expect(mkfifo(path, 0o644) == 0)
        let start = Date()
        let result = try ShelfGuardBinary.run(["labels", "--format", "json", path])
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(result.status == 1)
        let error = try #require(try result.json()["error"] as? String)
        #expect(error.contains("sample.png is a FIFO (named pipe), not a regular file"))
        #expect(error.contains("give the file itself"))
    }

    @Test("a 1 GB MP4 with moov at the end: the label from a few hundred bytes read, never the mdat")
    func gigabyte() throws {
        let folder = try TestFiles.directory("labels-gigabyte")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("clip.mp4").path
        var builder = MP4Builder(label: LabelFields.valid.json)
        builder.mdatBytes = 1 << 30
        try builder.writeSparse(path: path)
        let run = try ChildRun.measure(ShelfGuardBinary.url.path, ["labels", "--format", "json", "--no-digest", path])
        #expect(run.status == 0)
        // Not reading the mdat is proven by the bytes read (below); the time is only a hang guard
        // here, and `scripts/bench labels` measures it.
        #expect(run.seconds < 20, "took \(run.seconds) s")
        // rusage's figure for a spawned child starts from the spawning process's high-water mark
        // (Linux carries it over at exec), so the bound is relative to this process's: reading
        // the mdat would add a gigabyte.
        let ceiling = max(ChildRun.ownHighWaterMark(), 64 << 20) + (48 << 20)
        #expect(run.peakRSS < ceiling, "peak RSS \(run.peakRSS) bytes")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((json["bytesRead"] as? Int ?? .max) < 2048)
        #expect(((json["labels"] as? [[String: Any]])?.first?["valid"] as? Bool) == true)
    }
}

/// One child process, timed, with its peak resident memory (rusage from `wait4`).
struct ChildRun {
    /// This process's peak resident memory (VmHWM), in bytes.
    static func ownHighWaterMark() -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").compactMap { Int64($0) }.first ?? 0) * 1024
        }
        return 0
    }

    var status: Int32
    var seconds: Double
    var peakRSS: Int64
    var stdout: String

    static func measure(_ executable: String, _ arguments: [String]) throws -> ChildRun {
        let output = try TestFiles.directory("child").appendingPathComponent("stdout")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let start = Monotonic.now()
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
            throw CocoaError(.executableLoad)
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 { guard errno == EINTR else { throw CocoaError(.executableLoad) } }
        let seconds = Monotonic.seconds(since: start)
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return ChildRun(
            status: (status >> 8) & 0xFF, seconds: seconds, peakRSS: Int64(usage.ru_maxrss) * 1024, stdout: text)
    }
}

import BundleFactory
import Foundation
import Testing

/// ExifTool, an independent reader, confirms that the generated files carry what the label tests
/// say they carry: the label's value in each carrier ExifTool knows, and the JUMBF store of a
/// JPEG and a PNG. (ExifTool 12.57 does not read C2PA in MP4, WAV or MP3, nor ExtendedXMP
/// chunks no packet names; those are left to ShelfGuard's own tests.)
@Suite(
    "Generated labeled files, read by ExifTool",
    .enabled(
        if: Exiftool.path != nil,
        "exiftool is not installed (Debian: apt-get install -y libimage-exiftool-perl); generated files are not cross-checked"
    ))
struct LabelExiftoolTests {
    /// Samples whose label ExifTool shows as text (base64 and malformed packets it shows raw or not
    /// at all; the vendor's EXIF JSON has no ProduceID).
    static let readable = LabeledMedia.all().map(\.name).filter {
        !["kvbase64.jpg", "kvbase64-wrapped.jpg", "malformed.jpg", "exif.jpg"].contains($0)
    }

    static func run(_ arguments: [String], on sample: LabeledMedia.Sample) throws -> String {
        let folder = try TestFiles.directory("exiftool")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(sample.name).path
        try Data(sample.bytes).write(to: URL(fileURLWithPath: path))
        return try Tools.output(Exiftool.path!, arguments + [path])
    }

    @Test("ExifTool finds the label's value where the sample puts it", arguments: readable)
    func label(_ name: String) throws {
        let sample = LabeledMedia.sample(name)
        // WAV chunks ExifTool does not know come out only as binary unknown tags.
        let arguments =
            sample.container == "wav" && sample.carrier == "wav_chunk"
            ? ["-U", "-b", "-Unknown_AIGC"] : ["-j", "-a", "-U", "-ee"]
        let output = try Self.run(arguments, on: sample)
        #expect(output.contains("20261202-0001"), "\(name): \(output.prefix(400))")
    }

    @Test(
        "ExifTool sees the C2PA JUMBF store (its manifests and the claim) in the JPEG and the PNG",
        arguments: ["c2pa.jpg", "c2pa.png"])
    func store(_ name: String) throws {
        let output = try Self.run(["-a", "-G1", "-s", "-JUMBF:all", "-CBOR:all"], on: LabeledMedia.sample(name))
        #expect(output.contains("urn:uuid:5a3c7e2a-5e5d-4d2e-9a53-2f0d8c1b7e11"))
        #expect(output.contains("c2pa.claim"))
        #expect(output.contains("Claim_generator                 : ExampleAI/1.0"))
        #expect(output.contains("digitalsourcetype/trainedAlgorithmicMedia"))
    }

    @Test("ExifTool finds the packet holding XmpKvBase64, and the ExtendedXMP's GUID")
    func rawForms() throws {
        let kv = try Self.run(["-b", "-XMP"], on: LabeledMedia.sample("kvbase64.jpg"))
        #expect(kv.contains("QUlHQz17"))  // "AIGC={" in base64
        let extended = try Self.run(["-j", "-a", "-XMP:all"], on: LabeledMedia.sample("extended.jpg"))
        #expect(extended.contains("HasExtendedXMP"))
    }
}

/// Where ExifTool is installed, if it is.
enum Exiftool {
    static let path: String? = ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}

import ArgumentParser
import BundleFactory
import Foundation
import FoundationXML
import ShelfGuardKit

/// Issue 3's benchmark: parsing a binary AndroidManifest.xml over 1 MB (tree and facts), against
/// Foundation's XMLParser (libxml2) reading the same manifest as text XML, in the same process.
struct ManifestBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Time parsing a binary Android manifest of over 1 MB, against XMLParser on its text form.")

    @Option(help: "Runs of each parser (the median is reported).")
    var runs = 25

    @Option(help: "Smallest manifest size to build, in bytes.")
    var minimumSize = 1 << 20

    func run() throws {
        var components = 1_000
        var node = BenchmarkBundle.largeManifest(components: components)
        var binary = BinaryXMLWriter.write(node)
        while binary.count < minimumSize {
            components *= 2
            node = BenchmarkBundle.largeManifest(components: components)
            binary = BinaryXMLWriter.write(node)
        }
        let text = Data(Self.text(node).utf8)
        print("Manifest parsing benchmark: \(runs) runs each, medians; one process.")
        print(
            "binary manifest: \(binary.count) bytes, \(components) components; the same as text XML: \(text.count) bytes"
        )

        var ours: [Double] = []
        var baseline: [Double] = []
        var manifest: AppManifest?
        for _ in 0..<runs {
            var start = Date()
            manifest = try AppManifest.android(binaryXML: binary)
            ours.append(Date().timeIntervalSince(start))

            start = Date()
            let parser = XMLParser(data: text)
            let counter = ElementCounter()
            parser.delegate = counter
            guard parser.parse() else {
                throw BenchError("XMLParser failed: \(String(describing: parser.parserError))")
            }
            baseline.append(Date().timeIntervalSince(start))
        }
        let mine = Summary(ours)
        let theirs = Summary(baseline)
        let megabytes = Double(binary.count) / 1_000_000
        func ms(_ s: Double) -> String { String(format: "%7.2f ms", s * 1000) }
        print("  parser                                  median       min          max")
        print("  ShelfGuard binary XML → tree → facts   \(ms(mine.median))   \(ms(mine.min))   \(ms(mine.max))")
        print("  XMLParser on the text form (SAX only)  \(ms(theirs.median))   \(ms(theirs.min))   \(ms(theirs.max))")
        print(
            String(
                format: "  %.1f MB/s; %.2f× XMLParser's time; read %d permissions, %d components",
                megabytes / mine.median, mine.median / theirs.median, manifest?.permissions.count ?? 0,
                manifest?.components.count ?? 0))
    }

    /// The manifest as text XML.
    static func text(_ node: BundleFactory.XMLNode, indent: String = "") -> String {
        func attribute(_ a: BundleFactory.XMLNode.Attribute) -> String {
            let value: String
            switch a.value {
            case .string(let s): value = s
            case .int(let i): value = String(i)
            case .bool(let b): value = b ? "true" : "false"
            case .reference(let id): value = "@" + String(id, radix: 16)
            }
            return " \(a.namespace == nil ? "" : "android:")\(a.name)=\"\(value)\""
        }
        var out = indent + "<\(node.name)"
        if indent.isEmpty { out += " xmlns:android=\"\(AndroidManifestBuilder.androidNamespace)\"" }
        out += node.attributes.map(attribute).joined()
        if node.children.isEmpty { return out + "/>\n" }
        out += ">\n" + node.children.map { text($0, indent: indent + "  ") }.joined()
        return out + indent + "</\(node.name)>\n"
    }
}

/// Counts elements: the least work a SAX client can do.
final class ElementCounter: NSObject, XMLParserDelegate {
    var elements = 0
    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements += 1
    }
}

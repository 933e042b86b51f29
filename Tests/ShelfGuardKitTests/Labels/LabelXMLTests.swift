import Foundation
import Testing

@testable import ShelfGuardKit

/// The small XML reader XMP packets and custom.xml go through: what it accepts, what it refuses,
/// and the inputs that crash Foundation's XMLParser on Linux.
@Suite("Label XML reader")
struct LabelXMLTests {
    /// The events as text, or the failure.
    static func events(_ text: String) -> String {
        events(Array(text.utf8))
    }

    static func events(_ bytes: [UInt8]) -> String {
        var out: [String] = []
        let failure = try? LabelXML.parse(bytes) { event in
            switch event {
            case .start(let name, let attributes):
                out.append("<\(name)" + attributes.map { " \($0.name)=\($0.value)" }.joined() + ">")
            case .end(let name): out.append("</\(name)>")
            case .text(let text): out.append(text)
            }
            return true
        }
        if let failure { return "failure: \(failure.reason)" }
        return out.joined()
    }

    @Test("elements, attributes, text, CDATA, entities, comments and processing instructions")
    func wellFormed() {
        #expect(
            Self.events(
                "<?xpacket begin='\u{FEFF}'?><!-- c --><a x='1' y=\"&quot;2&#x41;&#66;\">t&amp;<![CDATA[<&>]]><b/></a>\n"
            )
                == "<a x=1 y=\"2AB>t&<&><b></b></a>")
    }

    @Test(
        "refused: mismatched tags, a second root, a DTD, undefined entities, bare '&', duplicate attributes, unclosed",
        arguments: [
            ("<a></b>", "</b> closes <a>"), ("<a/><b/>", "a second root element"),
            ("<!DOCTYPE a><a/>", "a DTD or declaration"), ("<a>&foo;</a>", "&foo; is not defined"),
            ("<a>&#0;</a>", "&#0; is not defined"), ("<a>R&D</a>", "a bare '&'"),
            ("<a x='1' x='2'/>", "the attribute x twice"),
            ("<a>", "<a> is not closed"), ("<a x='1/>", "not closed"), ("text", "text outside the root element"),
            ("", "no root element"), ("<a x=1/>", "not quoted"), ("<a x='<'/>", "a '<' inside the value"),
        ])
    func refused(_ text: String, _ reason: String) {
        let result = Self.events(text)
        #expect(result.hasPrefix("failure:") && result.contains(reason), "\(result)")
    }

    @Test("inputs that crash Foundation's XMLParser on Linux are plain failures or events here")
    func xmlParserCrashers() {
        #expect(Self.events("<?x?><a/>") == "<a></a>")
        #expect(Self.events([0x3C, 0x78, 0x26, 0xF4, 0x75, 0x3B, 0x2C]).hasPrefix("failure:"))
        #expect(
            Self.events(Array("<a>".utf8) + [0xC5, 0x73] + Array("</a>".utf8)) == "failure: bytes that are not UTF-8")
    }

    @Test("the line of a failure is reported")
    func line() throws {
        let failure = try LabelXML.parse(Array("<a>\n\n<b></c>".utf8)) { _ in true }
        #expect(failure?.line == 3)
    }
}

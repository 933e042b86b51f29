/// Office Open XML documents for fixtures: a docx (or xlsx, pptx) zip with
/// `[Content_Types].xml`, the main part, and `docProps/custom.xml` holding custom properties.
public enum OfficeBuilder {
    /// The kind of document.
    public enum Kind: String, Sendable {
        case docx, xlsx, pptx

        var mainPart: String {
            switch self {
            case .docx: "word/document.xml"
            case .xlsx: "xl/workbook.xml"
            case .pptx: "ppt/presentation.xml"
            }
        }
    }

    /// `docProps/custom.xml` with the properties given (name, value type, value).
    public static func customXML(_ properties: [(name: String, type: String, value: String)]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        out +=
            "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
        for (i, p) in properties.enumerated() {
            out +=
                "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"\(i + 2)\" name=\"\(XMLEscape.escape(p.name))\"><vt:\(p.type)>\(XMLEscape.escape(p.value))</vt:\(p.type)></property>"
        }
        return out + "</Properties>"
    }

    /// A document whose `docProps/custom.xml` is `custom` (nil: none), deflated or stored.
    public static func document(
        _ kind: Kind = .docx, custom: String?, method: ZipBuilder.Method = .deflated, extra: [(String, [UInt8])] = []
    ) -> [UInt8] {
        var files: [(String, [UInt8])] = [
            (
                "[Content_Types].xml",
                Array(
                    "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
                        .utf8)
            ),
            ("_rels/.rels", Array("<?xml version=\"1.0\"?><Relationships/>".utf8)),
            (kind.mainPart, Array("<?xml version=\"1.0\"?><document/>".utf8)),
        ]
        if let custom { files.append(("docProps/custom.xml", Array(custom.utf8))) }
        files += extra
        return ZipBuilder.archive(files, method: method)
    }
}

/// The batch report as one HTML page that opens from disk: verdict counts, a filter by verdict,
/// and for each bundle its app, version, verdict, shelf state and findings with their legal
/// basis and remedy. Everything that came from a bundle or a declaration is escaped; the page
/// loads nothing from anywhere.
extension BatchReport {
    public func html() -> String {
        var rows: [String] = []
        for (index, item) in items.enumerated() {
            let verdict = item.verdict?.rawValue ?? "failed"
            let label = item.verdict.map(BatchReport.label) ?? "not reviewed"
            let findings = item.findings.filter { $0.severity > .info || $0.waiver != nil }
            let info = item.findings.count - findings.count
            var detail = ""
            if let error = item.error {
                detail = "<p class=\"error\">\(h(error))</p>"
            } else if item.findings.isEmpty {
                detail = "<p class=\"quiet\">No findings.</p>"
            } else {
                let lines = item.findings.map { f in
                    """
                    <tr class="sev-\(f.severity.rawValue)"><td><span class="sev">\(h(f.severity.rawValue.replacingOccurrences(of: "_", with: " ")))</span>\(f.waiver == nil ? "" : "<br><span class=\"quiet\">waived</span>")</td>\
                    <td><code>\(h(f.rule))</code></td><td>\(h(f.message))<div class="where">\(h(f.location))</div></td>\
                    <td>\(h(f.basis))</td><td>\(h(f.waiver ?? f.remedy))</td></tr>
                    """
                }
                detail = """
                    <table class="findings"><thead><tr><th>Severity</th><th>Rule</th><th>Finding</th><th>Basis</th><th>Remedy</th></tr></thead>
                    <tbody>\(lines.joined(separator: "\n"))</tbody></table>
                    """
            }
            let summary =
                item.error != nil
                ? "could not be reviewed"
                : findings.isEmpty
                    ? (info > 0 ? "\(info) for information" : "no findings")
                    : "\(findings.count) finding\(findings.count == 1 ? "" : "s")"
                        + (info > 0 ? ", \(info) for information" : "")
            rows.append(
                """
                <tbody class="item" data-verdict="\(verdict)">
                <tr class="head"><td class="num">\(index + 1)</td>\
                <td><strong>\(h(item.name?.isEmpty == false ? item.name! : item.app ?? "—"))</strong><div class="quiet">\(h(item.app ?? ""))</div></td>\
                <td>\(h(item.version ?? "—"))</td><td>\(h(item.platform ?? "—"))</td>\
                <td><span class="verdict v-\(verdict)">\(h(label))</span></td>\
                <td>\(h(item.state?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "—"))</td>\
                <td>\(h(summary))\(item.status == .skipped ? " <span class=\"quiet\">(recorded earlier)</span>" : "")</td></tr>
                <tr class="detail"><td></td><td colspan="6"><details\(findings.isEmpty && item.error == nil ? "" : " open")>\
                <summary>\(h(item.path))\(item.sha256.map { " · sha256 " + String($0.prefix(16)) + "…" } ?? "")</summary>
                \(item.note.map { "<p class=\"quiet\">\(h($0))</p>" } ?? "")\(detail)</details></td></tr>
                </tbody>
                """)
        }
        let cards = [
            ("all", "Bundles", counts.bundles), ("approve", "Approved", counts.approve),
            ("warn", "Warnings", counts.warn),
            ("manual_review", "Manual review", counts.manualReview), ("refuse", "Refused", counts.refuse),
            ("failed", "Not reviewed", counts.failed),
        ].map { key, title, n in
            "<button class=\"card v-\(key)\" data-filter=\"\(key)\" aria-pressed=\"\(key == "all")\"><span class=\"n\">\(n)</span><span>\(title)</span></button>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ShelfGuard review, batch \(batch)</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;color:#1d232a;background:#f4f5f7}
            header{background:#1f2d3d;color:#fff;padding:20px 32px}
            header h1{margin:0 0 4px;font-size:22px}
            header p{margin:0;color:#c9d3de;font-size:13px}
            main{padding:20px 32px}
            .cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:18px}
            .card{border:2px solid transparent;border-radius:10px;background:#fff;padding:12px 18px;min-width:120px;text-align:left;cursor:pointer;box-shadow:0 1px 2px #0002;font:inherit}
            .card[aria-pressed=true]{border-color:#1f2d3d}
            .card .n{display:block;font-size:26px;font-weight:700}
            table.batch{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 2px #0002}
            table.batch>thead th{text-align:left;background:#e8ebef;padding:8px 10px;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
            tr.head td{padding:10px;border-top:1px solid #e3e6ea;vertical-align:top}
            tr.detail td{padding:0 10px 10px}
            .num{color:#8a94a0;width:2em}
            .quiet{color:#6b7682;font-size:12px}
            .verdict{display:inline-block;border-radius:999px;padding:2px 10px;font-weight:600;font-size:12px}
            .v-approve .n,.verdict.v-approve{color:#17663a}.verdict.v-approve{background:#dcf3e4}
            .v-warn .n,.verdict.v-warn{color:#8a5a00}.verdict.v-warn{background:#fdf0cf}
            .v-manual_review .n,.verdict.v-manual_review{color:#6b2d91}.verdict.v-manual_review{background:#efe3f8}
            .v-refuse .n,.verdict.v-refuse{color:#a3212b}.verdict.v-refuse{background:#fbe0e2}
            .v-failed .n,.verdict.v-failed{color:#4a5560}.verdict.v-failed{background:#e5e8eb}
            details summary{cursor:pointer;color:#45515d;font-size:12px;word-break:break-all}
            table.findings{width:100%;border-collapse:collapse;margin-top:6px;font-size:13px}
            table.findings th{text-align:left;font-size:11px;color:#6b7682;padding:4px 6px;border-bottom:1px solid #e3e6ea}
            table.findings td{padding:6px;border-bottom:1px solid #f0f2f4;vertical-align:top}
            .sev{font-weight:600;text-transform:uppercase;font-size:11px}
            .sev-refuse .sev{color:#a3212b}.sev-manual_review .sev{color:#6b2d91}.sev-warn .sev{color:#8a5a00}.sev-info .sev{color:#2d6a8a}
            .where{color:#6b7682;font-size:12px;font-family:ui-monospace,monospace;word-break:break-all}
            .error{color:#a3212b}
            footer{padding:16px 32px;color:#6b7682;font-size:12px}
            </style></head>
            <body>
            <header><h1>ShelfGuard shelf review · batch \(batch)</h1>
            <p>\(h(startedAt)) – \(h(finishedAt)) · \(counts.bundles) bundles (\(counts.reviewed) reviewed now, \(counts.skipped) recorded earlier, \(counts.failed) not reviewed)\(interrupted ? " · <strong>interrupted: run the same command again to finish</strong>" : "") · by \(h(actor)) · \(jobs) workers</p></header>
            <main>
            <div class="cards" role="group" aria-label="Filter by verdict">\(cards.joined())</div>
            <table class="batch"><thead><tr><th>#</th><th>App</th><th>Version</th><th>Platform</th><th>Verdict</th><th>Shelf state</th><th>Findings</th></tr></thead>
            \(rows.joined(separator: "\n"))
            </table>
            </main>
            <footer>Judged as of \(h(asOf)) by shelfguard \(h(toolVersion)) under policy \(h(policy)) from \(h(policySource ?? "?")) (sha256 \(h(String(policySHA256.prefix(16))))…), feature database \(h(signatureSource ?? "?")) sha256 \(h(String(signatureSHA256.prefix(16))))…; shelf database \(h(database))\(auditHead.map { ", audit log head \($0.seq) sha256 \(h($0.hash))" } ?? ""). Bases cite the Deep Synthesis Provisions (DSP), the Labeling Measures (LM) and the Generative AI Measures (GAI).</footer>
            <script>
            document.querySelectorAll('.card').forEach(function (card) {
              card.addEventListener('click', function () {
                var filter = card.dataset.filter;
                document.querySelectorAll('.card').forEach(function (c) { c.setAttribute('aria-pressed', c === card); });
                document.querySelectorAll('tbody.item').forEach(function (row) {
                  row.hidden = filter !== 'all' && row.dataset.verdict !== filter;
                });
              });
            });
            </script>
            </body></html>

            """
    }

    static func label(_ verdict: VerdictOutcome) -> String {
        switch verdict {
        case .approve: "approved"
        case .warn: "warning"
        case .manualReview: "manual review"
        case .refuse: "refused"
        }
    }
}

/// HTML text escaping, control characters made visible.
func h(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in SafeText.escape(text).unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

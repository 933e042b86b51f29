import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ShelfGuardKit
@testable import ShelfGuardService

/// The public complaint page as a person on a phone meets it: the service on a loopback port
/// (in process, its clock fixed on 2031-06-01), headless Chromium at a phone's width driven over
/// the DevTools protocol, the form filled and sent with a click, once with script and once
/// without, and the complaint looked up in the ledger.
@Suite("The complaint page in headless Chromium", .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ComplaintPageBrowserTests {
    /// An iPhone's width in CSS pixels.
    static let phone = (width: 390, height: 844)

    @Test(
        "the complaint page renders on a phone (text drawn, CJK glyphs, no sideways scroll) and its form, sent with a click, files the complaint with and without script"
    )
    func complaintThroughTheBrowser() async throws {
        try #require(HeadlessChromium.executable != nil, Comment(rawValue: HeadlessChromium.missing))
        let fixture = try ServiceFixture.make(.sqlite, apps: 1, manualReview: false)
        try await fixture.app().test(.live) { client in
            let port = try #require(client.port)
            let browser = try HeadlessChromium()
            defer { browser.quit() }
            try await browser.openPage()
            try await browser.send(
                "Emulation.setDeviceMetricsOverride",
                ["width": Self.phone.width, "height": Self.phone.height, "deviceScaleFactor": 1, "mobile": true])
            let page = "http://localhost:\(port)/complaints"

            // The page, with script.
            try await Self.load(browser, page)
            #expect(try await browser.evaluate("window.innerWidth") as? Int == Self.phone.width)
            #expect(
                try await Self.fitsThePhone(browser),
                "the page scrolls sideways at \(Self.phone.width) px")
            #expect(
                try await browser.evaluate("document.querySelector('meta[name=viewport]').content") as? String
                    == "width=device-width, initial-scale=1")
            let title = try await browser.evaluate("document.querySelector('h1').innerText") as? String
            #expect(title == "投诉举报 · Complaints and reports")
            #expect(try await browser.evaluate("document.body.innerText.includes('15 天 / days')") as? Bool == true)
            try await Self.checkScreenshot(browser)

            try await browser.evaluate("document.getElementById('category').value = 'deep_synthesis_abuse'")
            try await Self.type(browser, "#app", "com.example.app0")
            let text = "这个应用把我的脸换到了别人的视频里，没有任何提示。"
            try await Self.type(browser, "#text", text)
            try await Self.click(browser, "button[type=submit]")
            #expect(
                try await browser.wait(until: "document.getElementById('answer').className !== ''", seconds: 20),
                "the page showed no answer after the click")
            let answer = try await browser.evaluate("document.getElementById('answer').innerText") as? String ?? ""
            let filed = try fixture.ledger.complaints(app: "com.example.app0", openOnly: true, limit: 10)
            #expect(filed.count == 1, "\(answer)")
            if let complaint = filed.first {
                #expect(complaint.text == text && complaint.category == "deep_synthesis_abuse")
                #expect(complaint.receivedOn == "2031-06-01" && complaint.dueOn == "2031-06-08", "7 days for abuse")
                #expect(answer.contains("已收到，编号 \(complaint.id)，答复期限 2031-06-08"), "\(answer)")
                #expect(answer.contains("Received: number \(complaint.id), answer due by 2031-06-08"), "\(answer)")
            }
            #expect(
                try await browser.evaluate("document.getElementById('app').value") as? String == "",
                "the form is emptied for the next complaint")

            // The same page without script: the browser posts the form itself and shows the
            // receipt page the service answers with, not JSON.
            try await browser.send("Emulation.setScriptExecutionDisabled", ["value": true])
            try await Self.load(browser, page, script: false)
            let longApp = "com.example." + String(repeating: "verylongname", count: 12)
            try await Self.type(browser, "#app", longApp)
            try await Self.type(browser, "#text", "未经同意使用我的声音")
            try await Self.click(browser, "button[type=submit]")
            let receipt = try await Self.html(browser, containing: "complaint-id", seconds: 20)
            try await browser.send("Emulation.setScriptExecutionDisabled", ["value": false])
            let kept = try fixture.ledger.complaints(app: longApp, openOnly: true, limit: 10)
            #expect(kept.count == 1, "\(receipt)")
            if let complaint = kept.first {
                #expect(complaint.text == "未经同意使用我的声音" && complaint.category == "general")
                #expect(complaint.dueOn == "2031-06-16", "15 days in general")
                #expect(receipt.contains("<strong id=\"complaint-id\">\(complaint.id)</strong>"), "\(receipt)")
                #expect(receipt.contains("<strong id=\"due-on\">2031-06-16</strong>"))
            }
            #expect(receipt.contains("已收到您的投诉 · Your complaint was received"))
            #expect(!receipt.contains("\"dueOn\""), "the browser shows a page, not the JSON receipt")
            #expect(
                try await Self.fitsThePhone(browser),
                "the receipt scrolls sideways at \(Self.phone.width) px with a long app id")
        }
    }

    /// Nothing is cut off sideways: the page is no wider than the phone, and the browser did not
    /// widen its layout viewport to fit it (a phone's browser does so, zooming the page out).
    static func fitsThePhone(_ browser: HeadlessChromium) async throws -> Bool {
        let widths = try await browser.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth]")
        return (widths as? [Int])?.allSatisfy { $0 <= phone.width } == true
    }

    /// Navigates and waits for the page to be loaded (with script off, until its form is there).
    static func load(_ browser: HeadlessChromium, _ url: String, script: Bool = true) async throws {
        if script {
            try await browser.send("Page.navigate", ["url": url])
            let loaded = try await browser.wait(
                until: "document.readyState === 'complete' && location.href === '\(url)'", seconds: 20)
            try #require(loaded, "\(url) did not load")
        } else {
            // Away first, so that the form found next is the new page's, not the one before.
            try await browser.send("Page.navigate", ["url": "about:blank"])
            let deadline = ContinuousClock.now + .seconds(20)
            while try await document(browser).contains("<form"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await browser.send("Page.navigate", ["url": url])
            _ = try await html(browser, containing: "<form id=\"complaint\"", seconds: 20)
        }
    }

    /// The document's HTML as the browser holds it now, once it contains `marker` (DevTools'
    /// DOM domain: works with script off).
    static func html(_ browser: HeadlessChromium, containing marker: String, seconds: Double) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var html = ""
        while ContinuousClock.now < deadline {
            html = try await document(browser)
            if html.contains(marker) { return html }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HeadlessChromium.Failure("the page never contained \(marker): \(html.prefix(2000))")
    }

    /// The document's HTML as the browser holds it now; empty while a navigation replaces it
    /// (the node asked for is then gone before it is read).
    static func document(_ browser: HeadlessChromium) async throws -> String {
        let root = try await browser.send("DOM.getDocument", ["depth": 0])
        guard let node = (root["root"] as? [String: Any])?["nodeId"] as? Int else { return "" }
        do {
            return try await browser.send("DOM.getOuterHTML", ["nodeId": node])["outerHTML"] as? String ?? ""
        } catch let failure as HeadlessChromium.Failure where failure.description.contains("Could not find node") {
            return ""
        }
    }

    static func node(_ browser: HeadlessChromium, _ selector: String) async throws -> Int {
        let root = try await browser.send("DOM.getDocument", ["depth": 0])
        let document = try #require((root["root"] as? [String: Any])?["nodeId"] as? Int)
        let found = try await browser.send("DOM.querySelector", ["nodeId": document, "selector": selector])
        let node = try #require(found["nodeId"] as? Int, "no \(selector) on the page")
        try #require(node != 0, "no \(selector) on the page")
        return node
    }

    /// Focuses a field and types into it, as a keyboard's input method would.
    static func type(_ browser: HeadlessChromium, _ selector: String, _ text: String) async throws {
        try await browser.send("DOM.focus", ["nodeId": try await node(browser, selector)])
        try await browser.send("Input.insertText", ["text": text])
    }

    /// Scrolls an element into view and clicks its middle with the mouse.
    static func click(_ browser: HeadlessChromium, _ selector: String) async throws {
        let node = try await node(browser, selector)
        try await browser.send("DOM.scrollIntoViewIfNeeded", ["nodeId": node])
        let quads = try await browser.send("DOM.getContentQuads", ["nodeId": node])["quads"] as? [[Double]]
        let quad = try #require(quads?.first, "\(selector) is not displayed")
        let x = (quad[0] + quad[2] + quad[4] + quad[6]) / 4
        let y = (quad[1] + quad[3] + quad[5] + quad[7]) / 4
        for type in ["mousePressed", "mouseReleased"] {
            try await browser.send(
                "Input.dispatchMouseEvent", ["type": type, "x": x, "y": y, "button": "left", "clickCount": 1])
        }
    }

    /// The screenshot at the phone's width shows the page: the browser decodes the PNG it took
    /// and counts, on a canvas, the pixels that change when the page's text is made
    /// transparent (the text drawn), the bands of rows they fall in (lines of text), and
    /// whether a Chinese character is drawn as a glyph rather than the box of a missing font.
    static func checkScreenshot(_ browser: HeadlessChromium) async throws {
        let normal = try await browser.send("Page.captureScreenshot", ["format": "png"])["data"] as? String ?? ""
        try await browser.evaluate(
            "(() => { const s = document.createElement('style'); s.id = 'no-text'; s.textContent = '* { color: transparent !important; }'; document.head.appendChild(s); })()"
        )
        let blank = try await browser.send("Page.captureScreenshot", ["format": "png"])["data"] as? String ?? ""
        try await browser.evaluate("document.getElementById('no-text').remove()")
        let bytes = try #require(Data(base64Encoded: normal))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        let stats = try #require(
            try await browser.evaluate(
                """
                (async () => {
                  const image = async (data) => { const i = new Image(); i.src = 'data:image/png;base64,' + data; await i.decode(); return i; };
                  const pixels = (i) => { const c = document.createElement('canvas'); c.width = i.width; c.height = i.height; const g = c.getContext('2d'); g.drawImage(i, 0, 0); return g.getImageData(0, 0, i.width, i.height).data; };
                  const a = await image('\(normal)'), b = await image('\(blank)');
                  const p = pixels(a), q = pixels(b);
                  let ink = 0, textPixels = 0, bands = 0, inBand = false;
                  for (let y = 0; y < a.height; y++) {
                    let row = 0;
                    for (let x = 0; x < a.width; x++) {
                      const k = (y * a.width + x) * 4;
                      if (p[k] < 200 || p[k + 1] < 200 || p[k + 2] < 200) ink++;
                      if (Math.abs(p[k] - q[k]) + Math.abs(p[k + 1] - q[k + 1]) + Math.abs(p[k + 2] - q[k + 2]) > 60) row++;
                    }
                    textPixels += row;
                    if (row > 0 && !inBand) bands++;
                    inBand = row > 0;
                  }
                  const glyph = (t) => { const c = document.createElement('canvas'); c.width = 40; c.height = 40; const g = c.getContext('2d'); g.font = '32px sans-serif'; g.fillText(t, 2, 32); return Array.from(g.getImageData(0, 0, 40, 40).data).join(','); };
                  return { width: a.width, height: a.height, ink: ink / (a.width * a.height), text: textPixels / (a.width * a.height), bands: bands, cjk: glyph('投') !== glyph('\\u{E000}') && glyph('投') !== glyph('诉') };
                })()
                """) as? [String: Any])
        #expect(stats["width"] as? Int == phone.width && stats["height"] as? Int == phone.height, "\(stats)")
        let ink = stats["ink"] as? Double ?? 0
        let text = stats["text"] as? Double ?? 0
        #expect(ink > 0.03 && ink < 0.9, "the screenshot is blank or a solid block: \(stats)")
        #expect(text > 0.01, "too little text drawn: \(stats)")
        #expect((stats["bands"] as? Int ?? 0) >= 10, "fewer lines of text than the page has: \(stats)")
        #expect(stats["cjk"] as? Bool == true, "Chinese is drawn as boxes: install fonts-wqy-zenhei (scripts/setup)")
    }
}

@Suite("The service: the complaint receipt for browsers", .disabled(if: UnderFaketime.active, UnderFaketime.reason))
struct ComplaintReceiptTests {
    @Test("a browser posting the form without script gets the receipt as a page; fetch, curl and programs get JSON")
    func receiptByAccept() async throws {
        let fixture = try ServiceFixture.make(.sqlite, apps: 1, manualReview: false)
        let form = "app=com.example.app0&text=%E6%8D%A2%E8%84%B8"
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/complaints", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .accept: browser],
                body: ByteBuffer(string: form)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let id = try #require(
                    try fixture.ledger.complaints(app: "com.example.app0", openOnly: true, limit: 10).first?.id)
                #expect(response.text.contains("<strong id=\"complaint-id\">\(id)</strong>"), "\(response.text)")
                #expect(response.text.contains("<strong id=\"due-on\">2031-06-16</strong>（15 天 / days）"))
                #expect(response.text.contains("已收到您的投诉 · Your complaint was received"))
                #expect(response.text.contains("<meta name=\"viewport\""))
            }
            for accept in [
                nil, "*/*", "application/json", "application/json, text/html;q=0.5", "text/html;q=0, application/json",
            ] {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                if let accept { headers[.accept] = accept }
                try await client.execute(
                    uri: "/v1/complaints", method: .post, headers: headers, body: ByteBuffer(string: form)
                ) { response in
                    #expect(response.status == .created, "\(accept ?? "no Accept")")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(accept ?? "-")")
                    #expect(response.object["dueOn"] as? String == "2031-06-16")
                }
            }
            // An Accept that takes neither form is refused before the complaint is kept: the
            // complainant is told, and nothing is stored that the answer then failed to report.
            let before = try fixture.ledger.complaints(app: "com.example.app0", openOnly: false, limit: 100).count
            for accept in ["text/html;q=0, application/xml", "image/png", "application/*;q=0"] {
                try await client.execute(
                    uri: "/v1/complaints", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .accept: accept],
                    body: ByteBuffer(string: form)
                ) { response in
                    #expect(response.status == .notAcceptable, "\(accept)")
                    #expect((response.object["error"] as? [String: Any])?["code"] as? String == "not_acceptable")
                }
            }
            #expect(try fixture.ledger.complaints(app: "com.example.app0", openOnly: false, limit: 100).count == before)
        }
    }

    @Test("which Accept headers the complaint receipt can answer")
    func receiptAcceptable() {
        #expect(ComplaintPage.canAnswer(accept: []))
        #expect(ComplaintPage.canAnswer(accept: [("*/*", 0.8)]))
        #expect(ComplaintPage.canAnswer(accept: [("application/*", 1)]))
        #expect(ComplaintPage.canAnswer(accept: [("TEXT/*", 1)]))
        #expect(ComplaintPage.canAnswer(accept: [("image/png", 1), ("text/html", 0.1)]))
        #expect(!ComplaintPage.canAnswer(accept: [("image/*", 1)]))
        #expect(!ComplaintPage.canAnswer(accept: [("application/json", 0), ("*/*", 0)]))
    }

    @Test("a browser posting the form without script is refused with a page in both languages; programs still get JSON")
    func refusalPages() async throws {
        let fixture = try ServiceFixture.make(
            .sqlite, apps: 1, manualReview: false, limits: ServiceLimits(complaintsPerMinute: 2))
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: browser]
        try await fixture.app().test(.router) { client in
            // Blank text: refused, as a page naming the field, with nothing kept.
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: form,
                body: ByteBuffer(string: "app=com.example.app0&text=%20%20")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.text.contains("未能提交 · Your complaint was not submitted"), "\(response.text)")
                #expect(response.text.contains("填写的内容不完整或有误"))
                #expect(response.text.contains("<p lang=\"en\" id=\"reason\">text is empty</p>"), "\(response.text)")
                #expect(response.text.contains("<meta name=\"viewport\""))
            }
            // The same from a program: the JSON error, as before.
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "app=com.example.app0&text=%20")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(response.errorCode == "bad_request")
            }
            // Past the rate (2 a minute, two used above): 429 with Retry-After, as a page.
            try await client.execute(
                uri: "/v1/complaints", method: .post, headers: form,
                body: ByteBuffer(string: "app=com.example.app0&text=%E6%8D%A2%E8%84%B8")
            ) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.text.contains("此地址提交过于频繁"), "\(response.text)")
            }
        }
        #expect(try fixture.ledger.complaints(app: "com.example.app0", openOnly: false, limit: 10).isEmpty)
        // What the complainant typed is escaped in the page.
        let page = ComplaintPage.refusal(ServiceError.badRequest("<script>x</script>"))
        #expect(!page.contains("<script>x"))
        #expect(page.contains("&lt;script&gt;x&lt;/script&gt;"))
    }

    @Test("the receipt page escapes what the complainant typed")
    func receiptEscapes() {
        let complaint = Complaint(
            id: 7, app: "<script>alert(1)</script>", text: "t", contact: "", receivedAt: "", status: "open",
            resolvedAt: nil, resolvedBy: nil, resolution: nil, category: "general", receivedOn: "2031-06-01",
            dueOn: "2031-06-16")
        let page = ComplaintPage.receipt(complaint, handlingDays: 15)
        #expect(!page.contains("<script>alert") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(ComplaintPage.prefersHTML(html: 1, json: nil) && !ComplaintPage.prefersHTML(html: nil, json: nil))
        #expect(!ComplaintPage.prefersHTML(html: 1, json: 1) && !ComplaintPage.prefersHTML(html: 0, json: nil))
    }
}

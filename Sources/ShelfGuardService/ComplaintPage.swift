import ShelfGuardKit

/// The public complaint page (DSP Art. 12): a form that posts to `/v1/complaints`, in Chinese and
/// English, readable on a phone, stating the published handling time of each category from the
/// review policy. Without script the browser posts the form itself (URL-encoded) and is
/// answered with `receipt`, a page of its own; with script the page sends JSON and shows the
/// answer in place.
enum ComplaintPage {
    /// The page's head and style, shared by the form and the receipt.
    private static let head = """
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
          body { font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 0 auto; max-width: 40rem; padding: 1rem; line-height: 1.5; color: #1a1a1a; overflow-wrap: anywhere; }
          h1 { font-size: 1.4rem; }
          label { display: block; margin-top: 1rem; font-weight: 600; }
          input, select, textarea, button { box-sizing: border-box; width: 100%; font: inherit; padding: .6rem; margin-top: .3rem; border: 1px solid #888; border-radius: .3rem; }
          textarea { min-height: 9rem; }
          button { margin-top: 1.2rem; background: #0b57d0; color: #fff; border: none; font-weight: 600; }
          .hint { font-weight: normal; color: #555; font-size: .9rem; }
          #answer { margin-top: 1rem; padding: .8rem; border-radius: .3rem; display: none; }
          #answer.ok, .ok { display: block; background: #e6f4ea; padding: .8rem; border-radius: .3rem; }
          #answer.error { display: block; background: #fce8e6; }
          .refused { background: #fce8e6; padding: .8rem; border-radius: .3rem; }
        </style>
        """

    static func render(policy: ComplaintPolicy) -> String {
        let e = escape
        let general = policy.handlingDays
        var times = "<li>一般投诉 / Complaints in general: <strong>\(general) 天 / days</strong></li>"
        for category in policy.categories where (category.handlingDays ?? general) != general {
            times +=
                "\n        <li><code>\(e(category.id))</code> (\(e(category.description))): <strong>\(category.handlingDays ?? general) 天 / days</strong></li>"
        }
        var options = ""
        for category in policy.categories {
            let selected = category.id == policy.defaultCategory ? " selected" : ""
            options +=
                "\n          <option value=\"\(e(category.id))\"\(selected)>\(e(category.id)): \(e(category.description))</option>"
        }
        return """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            \(head)
            <title>投诉举报 · Complaints and reports</title>
            </head>
            <body>
            <h1>投诉举报 · Complaints and reports</h1>
            <p>任何人都可以就本应用商店上架的应用提出投诉或举报（《互联网信息服务深度合成管理规定》第十二条），无需注册。<br>
            Anyone may complain about or report an app in this store (Deep Synthesis Provisions, Art. 12); no account is needed.</p>
            <p>我们在以下期限内答复（自收到之日起的自然日）· We answer within (calendar days from receipt):</p>
            <ul>
                    \(times)
            </ul>
            <form id="complaint" method="post" action="/v1/complaints">
              <label for="app">应用标识 · App id <span class="hint">（包名、Bundle ID 或 AppID · package name, bundle id or appid）</span></label>
              <input id="app" name="app" required maxlength="300" autocomplete="off">
              <label for="category">类别 · Category</label>
              <select id="category" name="category">\(options)
              </select>
              <label for="text">投诉内容 · What happened</label>
              <textarea id="text" name="text" required maxlength="\(ComplaintDesk.maxTextLength)"></textarea>
              <label for="contact">联系方式（选填）· Contact (optional) <span class="hint">如需答复请留下电话或邮箱 · a phone number or e-mail if you want an answer</span></label>
              <input id="contact" name="contact" maxlength="300" autocomplete="email">
              <button type="submit">提交 · Submit</button>
            </form>
            <div id="answer" role="status"></div>
            <script>
            document.getElementById("complaint").addEventListener("submit", async (event) => {
              event.preventDefault();
              const form = event.target;
              const answer = document.getElementById("answer");
              const body = {};
              for (const [key, value] of new FormData(form)) { if (value !== "") body[key] = value; }
              try {
                const response = await fetch(form.action, { method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" }, body: JSON.stringify(body) });
                const json = await response.json();
                if (response.status === 201) {
                  answer.className = "ok";
                  answer.textContent = "已收到，编号 " + json.id + "，答复期限 " + json.dueOn + "。 · Received: number " + json.id + ", answer due by " + json.dueOn + ".";
                  form.reset();
                } else {
                  answer.className = "error";
                  answer.textContent = "未能提交 · Not sent: " + (json.error ? json.error.message : response.status);
                }
              } catch (error) {
                answer.className = "error";
                answer.textContent = "未能提交 · Not sent: " + error;
              }
            });
            </script>
            </body>
            </html>

            """
    }

    /// The page a browser posting the form without script is answered with: the complaint's
    /// number, its due day and the handling time, in Chinese and English, and the way back.
    static func receipt(_ complaint: Complaint, handlingDays: Int) -> String {
        let e = escape
        return """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            \(head)
            <title>已收到 · Received</title>
            </head>
            <body>
            <h1>已收到您的投诉 · Your complaint was received</h1>
            <div class="ok" id="receipt" role="status">
            <p>编号 · Number: <strong id="complaint-id">\(complaint.id)</strong></p>
            <p>应用 · App: <code>\(e(complaint.app))</code></p>
            <p>类别 · Category: <code>\(e(complaint.category))</code></p>
            <p>收到日期 · Received on: \(e(complaint.receivedOn))</p>
            <p>答复期限 · Answer due by: <strong id="due-on">\(e(complaint.dueOn))</strong>（\(handlingDays) 天 / days）</p>
            </div>
            <p>请保存编号以便查询。· Keep the number to ask about your complaint.</p>
            <p><a href="/complaints">再提交一个 · File another</a></p>
            </body>
            </html>

            """
    }

    /// The page a browser posting the form without script is answered with when the complaint
    /// is refused: what went wrong in Chinese by its kind, the service's own message in English,
    /// and the way back. Nothing was kept.
    static func refusal(_ error: ServiceError) -> String {
        let chinese =
            switch error.code {
            case "too_many_requests":
                "此地址提交过于频繁，请\(error.retryAfter.map { " \($0) 秒后" } ?? "稍后")再试。"
            case "bad_request": "填写的内容不完整或有误，请检查后重新提交。"
            case "too_large": "填写的内容过长，请缩短后重新提交。"
            default: "暂时无法提交，请稍后再试。"
            }
        return """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            \(head)
            <title>未能提交 · Not submitted</title>
            </head>
            <body>
            <h1>未能提交 · Your complaint was not submitted</h1>
            <div class="refused" id="refusal" role="alert">
            <p>\(escape(chinese))</p>
            <p lang="en" id="reason">\(escape(error.message))</p>
            </div>
            <p>您的投诉未被保存。· Nothing was kept.</p>
            <p><a href="/complaints">返回重新填写 · Back to the form</a></p>
            </body>
            </html>

            """
    }

    /// Whether a complaint's receipt is sent as the HTML page: when the request's `Accept`
    /// ranks `text/html` above `application/json` (their quality values; nil when not named).
    /// A browser's form post names text/html only; `fetch`, curl and programs get JSON.
    static func prefersHTML(html: Double?, json: Double?) -> Bool {
        guard let html, html > 0 else { return false }
        return html > (json ?? 0)
    }

    /// Whether the request's `Accept` (media type, quality) takes one of the receipt's forms,
    /// JSON or the HTML page: no `Accept` at all takes anything; a wildcard with a quality above
    /// zero takes what it covers.
    static func canAnswer(accept: [(type: String, quality: Double)]) -> Bool {
        if accept.isEmpty { return true }
        let answers = ["application/json", "text/html"]
        return accept.contains { entry in
            guard entry.quality > 0 else { return false }
            let type = entry.type.lowercased()
            if type == "*/*" { return true }
            if type.hasSuffix("/*") { return answers.contains { $0.hasPrefix(type.dropLast()) } }
            return answers.contains(type)
        }
    }

    /// Text for HTML: the five characters that mean something there, as references.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

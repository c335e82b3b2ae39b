/* Loa citizen Q&A widget: one <script src=".../answer/widget.js"></script> tag adds the chat box. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src).origin : "";
  var session = localStorage.getItem("loa-session") || Math.random().toString(36).slice(2);
  localStorage.setItem("loa-session", session);
  var css = "#loa-box{position:fixed;right:16px;bottom:16px;width:min(380px,calc(100vw - 32px));font:15px/1.45 system-ui,sans-serif;z-index:99999}" +
    "#loa-panel{background:#fff;border:1px solid #d0d5dd;border-radius:12px;box-shadow:0 8px 24px rgba(0,0,0,.15);display:flex;flex-direction:column;max-height:70vh}" +
    "#loa-head{background:#0b5cad;color:#fff;padding:10px 14px;border-radius:12px 12px 0 0;font-weight:600}" +
    "#loa-log{padding:10px;overflow-y:auto;flex:1}.loa-msg{margin:6px 0;padding:8px 10px;border-radius:8px;white-space:pre-wrap}" +
    ".loa-me{background:#e8f1fb;margin-left:20%}.loa-bot{background:#f2f4f7;margin-right:10%}.loa-cite{font-size:12px;color:#475467;margin-top:4px}" +
    "#loa-form{display:flex;gap:6px;padding:8px;border-top:1px solid #eaecf0}#loa-q{flex:1;padding:8px;border:1px solid #d0d5dd;border-radius:6px;font:inherit}" +
    "#loa-send{background:#0b5cad;color:#fff;border:0;border-radius:6px;padding:8px 12px;font:inherit;cursor:pointer}";
  var style = document.createElement("style"); style.textContent = css; document.head.appendChild(style);
  var box = document.createElement("div"); box.id = "loa-box";
  box.innerHTML = '<div id="loa-panel" role="dialog" aria-label="Hỏi đáp BHXH"><div id="loa-head">Hỏi đáp BHXH, BHYT, BHTN</div>' +
    '<div id="loa-log" aria-live="polite"><div class="loa-msg loa-bot">Xin chào! Bạn cần hỏi gì về bảo hiểm xã hội, bảo hiểm y tế, bảo hiểm thất nghiệp? Có thể gõ không dấu.</div></div>' +
    '<form id="loa-form"><input id="loa-q" maxlength="2000" autocomplete="off" placeholder="Nhập câu hỏi…" aria-label="Câu hỏi"><button id="loa-send" type="submit">Gửi</button></form></div>';
  document.body.appendChild(box);
  var log = box.querySelector("#loa-log");
  function add(text, who, citations) {
    var div = document.createElement("div"); div.className = "loa-msg " + (who === "me" ? "loa-me" : "loa-bot");
    div.textContent = text;
    (citations || []).slice(0, 3).forEach(function (c) {
      var cite = document.createElement("div"); cite.className = "loa-cite";
      cite.textContent = "Căn cứ: " + (c.clause ? "khoản " + c.clause + " " : "") + "Điều " + c.article_id + ", " + c.law_id;
      div.appendChild(cite);
    });
    log.appendChild(div); log.scrollTop = log.scrollHeight; return div;
  }
  box.querySelector("#loa-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = box.querySelector("#loa-q"); var q = input.value.trim(); if (!q) return;
    add(q, "me"); input.value = "";
    var waiting = add("…", "bot");
    fetch(base + "/api/answer/ask", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({question: q, session: session})})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); })
      .then(function (res) {
        waiting.remove();
        if (!res.ok) { add(res.body.detail || "Có lỗi, vui lòng thử lại.", "bot"); return; }
        var msg = add(res.body.answer, "bot", res.body.citations);
        msg.dataset.decision = res.body.decision;
      })
      .catch(function () { waiting.remove(); add("Không kết nối được máy chủ, vui lòng thử lại.", "bot"); });
  });
})();

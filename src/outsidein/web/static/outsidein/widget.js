/* outsidein website widget. Paste on your site:
   <script src="https://YOUR-OUTSIDEIN/static/outsidein/widget.js" data-survey="KEY"
           data-origin="https://YOUR-OUTSIDEIN" async></script>
   It adds a "Feedback" button that opens the survey in an iframe. The survey only renders inside
   frames on the origins listed in the survey's settings (Content-Security-Policy frame-ancestors). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var key = script.getAttribute("data-survey");
  var origin = (script.getAttribute("data-origin") || new URL(script.src).origin).replace(/\/$/, "");
  var label = script.getAttribute("data-label") || (document.documentElement.lang === "nl" ? "Feedback" : "Feedback");
  var lang = (document.documentElement.lang || "nl").slice(0, 2);
  if (!key) { return; }

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-haspopup", "dialog");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;background:#0f5b66;color:#fff;" +
    "border:0;border-radius:999px;padding:12px 18px;font:600 15px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.25)";

  var panel = null;
  function close() { if (panel) { panel.remove(); panel = null; button.focus(); } }
  function open() {
    if (panel) { close(); return; }
    panel = document.createElement("div");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", label);
    panel.style.cssText = "position:fixed;right:16px;bottom:72px;width:min(420px,calc(100vw - 32px));height:min(640px,calc(100vh - 96px));" +
      "z-index:2147483000;background:#fff;border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.3);overflow:hidden";
    var frame = document.createElement("iframe");
    frame.src = origin + "/r/" + encodeURIComponent(key) + "/embed/?lang=" + encodeURIComponent(lang);
    frame.title = label;
    frame.style.cssText = "border:0;width:100%;height:100%";
    var closer = document.createElement("button");
    closer.type = "button";
    closer.textContent = "×";
    closer.setAttribute("aria-label", lang === "nl" ? "Sluiten" : "Close");
    closer.style.cssText = "position:absolute;top:6px;right:8px;border:0;background:#fff;font-size:22px;cursor:pointer;line-height:1";
    closer.addEventListener("click", close);
    panel.appendChild(frame);
    panel.appendChild(closer);
    document.body.appendChild(panel);
  }
  button.addEventListener("click", open);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); } });
  document.body.appendChild(button);
})();

// The submit form of the ideas portal: while the customer types a title, show the ideas
// already posted that look the same (a debounced fetch of /ideas/<org>/similar/). Without
// JavaScript the server shows them after a failed submit; posting always stays possible.
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar-url]");
  var box = document.getElementById("similar-ideas");
  if (!form || !box) return;
  var title = form.querySelector("[name=title]");
  var description = form.querySelector("[name=description]");
  var list = box.querySelector("ul");
  var timer = null;
  var asked = "";
  function votes(n) {
    return n === 1 ? form.dataset.voteOne : form.dataset.votes.replace("__n__", String(n));
  }
  function show(ideas) {
    list.textContent = "";
    ideas.forEach(function (idea) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = idea.url;
      link.textContent = idea.title;
      var meta = document.createElement("span");
      meta.className = "small muted";
      meta.textContent = " " + votes(idea.votes) + (idea.open ? "" : " · " + idea.status);
      item.appendChild(link);
      item.appendChild(meta);
      list.appendChild(item);
    });
    box.hidden = ideas.length === 0;
  }
  function ask() {
    var text = title.value.trim();
    var query = text + "\n" + (description ? description.value.trim() : "");
    if (query === asked) return;
    asked = query;
    if (text.length < 4) { show([]); return; }
    var params = new URLSearchParams({ title: text });
    if (description && description.value.trim()) params.set("description", description.value.trim().slice(0, 1000));
    fetch(form.dataset.similarUrl + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && asked === query) show(data.ideas || []); })
      .catch(function () { /* suggestions are a help, never a hurdle */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(ask, 400); }
  title.addEventListener("input", later);
  if (description) description.addEventListener("change", later);
})();

/* Survey builder, all optional: without JavaScript the ↑/↓ buttons are form posts and the
   snippets can be selected by hand.
   - drag a question (HTML5 drag and drop) to a new place; the whole order is saved at once
     and the page reloads, so it shows what the server keeps;
   - copy a snippet with the clipboard API; when the browser refuses, the text is selected
     and a visible note says to press Ctrl+C. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function setupReorder(list) {
    var url = list.dataset.reorderUrl;
    var status = document.getElementById("reorder-status");
    var dragged = null;

    function clearMarks() {
      list.querySelectorAll(".drop-before, .drop-after").forEach(function (li) {
        li.classList.remove("drop-before", "drop-after");
      });
    }

    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li[data-question-id]");
      if (!dragged) { return; }
      dragged.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.questionId);
    });
    list.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("dragging"); }
      clearMarks();
      dragged = null;
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li[data-question-id]");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      clearMarks();
      var box = over.getBoundingClientRect();
      over.classList.add(event.clientY < box.top + box.height / 2 ? "drop-before" : "drop-after");
    });
    list.addEventListener("drop", function (event) {
      var over = event.target.closest("li[data-question-id]");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      var before = over.classList.contains("drop-before");
      clearMarks();
      list.insertBefore(dragged, before ? over : over.nextSibling);
      var order = Array.prototype.map.call(
        list.querySelectorAll("li[data-question-id]"),
        function (li) { return li.dataset.questionId; }
      );
      var body = new FormData();
      body.set("order", order.join(","));
      window.fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) { window.location.reload(); return; }
          if (status) { status.textContent = data.detail || ""; status.classList.add("error"); }
          window.setTimeout(function () { window.location.reload(); }, 4000);
        });
      }).catch(function () { window.location.reload(); });
    });
  }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function fallback(button, source) {
    selectText(source);
    var note = button.parentNode.querySelector(".snippet-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "snippet-note small";
      note.setAttribute("role", "status");
      button.parentNode.appendChild(note);
    }
    note.textContent = button.dataset.fallback || "";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-snippet-copy]") : null;
    if (!button) { return; }
    var source = document.getElementById(button.dataset.snippetCopy);
    if (!source) { return; }
    var text = source.textContent.trim();
    if (!navigator.clipboard || !window.isSecureContext) { fallback(button, source); return; }
    navigator.clipboard.writeText(text).then(function () {
      var label = button.textContent;
      button.textContent = button.dataset.copied || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }, function () { fallback(button, source); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("ol[data-reorder-url]");
    if (list) { setupReorder(list); }
  });
})();

/* Survey page behaviour, all optional: the page works the same with JavaScript off.
   - follow-up questions appear only when the score they depend on is in range, and questions a
     jump skips are hidden (without JavaScript they show, and the server ignores their answers);
   - answers are saved as the customer goes ("partial answers kept"). */
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) { return; }

  // The customer's route through the survey, as voice/flow.py walks it: follow-ups show only
  // for their score range, and a jump after an answer skips to a later question or the end.
  var flowScript = document.getElementById("survey-flow");
  var flow = flowScript ? JSON.parse(flowScript.textContent) : [];

  function answerOf(q) {
    var inputs = form.querySelectorAll('input[name="' + q.key + '"]:checked');
    if (q.kind === "multiple") {
      return inputs.length ? Array.prototype.map.call(inputs, function (i) { return i.value; }) : null;
    }
    if (!inputs.length) { return null; }
    return q.scale ? parseInt(inputs[0].value, 10) : inputs[0].value;
  }

  function inRange(rule, value) {
    var min = rule.min === undefined ? -Infinity : rule.min;
    var max = rule.max === undefined ? Infinity : rule.max;
    return typeof value === "number" && value >= min && value <= max;
  }

  function matches(rule, value) {
    if (value === null) { return false; }
    if (rule.choice !== undefined) {
      return Array.isArray(value) ? value.indexOf(rule.choice) >= 0 : value === rule.choice;
    }
    return inRange(rule, value);
  }

  function route() {
    var index = {}, shown = {}, given = {};
    flow.forEach(function (q, i) { index[q.key] = i; });
    var i = 0;
    while (i < flow.length) {
      var q = flow[i];
      if (q.show_if && q.show_if.key && !inRange(q.show_if, given[q.show_if.key])) { i += 1; continue; }
      shown[q.key] = true;
      var value = answerOf(q);
      given[q.key] = value;
      var target = null;
      for (var r = 0; r < q.branches.length; r += 1) {
        if (matches(q.branches[r], value)) { target = q.branches[r].goto; break; }
      }
      if (target === "end") { break; }
      var j = target in index ? index[target] : -1;
      i = j > i ? j : i + 1;
    }
    return shown;
  }

  function updateVisibility() {
    if (!flow.length) { return; }
    var shown = route();
    flow.forEach(function (q) {
      var fieldset = document.getElementById("q-" + q.key);
      if (fieldset) { fieldset.classList.toggle("is-hidden", !shown[q.key]); }
    });
  }

  var saveTimer = null;
  var saving = null;  // the partial save on its way, if any
  function saveSoon() {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(function () {
      var data = new FormData(form);
      data.set("partial", "1");
      saving = window.fetch(window.location.href, { method: "POST", body: data, credentials: "same-origin" })
        .catch(function () { /* the final submit still carries every answer */ })
        .then(function () { saving = null; });
    }, 800);
  }

  form.addEventListener("change", function () { updateVisibility(); saveSoon(); });
  // Sending waits for a partial save on its way: the server continues the response that save
  // started (it is in the session once the save is answered) instead of storing a second one.
  // No partial save starts after sending: the final submit carries every answer.
  form.addEventListener("submit", function (event) {
    window.clearTimeout(saveTimer);
    if (!saving) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    saving.then(function () {
      if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
    });
  });
  updateVisibility();
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();

/* Survey page behaviour, all optional: the page works the same with JavaScript off.
   - follow-up questions appear only when the score they depend on is in range;
   - answers are saved as the customer goes ("partial answers kept"). */
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) { return; }

  function valueOf(key) {
    var checked = form.querySelector('input[name="' + key + '"]:checked');
    return checked ? parseInt(checked.value, 10) : null;
  }

  function updateVisibility() {
    form.querySelectorAll("fieldset[data-show-key]").forEach(function (fieldset) {
      var value = valueOf(fieldset.dataset.showKey);
      var min = fieldset.dataset.showMin === "" ? -Infinity : parseInt(fieldset.dataset.showMin, 10);
      var max = fieldset.dataset.showMax === "" ? Infinity : parseInt(fieldset.dataset.showMax, 10);
      var visible = value !== null && value >= min && value <= max;
      fieldset.classList.toggle("is-hidden", !visible);
    });
  }

  var saveTimer = null;
  function saveSoon() {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(function () {
      var data = new FormData(form);
      data.set("partial", "1");
      window.fetch(window.location.href, { method: "POST", body: data, credentials: "same-origin" })
        .catch(function () { /* the final submit still carries every answer */ });
    }, 800);
  }

  form.addEventListener("change", function () { updateVisibility(); saveSoon(); });
  updateVisibility();
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();

/* outsidein page behaviour: charts from JSON data islands, confirmations. No inline scripts
   (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var kind = canvas.dataset.kind || "bar";
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {
        type: kind,
        data: {
          labels: data.labels,
          datasets: [{
            label: canvas.dataset.label || "",
            data: data.values,
            backgroundColor: kind === "doughnut"
              ? ["#0f5b66", "#f2b33d", "#5b8fa3", "#9cc5a1", "#c96b4b", "#8d7bb5"]
              : "#0f5b66",
            maxBarThickness: 48,
            borderRadius: kind === "bar" ? 4 : 0
          }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: kind === "doughnut", position: "right" } },
          scales: kind === "doughnut" ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button || !navigator.clipboard) { return; }
    var source = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.dataset.copied || button.textContent;
    });
  });
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();

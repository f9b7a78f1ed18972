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
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();

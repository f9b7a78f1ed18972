/* Mystery shopping results: one line per touchpoint, the mean score (0–100) per quarter.
   Data comes from a JSON island (the Content-Security-Policy forbids inline scripts). */
(function () {
  "use strict";
  var PALETTE = ["#0f5b66", "#f2b33d", "#b3261e", "#5b8fa3", "#2e7d32", "#8d7bb5", "#c96b4b"];

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-mystery-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.mysteryChart);
      if (!source || canvas.dataset.drawn) { return; }
      canvas.dataset.drawn = "1";
      var data = JSON.parse(source.textContent);
      var datasets = data.series.map(function (series, i) {
        var colour = PALETTE[i % PALETTE.length];
        return { label: series.label, data: series.values, borderColor: colour, backgroundColor: colour,
                 tension: 0.2, spanGaps: false, pointRadius: 3, n: series.n };
      });
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.labels, datasets: datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          scales: { y: { min: 0, max: 100 } },
          plugins: {
            legend: { display: true, position: "bottom" },
            tooltip: { callbacks: { afterLabel: function (ctx) {
              return "n = " + ctx.dataset.n[ctx.dataIndex]; } } }
          }
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();

/* outsidein page behaviour: charts from JSON data islands, confirmations. No inline scripts
   (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  var BRAND = "#0f5b66", BAND = "rgba(15, 91, 102, 0.15)", GOOD = "#2e7d32", BAD = "#b3261e", MID = "#9aa5ad";
  var PALETTE = ["#0f5b66", "#f2b33d", "#5b8fa3", "#9cc5a1", "#c96b4b", "#8d7bb5"];

  // A period that is not whole (the month still running) is drawn lighter and hatched, so it
  // never reads as a complete bar; charts get it as data.partial (one boolean per point).
  var PARTIAL = "rgba(15, 91, 102, 0.35)", SMALL = "#b8c0c6";
  function hatch() {
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var g = tile.getContext("2d");
    g.fillStyle = "rgba(15, 91, 102, 0.18)";
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = BRAND;
    g.lineWidth = 1.4;
    g.beginPath(); g.moveTo(0, 8); g.lineTo(8, 0); g.moveTo(-2, 2); g.lineTo(2, -2);
    g.moveTo(6, 10); g.lineTo(10, 6); g.stroke();
    return g.createPattern(tile, "repeat") || PARTIAL;
  }
  function isPartial(data, i) { return !!(data.partial && data.partial[i]); }

  function config(kind, data, canvas) {
    var label = canvas.dataset.label || "";
    var base = { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: false } } };
    if (kind === "doughnut") {
      base.plugins.legend = { display: true, position: "right" };
      return { type: "doughnut", options: base,
               data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: PALETTE }] } };
    }
    if (kind === "nps-trend") {
      base.scales = { y: { min: -100, max: 100 } };
      base.plugins.legend = { display: true, position: "bottom",
        labels: { filter: function (item) { return item.datasetIndex !== 0; } } };
      base.plugins.tooltip = { callbacks: { afterLabel: function (ctx) {
        return ctx.datasetIndex === 2 ? "n = " + data.n[ctx.dataIndex] : ""; } } };
      return { type: "line", options: base, data: { labels: data.labels, datasets: [
        { label: canvas.dataset.bandLabel || "", data: data.low, borderWidth: 0, pointRadius: 0, fill: false },
        { label: canvas.dataset.bandLabel || "", data: data.high, borderWidth: 0, pointRadius: 0,
          fill: "-1", backgroundColor: BAND },
        { label: label, data: data.values, borderColor: BRAND, tension: 0.2,
          backgroundColor: data.values.map(function (v, i) {
            return isPartial(data, i) ? PARTIAL : (data.enough[i] ? BRAND : SMALL); }),
          segment: { borderDash: function (ctx) { return isPartial(data, ctx.p1DataIndex) ? [4, 4] : undefined; } },
          pointRadius: data.enough.map(function (ok) { return ok ? 3 : 5; }),
          pointStyle: data.enough.map(function (ok) { return ok ? "circle" : "crossRot"; }) }
      ] } };
    }
    if (kind === "nps-distribution") {
      var colours = data.labels.map(function (score) {
        var n = parseInt(score, 10); return n >= 9 ? GOOD : n >= 7 ? MID : BAD; });
      base.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
      return { type: "bar", options: base, data: { labels: data.labels, datasets: [
        { label: label, data: data.values, backgroundColor: colours, borderRadius: 3 }] } };
    }
    if (kind === "hbar-interval") {
      base.indexAxis = "y";
      base.scales = { x: { min: -100, max: 100 } };
      base.plugins.tooltip = { callbacks: { afterLabel: function (ctx) {
        var i = ctx.dataIndex;
        return "[" + Math.round(data.low[i]) + " – " + Math.round(data.high[i]) + "], n = " + data.n[i]; } } };
      return { type: "bar", options: base, data: { labels: data.labels, datasets: [
        { label: label, data: data.values, maxBarThickness: 28, borderRadius: 3,
          backgroundColor: data.values.map(function (v, i) {
            if (data.enough && !data.enough[i]) { return SMALL; }  // too few: grey, no verdict
            return v >= 0 ? BRAND : BAD; }) }] } };
    }
    if (kind === "percent-lines") {
      // One or more percentage series over months, with the target as a dashed line. Gaps
      // (null) stay gaps: no data is never drawn as zero.
      base.scales = { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } };
      var sets = data.series.map(function (series, i) {
        return { label: series.label, data: series.values, borderColor: PALETTE[i % PALETTE.length],
                 backgroundColor: PALETTE[i % PALETTE.length], cubicInterpolationMode: "monotone",
                 spanGaps: false, pointRadius: 2 };
      });
      // data.partial[i]: period i is still running ("so far"); its point is hollow and the
      // line into it dashed, and the label carries the "*" the page's legend explains.
      if (data.partial && data.partial.some(Boolean)) {
        sets.forEach(function (set) {
          set.segment = { borderDash: function (ctx) { return data.partial[ctx.p1DataIndex] ? [4, 4] : undefined; } };
          set.pointBackgroundColor = data.labels.map(function (_l, i) { return data.partial[i] ? "#fff" : set.borderColor; });
        });
      }
      if (data.target !== null && data.target !== undefined) {
        sets.push({ label: canvas.dataset.targetLabel || "", data: data.labels.map(function () { return data.target; }),
                    borderColor: MID, borderDash: [5, 4], borderWidth: 1, pointRadius: 0, fill: false });
      }
      base.plugins.legend = { display: data.series.length > 1, position: "bottom" };
      return { type: "line", options: base, data: { labels: data.labels, datasets: sets } };
    }
    base.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
    var fill = BRAND;
    if (data.partial && data.partial.indexOf(true) !== -1) {
      var pattern = hatch();
      fill = data.values.map(function (v, i) { return isPartial(data, i) ? pattern : BRAND; });
    }
    return { type: "bar", options: base, data: { labels: data.labels, datasets: [
      { label: label, data: data.values, backgroundColor: fill, borderRadius: 4, maxBarThickness: 48,
        borderColor: BRAND, borderWidth: data.partial ? data.values.map(function (v, i) {
          return isPartial(data, i) ? 1 : 0; }) : 0 }] } };
  }

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, config(canvas.dataset.kind || "bar", JSON.parse(source.textContent), canvas));
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

/* A navigation row that scrolls sideways (phones) shows its current item. */
(function () {
  "use strict";
  function reveal() {
    document.querySelectorAll(".mainnav, .subnav").forEach(function (nav) {
      var current = nav.querySelector("[aria-current=page]");
      if (!current || nav.scrollWidth <= nav.clientWidth) return;
      var left = current.getBoundingClientRect().left - nav.getBoundingClientRect().left;
      if (left + current.offsetWidth > nav.clientWidth) nav.scrollLeft += left - 16;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reveal);
  else reveal();
})();

/* The process network: reads the graph from the json_script element, draws it with
   Cytoscape.js (vendored), and opens a node's page on click. No inline code (CSP). */
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("network");
    var source = document.getElementById("network-data");
    if (!box || !source || typeof window.cytoscape !== "function") { return; }
    var graph = JSON.parse(source.textContent);
    var colours = { customer: "#1f6f78", segment: "#3f8fc4", journey: "#7b61c4",
      touchpoint: "#d98a1f", process: "#5b8c3a", team: "#6d7880" };
    var ids = {};
    var elements = [];
    graph.nodes.forEach(function (node) {
      ids[node.id] = true;
      elements.push({ group: "nodes", data: { id: node.id, label: node.label, type: node.type,
        url: node.url, colour: colours[node.type] || "#888" }, classes: node.flagged ? "flagged" : "" });
    });
    graph.edges.forEach(function (edge) {
      if (ids[edge.source] && ids[edge.target]) {
        elements.push({ group: "edges", data: { id: edge.id, source: edge.source, target: edge.target } });
      }
    });
    var cy = window.cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", label: "data(label)",
          "font-size": 9, "text-valign": "bottom", "text-margin-y": 3, color: "#222",
          "text-wrap": "wrap", "text-max-width": 90, width: 18, height: 18 } },
        { selector: "node[type = 'customer']", style: { width: 34, height: 34, "font-size": 12, "font-weight": "bold" } },
        { selector: "node.flagged", style: { "border-width": 4, "border-color": "#c62828", "background-color": "#fff" } },
        { selector: "edge", style: { width: 1, "line-color": "#b8c2c8", "curve-style": "bezier",
          "target-arrow-shape": "triangle", "target-arrow-color": "#b8c2c8", "arrow-scale": 0.6 } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } }
      ],
      layout: { name: "breadthfirst", directed: true, roots: ["customer"], spacingFactor: 1.05, padding: 20 }
    });
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) { window.location.href = url; }
    });
    box.setAttribute("data-ready", "1");
    window.outsideinNetwork = cy;
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

// Draws every Plotly figure on the page from the JSON the server embedded next to it.
// A chart is <div class="chart" data-figure="ID"> with {{ figure|json_script:"ID" }} beside it.
(function () {
  "use strict";

  function drawFigures(root) {
    if (typeof window.Plotly === "undefined") return;
    root.querySelectorAll("[data-figure]").forEach(function (element) {
      if (element.dataset.drawn === "true") return;
      var source = document.getElementById(element.dataset.figure);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      var config = Object.assign(
        {
          responsive: true,
          displaylogo: false,
          modeBarButtonsToRemove: ["lasso2d", "select2d"],
          // On a phone the toolbar covers the chart and its buttons are too small to touch.
          displayModeBar: window.matchMedia("(max-width: 720px)").matches ? false : "hover"
        },
        figure.config || {}
      );
      window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
        element.dataset.drawn = "true";
        element.on("plotly_click", function (data) {
          var point = data.points && data.points[0];
          var url = point && point.customdata && (Array.isArray(point.customdata) ? point.customdata[0] : point.customdata);
          if (typeof url === "string" && url.charAt(0) === "/") window.location.assign(url);
        });
      });
    });
  }

  window.cco = Object.assign(window.cco || {}, { drawFigures: drawFigures });
  document.addEventListener("DOMContentLoaded", function () { drawFigures(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawFigures(event.target); });
})();

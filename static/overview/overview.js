// The overview's own behaviour: the sortable scorecard table.
(function () {
  "use strict";

  function sortValue(row, column) {
    var cell = row.children[column];
    var value = cell ? cell.getAttribute("data-sort-value") || cell.textContent.trim() : "";
    var number = Number(value);
    return value !== "" && !isNaN(number) ? number : value.toLowerCase();
  }

  // Event delegation: the table is replaced whenever the filters change.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("table[data-sortable] button.sort");
    if (!button) return;
    var header = button.closest("th");
    var table = button.closest("table");
    var column = Number(button.dataset.sortColumn);
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach(function (th) { th.setAttribute("aria-sort", "none"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortValue(a, column), y = sortValue(b, column);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
})();

// The URL is the state. htmx keeps a snapshot of the page's HTML for Back and Forward, but a
// select's chosen option and a chart's drawing live in the DOM's properties, not its HTML: the
// snapshot would bring back the default options and dead charts. So the snapshot is given the
// chosen options as HTML, and after a restore the controls are set from the URL and every chart
// is drawn again from the figure JSON the snapshot carries.
(function () {
  "use strict";

  function filterForm() { return document.querySelector("form.filters"); }

  document.addEventListener("htmx:beforeHistorySave", function () {
    var form = filterForm();
    if (!form) return;
    form.querySelectorAll("select option").forEach(function (option) { option.defaultSelected = option.selected; });
    form.querySelectorAll("input").forEach(function (input) { input.defaultValue = input.value; });
  });

  function controlsFromUrl() {
    var form = filterForm();
    if (!form) return;
    var params = new URLSearchParams(window.location.search);
    form.querySelectorAll("select, input[name]").forEach(function (control) {
      if (!control.name) return;
      if (control.tagName === "SELECT") {
        var wanted = params.get(control.name);
        var match = Array.prototype.find.call(control.options, function (o) { return o.value === (wanted || ""); });
        if (match) control.value = match.value;
        else if (wanted === null) control.selectedIndex = Array.prototype.findIndex.call(control.options, function (o) { return o.defaultSelected; });
      } else if (params.has(control.name)) {
        control.value = params.get(control.name);
      }
    });
  }

  function redrawCharts() {
    document.querySelectorAll(".chart[data-figure]").forEach(function (element) {
      element.removeAttribute("data-drawn");
      element.innerHTML = "";
    });
    if (window.cco && window.cco.drawFigures) window.cco.drawFigures(document);
  }

  document.addEventListener("htmx:historyRestore", function () { controlsFromUrl(); redrawCharts(); });
  // Charts are redrawn after a restore but not inside the snapshot: keep it light.
  document.addEventListener("htmx:beforeHistorySave", function () {
    document.querySelectorAll(".chart[data-figure]").forEach(function (element) { element.removeAttribute("data-drawn"); });
  });
})();

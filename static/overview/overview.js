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

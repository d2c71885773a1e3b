/* Sortable tables: a click on a column heading of a table.lm-sortable sorts its rows by that
 * column (numbers by their data-value, text by the interface language's collation); a second
 * click reverses. Bound by delegation, so tables filled later (the map's results) sort too. */
(function () {
  "use strict";
  var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });

  function value(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? -Infinity : "";
    if (numeric) {
      var raw = cell.getAttribute("data-value");
      var n = parseFloat(raw === null ? cell.textContent.replace(/[^\d.\-]/g, "") : raw);
      return isNaN(n) ? -Infinity : n;
    }
    return cell.textContent.trim();
  }

  function sort(th) {
    var table = th.closest("table");
    var body = table.tBodies[0];
    if (!body) return;
    var index = Array.prototype.indexOf.call(th.parentNode.cells, th);
    var numeric = th.getAttribute("data-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, index, numeric), y = value(b, index, numeric);
      var order = numeric ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  document.addEventListener("click", function (e) {
    var th = e.target.closest && e.target.closest("table.lm-sortable thead th");
    if (th) sort(th);
  });
  document.addEventListener("keydown", function (e) {
    var th = e.target.closest && e.target.closest("table.lm-sortable thead th");
    if (th && e.key === "Enter") sort(th);
  });
})();

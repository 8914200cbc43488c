/* Staff tables become stacked cards on a phone (see .table-stack in site.css). Each cell is labelled
   with its column heading: a cell that has no data-label gets its column's <th> text here. */
(function () {
  "use strict";

  function headings(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (!rows.length) return [];
    var out = [];
    Array.prototype.forEach.call(rows[rows.length - 1].cells, function (th) {
      var span = th.colSpan || 1;
      var text = th.textContent.replace(/\s+/g, " ").trim();
      for (var i = 0; i < span; i++) out.push(text);
    });
    return out;
  }

  document.querySelectorAll("table.table-stack").forEach(function (table) {
    var labels = headings(table);
    if (!labels.length) return;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && labels[column] && (cell.colSpan || 1) === 1) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  });
})();

/* Admin export page (templates/admin/import_export/export.html): the "select all" toggle, bound here
   instead of django-import-export's inline onchange so the CSP needs no inline script. */
(function () {
  "use strict";
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", function (event) {
      if (typeof window.onSelectToggleChange === "function") window.onSelectToggleChange(event);
    });
  });
})();

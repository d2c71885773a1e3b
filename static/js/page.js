/* LandMatch: small behaviours of every page, bound here rather than as inline handlers
 * (onclick=, onchange=), which the Content-Security-Policy refuses (webmap/security.py).
 *   <button data-print>          prints the page (the parcel sheet, the monthly report)
 *   <select data-submit>         submits its form when a value is chosen (/my-projects) */
(function () {
  "use strict";
  function bind() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("select[data-submit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) { select.form.submit(); }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();

/* Leaflet.draw in the interface language: merge the page's translated texts (a JSON script
 * #lm-draw-local, from webmap/drawlocal.py) over L.drawLocal before any control is made. */
(function () {
  "use strict";
  var source = document.getElementById("lm-draw-local");
  if (!source || !window.L || !L.drawLocal) return;
  function merge(into, from) {
    Object.keys(from).forEach(function (key) {
      if (from[key] && typeof from[key] === "object") {
        if (!into[key] || typeof into[key] !== "object") into[key] = {};
        merge(into[key], from[key]);
      } else {
        into[key] = from[key];
      }
    });
  }
  merge(L.drawLocal, JSON.parse(source.textContent));
})();

/* The editing page's map: reshape a parcel, draw a new one, or draw a line to split one
 * (Leaflet.draw). The drawn shape goes, as GeoJSON, into the form's hidden input. Neighbours
 * are shown for context; their codes are set with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var box = document.getElementById("edit-map");
  if (!box) return;
  var mode = box.getAttribute("data-mode");
  var input = document.getElementById(box.getAttribute("data-target"));
  var map = L.map(box, { center: [35.88, 111.44], zoom: 12 });
  var shapes = new L.FeatureGroup().addTo(map);
  var neighbours = L.layerGroup().addTo(map);
  window.lmEditMap = map;

  // Leaflet.draw edits plain polygons best: one L.Polygon per part of a MultiPolygon.
  function addPolygons(geometry, group, style) {
    var parts = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    parts.forEach(function (rings) {
      var latlngs = rings.map(function (ring) {
        return ring.slice(0, -1).map(function (c) { return [c[1], c[0]]; });
      });
      group.addLayer(L.polygon(latlngs, style));
    });
  }

  function shapesAsGeoJSON() {
    var polygons = [];
    shapes.eachLayer(function (layer) {
      var g = layer.toGeoJSON().geometry;
      if (g.type === "Polygon") polygons.push(g.coordinates);
      if (g.type === "MultiPolygon") polygons = polygons.concat(g.coordinates);
    });
    return polygons.length ? JSON.stringify({ type: "MultiPolygon", coordinates: polygons }) : "";
  }

  var original = box.getAttribute("data-geometry");
  if (original) {
    addPolygons(JSON.parse(original), shapes, { color: "#d32f2f", weight: 2 });
    map.fitBounds(shapes.getBounds(), { maxZoom: 17, padding: [40, 40] });
  }

  function loadNeighbours() {
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(",");
    fetch(box.getAttribute("data-layer-url") + "?bbox=" + bbox + "&limit=500",
          { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        neighbours.clearLayers();
        data.features.forEach(function (f) {
          L.geoJSON(f, { style: { color: "#607d8b", weight: 1, fillOpacity: 0.1 },
                         interactive: true })
            .bindTooltip(function () { var s = document.createElement("span");
                                       s.textContent = f.id; return s; })
            .addTo(neighbours);
        });
        box.setAttribute("data-neighbours", String(data.features.length));
      });
  }
  map.on("moveend", loadNeighbours);
  loadNeighbours();

  var drawOptions = { polyline: false, polygon: false, rectangle: false, circle: false,
                      marker: false, circlemarker: false };
  if (mode === "new") drawOptions.polygon = { allowIntersection: false, showArea: false };
  if (mode === "split") drawOptions.polyline = { shapeOptions: { color: "#1565c0" } };
  var control = new L.Control.Draw({
    draw: drawOptions,
    edit: mode === "edit" ? { featureGroup: shapes, remove: false } : false,
  });
  map.addControl(control);

  map.on(L.Draw.Event.CREATED, function (event) {
    if (mode === "split") {
      input.value = JSON.stringify(event.layer.toGeoJSON().geometry);
      map.addLayer(event.layer);
    } else {
      shapes.addLayer(event.layer);
      input.value = shapesAsGeoJSON();
    }
    box.setAttribute("data-drawn", "1");
  });
  map.on(L.Draw.Event.EDITED, function () {
    input.value = shapesAsGeoJSON();
    box.setAttribute("data-drawn", "1");
  });
})();

/* LandMatch map finder: the search box and the filter panel of the map page.
 * Both ask /api/layers/<layer> with the filters of geo/filters.py; the answer shows as a
 * sortable table beside the map and as highlighted outlines on it, with export links of the
 * same filters. The page's address carries the query, so a search can be shared as a link. */
(function () {
  "use strict";
  var RESULT_LIMIT = 1000;
  var SEARCH_LIMIT = 50;
  var FORMATS = ["geojson", "gpkg", "shp.zip", "csv", "xlsx"];
  var HIGHLIGHT = { color: "#ffd600", weight: 4, opacity: 1, fillOpacity: 0.1, fillColor: "#ffd600" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return String(values[k]); });
  }

  function init() {
    var aside = document.getElementById("finder");
    if (!aside || !window.LandMatch || !LandMatch.layers.length) return;
    var map = LandMatch.layers[0].map;
    var text = JSON.parse(aside.getAttribute("data-text"));
    var search = document.getElementById("lm-search");
    var filter = document.getElementById("lm-filter");
    var box = document.getElementById("lm-filter-box");
    var results = document.getElementById("lm-results");
    var summary = document.getElementById("lm-results-summary");
    var exports = document.getElementById("lm-results-export");
    var tbody = document.querySelector("#lm-results-table tbody");
    var highlight = L.featureGroup().addTo(map);
    var byCode = {};
    var controller = null;

    function layerName() { return filter.elements.layer.value; }

    // Only the fields the chosen layer takes are shown (and sent).
    function showFields() {
      var layer = layerName();
      filter.querySelectorAll("[data-layers]").forEach(function (node) {
        var on = node.getAttribute("data-layers").split(" ").indexOf(layer) >= 0;
        node.hidden = !on;
        node.querySelectorAll("input, select").forEach(function (i) { i.disabled = !on; });
      });
    }

    function filterQuery() {
      var query = new URLSearchParams();
      Array.prototype.forEach.call(filter.elements, function (input) {
        if (!input.name || input.disabled || input.name === "layer") return;
        if (input.type === "checkbox" && !input.checked) return;
        if (input.value.trim() !== "") query.set(input.name, input.value.trim());
      });
      return query;
    }

    function fillFilter(params) {
      filter.elements.layer.value = params.get("layer") || "idle";
      showFields();
      Array.prototype.forEach.call(filter.elements, function (input) {
        if (!input.name || input.name === "layer") return;
        var value = params.get(input.name);
        if (input.type === "checkbox") input.checked = value === input.value;
        else if (!input.disabled) input.value = value || "";
      });
    }

    function statusLabel(layer, props) {
      var fields = (LandMatch.config().fields || {})[layer] || [];
      var name = layer === "sites" ? "stage" : "status";
      var field = fields.filter(function (f) { return f.name === name; })[0];
      var value = props[name];
      return field && field.choices[value] ? field.choices[value] : value;
    }

    function cell(tr, value, number) {
      var td = el("td", number ? "lm-num" : null,
                  value === null || value === undefined ? "" :
                  number ? Number(value).toLocaleString(undefined, { maximumFractionDigits: 2 }) : value);
      if (number && value !== null && value !== undefined) td.setAttribute("data-value", value);
      if (!number && value) td.title = String(value);  // the whole text where it is cut short
      tr.appendChild(td);
    }

    function focus(code) {
      var item = byCode[code];
      if (!item) return;
      var bounds = item.getBounds ? item.getBounds() : L.latLngBounds([item.getLatLng()]);
      // Without animation, so that the popup's own pan (to fit it in view) is the last move.
      map.fitBounds(bounds, { maxZoom: 17, animate: false });
      item.openPopup(bounds.getCenter());
    }

    function exportLinks(layers, query) {
      exports.textContent = "";
      exports.appendChild(el("span", null, text.download + " "));
      layers.forEach(function (layer) {
        if (layers.length > 1) exports.appendChild(el("span", "lm-export-layer", text.titles[layer] + " "));
        FORMATS.forEach(function (f) {
          var base = f === "geojson" ? aside.getAttribute("data-export-geojson")
            : aside.getAttribute("data-export").replace("__fmt__", f);
          var a = el("a", "lm-export", f);
          a.href = base.replace("__layer__", layer) + "?" + query.toString();
          a.setAttribute("data-format", f);
          a.download = "";
          exports.appendChild(a);
          exports.appendChild(document.createTextNode(" "));
        });
      });
      var share = el("a", "lm-share", text.share);
      share.href = window.location.href;
      exports.appendChild(share);
    }

    function show(answers, query, fit) {
      highlight.clearLayers();
      byCode = {};
      tbody.textContent = "";
      var shown = 0, matched = 0;
      answers.forEach(function (answer) {
        var layer = answer.layer;
        matched += answer.data.numberMatched || 0;
        answer.data.features.forEach(function (feature) {
          var p = feature.properties;
          shown += 1;
          L.geoJSON(feature, {
            style: function () { return HIGHLIGHT; },
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 8 }); },
          }).eachLayer(function (l) {
            l.bindPopup(function () { return LandMatch.popupContent(layer, p); },
                        { maxWidth: 360 });
            l.on("click", L.DomEvent.stopPropagation);
            byCode[p.code] = l;
            highlight.addLayer(l);
          });
          var tr = el("tr");
          tr.setAttribute("data-code", p.code);
          tr.setAttribute("data-layer", layer);
          tr.tabIndex = 0;
          cell(tr, p.code);
          cell(tr, p.area_mu, true);
          cell(tr, statusLabel(layer, p));
          cell(tr, p.town);
          cell(tr, p.name);
          cell(tr, p.price, true);
          cell(tr, layer === "sites" ? p.parcel : p.holder);
          tbody.appendChild(tr);
        });
      });
      results.hidden = false;
      summary.textContent = !shown ? text.none : shown < matched
        ? fmt(text.shown, { shown: shown, count: matched }) : fmt(text.found, { count: shown });
      aside.setAttribute("data-found", String(shown));
      // A search over the three layers offers the downloads of those that found something.
      var found = answers.filter(function (a) { return a.data.features.length; });
      exportLinks((found.length ? found : answers).map(function (a) { return a.layer; }), query);
      if (shown && fit) map.fitBounds(highlight.getBounds(), { maxZoom: 16 });
    }

    function ask(layers, query, limit, then) {
      if (controller) controller.abort();
      controller = new AbortController();
      aside.setAttribute("data-busy", "1");
      var signal = controller.signal;
      Promise.all(layers.map(function (layer) {
        var url = aside.getAttribute("data-api").replace("__layer__", layer) + "?" +
          query.toString() + "&limit=" + limit;
        return fetch(url, { signal: signal, headers: { Accept: "application/geo+json" } })
          .then(function (r) {
            return r.json().then(function (body) {
              if (!r.ok) throw new Error(body.error ? body.error.message : r.status);
              return { layer: layer, data: body };
            });
          });
      })).then(function (answers) {
        // A search zooms to what it opens; a filter shows all it found.
        show(answers, query, !then);
        aside.removeAttribute("data-busy");
        if (then) then();
      }).catch(function (err) {
        if (err.name === "AbortError") return;
        aside.removeAttribute("data-busy");
        results.hidden = false;
        tbody.textContent = "";
        summary.textContent = fmt(text.failed, { reason: err.message });
      });
    }

    // The address holds the query; the language switch keeps it too.
    function remember(query) {
      window.history.replaceState(null, "", "?" + query.toString());
      var switcher = document.querySelector("a.lm-lang");
      if (switcher) {
        var target = new URL(switcher.href, window.location.href);
        var next = new URLSearchParams(query);
        next.set("lang", target.searchParams.get("lang"));
        switcher.href = window.location.pathname + "?" + next.toString();
      }
    }

    function runFilter() {
      var query = filterQuery();
      var shared = new URLSearchParams(query);
      shared.set("layer", layerName());
      remember(shared);
      ask([layerName()], query, RESULT_LIMIT);
    }

    function runSearch(openFirst) {
      var words = search.elements.q.value.trim();
      if (!words) return;
      var query = new URLSearchParams({ q: words });
      remember(query);
      ask(["sites", "idle", "stock"], query, SEARCH_LIMIT, function () {
        // The record whose code is the words asked, else the first found.
        var exact = byCode[words] ? words : null;
        var first = tbody.querySelector("tr");
        if (openFirst && (exact || first)) focus(exact || first.getAttribute("data-code"));
      });
    }

    filter.elements.layer.addEventListener("change", showFields);
    filter.addEventListener("submit", function (e) { e.preventDefault(); runFilter(); });
    filter.addEventListener("reset", function () {
      window.setTimeout(function () {
        showFields();
        highlight.clearLayers();
        results.hidden = true;
        remember(new URLSearchParams());
      }, 0);
    });
    search.addEventListener("submit", function (e) { e.preventDefault(); runSearch(true); });
    tbody.addEventListener("click", function (e) {
      var tr = e.target.closest("tr");
      if (tr) focus(tr.getAttribute("data-code"));
    });
    tbody.addEventListener("keydown", function (e) {
      var tr = e.target.closest("tr");
      if (tr && e.key === "Enter") focus(tr.getAttribute("data-code"));
    });

    // A shared address: ?q=… searches, ?layer=…&town=… filters.
    var params = new URLSearchParams(window.location.search);
    params.delete("lang");
    fillFilter(params);
    if (params.get("q")) {
      search.elements.q.value = params.get("q");
      runSearch(true);
    } else if (params.get("layer")) {
      box.open = true;
      runFilter();
    }
    LandMatch.finder = {
      highlighted: function () { return Object.keys(byCode).sort(); },
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

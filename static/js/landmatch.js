/* LandMatch map: fill each layer from the API by the map's bounds, style it, build popups.
 * Popups are built with DOM nodes and textContent, so user text is never parsed as HTML. */
(function () {
  "use strict";
  var config = { fields: {}, colors: {}, text: {}, units: {} };
  var PAGE_LIMIT = 5000;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatNumber(value, digits) {
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits });
  }

  function formatValue(field, value) {
    if (field.choices && Object.prototype.hasOwnProperty.call(field.choices, value)) {
      return field.choices[value];
    }
    var codes = (config.codes || {})[field.name];
    if (codes && Object.prototype.hasOwnProperty.call(codes, value)) return codes[value];
    if (typeof value === "number") {
      return formatNumber(value, 2) + (field.unit ? " " + field.unit : "");
    }
    return String(value);
  }

  function row(table, label, value) {
    var tr = el("tr");
    tr.appendChild(el("th", null, label));
    tr.appendChild(el("td", null, value));
    table.appendChild(tr);
  }

  function popupContent(layer, props) {
    var box = el("div", "lm-popup");
    box.appendChild(el("div", "lm-popup-title", config.titles[layer]));
    var table = el("table", "lm-popup-table");
    (config.fields[layer] || []).forEach(function (field) {
      var value = props[field.name];
      if (field.name === "area_m2") {
        row(table, field.label, formatNumber(props.area_mu, 2) + " " + config.units.mu +
            "（" + formatNumber(props.area_ha, 4) + " " + config.units.ha + "）");
        return;
      }
      if (value === null || value === undefined || value === "") return;
      row(table, field.label, formatValue(field, value));
    });
    box.appendChild(table);
    if (props.buildings && props.buildings.length) {
      box.appendChild(el("div", "lm-popup-sub", config.text.buildings));
      props.buildings.forEach(function (b) {
        var t = el("table", "lm-popup-table");
        config.buildingFields.forEach(function (field) {
          if (b[field.name] !== null && b[field.name] !== undefined) {
            row(t, field.label, formatValue(field, b[field.name]));
          }
        });
        box.appendChild(t);
      });
    }
    var extra = props.extra || {};
    var keys = Object.keys(extra);
    if (keys.length) {
      box.appendChild(el("div", "lm-popup-sub", config.text.extra));
      var t = el("table", "lm-popup-table");
      keys.forEach(function (k) { row(t, k, extra[k]); });
      box.appendChild(t);
    }
    if (layer !== "sites" && config.urls) box.appendChild(parcelLinks(props.code));
    return box;
  }

  // History for everyone who may read; edit and split for editors (the server checks again).
  function parcelLinks(code) {
    var links = el("div", "lm-popup-links");
    var kinds = config.canEdit ? ["edit", "split", "history"] : ["history"];
    kinds.forEach(function (kind) {
      var a = el("a", "lm-popup-" + kind, config.text[kind]);
      a.href = config.urls[kind].replace("__code__", encodeURIComponent(code));
      links.appendChild(a);
    });
    return links;
  }

  function styleFor(layer) {
    var colors = config.colors[layer] || {};
    return function (feature) {
      var p = feature.properties;
      var color = colors[layer === "sites" ? p.stage : p.status] || "#555";
      return { color: color, weight: layer === "sites" ? 3 : 1.5, fillColor: color,
               fillOpacity: layer === "sites" ? 0.15 : 0.45, dashArray: layer === "sites" ? "6 3" : null };
    };
  }

  // A line on the map when a layer has more features in view than one request brings.
  var notices = {};
  function notice(map, layer, shown, total) {
    var box = map.getContainer().querySelector(".lm-notice");
    if (!box) {
      box = el("div", "lm-notice leaflet-control");
      map.getContainer().appendChild(box);
    }
    notices[layer] = shown < total ? config.titles[layer] + "：" + config.text.truncated
      .replace("%(shown)s", shown).replace("%(total)s", total) : "";
    box.textContent = Object.keys(notices).map(function (k) { return notices[k]; })
      .filter(Boolean).join(" ");
    box.style.display = box.textContent ? "block" : "none";
  }

  function apiLayer(map, group, options) {
    var controller = null;
    var state = { loaded: 0, matched: 0 };
    group.lmLayer = options.layer;
    group.lmState = state;

    // Keep what is already drawn and still in view (an open popup survives a pan); add the
    // new features, drop the ones that left the view.
    var drawn = {};
    function update(features) {
      var keep = {};
      features.forEach(function (f) { keep[f.id] = f; });
      Object.keys(drawn).forEach(function (id) {
        var stale = keep[id] && keep[id].properties.version !== drawn[id].lmVersion;
        if ((!keep[id] && !drawn[id].isPopupOpen()) || stale) {
          group.removeLayer(drawn[id]);
          delete drawn[id];
        }
      });
      features.forEach(function (feature) {
        if (drawn[feature.id]) return;
        L.geoJSON(feature, {
          style: styleFor(options.layer),
          pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6 }); },
        }).eachLayer(function (l) {
          l.bindPopup(function () { return popupContent(options.layer, feature.properties); },
                      { maxWidth: 360 });
          l.lmVersion = feature.properties.version;
          drawn[feature.id] = l;
          group.addLayer(l);
        });
      });
    }

    function load() {
      if (!map.hasLayer(group)) return;
      if (controller) controller.abort();
      controller = new AbortController();
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (v) { return v.toFixed(6); }).join(",");
      var url = options.url + "?bbox=" + bbox + "&limit=" + PAGE_LIMIT;
      map.getContainer().setAttribute("data-loading-" + options.layer, "1");
      fetch(url, { signal: controller.signal, headers: { Accept: "application/geo+json" } })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (data) {
          update(data.features);
          state.loaded = data.numberReturned;
          state.matched = data.numberMatched;
          notice(map, options.layer, data.numberReturned, data.numberMatched);
          map.getContainer().setAttribute("data-loaded-" + options.layer, String(data.numberReturned));
          map.getContainer().removeAttribute("data-loading-" + options.layer);
          map.fire("lm:loaded", { layer: options.layer, count: data.numberReturned });
        })
        .catch(function (err) {
          if (err.name === "AbortError") return;
          map.getContainer().removeAttribute("data-loading-" + options.layer);
          map.getContainer().setAttribute("data-error-" + options.layer, String(err.message));
          if (window.console) console.error(config.text.failed, err);
        });
    }

    map.on("moveend", load);
    group.on("add", load);
    map.on("overlayadd", function (e) { if (e.layer === group) load(); });
    map.whenReady(load);
  }

  window.LandMatch = {
    configure: function (c) { config = c; },
    apiLayer: apiLayer,
    popupContent: popupContent,
  };
})();

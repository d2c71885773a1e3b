/* LandMatch map: fill each layer from the API by the map's bounds, style it, build popups.
 * A layer with more features in view than config.tiles.threshold is drawn from vector tiles
 * (Leaflet.VectorGrid) instead; a click on a tile feature fetches its attributes by code.
 * Popups are built with DOM nodes and textContent, so user text is never parsed as HTML. */
(function () {
  "use strict";
  var config = { fields: {}, colors: {}, text: {}, units: {} };
  var PAGE_LIMIT = 5000;
  var LAYER_Z = ["stock", "idle", "sites"];  // drawing order of the tile layers, bottom first

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatNumber(value, digits) {
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits });
  }

  function landUseLabel(field, value, props) {
    // one code means different things per system: look it up in the parcel's own system
    var system = props && props[field.name + "_system"];
    var table = system && (config.landUse || {})[system];
    return table && Object.prototype.hasOwnProperty.call(table, value) ? table[value] : null;
  }

  function formatValue(field, value, props) {
    if (field.name === "land_use" || field.name === "planned_use") {
      var label = landUseLabel(field, value, props);
      if (label) return label;
    }
    if (field.name === "registered_area" && typeof value === "number") {
      var units = (config.fields.stock.filter(function (f) {
        return f.name === "registered_area_unit";
      })[0] || {}).choices || {};
      var unit = (props && props.registered_area_unit) || "m2";
      return Number(value).toLocaleString(undefined, { maximumFractionDigits: 6 }) + " " +
        (units[unit] || unit);
    }
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
      if (field.name === "registered_area_unit") return;  // shown with the registered area
      row(table, field.label, formatValue(field, value, props));
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
    if (layer === "sites" && config.urls && config.urls.project && props.code) box.appendChild(siteLinks(props));
    return box;
  }

  function link(kind, href, text) {
    var a = el("a", "lm-popup-" + kind, text);
    a.href = href;
    return a;
  }

  // A site's popup leads to its project's page (and the project page back to the map).
  function siteLinks(props) {
    var links = el("div", "lm-popup-links");
    links.appendChild(link("project", config.urls.project.replace(
      "__code__", encodeURIComponent(props.code)), config.text.project));
    return links;
  }

  // The project holding a parcel comes from the parcel's own record (its availability), asked
  // only when the popup opens.
  function holdingProject(box, code) {  // box: the popup's links
    if (!config.urls || !config.urls.parcel) return;
    fetch(config.urls.parcel.replace("__code__", encodeURIComponent(code)),
          { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (f) {
        var project = f && f.properties.availability && f.properties.availability.project;
        if (!project) return;
        box.appendChild(link("project", config.urls.project.replace(
          "__code__", encodeURIComponent(project)), config.text.project + " " + project));
      })
      .catch(function () { /* the popup stands without the link */ });
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
    holdingProject(links, code);
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

  // How many layers of a map are still loading or drawing. When none is, the container's
  // data-pending is "0" and the map fires "lm:drawn" (the benchmark and tests wait on it).
  function setBusy(map, layer, busy) {
    var pending = map.lmPending || (map.lmPending = {});
    if (busy) pending[layer] = true;
    else if (pending[layer]) delete pending[layer];
    else return;
    var count = Object.keys(pending).length;
    map.getContainer().setAttribute("data-pending", String(count));
    if (!count) map.fire("lm:drawn");
  }

  function finished(map, layer, count) {
    var box = map.getContainer();
    box.setAttribute("data-loaded-" + layer, String(count));
    box.removeAttribute("data-loading-" + layer);
    map.fire("lm:loaded", { layer: layer, count: count });
    setBusy(map, layer, false);
  }

  // The feature of a tile layer under a click: tiles keep their features (getFeatureId), and
  // a point is tested against them as Leaflet's canvas tests its own paths.
  function tileFeatureAt(map, tiles, latlng) {
    if (!map.hasLayer(tiles) || !tiles._vectorTiles) return null;
    var size = tiles.getTileSize();
    var zoom = tiles._tileZoom === undefined ? map.getZoom() : tiles._tileZoom;
    var point = map.project(latlng, zoom).round();
    var coords = point.unscaleBy(size).floor();
    coords.z = zoom;
    var renderer = tiles._vectorTiles[tiles._tileCoordsToKey(coords)];
    if (!renderer) return null;
    var inTile = point.subtract(coords.scaleBy(size)), hit = null;
    Object.keys(renderer._layers).forEach(function (id) {
      var feature = renderer._layers[id];
      // Bounds for the test are made by makeInteractive, which non-interactive tiles skip.
      if (!feature._pxBounds && feature.makeInteractive) feature.makeInteractive();
      if (feature._containsPoint && feature._containsPoint(inTile)) hit = feature;
    });
    return hit;
  }

  // Vector tiles with the same colours as the GeoJSON features. Tiles do not take pointer
  // events (they would cover the canvas of the other layers): clicks are tested on the map.
  function tileLayer(map, options, zIndex) {
    var style = styleFor(options.layer);
    var styles = {};
    styles[options.layer] = function (properties) {
      return L.extend(style({ properties: properties }), { fill: true });
    };
    var tiles = L.vectorGrid.protobuf(options.tiles, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: false,
      getFeatureId: function (f) { return f.properties.code; },
      tolerance: 3,
      zIndex: zIndex,
      maxZoom: 22,
    });
    tiles.lmCounts = {};
    var fetchTile = tiles._getVectorTilePromise;
    tiles._getVectorTilePromise = function (coords) {
      return fetchTile.call(tiles, coords).then(function (tile) {
        var layer = tile.layers[options.layer];
        tiles.lmCounts[tiles._tileCoordsToKey(coords)] = layer ? layer.length : 0;
        return tile;
      });
    };
    tiles.on("tileunload", function (e) { delete tiles.lmCounts[tiles._tileCoordsToKey(e.coords)]; });
    return tiles;
  }

  // Open the same popup as a GeoJSON feature's, with the attributes fetched by code.
  function openTilePopup(map, options, code, latlng) {
    var url = options.item.replace("__code__", encodeURIComponent(code));
    fetch(url, { headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (feature) {
        // The popup's source is the feature as GeoJSON would have drawn it (not added to
        // the map), so that popupopen listeners (the match page's "why not") see it alike.
        var source = L.geoJSON(feature).getLayers()[0];
        L.popup({ maxWidth: 360 }, source).setLatLng(latlng)
          .setContent(popupContent(options.layer, feature.properties)).openOn(map);
      })
      .catch(function (err) { if (window.console) console.error(config.text.failed, err); });
  }

  var tileLayers = [];  // [map, tiles, options], the last added (drawn on top) last

  function onMapClick(e) {
    var map = e.target;
    for (var i = tileLayers.length - 1; i >= 0; i--) {
      var entry = tileLayers[i];
      if (entry[0] !== map) continue;
      var hit = tileFeatureAt(map, entry[1], e.latlng);
      if (hit) {
        openTilePopup(map, entry[2], hit.properties.code, e.latlng);
        return;
      }
    }
  }

  function apiLayer(map, group, options) {
    var controller = null;
    var state = { loaded: 0, matched: 0, mode: "geojson", denseZoom: -1, density: 0 };
    var threshold = (config.tiles || {}).threshold;
    var useTiles = Boolean(options.tiles) && typeof threshold === "number" && threshold >= 0;
    var tiles = useTiles ? tileLayer(map, options, 10 + LAYER_Z.indexOf(options.layer)) : null;
    group.lmLayer = options.layer;
    group.lmState = state;
    if (tiles) {
      tileLayers.push([map, tiles, options]);
      if (!map.lmTileClicks) {
        map.on("click", onMapClick);
        map.lmTileClicks = true;
      }
      tiles.on("load", function () { if (state.mode === "tiles") tilesDrawn(); });
    }

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
          // The map's click would also look for a tile feature under this one.
          l.on("click", L.DomEvent.stopPropagation);
          l.lmVersion = feature.properties.version;
          drawn[feature.id] = l;
          group.addLayer(l);
        });
      });
    }

    // Parcel codes as labels from config.labelZoom on; below it they would hide the map.
    function labels() {
      if (options.layer === "sites" || !config.labelZoom) return;
      var show = map.getZoom() >= config.labelZoom;
      Object.keys(drawn).forEach(function (id) {
        var l = drawn[id];
        if (show && !l.getTooltip()) {
          l.bindTooltip(el("span", null, l.feature.properties.code),
                        { permanent: true, direction: "center", className: "lm-label",
                          interactive: false });
        } else if (!show && l.getTooltip()) {
          l.unbindTooltip();
        }
      });
    }

    function tilesDrawn() {
      var counts = tiles.lmCounts;
      var total = Object.keys(counts).reduce(function (n, k) { return n + counts[k]; }, 0);
      state.loaded = total;
      finished(map, options.layer, total);
    }

    function showTiles() {
      if (controller) controller.abort();
      state.mode = "tiles";
      map.getContainer().setAttribute("data-mode-" + options.layer, "tiles");
      notice(map, options.layer, 0, 0);
      update([]);
      if (!group.hasLayer(tiles)) group.addLayer(tiles);
      // The grid decides on moveend too, after this handler: look once it has.
      L.Util.requestAnimFrame(function () {
        if (state.mode === "tiles" && !tiles.isLoading()) tilesDrawn();
      });
    }

    function showFeatures(data) {
      state.mode = "geojson";
      map.getContainer().setAttribute("data-mode-" + options.layer, "geojson");
      if (tiles && group.hasLayer(tiles)) group.removeLayer(tiles);
      update(data.features);
      labels();
      state.loaded = data.numberReturned;
      state.matched = data.numberMatched;
      state.density = data.numberMatched / viewArea();
      notice(map, options.layer, data.numberReturned, data.numberMatched);
      // Counted as drawn once the canvas has painted them.
      L.Util.requestAnimFrame(function () { finished(map, options.layer, data.numberReturned); });
    }

    function viewArea() {
      var b = map.getBounds();
      return Math.max((b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()), 1e-12);
    }

    function load() {
      if (!map.hasLayer(group)) return;
      setBusy(map, options.layer, true);
      map.getContainer().setAttribute("data-loading-" + options.layer, "1");
      // Past the threshold once at this zoom or closer, or as many features per square
      // degree as the last view had would pass it here: the tiles, without asking.
      if (tiles && (threshold === 0 || map.getZoom() <= state.denseZoom ||
                    state.density * viewArea() > threshold)) {
        state.denseZoom = Math.max(state.denseZoom, map.getZoom());
        showTiles();
        return;
      }
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (v) { return v.toFixed(6); }).join(",");
      var limit = tiles ? Math.min(threshold, PAGE_LIMIT) : PAGE_LIMIT;
      var url = options.url + "?bbox=" + bbox + "&limit=" + limit;
      // The map's first views (whenReady, the layer's add, fitBounds' moveend) ask for the
      // same view: one request serves them (issue 14: each layer was requested twice).
      if (url === state.url && state.mode === "geojson") {
        if (!state.inFlight) finished(map, options.layer, state.loaded);
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      state.url = url;
      state.inFlight = true;
      fetch(url, { signal: controller.signal, headers: { Accept: "application/geo+json" } })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (data) {
          state.inFlight = false;
          if (tiles && data.numberMatched > data.numberReturned) {
            state.denseZoom = Math.max(state.denseZoom, map.getZoom());
            showTiles();
          } else {
            showFeatures(data);
          }
        })
        .catch(function (err) {
          if (err.name === "AbortError") return;
          state.inFlight = false;
          state.url = null;
          map.getContainer().removeAttribute("data-loading-" + options.layer);
          map.getContainer().setAttribute("data-error-" + options.layer, String(err.message));
          setBusy(map, options.layer, false);
          if (window.console) console.error(config.text.failed, err);
        });
    }

    map.on("moveend", load);
    map.on("zoomend", labels);
    group.on("add", load);
    group.on("remove", function () { setBusy(map, options.layer, false); state.url = null; });
    map.on("overlayadd", function (e) { if (e.layer === group) load(); });
    // After the page's script has run (its fitBounds sets the first view), not before.
    map.whenReady(function () { setTimeout(load, 0); });
    layers.push({ map: map, group: group, layer: options.layer });
  }

  var layers = [];  // every API layer of the page: {map, group, layer}

  window.LandMatch = {
    configure: function (c) { config = c; },
    apiLayer: apiLayer,
    popupContent: popupContent,
    layers: layers,
    styleFor: styleFor,
    config: function () { return config; },
  };
})();

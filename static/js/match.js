/* LandMatch match page: post the needs, list and draw the ranked candidates, explain refusals.
 * Everything from the server is put on the page with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var map, config, highlight, whyLayer, lastNeeds = null, lastResult = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": csrfToken() },
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    });
  }

  function readNeeds(form) {
    var needs = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name && input.value.trim() !== "") needs[input.name] = input.value.trim();
    });
    return needs;
  }

  function fmt(value) {
    if (value === null || value === undefined) return "—";
    if (Array.isArray(value)) return value.map(fmt).join("–");
    if (typeof value === "number") return value.toLocaleString(undefined, { maximumFractionDigits: 2 });
    return String(value);
  }

  function checkTable(checks) {
    var t = el("table", "lm-checks");
    var head = el("tr");
    ["check", "value", "threshold", "source"].forEach(function (k) {
      head.appendChild(el("th", null, config.text[k]));
    });
    t.appendChild(head);
    checks.forEach(function (c) {
      // A warning (a rule that is not confirmed) is shown apart: it never rules a parcel out.
      var warn = c.severity === "warning";
      var tr = el("tr", warn ? "lm-warn" : c.passed ? "lm-pass" : "lm-fail");
      tr.setAttribute("data-check", c.name);
      tr.setAttribute("data-severity", c.severity || (c.passed ? "ok" : "error"));
      tr.appendChild(el("td", null, (warn ? "⚠ " : c.passed ? "✔ " : "✘ ") + c.label));
      tr.appendChild(el("td", null, c.display.value));
      tr.appendChild(el("td", null, c.display.threshold));
      var basis = el("td");
      if (warn) basis.appendChild(el("span", "lm-warn-note", config.text.warningNote + " "));
      basis.appendChild(document.createTextNode(c.message + " " + c.source +
        (c.confirmed ? "" : "（" + config.text.unconfirmed + "）")));
      tr.appendChild(basis);
      t.appendChild(tr);
    });
    return t;
  }

  function sheetUrl(code) {
    var q = new URLSearchParams(lastNeeds).toString();
    return "/match/sheet/" + encodeURIComponent(code) + (q ? "?" + q : "");
  }

  function candidateItem(c, n) {
    var li = el("li", "lm-candidate" + (c.pair ? " lm-pair" : ""));
    li.setAttribute("data-code", c.code);
    var title = el("div", "lm-candidate-title");
    var box = el("input");
    box.type = "checkbox"; box.className = "lm-select"; box.value = c.code;
    box.setAttribute("data-score", c.score);
    box.title = config.text.select;
    title.appendChild(box);
    title.appendChild(el("span", "lm-num", n));
    title.appendChild(el("strong", null, c.code));
    if (c.pair) title.appendChild(el("span", "lm-pair-tag", config.text.pair));
    var warnings = c.checks.filter(function (k) { return k.severity === "warning"; }).length;
    if (warnings) {
      title.appendChild(el("span", "lm-warn-tag", "⚠ " + config.text.warning + " " + warnings));
    }
    title.appendChild(el("span", "lm-score", config.text.score + " " + fmt(c.score)));
    li.appendChild(title);
    var props = c.feature.properties || {};
    li.appendChild(el("div", "lm-candidate-sub",
      [props.name, props.town, props.park, fmt(props.area_mu) + " " + (config.units || "")]
        .filter(function (v) { return v && v !== "undefined"; }).join(" · ")));
    var parts = el("div", "lm-parts");
    Object.keys(c.score_parts).forEach(function (k) {
      parts.appendChild(el("span", "lm-part", (config.labels[k] || k) + " " + fmt(c.score_parts[k])));
    });
    li.appendChild(parts);
    var details = el("details");
    details.appendChild(el("summary", null, config.text.check));
    details.appendChild(checkTable(c.checks));
    li.appendChild(details);
    if (!c.pair) {
      var a = el("a", "lm-sheet-link", config.text.sheet);
      a.href = sheetUrl(c.code); a.target = "_blank";
      li.appendChild(a);
    }
    li.addEventListener("click", function (e) {
      if (e.target.tagName === "INPUT" || e.target.tagName === "A" || e.target.tagName === "SUMMARY") return;
      zoomTo(c.feature);
    });
    return li;
  }

  function zoomTo(feature) {
    var b = L.geoJSON(feature).getBounds();
    if (b.isValid()) map.fitBounds(b, { maxZoom: 16 });
  }

  function draw(result) {
    highlight.clearLayers();
    result.candidates.forEach(function (c, i) {
      var layer = L.geoJSON(c.feature, { style: { color: c.pair ? "#6a1b9a" : "#ff6f00", weight: 4,
        fillColor: "#ffca28", fillOpacity: 0.5 } });
      highlight.addLayer(layer);
      var centre = layer.getBounds().getCenter();
      highlight.addLayer(L.marker(centre, { icon: L.divIcon({ className: "lm-num-icon",
        html: "", iconSize: [22, 22] }), interactive: false }).on("add", function (ev) {
          ev.target.getElement().textContent = String(i + 1);
        }));
    });
    if (result.candidates.length) map.fitBounds(highlight.getBounds(), { maxZoom: 15 });
    map.getContainer().setAttribute("data-candidates", String(result.candidates.length));
  }

  function render(result) {
    lastResult = result;
    var list = document.getElementById("match-results");
    list.textContent = "";
    result.candidates.forEach(function (c, i) { list.appendChild(candidateItem(c, i + 1)); });
    document.getElementById("match-summary").textContent =
      config.text.considered + " " + result.counts.considered + " · " + config.text.candidates +
      " " + result.counts.passed + (result.counts.pairs ? " + " + result.counts.pairs + " " +
      config.text.pair : "") + (result.candidates.length ? "" : " · " + config.text.noCandidates);
    var rules = result.rule_set || {};
    var on = document.getElementById("match-rules");
    on.textContent = config.text.rulesOn + " " + (rules.on || "") + "：" +
      (rules.sets || []).map(function (s) {
        return s.edition + (/^[0-9]+$/.test(s.edition) ? config.text.edition : "") +
          (s.confirmed ? "" : "（" + config.text.unconfirmed + "）");
      }).join("、") +
      (rules.region_class ? " · " + rules.region_class.text : "");
    var rejected = document.getElementById("match-rejected");
    rejected.querySelector("summary").textContent = config.text.rejected + "（" + result.rejected.length + "）";
    var ul = rejected.querySelector("ul");
    ul.textContent = "";
    result.rejected.forEach(function (r) {
      var li = el("li", "lm-rejected");
      li.setAttribute("data-code", r.code);
      li.appendChild(el("strong", null, r.code));
      li.appendChild(el("span", null, " ✘ " + r.failed.map(function (n) {
        return config.labels[n] || n; }).join("、")));
      li.addEventListener("click", function () { explain(r.code); });
      ul.appendChild(li);
    });
    document.getElementById("match-save").hidden = !result.candidates.length;
    draw(result);
  }

  function explain(code) {
    var box = document.getElementById("why-not");
    if (!lastNeeds) { box.textContent = config.text.runFirst; return; }
    post("/api/match/explain/" + encodeURIComponent(code), lastNeeds).then(function (res) {
      box.textContent = "";
      if (!res.ok) { box.appendChild(el("p", "lm-match-error", res.data.error.message)); return; }
      box.appendChild(el("h3", null, config.text.whyNot + " " + res.data.code));
      box.appendChild(checkTable(res.data.checks));
      whyLayer.clearLayers();
      whyLayer.addLayer(L.geoJSON(res.data.feature, { style: { color: "#c62828", weight: 3,
        dashArray: "4 3", fillOpacity: 0.1 } }));
      zoomTo(res.data.feature);
      box.scrollIntoView({ block: "nearest" });
    });
  }

  function run(event) {
    event.preventDefault();
    var form = event.target;
    var needs = readNeeds(form);
    var error = document.getElementById("match-error");
    error.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) {
      n.removeAttribute("aria-invalid");
    });
    post("/api/match", needs).then(function (res) {
      if (!res.ok) {
        error.textContent = res.data.error.message;
        var bad = res.data.error.field && form.elements[res.data.error.field];
        if (bad) { bad.setAttribute("aria-invalid", "true"); bad.focus(); }
        return;
      }
      lastNeeds = needs;
      render(res.data);
    });
  }

  function saveOffers() {
    var chosen = Array.prototype.map.call(
      document.querySelectorAll("#match-results .lm-select:checked"), function (box) {
        return { code: box.value, score: Number(box.getAttribute("data-score")) };
      });
    var out = document.getElementById("save-result");
    post(document.getElementById("save-offers").getAttribute("data-url"),
         { project: document.getElementById("offer-project").value, candidates: chosen })
      .then(function (res) {
        out.textContent = "";
        if (!res.ok) { out.textContent = res.data.error.message; return; }
        var a = el("a", null, config.text.saved + " (" + res.data.saved + ")");
        a.href = res.data.log; a.id = "offer-log-link";
        out.appendChild(a);
      });
  }

  function init(theMap, theConfig) {
    map = theMap; config = theConfig;
    highlight = L.featureGroup().addTo(map);
    whyLayer = L.featureGroup().addTo(map);
    document.getElementById("needs-form").addEventListener("submit", run);
    document.getElementById("save-offers").addEventListener("click", saveOffers);
    // Any parcel's popup on the map offers "why not?" once a match has run.
    map.on("popupopen", function (e) {
      var source = e.popup._source;
      var feature = source && source.feature;
      if (!feature || !lastNeeds || !feature.properties || !feature.properties.area_mu) return;
      var button = el("button", "lm-why-button", config.text.whyNot);
      button.type = "button";
      button.addEventListener("click", function () { explain(feature.id); });
      var content = e.popup.getElement().querySelector(".leaflet-popup-content");
      if (content && !content.querySelector(".lm-why-button")) content.appendChild(button);
    });
  }

  window.LandMatchMatch = { init: init, explain: explain };
})();

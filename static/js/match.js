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

  // The industry list offers "35 专用设备制造业": the code is sent; a name typed alone is
  // looked up in the list (data/industries.csv), anything else goes as typed for the
  // server to refuse naming the field.
  function industryCode(text) {
    var head = text.split(/\s+/)[0];
    if (/^[0-9]+$/.test(head)) return head;
    var found = null;
    Array.prototype.forEach.call(document.querySelectorAll("#industry-codes option"), function (o) {
      var parts = o.value.split(" ");
      if (parts.slice(1).join(" ") === text) found = parts[0];
    });
    return found || text;
  }

  function readNeeds(form) {
    var needs = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) return;
      if (input.multiple) {
        var chosen = Array.prototype.map.call(input.selectedOptions, function (o) { return o.value; });
        if (chosen.length) needs[input.name] = chosen;
        return;
      }
      var value = input.value.trim();
      if (value === "") return;
      needs[input.name] = input.name === "industry" ? industryCode(value) : value;
    });
    return needs;
  }

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return values[k]; });
  }

  function fieldLabel(form, name) {
    var box = form.querySelector('.lm-field[data-field="' + name + '"]');
    return box ? box.getAttribute("data-label") : name;
  }

  // What the browser can tell before asking the server: required fields, numbers, ranges.
  function validate(form) {
    var errors = [];
    Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) {
      var value = input.value.trim(), label = fieldLabel(form, input.name);
      if (value === "") {
        if (input.hasAttribute("data-required")) {
          errors.push({ field: input.name, message: say(config.text.required, { field: label }) });
        }
        return;
      }
      if (!input.hasAttribute("inputmode")) return;
      var n = Number(value);
      if (!isFinite(n)) {
        errors.push({ field: input.name, message: say(config.text.notNumber, { field: label }) });
        return;
      }
      var min = input.getAttribute("data-min"), max = input.getAttribute("data-max");
      if ((min !== null && n < Number(min)) || (max !== null && n > Number(max))) {
        errors.push({ field: input.name, message: say(config.text.range,
          { field: label, min: fmt(Number(min)), max: fmt(Number(max)) }) });
      }
    });
    return errors;
  }

  function clearErrors(form) {
    var summary = document.getElementById("match-error");
    summary.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) {
      n.removeAttribute("aria-invalid");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".lm-field-error"), function (n) {
      n.textContent = "";
    });
  }

  // Errors at the top (each a link to its field) and beside each field.
  function showErrors(form, errors) {
    var summary = document.getElementById("match-error");
    summary.appendChild(el("p", null, config.text.fixBelow));
    var list = el("ul");
    errors.forEach(function (e) {
      var input = e.field && form.elements[e.field];
      var item = el("li");
      if (input) {
        var a = el("a", null, e.message);
        a.href = "#need-" + e.field;
        a.addEventListener("click", function (ev) { ev.preventDefault(); input.focus(); });
        item.appendChild(a);
        input.setAttribute("aria-invalid", "true");
        var beside = document.getElementById("err-" + e.field);
        if (beside) beside.textContent = e.message;
      } else {
        item.textContent = e.message;
      }
      list.appendChild(item);
    });
    summary.appendChild(list);
    summary.scrollIntoView({ block: "nearest" });
    var first = errors[0].field && form.elements[errors[0].field];
    if (first) first.focus(); else summary.focus();
  }

  // A field holding its default wears the tag "默认": a prefilled value is never unseen.
  function markDefaults(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".lm-field"), function (box) {
      var input = form.elements[box.getAttribute("data-field")];
      var tag = box.querySelector(".lm-default-tag");
      if (!input || !tag) return;
      var wanted = box.getAttribute("data-default");
      tag.hidden = wanted === null || input.multiple || input.value !== wanted;
    });
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

  function subLine(props) {
    return [props.name, props.town, props.park, fmt(props.area_mu) + " " + config.units.mu]
      .filter(function (v) { return v; }).join(" · ");
  }

  // Each part of the score out of its weight: "距离 12.6 / 15 分", never a bare "距离 12.62".
  function scoreParts(parts) {
    var box = el("div", "lm-parts");
    Object.keys(parts).forEach(function (k) {
      var weight = config.weights[k];
      box.appendChild(el("span", "lm-part", (config.labels[k] || k) + " " +
        parts[k].toFixed(1) + (weight !== undefined ? " / " + fmt(weight) : "") + " " +
        config.text.points));
    });
    return box;
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
    title.appendChild(el("span", "lm-score", config.text.score + " " + c.score.toFixed(1) +
      " / " + fmt(total(config.weights)) + " " + config.text.points));
    li.appendChild(title);
    var props = c.feature.properties || {};
    li.appendChild(el("div", "lm-candidate-sub", subLine(props)));
    li.appendChild(scoreParts(c.score_parts));
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

  function total(weights) {
    return Object.keys(weights).reduce(function (sum, k) { return sum + weights[k]; }, 0);
  }

  // Put one suggested change into the form and match again.
  function applyRelax(s) {
    var form = document.getElementById("needs-form");
    var input = form.elements[s.field];
    if (!input) return;
    input.value = s.to === null ? "" : String(s.to);
    markDefaults(form);
    form.requestSubmit();
  }

  function renderNearMisses(near) {
    var box = document.getElementById("near-misses");
    var suggestions = box.querySelector(".lm-suggestions");
    var list = box.querySelector(".lm-miss-list");
    suggestions.textContent = ""; list.textContent = "";
    box.hidden = !near.parcels.length;
    if (!near.parcels.length) return;
    box.querySelector("h3").textContent = config.text.nearMisses;
    near.suggestions.forEach(function (s) {
      var li = el("li");
      var b = el("button", "lm-relax", s.message);
      b.type = "button";
      b.setAttribute("data-field", s.field);
      b.title = config.text.relaxHint;
      b.addEventListener("click", function () { applyRelax(s); });
      li.appendChild(b);
      suggestions.appendChild(li);
    });
    near.parcels.forEach(function (m) {
      var li = el("li", "lm-candidate lm-miss");
      li.setAttribute("data-code", m.code);
      var title = el("div", "lm-candidate-title");
      title.appendChild(el("strong", null, m.code));
      title.appendChild(el("span", "lm-score", config.text.score + " " + m.score.toFixed(1) +
        " / " + fmt(total(config.weights)) + " " + config.text.points));
      li.appendChild(title);
      li.appendChild(el("div", "lm-candidate-sub", subLine(m.feature.properties || {})));
      li.appendChild(el("div", "lm-miss-why", "✘ " + m.failed.label + " " +
        m.failed.display.value + "（" + config.text.threshold + " " + m.failed.display.threshold +
        "）→ " + m.relax.message));
      var a = el("a", "lm-sheet-link", config.text.sheet);
      a.href = sheetUrl(m.code); a.target = "_blank";
      li.appendChild(a);
      li.addEventListener("click", function (e) {
        if (e.target.tagName === "A") return;
        zoomTo(m.feature);
      });
      list.appendChild(li);
      highlight.addLayer(L.geoJSON(m.feature, { style: { color: "#1565c0", weight: 3,
        dashArray: "6 4", fillColor: "#90caf9", fillOpacity: 0.35 } }));
    });
    if (!lastResult.candidates.length) map.fitBounds(highlight.getBounds(), { maxZoom: 15 });
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
    renderNearMisses(result.near_misses);
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
    clearErrors(form);
    var errors = validate(form);
    if (errors.length) { showErrors(form, errors); return; }
    var needs = readNeeds(form);
    post("/api/match", needs).then(function (res) {
      if (!res.ok) {
        showErrors(form, [{ field: res.data.error.field, message: res.data.error.message }]);
        return;
      }
      lastNeeds = needs;
      render(res.data);
      // The results sit below the form: bring them into view.
      document.getElementById("match-summary").scrollIntoView({ block: "start" });
    });
  }

  function resetForm(form) {
    form.reset();
    clearErrors(form);
    markDefaults(form);
  }

  function clearForm(form) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) return;
      if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.options, function (o) { o.selected = false; });
        if (!input.multiple && input.options.length && input.options[0].value === "") {
          input.selectedIndex = 0;
        }
      } else {
        input.value = "";
      }
    });
    clearErrors(form);
    markDefaults(form);
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
    var form = document.getElementById("needs-form");
    form.addEventListener("submit", run);
    form.addEventListener("input", function () { markDefaults(form); });
    form.addEventListener("change", function () { markDefaults(form); });
    document.getElementById("reset-defaults").addEventListener("click", function () {
      resetForm(form);
    });
    document.getElementById("clear-needs").addEventListener("click", function () {
      clearForm(form);
    });
    markDefaults(form);
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

// The upload page: send the file with a progress bar, show mapping, unknown values, the
// grouped report and a map of the shapes, then commit.
// Data from the file is shown with textContent only.
(function () {
  var root = document.getElementById("lm-import");
  var form = document.getElementById("lm-import-form");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var state = { token: null, map: {}, values: {} };
  var preview = null;

  function text(key, params) {
    var s = root.querySelector('#lm-text').content.querySelector('[data-key="' + key + '"]').textContent;
    Object.keys(params || {}).forEach(function (k) { s = s.replace("%(" + k + ")s", params[k]); });
    return s;
  }
  function el(tag, content) { var e = document.createElement(tag); if (content !== undefined) e.textContent = content; return e; }
  function progress(show, value, label) {
    var box = document.getElementById("lm-progress"), bar = box.querySelector("progress");
    box.hidden = !show;
    if (value === null) { bar.removeAttribute("value"); } else { bar.value = value; }
    document.getElementById("lm-progress-text").textContent = label || "";
  }
  function fail(message) {
    var box = document.getElementById("lm-error");
    box.textContent = message; box.hidden = false;
  }

  function send(url, withFile, done) {
    var data = new FormData();
    ["layer", "crs", "encoding", "source_layer", "code_system", "planned_code_system"].forEach(function (n) { data.append(n, form.elements[n].value); });
    data.append("map", JSON.stringify(state.map));
    data.append("values", JSON.stringify(state.values));
    if (withFile) { data.append("file", form.elements.file.files[0]); } else { data.append("token", state.token); }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    // Progress lines (one JSON object per line) while the server reads, checks and writes.
    xhr.setRequestHeader("Accept", "application/x-ndjson");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) progress(true, Math.round(100 * e.loaded / e.total), text("uploading") + " " + Math.round(100 * e.loaded / e.total) + "%");
    };
    xhr.upload.onload = function () { progress(true, null, url === root.dataset.commit ? text("writing") : text("checking")); };
    var seen = 0, last = null;
    function lines() {
      var body = xhr.responseText, end = body.lastIndexOf("\n");
      if (xhr.status !== 200 || end < seen) return;
      body.slice(seen, end).split("\n").forEach(function (line) {
        if (!line) return;
        var msg = JSON.parse(line);
        if (msg.progress) {
          var p = msg.progress, pct = p.total ? Math.round(100 * p.done / p.total) : 0;
          progress(true, p.stage === "read" ? null : pct, text(p.stage) + " " + p.done + "/" + p.total);
        } else { last = msg; }
      });
      seen = end + 1;
    }
    xhr.onprogress = lines;
    xhr.onload = function () {
      progress(false, 0);
      if (xhr.status !== 200) {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        fail(body && body.error ? body.error.message : xhr.statusText); return;
      }
      lines();
      if (last && last.result) { done(last.result); } else { fail(last && last.error ? last.error.message : xhr.statusText); }
    };
    xhr.onerror = function () { progress(false, 0); fail(xhr.statusText || "network error"); };
    document.getElementById("lm-error").hidden = true;
    progress(true, 0, withFile ? text("uploading") : text("checking"));
    xhr.send(data);
  }

  function show(plan) {
    state.token = plan.token;
    document.getElementById("lm-result").hidden = false;
    var notes = document.getElementById("lm-notes"); notes.replaceChildren();
    plan.notes.forEach(function (n) { notes.appendChild(el("li", n)); });
    var body = document.querySelector("#lm-mapping tbody"); body.replaceChildren();
    plan.mapping.forEach(function (m) {
      var tr = el("tr"), select = el("select");
      select.dataset.column = m.column;
      plan.choices.forEach(function (c) {
        var o = el("option", c.label); o.value = c.value; o.selected = c.value === m.field; select.appendChild(o);
      });
      select.addEventListener("change", function () { state.map[m.column] = select.value; });
      tr.appendChild(el("td", m.column)); var td = el("td"); td.appendChild(select); tr.appendChild(td);
      body.appendChild(tr);
    });
    showUnknown(plan.unknown);
    var values = document.getElementById("lm-values"); values.replaceChildren();
    plan.values.forEach(function (v) { values.appendChild(el("li", v.text)); });
    document.getElementById("lm-values-box").hidden = plan.values.length === 0;
    document.getElementById("lm-summary").textContent = text("summary", plan) + (plan.ok ? "" : " " + text("blocked"));
    var groups = document.querySelector("#lm-groups tbody"); groups.replaceChildren();
    plan.groups.forEach(function (g) {
      var tr = el("tr"); tr.className = g.severity === "error" ? "lm-error-row" : "lm-warning-row";
      [g.severity_label, g.field, g.count, g.text].forEach(function (v) { tr.appendChild(el("td", v)); });
      tr.children[2].className = "num";
      groups.appendChild(tr);
    });
    document.getElementById("lm-by-row").textContent = plan.issues_total ? text("by_row", { n: plan.issues_total }) : "";
    showPreview(plan.preview);
    document.getElementById("lm-commit").disabled = !plan.ok;
    document.getElementById("lm-done").textContent = plan.created === null ? "" : text("done", plan);
  }

  // Each distinct word of a choice column that is not a value: its rows and a drop-down.
  function showUnknown(unknown) {
    var body = document.querySelector("#lm-unknown tbody"); body.replaceChildren();
    unknown.forEach(function (u) {
      u.words.forEach(function (w) {
        var tr = el("tr"), select = el("select"), none = el("option", text("not_mapped"));
        select.dataset.column = u.column; select.dataset.word = w.word;
        none.value = ""; select.appendChild(none);
        u.choices.forEach(function (c) { var o = el("option", c.label); o.value = c.value; select.appendChild(o); });
        var chosen = (state.values[u.column] || {})[w.word];
        if (chosen) select.value = chosen;
        select.addEventListener("change", function () {
          state.values[u.column] = state.values[u.column] || {};
          state.values[u.column][w.word] = select.value;
        });
        var rows = el("td", w.rows); rows.className = "num";
        tr.appendChild(el("td", u.label === u.column ? u.column : u.column + " → " + u.label)); tr.appendChild(el("td", w.word));
        tr.appendChild(rows); var td = el("td"); td.appendChild(select); tr.appendChild(td);
        body.appendChild(tr);
      });
    });
    document.getElementById("lm-unknown-box").hidden = unknown.length === 0;
  }

  // The uploaded outlines on a plain map (no base map: nothing leaves the intranet).
  function showPreview(collection) {
    var box = document.getElementById("lm-preview");
    if (!preview) {
      preview = { map: L.map(box, { preferCanvas: true }), layer: null };
    }
    if (preview.layer) preview.map.removeLayer(preview.layer);
    preview.layer = L.geoJSON(collection, {
      style: function (f) {
        return f.properties.rejected ? { color: "#c62828", weight: 1, fillOpacity: 0.3 }
                                     : { color: "#1565c0", weight: 1, fillOpacity: 0.2 };
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(String(f.properties.row) + " " + f.properties.code);
      }
    }).addTo(preview.map);
    preview.map.invalidateSize();
    var bounds = preview.layer.getBounds();
    if (bounds.isValid()) preview.map.fitBounds(bounds, { padding: [10, 10] });
    box.dataset.shapes = String(collection.features.length);
    document.getElementById("lm-preview-note").textContent = text("preview", { n: collection.features.length });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); state.map = {}; state.values = {}; send(root.dataset.check, true, show); });
  document.getElementById("lm-recheck").addEventListener("click", function () { send(root.dataset.check, false, show); });
  document.getElementById("lm-commit").addEventListener("click", function () { send(root.dataset.commit, false, show); });
  document.getElementById("lm-report-csv").addEventListener("click", function () {
    var f = document.createElement("form"); f.method = "post"; f.action = root.dataset.report; f.hidden = true;
    var fields = { csrf_token: csrf, token: state.token, layer: form.elements.layer.value, crs: form.elements.crs.value,
                   encoding: form.elements.encoding.value, source_layer: form.elements.source_layer.value, map: JSON.stringify(state.map),
                   code_system: form.elements.code_system.value, planned_code_system: form.elements.planned_code_system.value,
                   values: JSON.stringify(state.values) };
    Object.keys(fields).forEach(function (k) { var i = document.createElement("input"); i.name = k; i.value = fields[k] || ""; f.appendChild(i); });
    document.body.appendChild(f); f.submit(); f.remove();
  });
})();

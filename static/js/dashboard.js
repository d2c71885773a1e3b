/* LandMatch dashboard: draw the charts from the figures the page carries as JSON (Chart.js,
 * vendored). Labels are set as chart data, never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var f = data.figures, L = data.labels;
  var BLUE = "#3949ab", ORANGE = "#ef6c00", GREEN = "#388e3c", RED = "#d32f2f", BROWN = "#8d6e63";
  function bars(id, groups, names) {
    new Chart(document.getElementById(id), {
      type: "bar",
      data: {
        labels: groups.map(function (g) { return names[g.value] || g.value; }),
        datasets: [
          { label: L.projects, data: groups.map(function (g) { return g.count; }),
            backgroundColor: BLUE, yAxisID: "y" },
          { label: L.investment, data: groups.map(function (g) { return g.investment; }),
            backgroundColor: ORANGE, yAxisID: "y1" }
        ]
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        scales: { y: { position: "left", beginAtZero: true },
                  y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } }
    });
  }
  bars("chart-stage", f.by_stage, data.stages);
  bars("chart-chain", f.by_chain, data.chains);
  var towns = Object.keys(f.land);
  new Chart(document.getElementById("chart-land"), {
    type: "bar",
    data: { labels: towns, datasets: [
      { label: L.stock, data: towns.map(function (t) { return f.land[t].stock; }), backgroundColor: GREEN },
      { label: L.idle, data: towns.map(function (t) { return f.land[t].idle; }), backgroundColor: RED }
    ] },
    /* every town named on its own line */
    options: { animation: false, responsive: true, maintainAspectRatio: false, indexAxis: "y",
      scales: { x: { stacked: true, title: { display: true, text: L.mu } },
                y: { stacked: true, ticks: { autoSkip: false } } } }
  });
  var statuses = data.idle_life;  // in the order of idle land's life (geo/supply.py)
  new Chart(document.getElementById("chart-idle"), {
    type: "doughnut",
    data: { labels: statuses.map(function (s) { return data.statuses[s]; }),
            datasets: [{ data: statuses.map(function (s) { return f.idle[s].area_mu; }),
                         backgroundColor: [RED, ORANGE, BROWN, BLUE, GREEN] }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false }
  });
  document.body.setAttribute("data-charts", String(Object.keys(Chart.instances).length));
})();

// Charts of the statistics pages, drawn with Chart.js (static/vendor/, installed by `make setup`) from the JSON block
// #statistics-charts: each chart's labels and series are the cells of the table beneath it. Without the library
// (or without JavaScript) the figures stay hidden and the tables say everything.
(function () {
  "use strict";
  var source = document.getElementById("statistics-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var specs = JSON.parse(source.textContent);
  var english = document.documentElement.lang === "en";
  var locale = english ? "en-US" : "zh-CN";
  var palette = ["#0b5cad", "#e8833a", "#2f9e6e", "#8a5cc2", "#d64550", "#3aa6c9", "#b08d1a", "#6b7a8c",
                 "#1f7a3d", "#c2569b", "#4d6fd6", "#9a5b00"];
  var unitNames = english ? { amount: "¥10k", count: "count", percent: "%", days: "days" }
                          : { amount: "万元", count: "项", percent: "%", days: "天" };

  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  window.Chart.defaults.color = "#3c4b5b";

  function number(value) {
    return value === null || value === undefined ? "—" : Number(value).toLocaleString(locale, { maximumFractionDigits: 4 });
  }

  function axes(spec) {
    var seen = [];
    spec.series.forEach(function (series) { if (seen.indexOf(series.axis) < 0) { seen.push(series.axis); } });
    return seen;
  }

  function config(spec) {
    var kind = spec.kind;
    var many = spec.labels.length > 8;
    var horizontal = kind === "bar" && (spec.horizontal || (many && spec.series.length === 1));
    var used = axes(spec);
    var datasets = spec.series.map(function (series, index) {
      var color = palette[index % palette.length];
      var dataset = { label: series.label, data: series.data, borderColor: color, backgroundColor: color };
      if (kind === "doughnut") {
        dataset.backgroundColor = spec.labels.map(function (_label, i) { return palette[i % palette.length]; });
        dataset.borderColor = "#fff";
      } else {
        dataset[horizontal ? "xAxisID" : "yAxisID"] = used.indexOf(series.axis) === 0 ? (horizontal ? "x" : "y") : "y1";
        if (kind === "line") { dataset.cubicInterpolationMode = "monotone"; dataset.pointRadius = 3; dataset.backgroundColor = color + "33"; }
      }
      return dataset;
    });
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: {
        legend: { display: kind === "doughnut" || spec.series.length > 1, position: kind === "doughnut" && window.innerWidth > 600 ? "right" : "top",
                  labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: function (context) {
          var value = kind === "doughnut" ? context.parsed : (horizontal ? context.parsed.x : context.parsed.y);
          return (context.dataset.label || "") + ": " + number(value);
        } } }
      }
    };
    if (kind !== "doughnut") {
      var valueAxis = horizontal ? "x" : "y";
      var scales = {};
      scales[horizontal ? "y" : "x"] = { ticks: { autoSkip: !horizontal, maxRotation: 50 }, grid: { display: false } };
      scales[valueAxis] = { beginAtZero: true, title: { display: true, text: unitNames[used[0]] || "" },
                            ticks: { callback: function (value) { return number(value); } } };
      if (used.length > 1) {
        scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
                      title: { display: true, text: unitNames[used[1]] || "" },
                      ticks: { callback: function (value) { return number(value); } } };
      }
      options.scales = scales;
      if (horizontal) { options.indexAxis = "y"; }
    }
    return { type: kind, data: { labels: spec.labels, datasets: datasets }, options: options, horizontal: horizontal };
  }

  specs.forEach(function (spec) {
    var figure = document.querySelector('figure[data-chart="' + spec.id + '"]');
    if (!figure) { return; }
    var setup = config(spec);
    var box = figure.querySelector(".chart-box");
    if (setup.horizontal) { box.style.height = Math.max(220, 26 * spec.labels.length + 60) + "px"; }
    figure.hidden = false;
    var card = figure.closest(".stat-card");
    if (card) { card.classList.add("charted"); }
    var chart = new window.Chart(figure.querySelector("canvas"), { type: setup.type, data: setup.data, options: setup.options });
    figure.setAttribute("data-drawn", "true");
    figure.chart = chart;
  });
})();

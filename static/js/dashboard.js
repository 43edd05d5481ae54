/* Dashboard: draws each figure's chart with Chart.js from the data in its json_script block.
   The same numbers are in the table under each chart; without scripts the tables remain. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var palette = ["#0d6efd", "#dc3545", "#6c757d", "#fd7e14", "#198754", "#6f42c1", "#20c997", "#d63384"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function options(spec) {
    var stacked = spec.kind === "stacked";
    var horizontal = spec.kind === "horizontal";
    var valueAxis = { beginAtZero: true, stacked: stacked, ticks: { precision: spec.unit ? undefined : 0 } };
    if (spec.unit) {
      valueAxis.title = { display: true, text: spec.unit };
    }
    var categoryAxis = { stacked: stacked };
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : undefined,
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
    };
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, i) {
      return {
        label: set.label,
        data: set.data,
        backgroundColor: palette[i % palette.length],
        borderWidth: 0,
        maxBarThickness: 56
      };
    });
    new window.Chart(canvas, { type: "bar", data: { labels: spec.labels, datasets: datasets }, options: options(spec) });
  });
})();

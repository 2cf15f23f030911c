// Charts of the staffing demand page, from the data embedded with json_script (the
// Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  const source = document.getElementById("demand-charts");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const charts = JSON.parse(source.textContent);
  const labelSource = document.getElementById("demand-labels");
  const labels = labelSource ? JSON.parse(labelSource.textContent) : {};
  document.querySelectorAll("[data-demand-chart]").forEach(function (canvas) {
    const data = charts[canvas.dataset.demandChart];
    if (!data) {
      return;
    }
    new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: labels.arrivals, data: data.arrivals, backgroundColor: "#9ec5fe", yAxisID: "arrivals" },
          { type: "line", label: labels.required, data: data.required_line, borderColor: "#dc3545", stepped: true, yAxisID: "people" },
          { type: "line", label: labels.requiredSite, data: data.required_site, borderColor: "#fd7e14", borderDash: [4, 4], stepped: true, yAxisID: "people" },
          { type: "line", label: labels.planned, data: data.planned_line, borderColor: "#198754", stepped: true, yAxisID: "people" },
        ],
      },
      options: {
        scales: {
          arrivals: { type: "linear", position: "left", beginAtZero: true },
          people: { type: "linear", position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false } },
        },
      },
    });
  });
})();

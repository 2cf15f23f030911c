// Charts of the annual report page, from the data the page embeds with json_script
// (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  const year = document.querySelector("[data-report-year]");
  if (year) {
    year.addEventListener("change", function () {
      window.location.href = year.value + window.location.search;
    });
  }

  const source = document.getElementById("report-charts");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const colours = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#6c757d"];
  const coloured = (series) =>
    series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: colours[i % colours.length] }));

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) {
      new Chart(canvas, config);
    }
  }

  draw("chart-months", {
    type: "bar",
    data: { labels: data.months, datasets: coloured(data.month_channels) },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
  draw("chart-themes", {
    type: "bar",
    data: {
      labels: data.themes.labels,
      datasets: [{ data: data.themes.data, backgroundColor: colours[0] }],
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } } },
  });
  draw("chart-age-gender", {
    type: "bar",
    data: { labels: data.ages, datasets: coloured(data.age_genders) },
    options: { scales: { y: { beginAtZero: true } } },
  });
})();

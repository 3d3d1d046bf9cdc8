// Draws every chart on a page from the JSON that the view put in #chart-data.
// Each <canvas data-chart="NAME"> names its series; the tables beside them hold the same data.
(() => {
  const source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const legend = data.legend;
  // Amounts arrive as decimal strings (never floats on the server); charts need numbers.
  const numbers = (values) => values.map((value) => (value === null ? null : Number(value)));
  const colours = {
    target: "#9db7d5",
    completed: "#0b5cad",
    expected: "#e0b400",
    not_overdue: "#9db7d5",
    overdue: "#c2410c",
    closed: "#0f5c2e",
  };

  // Amounts start at zero and name their unit, in the page's language (legend.unit).
  const amountAxis = { y: { beginAtZero: true, title: { display: true, text: legend.unit } } };

  const bars = (series, targetLabel) => ({
    type: "bar",
    data: {
      labels: series.labels,
      datasets: [
        { label: targetLabel, data: numbers(series.target), backgroundColor: colours.target },
        { label: legend.completed, data: numbers(series.completed), backgroundColor: colours.completed },
      ],
    },
    options: { scales: amountAxis },
  });

  const builders = {
    areas: (canvas) => bars(data.areas, canvas.dataset.target === "allocation" ? legend.allocation : legend.target),
    cities: () => bars(data.cities, legend.allocation),
    // Open problems split by the deadline, stacked on those closed: one bar per city.
    problems: () => ({
      type: "bar",
      data: {
        labels: data.problems.labels,
        datasets: ["overdue", "not_overdue", "closed"].map((name) => ({
          label: legend[name],
          data: numbers(data.problems[name]),
          backgroundColor: colours[name],
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } },
    }),
    // The completed line stops at the as-of quarter (null after it); the pace line runs on.
    quarters: () => ({
      type: "line",
      data: {
        labels: data.quarters.labels,
        datasets: [
          { label: legend.completed, data: numbers(data.quarters.completed), borderColor: colours.completed, backgroundColor: colours.completed, spanGaps: false },
          { label: legend.expected, data: numbers(data.quarters.expected), borderColor: colours.expected, backgroundColor: colours.expected, borderDash: [6, 4] },
        ],
      },
      options: { scales: amountAxis },
    }),
  };

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const build = builders[canvas.dataset.chart];
    if (!build) return;
    const config = build(canvas);
    config.options = { ...config.options, responsive: true, maintainAspectRatio: false, animation: false };
    new window.Chart(canvas, config);
  });
})();

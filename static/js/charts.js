// Draws the charts on a page from the JSON that the view put in #chart-data.
// Each <canvas data-chart="NAME"> names its series; the tables beside them hold the same data,
// so a page without JavaScript, or before a chart is drawn, lacks nothing.
//
// A chart is drawn only when it comes near the screen, and one chart per task, so that drawing
// them never holds up the page for long (issue 25: the overview's four charts drawn at once
// blocked a phone's main thread for 0.7 s). Once drawn, a canvas carries data-drawn="true"
// (site.css keeps it transparent until then).
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

  // Figures as the tables write them (whole numbers bare, others to two decimals), on the axes
  // and in the tooltips. Chart.js's own labels would make an Intl.NumberFormat, the first of
  // which costs a phone a quarter of the first chart's drawing.
  const figure = (value) => {
    const cents = Math.round(value * 100);
    return cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2);
  };
  const tooltip = { callbacks: { label: (item) => `${item.dataset.label}: ${figure(item.raw)}` } };

  // Amounts start at zero and name their unit, in the page's language (legend.unit).
  const amountAxis = { y: { beginAtZero: true, title: { display: true, text: legend.unit }, ticks: { callback: figure } } };

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
      options: { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0, callback: figure } } } },
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

  // Charts never animate: an animation would redraw each chart for a second of frames, and
  // would move for readers who asked for less motion (prefers-reduced-motion).
  const pending = new Set([...document.querySelectorAll("canvas[data-chart]")].filter((canvas) => builders[canvas.dataset.chart]));
  if (!pending.size) return;

  // The work still to do, one task's worth a function, done when the browser is idle (or soon
  // after, if it never is): between two, it can paint, scroll and answer a tap.
  const queue = [];
  const idle = window.requestIdleCallback ? (work) => window.requestIdleCallback(work, { timeout: 300 }) : (work) => setTimeout(work, 0);
  let waiting = false;
  const next = () => {
    waiting = false;
    const work = queue.shift();
    if (work) work();
    if (queue.length) schedule();
  };
  const schedule = () => {
    if (!waiting) {
      waiting = true;
      idle(next);
    }
  };

  // Drawing a page's first chart also compiles Chart.js's code (V8 compiles a function when it
  // first runs), much of its time on a phone: that chart is drawn in two tasks, its axes and
  // legend with no data (hidden: no data-drawn yet), then its data.
  let first = true;
  const draw = (canvas, split = first) => {
    if (!pending.delete(canvas)) return;
    first = false;
    const config = builders[canvas.dataset.chart](canvas);
    config.options = { ...config.options, plugins: { tooltip }, responsive: true, maintainAspectRatio: false, animation: false };
    if (!split) {
      new window.Chart(canvas, config);
      canvas.dataset.drawn = "true";
      return;
    }
    const data = config.data;
    config.data = { labels: [], datasets: [] };
    const chart = new window.Chart(canvas, config);
    queue.unshift(() => {
      chart.data = data;
      chart.update();
      canvas.dataset.drawn = "true";
    });
    schedule();
  };
  const due = (canvas) => {
    queue.push(() => draw(canvas));
    schedule();
  };

  if (!window.IntersectionObserver) {
    pending.forEach(due);
  } else {
    // Drawn a little before it scrolls into view, so that the reader seldom sees it empty.
    const observer = new IntersectionObserver(
      (entries) => {
        entries.forEach((entry) => {
          if (!entry.isIntersecting) return;
          observer.unobserve(entry.target);
          due(entry.target);
        });
      },
      { rootMargin: "200px 0px" },
    );
    pending.forEach((canvas) => observer.observe(canvas));
  }
  // A printed page shows every chart: draw those not yet drawn before the browser lays it out.
  window.addEventListener("beforeprint", () => {
    while (queue.length) queue.shift()();
    [...pending].forEach((canvas) => draw(canvas, false));
  });
})();

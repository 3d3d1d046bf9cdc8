// 季度填报: while a clerk types this quarter's amount or the year-to-date total, show the
// other one, derived, as the grey hint text of its empty field, so both are visible before
// saving.
document.querySelectorAll("tr[data-before]").forEach((row) => {
  const before = Number(row.dataset.before);
  const amount = row.querySelector("input[name$='-amount']");
  const cumulative = row.querySelector("input[name$='-cumulative']");
  if (!amount || !cumulative || amount.disabled) return;
  const number = (input) => Number(input.value.normalize("NFKC").trim());
  const derive = () => {
    const a = amount.value.trim() ? number(amount) : NaN;
    const c = cumulative.value.trim() ? number(cumulative) : NaN;
    cumulative.placeholder = Number.isFinite(a) ? "= " + (before + a).toFixed(4) : "";
    amount.placeholder = Number.isFinite(c) ? "= " + (c - before).toFixed(4) : "";
  };
  amount.addEventListener("input", derive);
  cumulative.addEventListener("input", derive);
});

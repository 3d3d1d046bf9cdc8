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

// Nothing typed is lost: every box of the sheet is kept in this browser as it is typed, with
// the value the page showed beside it. Opened again (after a sign-in, a timeout, a crash),
// the sheet puts back what was typed and not saved, says so, and leaves alone any box whose
// row changed since (someone else saved it). A draft that matches the page is dropped.
const sheetForm = document.querySelector("form.quarter-form[data-draft-key]");
if (sheetForm) {
  const key = sheetForm.dataset.draftKey;
  const WEEK = 7 * 24 * 3600 * 1000;
  const boxes = () =>
    Array.from(sheetForm.elements).filter(
      (box) => box.name && !box.disabled && box.type !== "hidden" && box.type !== "submit"
    );
  const shown = (box) => {
    const initial = sheetForm.elements["initial-" + box.name];
    return initial ? initial.value : null;
  };
  const read = () => {
    try {
      const draft = JSON.parse(localStorage.getItem(key) || "null");
      return draft && Date.now() - draft.saved < WEEK ? draft : null;
    } catch (error) {
      return null;
    }
  };
  const keep = () => {
    const fields = {};
    boxes().forEach((box) => {
      if (box.value !== shown(box)) fields[box.name] = { value: box.value, shown: shown(box) };
    });
    try {
      if (Object.keys(fields).length) {
        localStorage.setItem(key, JSON.stringify({ saved: Date.now(), fields }));
      } else {
        localStorage.removeItem(key);
      }
    } catch (error) {
      // Storage full or refused (a private window): the sheet still works, without the copy.
    }
  };
  const draft = read();
  let restored = 0;
  let skipped = 0;
  if (draft) {
    Object.entries(draft.fields).forEach(([name, kept]) => {
      const box = sheetForm.elements[name];
      if (!box || box.disabled || box.value === kept.value) return;
      if (shown(box) !== kept.shown) {
        skipped += 1;
        return;
      }
      box.value = kept.value;
      box.dispatchEvent(new Event("input", { bubbles: true }));
      restored += 1;
    });
  }
  const notice = sheetForm.querySelector(".draft-restored");
  if (restored) {
    notice.hidden = false;
    notice.querySelector(".draft-skipped").hidden = !skipped;
    notice.querySelector(".draft-discard").addEventListener("click", () => {
      localStorage.removeItem(key);
      window.location.reload();
    });
  } else {
    keep(); // Drops a draft the page already holds (saved since), or one that cannot apply.
  }
  sheetForm.addEventListener("input", keep);
  sheetForm.addEventListener("change", keep);

  // The sign-in ends after a quiet spell: say so before it does, and offer to stay.
  const idle = Number(sheetForm.dataset.idleSeconds) * 1000;
  const warning = sheetForm.querySelector(".session-warning");
  let timers = [];
  const expired = () => {
    warning.hidden = false;
    warning.querySelector(".session-soon").hidden = true;
    warning.querySelector(".session-gone").hidden = false;
    warning.querySelector(".session-keep").hidden = true;
  };
  const watch = () => {
    timers.forEach(clearTimeout);
    warning.hidden = true;
    timers = [
      setTimeout(() => (warning.hidden = false), Math.max(idle - 5 * 60 * 1000, idle * 0.5)),
      setTimeout(expired, idle),
    ];
  };
  if (idle > 0) {
    watch();
    warning.querySelector(".session-keep").addEventListener("click", () => {
      fetch(sheetForm.dataset.keepalive, { credentials: "same-origin", cache: "no-store" })
        .then((response) => (response.status === 204 ? watch() : expired()))
        .catch(() => {}); // Offline for a moment: the warning stays, the button can be pressed again.
    });
  }
}

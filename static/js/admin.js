// Signing out ends what this browser keeps of the quarter sheet's unsaved typing, so that the
// next person at a shared computer finds none of it (static/js/quarter.js keeps it).
const logout = document.getElementById("logout-form");
if (logout) {
  logout.addEventListener("submit", () => {
    try {
      Object.keys(localStorage)
        .filter((key) => key.startsWith("zzmetro-sheet:"))
        .forEach((key) => localStorage.removeItem(key));
    } catch (error) {
      // Storage refused: nothing was kept either.
    }
  });
}

// A problem's key project menu offers the chosen task's projects only (each option names its
// task, problems/forms.py TaskTaggedSelect); a project of another task is cleared.
const taskMenu = document.getElementById("id_task");
const projectMenu = document.getElementById("id_project");
if (taskMenu && projectMenu && projectMenu.querySelector("option[data-task]")) {
  const narrow = () => {
    Array.from(projectMenu.options).forEach((option) => {
      if (!option.value) return;
      const fits = !taskMenu.value || option.dataset.task === taskMenu.value;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) projectMenu.value = "";
    });
  };
  taskMenu.addEventListener("change", narrow);
  narrow();
}

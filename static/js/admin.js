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

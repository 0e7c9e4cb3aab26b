// django-import-export's export page wires its "Select all" box with an inline onchange
// attribute, which civicplan's Content-Security-Policy refuses to run: wired here instead,
// with the function of django-import-export's own script (export_selectable_fields.js).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle) => {
    toggle.id = toggle.id || "select-all-toggle"; // the id its label names
    toggle.addEventListener("change", onSelectToggleChange);
  });
});

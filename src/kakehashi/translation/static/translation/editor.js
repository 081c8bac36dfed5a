// Progressive enhancement: "Use" copies a translation-memory suggestion into the
// sentence's field. Without this file the suggestion can be copied by hand.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-fill]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.fill);
  if (field) {
    field.value = button.dataset.text;
    field.focus();
  }
});
